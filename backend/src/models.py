"""The tables: tasks, and the accounts (users, their credentials, invitations, failed sign-ins)."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    event,
    false,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement
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
    # Who made the task and who changed it last: null for tasks from before accounts and in
    # single-user mode, and once that person's account is gone.
    created_by: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="SET NULL", name="fk_tasks_created_by")
    )
    updated_by: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="SET NULL", name="fk_tasks_updated_by")
    )

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


class Role(enum.StrEnum):
    ADMIN = "admin"  # everything, plus people and invitations
    MEMBER = "member"  # reads and writes tasks
    VIEWER = "viewer"  # reads tasks


class CredentialKind(enum.StrEnum):
    SESSION = "session"  # from signing in; may manage the account
    API_TOKEN = "api_token"  # made by its person for scripts; tasks and the team list only


class Scope(enum.StrEnum):
    READ = "read"
    WRITE = "write"


def _checked(enum_class: type[enum.Enum], name: str) -> Enum:
    # Text with a CHECK constraint rather than a native PostgreSQL enum: a new value is a
    # one-line migration on both databases.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=_enum_values,
    )


class UserModel(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Stored lower-cased: unique case-insensitively, on both databases, by a plain index.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(_checked(Role, "ck_users_role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:  # never the hash
        return f"<UserModel id={self.id} role={self.role} active={self.active}>"


class CredentialModel(Base):
    """A session or an API token, as the HMAC of its value: the value itself is never stored.

    Every request looks its credential up here, so ending one (deleting its row) takes effect
    on every instance at once.
    """

    __tablename__ = "credentials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CredentialKind] = mapped_column(_checked(CredentialKind, "ck_credentials_kind"))
    scope: Mapped[Scope] = mapped_column(_checked(Scope, "ck_credentials_scope"))
    name: Mapped[str | None] = mapped_column(String(100))  # an API token's
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


def credential_live(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """A credential that still signs its person in at `now`: unexpired, and its person active.
    For a statement that joins credentials to users. The one rule for a request's lookup and for
    the live board's check of open streams."""
    return and_(CredentialModel.expires_at > now, UserModel.active)


class InvitationModel(Base):
    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)  # lower-cased
    role: Mapped[Role] = mapped_column(_checked(Role, "ck_invitations_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInFailureModel(Base):
    """One failed sign-in for an email (known or not): counted by every instance alike."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    email: Mapped[str] = mapped_column(String(254))  # lower-cased, as typed
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_sign_in_failures_email_at", "email", "at"),)


class TaskEventModel(Base):
    """One committed change to a task, written by a trigger on `tasks` in the change's own
    transaction: a change that rolls back leaves no event, and every writer (the API, the data
    tool, a psql session) is covered. The live board's streams read them (src/events.py); the
    last ones stay for clients that resume."""

    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    type: Mapped[str] = mapped_column(String(16))  # task.created, task.updated, task.deleted
    task_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    # The task as that change left it, as the database writes JSON (null for a deletion).
    task: Mapped[str | None] = mapped_column(Text)


# PostgreSQL: the trigger also NOTIFYs the channel every instance LISTENs on, with the event's
# id; the notification is delivered when the transaction commits, and never if it rolls back.
EVENTS_CHANNEL = "taskflow_events"
POSTGRESQL_EVENT_TRIGGER = [
    f"""
CREATE FUNCTION taskflow_task_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event_id bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO task_events (type, task_id, version)
        VALUES ('task.deleted', OLD.id, OLD.version) RETURNING id INTO event_id;
    ELSE
        INSERT INTO task_events (type, task_id, version, task)
        VALUES (CASE TG_OP WHEN 'INSERT' THEN 'task.created' ELSE 'task.updated' END,
                NEW.id, NEW.version, to_jsonb(NEW)::text)
        RETURNING id INTO event_id;
    END IF;
    PERFORM pg_notify('{EVENTS_CHANNEL}', event_id::text);
    RETURN NULL;
END
$$""",
    """
CREATE TRIGGER tasks_events AFTER INSERT OR UPDATE OR DELETE ON tasks
FOR EACH ROW EXECUTE FUNCTION taskflow_task_event()""",
]
# SQLite (one process): the same rows; the app's listener polls for them.
# Every column of tasks, as the SQLite trigger writes a task's snapshot.
SNAPSHOT_COLUMNS = (
    "id", "title", "description", "status", "priority", "assignee", "due_date", "due_all_day",
    "created_at", "updated_at", "version", "created_by", "updated_by",
)  # fmt: skip


def _sqlite_snapshot(row: str) -> str:
    return (
        "json_object("
        + ", ".join(f"'{column}', {row}.{column}" for column in SNAPSHOT_COLUMNS)
        + ")"
    )


SQLITE_EVENT_TRIGGERS = [
    f"""
CREATE TRIGGER tasks_event_{operation} AFTER {operation.upper()} ON tasks
BEGIN
    INSERT INTO task_events (at, type, task_id, version, task)
    VALUES (datetime('now'), 'task.{kind}', {row}.id, {row}.version, {snapshot});
END"""
    for operation, kind, row, snapshot in (
        ("insert", "created", "NEW", _sqlite_snapshot("NEW")),
        ("update", "updated", "NEW", _sqlite_snapshot("NEW")),
        ("delete", "deleted", "OLD", "NULL"),
    )
]


# For schemas made from the models (tests' create_all); migration 0005 makes the same.
# On the metadata, not a table: once both tasks and task_events exist (and before either goes).
def _on_metadata(when: str, statement: str, dialect: str) -> None:
    ddl = DDL(statement).execute_if(dialect=dialect)  # type: ignore[no-untyped-call]
    event.listen(Base.metadata, when, ddl)


for _statement in POSTGRESQL_EVENT_TRIGGER:
    _on_metadata("after_create", _statement, "postgresql")
for _statement in SQLITE_EVENT_TRIGGERS:
    _on_metadata("after_create", _statement, "sqlite")
_on_metadata("before_drop", "DROP TRIGGER IF EXISTS tasks_events ON tasks", "postgresql")
_on_metadata("before_drop", "DROP FUNCTION IF EXISTS taskflow_task_event()", "postgresql")
