"""Invoices carry their real delivery period and part credits; new default expense categories.

- `invoices.delivery_from` beside `delivery_date` (now the period's last day), filled for the
  invoices issued before: billed hours give their first date, anything else its delivery or
  issue date; a credit note gets the period of the invoice it credits.
- `invoices.credited`: what credit notes have taken off an invoice (the whole total of one
  already credited), and `invoice_lines.credits_line_id`: the line a credit note's line
  credits, so that part of an invoice can be credited and never more than it.
- The default expense categories added with these rules (international flights, meals on a
  trip), for books whose defaults were loaded before; new books load them from the data.

Revision ID: 5a7c2e9d4b10
Revises: 9b3e51d07a2c
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledger.models

revision: str = "5a7c2e9d4b10"
down_revision: str | None = "9b3e51d07a2c"
branch_labels = None
depends_on = None

NEW_DEFAULT_CATEGORIES = (
    # keyword, account, vat_code, note_nb, note_en
    (
        "utenlandsfly",
        "7140",
        "0",
        "persontransport til eller fra utlandet er fritatt for mva (mval. § 6-28): ingen mva å trekke fra",
        "passenger transport to or from abroad is zero-rated (VAT Act § 6-28): no VAT to deduct",
    ),
    (
        "fly til utlandet",
        "7140",
        "0",
        "persontransport til eller fra utlandet er fritatt for mva (mval. § 6-28): ingen mva å trekke fra",
        "passenger transport to or from abroad is zero-rated (VAT Act § 6-28): no VAT to deduct",
    ),
    (
        "international flight",
        "7140",
        "0",
        "persontransport til eller fra utlandet er fritatt for mva (mval. § 6-28): ingen mva å trekke fra",
        "passenger transport to or from abroad is zero-rated (VAT Act § 6-28): no VAT to deduct",
    ),
    (
        "flight abroad",
        "7140",
        "0",
        "persontransport til eller fra utlandet er fritatt for mva (mval. § 6-28): ingen mva å trekke fra",
        "passenger transport to or from abroad is zero-rated (VAT Act § 6-28): no VAT to deduct",
    ),
    (
        "mat på reise",
        "7140",
        "0",
        "måltider på reise er servering og kost, ikke transport: ingen fradrag for mva (mval. § 8-3)",
        "meals on a trip are food and serving, not transport: no VAT deduction (VAT Act § 8-3)",
    ),
    (
        "måltid på reise",
        "7140",
        "0",
        "måltider på reise er servering og kost, ikke transport: ingen fradrag for mva (mval. § 8-3)",
        "meals on a trip are food and serving, not transport: no VAT deduction (VAT Act § 8-3)",
    ),
    (
        "reisemat",
        "7140",
        "0",
        "måltider på reise er servering og kost, ikke transport: ingen fradrag for mva (mval. § 8-3)",
        "meals on a trip are food and serving, not transport: no VAT deduction (VAT Act § 8-3)",
    ),
    (
        "meal while travelling",
        "7140",
        "0",
        "måltider på reise er servering og kost, ikke transport: ingen fradrag for mva (mval. § 8-3)",
        "meals on a trip are food and serving, not transport: no VAT deduction (VAT Act § 8-3)",
    ),
    (
        "travel meal",
        "7140",
        "0",
        "måltider på reise er servering og kost, ikke transport: ingen fradrag for mva (mval. § 8-3)",
        "meals on a trip are food and serving, not transport: no VAT deduction (VAT Act § 8-3)",
    ),
    (
        "lunsj på reise",
        "7140",
        "0",
        "måltider på reise er servering og kost, ikke transport: ingen fradrag for mva (mval. § 8-3)",
        "meals on a trip are food and serving, not transport: no VAT deduction (VAT Act § 8-3)",
    ),
    (
        "middag på reise",
        "7140",
        "0",
        "måltider på reise er servering og kost, ikke transport: ingen fradrag for mva (mval. § 8-3)",
        "meals on a trip are food and serving, not transport: no VAT deduction (VAT Act § 8-3)",
    ),
    (
        "frokost på reise",
        "7140",
        "0",
        "måltider på reise er servering og kost, ikke transport: ingen fradrag for mva (mval. § 8-3)",
        "meals on a trip are food and serving, not transport: no VAT deduction (VAT Act § 8-3)",
    ),
)


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("delivery_from", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("credited", ledger.models.FixedPoint(2, 18), nullable=False, server_default=sa.text("0"))
        )
    with op.batch_alter_table("invoice_lines") as batch:
        batch.add_column(sa.Column("credits_line_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_invoice_lines_credits_line_id", "invoice_lines", ["credits_line_id"], ["id"])
    _fill_delivery_and_credited()
    _add_default_categories()


def _fill_delivery_and_credited() -> None:
    """The delivery period and the credited total of the invoices issued before."""
    op.execute(
        """
        UPDATE invoices SET delivery_date = issue_date WHERE delivery_date IS NULL
        """
    )
    op.execute(
        """
        UPDATE invoices SET delivery_from = COALESCE(
            (SELECT MIN(time_entries.date) FROM time_entries WHERE time_entries.invoice_id = invoices.id),
            delivery_date)
        WHERE kind = 'invoice'
        """
    )
    op.execute(
        """
        UPDATE invoices SET
            delivery_from = (SELECT credited.delivery_from FROM invoices AS credited
                             WHERE credited.id = invoices.credits_id),
            delivery_date = (SELECT credited.delivery_date FROM invoices AS credited
                             WHERE credited.id = invoices.credits_id)
        WHERE kind = 'credit_note' AND credits_id IS NOT NULL
        """
    )
    op.execute("UPDATE invoices SET delivery_from = delivery_date WHERE delivery_from IS NULL")
    op.execute("UPDATE invoices SET credited = total WHERE kind = 'invoice' AND status = 'credited'")


def _add_default_categories() -> None:
    """The new default categories, only where the defaults were loaded already (new books get
    them from the data file when their first company is made)."""
    bind = op.get_bind()
    categories = sa.table(
        "expense_categories",
        sa.column("id", sa.Integer()),
        sa.column("company_id", sa.Integer()),
        sa.column("keyword", sa.String()),
        sa.column("account", sa.String()),
        sa.column("vat_code", sa.String()),
        sa.column("needs_vehicle", sa.Boolean()),
        sa.column("note_nb", sa.Text()),
        sa.column("note_en", sa.Text()),
    )
    defaults = set(bind.execute(sa.select(categories.c.keyword).where(categories.c.company_id.is_(None))).scalars())
    if not defaults:
        return
    for keyword, account, vat_code, note_nb, note_en in NEW_DEFAULT_CATEGORIES:
        if keyword not in defaults:
            bind.execute(
                categories.insert().values(
                    company_id=None,
                    keyword=keyword,
                    account=account,
                    vat_code=vat_code,
                    needs_vehicle=False,
                    note_nb=note_nb,
                    note_en=note_en,
                )
            )


def downgrade() -> None:
    with op.batch_alter_table("invoice_lines") as batch:
        batch.drop_constraint("fk_invoice_lines_credits_line_id", type_="foreignkey")
        batch.drop_column("credits_line_id")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("credited")
        batch.drop_column("delivery_from")
