"""`GET /api/v1/companies/{cid}/export/saft?year=` (SAF-T Financial 1.30 XML) and
`GET /api/v1/companies/{cid}/export/journal?format=hledger&from=&to=` (a plain-text journal
that hledger and ledger-cli read); owner and accountant."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.common import ApiError, authorise, in_db, query_date, query_int
from ledger import clock
from ledger.documents.model import Language
from ledger.exports import journal_text, saft_file
from ledger.permissions import Capability

routes = web.RouteTableDef()

JOURNAL_FORMATS = ("hledger", "ledger")


@routes.get("/api/v1/companies/{cid}/export/saft")
async def export_saft(request: web.Request) -> web.Response:
    """The SAF-T file of `year` (default: this year)."""
    today = clock.today()
    year = query_int(request, "year") or today.year
    if not 1900 <= year <= 9999:
        raise ApiError(400, "invalid_number", "year must be a four-digit year")

    def build(session: Session) -> tuple[bytes, str]:
        user, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return saft_file(session, company_id, year, user_id=str(user.id), created=today)

    xml, filename = await in_db(request, build)
    return web.Response(
        body=xml,
        content_type="application/xml",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@routes.get("/api/v1/companies/{cid}/export/journal")
async def export_journal(request: web.Request) -> web.Response:
    """The books as an hledger / ledger-cli journal; with `from`, the balances before it are
    one opening entry, so every balance equals the books'."""
    form = request.query.get("format", "hledger")
    if form not in JOURNAL_FORMATS:
        raise ApiError(400, "invalid_format", "format must be hledger (ledger-cli reads the same file)")
    first = query_date(request, "from")
    last = query_date(request, "to") or clock.today()
    if first is not None and first > last:
        raise ApiError(400, "invalid_period", "from must not be after to")

    def build(session: Session) -> str:
        user, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        language: Language = "en" if user.language == "en" else "nb"
        return journal_text(session, company_id, first, last, language=language)

    text = await in_db(request, build)
    return web.Response(
        text=text,
        content_type="text/plain",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="bokbot.journal"'},
    )

