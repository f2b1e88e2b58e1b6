"""The live board's event log: task_events, written by a trigger on tasks (and, on PostgreSQL,
a NOTIFY on the channel the app instances LISTEN on).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRESQL_TRIGGER = [
    """
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
    PERFORM pg_notify('taskflow_events', event_id::text);
    RETURN NULL;
END
$$""",
    """
CREATE TRIGGER tasks_events AFTER INSERT OR UPDATE OR DELETE ON tasks
FOR EACH ROW EXECUTE FUNCTION taskflow_task_event()""",
]
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


SQLITE_TRIGGERS = [
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


def upgrade() -> None:
    op.create_table(
        "task_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("task", sa.Text(), nullable=True),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGER if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tasks_events ON tasks")
        op.execute("DROP FUNCTION IF EXISTS taskflow_task_event()")
    else:
        for operation in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS tasks_event_{operation}")
    op.drop_table("task_events")
