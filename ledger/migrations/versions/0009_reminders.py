"""Deadline reminders pushed once each, and who muted which.

- `sent_reminders`: a reminder claimed for one person, unique per (company, kind, period or
  invoice, due date, days before, user), so that however many gateway processes push, and
  across restarts, each goes out once.
- `muted_reminders`: a person's "no more reminders of this kind" for one company.

Revision ID: 9e4a6c1b7f35
Revises: 8d3f5b0a6e24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.models

revision: str = "9e4a6c1b7f35"
down_revision: str | None = "8d3f5b0a6e24"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", ledger.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "kind", "subject", "due_date", "lead_days", "user_id"),
    )
    op.create_table(
        "muted_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("muted_at", ledger.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "company_id", "kind"),
    )


def downgrade() -> None:
    op.drop_table("muted_reminders")
    op.drop_table("sent_reminders")
