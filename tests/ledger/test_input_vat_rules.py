"""Input VAT is deducted only where the law allows it, over the real ledger on SQLite and
PostgreSQL: domestic passenger transport carries 12 %, a flight abroad none (mval. § 6-28),
and a meal on a trip is food and serving, not transport (mval. § 8-3); the new default words
reach books whose defaults were loaded before, through the migration."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session, sessionmaker

from ledger.db import make_engine
from ledger.expenses import register_expense
from ledger.migrate import upgrade
from ledger.models import Base, ExpenseCategory
from tests.ledger.book_builders import day, new_company
from tests.ledger.builders import entry_lines

D = Decimal


@pytest.mark.parametrize(
    ("said", "lines"),
    [
        ("fly", ["7140 debit 1071.43 vat=13", "2710 debit 128.57 vat=13", "1920 credit 1200.00"]),
        ("utenlandsfly", ["7140 debit 1200.00 vat=0", "1920 credit 1200.00"]),
        ("international flight", ["7140 debit 1200.00 vat=0", "1920 credit 1200.00"]),
        ("lunsj på reise", ["7140 debit 1200.00 vat=0", "1920 credit 1200.00"]),
        ("meal while travelling", ["7140 debit 1200.00 vat=0", "1920 credit 1200.00"]),
    ],
)
def test_only_domestic_passenger_transport_deducts_12_percent(
    books: sessionmaker[Session], said: str, lines: list[str]
) -> None:
    cid = new_company(books)
    with books.begin() as s:
        done = register_expense(s, cid, "1200", said, day("2026-11-02"), "SAS", None, "web")
        assert entry_lines(s, done.entry_id) == lines
        law = {"13": "persontransport", "0": "mval. § "}[str(done.plan.treatment.vat_code)]
        assert law in done.plan.treatment.note_nb


def test_a_meal_on_a_trip_is_never_read_as_transport(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        for said in ("mat på reise", "middag på reise", "frokost på reise", "reisemat", "travel meal"):
            done = register_expense(s, cid, "300", said, day("2026-11-02"), None, None, "web")
            assert (done.plan.treatment.account, done.plan.treatment.vat_code, done.plan.vat) == ("7140", "0", D("0"))


def test_the_migration_gives_older_books_the_new_words_and_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "9b3e51d07a2c")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO expense_categories (company_id, keyword, account, vat_code, needs_vehicle, note_nb,"
                " note_en) VALUES (NULL, 'fly', '7140', '13', 0, '', '')"
            )
        )
    upgrade(url)
    with sessionmaker(engine).begin() as s:
        words = set(s.scalars(sa.select(ExpenseCategory.keyword).where(ExpenseCategory.company_id.is_(None))))
    assert {"fly", "utenlandsfly", "international flight", "mat på reise", "lunsj på reise"} <= words
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # (SQLite keeps every integer in 64 bits: the BigInteger of users.telegram_user_id is not
    # this migration's difference.)
    mine = [d for d in differences if "telegram_user_id" not in str(d)]
    assert mine == []
    engine.dispose()
