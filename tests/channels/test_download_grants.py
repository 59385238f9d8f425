"""Download grants: one user, one GET of one path, for a minute, and nothing more."""

from __future__ import annotations

import datetime as dt

from channels.download_grants import issue_grant, user_for_grant
from ledger import clock, identity
from ledger.models import User
from tests.channels.conftest import PDF, Books, GatewayFactory, document_path


def test_a_grant_speaks_for_its_user_on_its_path_until_it_expires(books: Books) -> None:
    path = document_path(books.company_id, "10001.pdf")
    now = clock.now()
    with books.sessions.begin() as session:
        grant = issue_grant(session, books.owner.user.id, path, now=now)
        assert user_for_grant(session, grant, path, now=now) == books.owner.user.id
        assert user_for_grant(session, grant, path, now=now + dt.timedelta(seconds=59)) == books.owner.user.id
        assert user_for_grant(session, grant, path, now=now + dt.timedelta(seconds=61)) is None
        assert user_for_grant(session, grant, document_path(books.company_id, "10002.pdf"), now=now) is None


def test_a_tampered_grant_or_a_token_is_not_a_grant(books: Books) -> None:
    path = document_path(books.company_id, "10001.pdf")
    with books.sessions.begin() as session:
        grant = issue_grant(session, books.staff.user.id, path)
        prefix, user, expires, signature = grant.split(".")
        as_owner = ".".join([prefix, str(books.owner.user.id), expires, signature])
        later = ".".join([prefix, user, str(int(expires) + 3600), signature])
        for forged in (as_owner, later, grant[:-2], "grant.", "grant.1.2", books.owner.token):
            assert user_for_grant(session, forged, path) is None


def test_a_new_token_ends_the_users_grants(books: Books) -> None:
    path = document_path(books.company_id, "10001.pdf")
    with books.sessions.begin() as session:
        grant = issue_grant(session, books.owner.user.id, path)
        user = session.get(User, books.owner.user.id)
        assert user is not None
        user.token_hash = identity.hash_secret(identity.new_token())
    with books.sessions.begin() as session:
        assert user_for_grant(session, grant, path) is None


async def test_the_api_takes_a_grant_for_its_one_get_only(start_gateway: GatewayFactory, books: Books) -> None:
    client = await start_gateway()
    path = document_path(books.company_id, "10001.pdf")
    with books.sessions.begin() as session:
        owners = {"Authorization": f"Bearer {issue_grant(session, books.owner.user.id, path)}"}
        staffs = {"Authorization": f"Bearer {issue_grant(session, books.staff.user.id, path)}"}

    fetched = await client.get(path, headers=owners)
    assert fetched.status == 200
    assert await fetched.read() == PDF
    assert (await client.get(path, headers=staffs)).status == 403  # the staff member's own authority
    assert (await client.get(document_path(books.company_id, "10002.pdf"), headers=owners)).status == 401
    assert (await client.get("/api/v1/me", headers=owners)).status == 401
    assert (await client.post("/api/v1/chat", json={"text": "hei"}, headers=owners)).status == 401
