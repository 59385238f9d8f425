"""Web chat sessions beside the API token, and Telegram ids of any size.

Signing into the web chat with a link code used to replace the user's API token, silently
cutting off an integration that used it; a web chat sign-in now gets a token of its own.
Telegram's user ids have outgrown 32 bits, so they are stored as 64-bit integers.

Revision ID: 4f2d8e61c0a7
Revises: 7c1e0d3a9b42
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.models

revision: str = "4f2d8e61c0a7"
down_revision: str | None = "7c1e0d3a9b42"


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", ledger.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"], unique=False)
    if op.get_bind().dialect.name != "sqlite":  # SQLite's integers are 64-bit already
        op.alter_column("users", "telegram_user_id", type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("users", "telegram_user_id", type_=sa.Integer(), existing_type=sa.BigInteger())
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
