"""The tasks table: TaskModel, the enums its status and priority columns hold, and TaskRecord."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from operator import attrgetter, is_
from typing import Any, NamedTuple

from sqlalchemy import DateTime, Dialect, Enum, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from src.database import Base
from src.direct_reads import ColumnProcessor


class TaskStatus(enum.StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class TaskPriority(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so it stores naive UTC and the
    zone is put back on read. Either way the API only ever sees aware UTC values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is UTC:  # PostgreSQL's, in the UTC sessions database.py opens
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def column_result_processor(self, dialect: Dialect) -> ColumnProcessor:
        """For DirectRead's pages: process_result_value done to a column of values at once.

        PostgreSQL's values, in the UTC sessions database.py opens, are all UTC already: checked
        in C (no Python call per value), they are kept as they are. Any other column, and every
        column whose text the driver leaves to be parsed (SQLite's), goes value by value.
        """
        # The dialect's own types, as Connection.execute would use them.
        process = self.dialect_impl(dialect).result_processor(dialect, None)
        assert process is not None  # TypeDecorator always has one: process_result_value
        by_value = partial(map, process)
        if self.impl_instance.dialect_impl(dialect).result_processor(dialect, None) is not None:
            return by_value

        def process_column(values: Sequence[Any]) -> Iterable[Any]:
            # filter(None): every datetime is true, so only the NULLs are left out. By identity,
            # as process_result_value checks: another zero-offset timezone equals UTC.
            if all(map(_IS_UTC, map(_TZINFO, filter(None, values)))):
                return values
            return by_value(values)

        return process_column


_TZINFO = attrgetter("tzinfo")
_IS_UTC = partial(is_, UTC)


def _enum_values(enum_class: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_class]


# Names and values as the tutorial's create_all made them, so existing databases match.
STATUS_TYPE = Enum(TaskStatus, name="taskstatus", values_callable=_enum_values)
PRIORITY_TYPE = Enum(TaskPriority, name="taskpriority", values_callable=_enum_values)


class TaskModel(Base):
    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String, primary_key=True, default=lambda: str(uuid.uuid4()))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[TaskStatus] = mapped_column(STATUS_TYPE, default=TaskStatus.TODO)
    priority: Mapped[TaskPriority] = mapped_column(PRIORITY_TYPE, default=TaskPriority.MEDIUM)
    assignee: Mapped[str | None] = mapped_column(String(100))
    due_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    # Every UPDATE and DELETE says "WHERE version = <the version read>" and bumps it, so two
    # writers can never both win: the loser's statement matches no row. The API's writes say
    # so themselves (tasks._write_versioned); this makes any ORM flush (tests, scripts) do too.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    # Serve the list endpoint: each sort key with id as tie-breaker, and the filters.
    __table_args__ = (
        Index("ix_tasks_created_at_id", "created_at", "id"),
        Index("ix_tasks_updated_at_id", "updated_at", "id"),
        Index("ix_tasks_due_date_id", "due_date", "id"),
        Index("ix_tasks_status_created_at_id", "status", "created_at", "id"),
        Index("ix_tasks_priority_created_at_id", "priority", "created_at", "id"),
        Index("ix_tasks_assignee", "assignee"),
        Index("ix_tasks_title_id", "title", "id"),
    )

    def __repr__(self) -> str:
        return f"<TaskModel id={self.id} status={self.status} version={self.version}>"


class TaskRecord(NamedTuple):
    """A task as read: the table's columns in order, as plain values (no ORM state)."""

    id: str
    title: str
    description: str | None
    status: TaskStatus
    priority: TaskPriority
    assignee: str | None
    due_date: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
