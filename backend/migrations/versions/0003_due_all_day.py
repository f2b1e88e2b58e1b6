"""A due date can be a day: tasks.due_all_day.

A day is stored as its midnight UTC, as before; the flag says it is a day rather than that
instant, so every time zone shows the same date and it is overdue only once the day is over.
Existing due dates at exactly midnight UTC were, in all likelihood, sent as a day (the
tutorial's clients and curl examples send "2026-12-01"): they become days.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(
            sa.Column("due_all_day", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    if op.get_bind().dialect.name == "postgresql":
        midnight = "due_date = date_trunc('day', due_date AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    else:  # naive UTC text, as SQLAlchemy writes it
        midnight = "strftime('%H:%M:%f', due_date) = '00:00:00.000'"
    op.execute(f"UPDATE tasks SET due_all_day = true WHERE due_date IS NOT NULL AND {midnight}")


def downgrade() -> None:
    # The dates themselves are unchanged: a day becomes its midnight UTC again.
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("due_all_day")
