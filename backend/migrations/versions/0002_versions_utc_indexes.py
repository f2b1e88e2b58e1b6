"""TaskFlow 3: a version per task, time-zone-aware timestamps, indexes for the list endpoint.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMPS = ("due_date", "created_at", "updated_at")
INDEXES = {
    "ix_tasks_created_at_id": ["created_at", "id"],
    "ix_tasks_updated_at_id": ["updated_at", "id"],
    "ix_tasks_due_date_id": ["due_date", "id"],
    "ix_tasks_status_created_at_id": ["status", "created_at", "id"],
    "ix_tasks_priority_created_at_id": ["priority", "created_at", "id"],
    "ix_tasks_assignee": ["assignee"],
    "ix_tasks_title_id": ["title", "id"],
}


def upgrade() -> None:
    bind = op.get_bind()
    # The tutorial indexed the primary key a second time; the primary key's own index serves.
    op.execute("DROP INDEX IF EXISTS ix_tasks_id")
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    if bind.dialect.name == "postgresql":
        # The tutorial wrote naive UTC (utcnow(), and now() on a UTC server): say so.
        for column in TIMESTAMPS:
            op.execute(
                f"ALTER TABLE tasks ALTER COLUMN {column} TYPE TIMESTAMP WITH TIME ZONE "
                f"USING {column} AT TIME ZONE 'UTC'"
            )
    for name, columns in INDEXES.items():
        op.create_index(name, "tasks", columns)


def downgrade() -> None:
    bind = op.get_bind()
    for name in INDEXES:
        op.drop_index(name, table_name="tasks")
    if bind.dialect.name == "postgresql":
        for column in TIMESTAMPS:
            op.execute(
                f"ALTER TABLE tasks ALTER COLUMN {column} TYPE TIMESTAMP WITHOUT TIME ZONE "
                f"USING {column} AT TIME ZONE 'UTC'"
            )
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("version")
    op.create_index("ix_tasks_id", "tasks", ["id"])
