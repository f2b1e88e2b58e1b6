"""Accounts: users, their sessions and API tokens, invitations, failed sign-ins; who made a task.

Existing tasks keep their ids and get null for created_by and updated_by (made before accounts).
Credentials and invitations hold only the HMAC of their values.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("admin", "member", "viewer")


def _checked(name: str, values: Sequence[str]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", _checked("ck_users_role", ROLES), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "user_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "kind", _checked("ck_credentials_kind", ("session", "api_token")), nullable=False
        ),
        sa.Column("scope", _checked("ck_credentials_scope", ("read", "write")), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, index=True),
        sa.Column("role", _checked("ck_invitations_role", ROLES), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "invited_by",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sign_in_failures_email_at", "sign_in_failures", ["email", "at"])
    with op.batch_alter_table("tasks") as batch:
        for column in ("created_by", "updated_by"):
            batch.add_column(sa.Column(column, sa.String(36), nullable=True))
            batch.create_foreign_key(
                f"fk_tasks_{column}", "users", [column], ["id"], ondelete="SET NULL"
            )


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        for column in ("created_by", "updated_by"):
            batch.drop_constraint(f"fk_tasks_{column}", type_="foreignkey")
            batch.drop_column(column)
    op.drop_table("sign_in_failures")
    op.drop_table("invitations")
    op.drop_table("credentials")
    op.drop_table("users")
