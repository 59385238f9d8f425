"""Files sent into the conversation and the vendor rules the assistant learns.

- `conversation_files`: a bank statement or a receipt sent in a chat, kept for the assistant
  to read (and for a voucher to keep as its documentation), with a receipt's text as OCR
  read it.
- `vendor_rules`: per company, the account and VAT code a person decided for a vendor,
  proposed again the next time the vendor turns up.

Revision ID: 7c2e4a9f5d13
Revises: 6b1d0e8f3a21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.models

revision: str = "7c2e4a9f5d13"
down_revision: str | None = "6b1d0e8f3a21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("statement_format", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("caption", sa.String(length=2000), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("created_at", ledger.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ocr_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_id"),
    )
    op.create_index(
        op.f("ix_conversation_files_company_id"), "conversation_files", ["company_id"], unique=False
    )
    op.create_table(
        "vendor_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("vendor_key", sa.String(length=200), nullable=False),
        sa.Column("vendor_name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("account", sa.String(length=4), nullable=False),
        sa.Column("vat_code", sa.String(length=3), nullable=False),
        sa.Column("times_used", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", ledger.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "vendor_key"),
    )
    op.create_index(op.f("ix_vendor_rules_company_id"), "vendor_rules", ["company_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_vendor_rules_company_id"), table_name="vendor_rules")
    op.drop_table("vendor_rules")
    op.drop_index(op.f("ix_conversation_files_company_id"), table_name="conversation_files")
    op.drop_table("conversation_files")
