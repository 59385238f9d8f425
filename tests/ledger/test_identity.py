"""Who is asking, on both databases: Telegram's 64-bit account ids, link codes spent once,
and a web chat sign-in that leaves the API token working."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from ledger import identity
from ledger.companies import create_company


def test_a_telegram_account_id_past_32_bits_is_linked(books: sessionmaker[Session]) -> None:
    with books.begin() as s:
        made = create_company(s, "Fjordlys AS", owner_name="Kari Nordmann")
        linked = identity.redeem_link_code(s, made.owner.link_code, 7_123_456_789)
        assert linked is not None
        assert identity.user_by_telegram_id(s, 7_123_456_789) == linked
        assert identity.redeem_link_code(s, made.owner.link_code, 7_123_456_790) is None  # spent


def test_a_web_sign_in_gets_its_own_token(books: sessionmaker[Session]) -> None:
    with books.begin() as s:
        made = create_company(s, "Fjordlys AS", owner_name="Kari Nordmann")
        issued = identity.issue_web_session_token(s, made.owner.link_code)
        assert issued is not None
        user, web_token = issued
        assert identity.user_by_token(s, made.owner.token) == user
        assert identity.user_by_token(s, web_token) == user
        assert identity.user_by_token(s, "bok_nothing") is None
