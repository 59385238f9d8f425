"""Account 3900 (annen driftsrelatert inntekt) in every company's chart.

Money in on a bank statement that pays no invoice can be posted as other operating income
(`ledger.statement_review.post_other_income`); new companies get the account with the
standard chart (`ledger/data/chart_ns4102.csv`), the companies already there get it here.

Revision ID: 0a5b7d2c8f46
Revises: 9e4a6c1b7f35
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0a5b7d2c8f46"
down_revision: str | None = "9e4a6c1b7f35"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO accounts (company_id, number, name_nb, name_en, kind, grouping_category, grouping_code,"
            " vat_code, active)"
            " SELECT c.id, '3900', 'Annen driftsrelatert inntekt', 'Other operating income', 'income',"
            " 'annenDriftsinntekt', '3900', NULL, :active FROM companies c"
            " WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.company_id = c.id AND a.number = '3900')"
        ).bindparams(active=True)
    )


def downgrade() -> None:
    # Only where nothing was posted on it: a downgrade never takes an account from under its lines.
    op.execute(
        sa.text(
            "DELETE FROM accounts WHERE number = '3900' AND NOT EXISTS"
            " (SELECT 1 FROM journal_lines l WHERE l.company_id = accounts.company_id AND l.account = '3900')"
        )
    )
