"""Text without control characters: clean what was stored before the books refused them.

Names, addresses and descriptions with C0 control characters (NUL, ESC, ...) made the EHF and
SAF-T exports fail for good; from now on every flush cleans text (see `ledger.text`), and
this migration cleans the rows written before.

Revision ID: 7c1e0d3a9b42
Revises: 2bacfd5662df
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ledger.text import has_controls, without_controls

revision: str = "7c1e0d3a9b42"
down_revision: str | None = "2bacfd5662df"


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table_name in inspector.get_table_names():
        if table_name == "alembic_version":
            continue
        columns = inspector.get_columns(table_name)
        text_columns = [c["name"] for c in columns if isinstance(c["type"], sa.String)]
        keys = inspector.get_pk_constraint(table_name).get("constrained_columns") or []
        if not text_columns or not keys:
            continue
        table = sa.table(table_name, *(sa.column(name) for name in {*text_columns, *keys}))
        for row in bind.execute(sa.select(table)).mappings():
            dirty = {
                name: without_controls(row[name])
                for name in text_columns
                if isinstance(row[name], str) and has_controls(row[name])
            }
            if dirty:
                where = sa.and_(*(table.c[key] == row[key] for key in keys))
                bind.execute(sa.update(table).where(where).values(**dirty))


def downgrade() -> None:
    """Nothing to undo: the removed characters were never meant to be there."""
