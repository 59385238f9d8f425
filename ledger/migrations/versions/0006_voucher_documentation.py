"""Vouchers keep their documentation; VAT settlements are recognised by their own record;
older books get the dated VAT rates.

- `voucher_attachments`: the documents kept with a posted voucher (a receipt's photo or PDF,
  the bank statement line of a bank posting), with their bytes, digest, size and who added
  them, when and through which channel.
- `documentation_requirements`: the vouchers that need documentation (an expense its
  receipt), recorded when they are posted; one without an attachment is missing it.
- `closed_periods.vat_term`: the VAT term a close settled (None for a close of the books).
  A settlement used to be told apart by its reason text ("vat-settlement:2026-5"); the
  closes made that way get their term from it. One settlement per term and company.
- The VAT rates of books whose rates were loaded before rates were dated (one open-ended row
  per code, no 6 % low rate from 2020-04-01 to 2021-09-30) are brought to the dated rates as
  they stood when this migration was written (`RATES`, the rows of `vat_rates.csv`); books
  with no rates yet load them from the data file when their first company is made.
- The fixed-asset accounts equipment over the capitalisation limit is booked on (1200
  Maskiner og anlegg, 1250 Inventar, 1280 Kontormaskiner), for companies made before they
  were in the standard chart.

Revision ID: 6b1d0e8f3a21
Revises: 5a7c2e9d4b10
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

import ledger.models

revision: str = "6b1d0e8f3a21"
down_revision: str | None = "5a7c2e9d4b10"
branch_labels = None
depends_on = None

SETTLEMENT_REASON = "vat-settlement:"

ASSET_ACCOUNTS = (
    # number, name_nb, name_en, grouping_code
    ("1200", "Maskiner og anlegg", "Machinery and plant", "1205"),
    ("1250", "Inventar", "Furniture and fixtures", "1205"),
    ("1280", "Kontormaskiner", "Office machines", "1280"),
)

RATES = (
    # code, direction, rate, valid_from, valid_to, name_nb, name_en
    ("3", "sales", "25", "2005-01-01", None, "Utgående mva, alminnelig sats", "Output VAT, standard rate"),
    (
        "31",
        "sales",
        "15",
        "2012-01-01",
        None,
        "Utgående mva, middels sats (næringsmidler)",
        "Output VAT, reduced rate (food)",
    ),
    ("33", "sales", "8", "2006-01-01", "2015-12-31", "Utgående mva, lav sats", "Output VAT, low rate"),
    ("33", "sales", "10", "2016-01-01", "2017-12-31", "Utgående mva, lav sats", "Output VAT, low rate"),
    ("33", "sales", "12", "2018-01-01", "2020-03-31", "Utgående mva, lav sats", "Output VAT, low rate"),
    (
        "33",
        "sales",
        "6",
        "2020-04-01",
        "2021-09-30",
        "Utgående mva, lav sats (midlertidig 6 %)",
        "Output VAT, low rate (temporarily 6 %)",
    ),
    ("33", "sales", "12", "2021-10-01", None, "Utgående mva, lav sats", "Output VAT, low rate"),
    ("5", "sales", "0", "2001-01-01", None, "Omsetning fritatt for mva", "Sales exempt from VAT (zero rate)"),
    ("6", "sales", "0", "2001-01-01", None, "Omsetning utenfor mva-loven", "Sales outside the VAT act"),
    ("1", "purchase", "25", "2005-01-01", None, "Inngående mva, alminnelig sats", "Input VAT, standard rate"),
    ("11", "purchase", "15", "2012-01-01", None, "Inngående mva, middels sats", "Input VAT, reduced rate (food)"),
    ("13", "purchase", "8", "2006-01-01", "2015-12-31", "Inngående mva, lav sats", "Input VAT, low rate"),
    ("13", "purchase", "10", "2016-01-01", "2017-12-31", "Inngående mva, lav sats", "Input VAT, low rate"),
    ("13", "purchase", "12", "2018-01-01", "2020-03-31", "Inngående mva, lav sats", "Input VAT, low rate"),
    (
        "13",
        "purchase",
        "6",
        "2020-04-01",
        "2021-09-30",
        "Inngående mva, lav sats (midlertidig 6 %)",
        "Input VAT, low rate (temporarily 6 %)",
    ),
    ("13", "purchase", "12", "2021-10-01", None, "Inngående mva, lav sats", "Input VAT, low rate"),
    ("0", "purchase", "0", "2001-01-01", None, "Ingen mva-behandling (kjøp)", "No VAT treatment (purchases)"),
)


def upgrade() -> None:
    op.create_table(
        "voucher_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("journal_entry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", ledger.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["journal_entry_id"], ["journal_entries.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journal_entry_id", "sha256"),
    )
    op.create_index(op.f("ix_voucher_attachments_company_id"), "voucher_attachments", ["company_id"])
    op.create_index(op.f("ix_voucher_attachments_journal_entry_id"), "voucher_attachments", ["journal_entry_id"])
    op.create_table(
        "documentation_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("journal_entry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", ledger.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.ForeignKeyConstraint(["journal_entry_id"], ["journal_entries.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journal_entry_id"),
    )
    op.create_index(op.f("ix_documentation_requirements_company_id"), "documentation_requirements", ["company_id"])
    with op.batch_alter_table("closed_periods") as batch:
        batch.add_column(sa.Column("vat_term", sa.String(length=20), nullable=True))
    # The term is what follows the prefix ("vat-settlement:2026-5" -> "2026-5").
    op.execute(
        sa.text("UPDATE closed_periods SET vat_term = substr(reason, :start) WHERE reason LIKE :prefix").bindparams(
            start=len(SETTLEMENT_REASON) + 1, prefix=f"{SETTLEMENT_REASON}%"
        )
    )
    with op.batch_alter_table("closed_periods") as batch:
        batch.create_unique_constraint("uq_closed_periods_company_vat_term", ["company_id", "vat_term"])
    _date_the_vat_rates()
    _add_asset_accounts()


def _add_asset_accounts() -> None:
    """Every company gets the asset accounts its chart lacks."""
    bind = op.get_bind()
    accounts = sa.table(
        "accounts",
        sa.column("company_id", sa.Integer()),
        sa.column("number", sa.String()),
        sa.column("name_nb", sa.String()),
        sa.column("name_en", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("grouping_category", sa.String()),
        sa.column("grouping_code", sa.String()),
        sa.column("vat_code", sa.String()),
        sa.column("active", sa.Boolean()),
    )
    companies = bind.execute(sa.text("SELECT id FROM companies")).scalars().all()
    for company_id in companies:
        have = set(bind.execute(sa.select(accounts.c.number).where(accounts.c.company_id == company_id)).scalars())
        for number, name_nb, name_en, grouping_code in ASSET_ACCOUNTS:
            if number not in have:
                bind.execute(
                    accounts.insert().values(
                        company_id=company_id,
                        number=number,
                        name_nb=name_nb,
                        name_en=name_en,
                        kind="asset",
                        grouping_category="balanseverdiForAnleggsmiddel",
                        grouping_code=grouping_code,
                        vat_code=None,
                        active=True,
                    )
                )


def _date_the_vat_rates() -> None:
    """Rates loaded before are replaced by the dated rows, keyed by code and first day; books
    without rates are left to load them from the data file."""
    bind = op.get_bind()
    rates = sa.table(
        "vat_rates",
        sa.column("id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("direction", sa.String()),
        sa.column("rate", ledger.models.FixedPoint(2, 5)),
        sa.column("valid_from", sa.Date()),
        sa.column("valid_to", sa.Date()),
        sa.column("name_nb", sa.String()),
        sa.column("name_en", sa.String()),
    )
    stored = {
        (code, start): row_id
        for row_id, code, start in bind.execute(sa.select(rates.c.id, rates.c.code, rates.c.valid_from))
    }
    if not stored:
        return
    wanted = {}
    for code, direction, rate, valid_from, valid_to, name_nb, name_en in RATES:
        start = dt.date.fromisoformat(valid_from)
        wanted[(code, start)] = {
            "code": code,
            "direction": direction,
            "rate": Decimal(rate),
            "valid_from": start,
            "valid_to": dt.date.fromisoformat(valid_to) if valid_to else None,
            "name_nb": name_nb,
            "name_en": name_en,
        }
    # Rows the dated data has no longer (a code's first day moved) go first, so that no two
    # rows of a code overlap; rates are looked up by code and date, nothing refers to a row.
    for key, row_id in stored.items():
        if key not in wanted:
            bind.execute(rates.delete().where(rates.c.id == row_id))
    for key, values in wanted.items():
        if key in stored:
            bind.execute(rates.update().where(rates.c.id == stored[key]).values(**values))
        else:
            bind.execute(rates.insert().values(**values))


def downgrade() -> None:
    # The dated rates stay: they are right for the older code as well.
    with op.batch_alter_table("closed_periods") as batch:
        batch.drop_constraint("uq_closed_periods_company_vat_term", type_="unique")
        batch.drop_column("vat_term")
    op.drop_index(op.f("ix_documentation_requirements_company_id"), table_name="documentation_requirements")
    op.drop_table("documentation_requirements")
    op.drop_index(op.f("ix_voucher_attachments_journal_entry_id"), table_name="voucher_attachments")
    op.drop_index(op.f("ix_voucher_attachments_company_id"), table_name="voucher_attachments")
    op.drop_table("voucher_attachments")
