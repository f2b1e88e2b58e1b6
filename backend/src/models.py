"""The tasks table: TaskModel and the enums its status and priority columns hold."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Dialect, Enum, Index, Integer, String, false, func
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from src.database import Base


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
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
    # True when the due date is a day (stored as that day's midnight UTC), not an instant.
    due_all_day: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    # Every UPDATE and DELETE the API sends names the versions it accepts and bumps the version
    # in SQL (services/tasks.py); this makes any ORM flush (tests, scripts) check it too.
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
