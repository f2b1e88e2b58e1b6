"""The tasks table as the tutorial's create_all() made it.

A database made by the tutorial already has this table, with rows, and no alembic_version:
then this revision changes nothing and only records that the database is at this point.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_VALUES = ("todo", "in_progress", "done")
PRIORITY_VALUES = ("low", "medium", "high")


def _enum(bind: sa.Connection, name: str, values: tuple[str, ...]) -> sa.types.TypeEngine[str]:
    if bind.dialect.name == "postgresql":
        # The type may outlive a dropped table; create it only where it is missing.
        postgresql.ENUM(*values, name=name).create(bind, checkfirst=True)
        return postgresql.ENUM(*values, name=name, create_type=False)
    return sa.Enum(*values, name=name)


def upgrade() -> None:
    bind = op.get_bind()
    if sa.inspect(bind).has_table("tasks"):
        return
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(1000), nullable=True),
        sa.Column("status", _enum(bind, "taskstatus", STATUS_VALUES), nullable=False),
        sa.Column("priority", _enum(bind, "taskpriority", PRIORITY_VALUES), nullable=False),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("due_date", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_tasks_id", "tasks", ["id"])


def downgrade() -> None:
    op.drop_table("tasks")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        postgresql.ENUM(name="taskpriority").drop(bind, checkfirst=True)
        postgresql.ENUM(name="taskstatus").drop(bind, checkfirst=True)
