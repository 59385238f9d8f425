"""State that every gateway process shares (button payloads, throttles, grants).

Several gateway processes serve one installation; what one of them learnt must be there for
the next: wrong link codes counted towards the throttle (`sign_in_failures`) and the long
payloads of Telegram buttons (`button_payloads`). Download grants need no table: they are
signed and checked against the user's token hash (`channels.download_grants`).

Revision ID: 8d3f5b0a6e24
Revises: 7c2e4a9f5d13
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.models

revision: str = "8d3f5b0a6e24"
down_revision: str | None = "7c2e4a9f5d13"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("failed_at", ledger.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_failures_source_failed_at", "sign_in_failures", ["source", "failed_at"])
    op.create_index(op.f("ix_sign_in_failures_failed_at"), "sign_in_failures", ["failed_at"])
    op.create_table(
        "button_payloads",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("used_at", ledger.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_button_payloads_used_at"), "button_payloads", ["used_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_button_payloads_used_at"), table_name="button_payloads")
    op.drop_table("button_payloads")
    op.drop_index(op.f("ix_sign_in_failures_failed_at"), table_name="sign_in_failures")
    op.drop_index("ix_sign_in_failures_source_failed_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
