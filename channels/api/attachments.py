"""A voucher's documentation (bilag) over REST; owner and accountant.

- `GET /api/v1/companies/{cid}/journal/{voucher}/attachments`: the documents kept with the
  voucher ("2026-14"), and whether it is missing its documentation.
- `POST` the same path: keep a receipt with it. The body is the file itself (any content
  type; the kind is read from its first bytes) with an optional `?filename=`, or a multipart
  form with the file in the field `file`. 201 with the document; 200 with the same document
  when these bytes were kept with the voucher before.
- `GET .../attachments/{attachment_id}`: the file, with its own content type.
- `GET /api/v1/companies/{cid}/vouchers/missing-documentation?from=&to=`: the vouchers that
  need documentation (an expense its receipt) and have none yet.

A voucher of another company is 404, as is a company the caller does not belong to. The
rules (kinds of file, size, what is missing) are the ledger's (`ledger.attachments`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from aiohttp import BodyPartReader, web
from sqlalchemy.orm import Session

from channels.api.common import ApiError, authorise, in_db, json_response, query_date
from ledger.attachments import (
    Attached,
    Attachment,
    attach_document,
    fetch_attachment,
    is_missing_documentation,
    list_attachments,
    max_attachment_bytes,
    vouchers_missing_documentation,
)
from ledger.corrections import find_voucher
from ledger.errors import InvalidAttachment
from ledger.permissions import Capability

routes = web.RouteTableDef()

VOUCHER = r"/api/v1/companies/{cid}/journal/{voucher:\d{4}-\d{1,9}}/attachments"
FILE_FIELD = "file"


def attachment_json(attachment: Attachment, cid: int) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "voucher": attachment.voucher,
        "kind": attachment.kind,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "created_at": attachment.created_at,
        "created_by_id": attachment.created_by_id,
        "channel": attachment.channel,
        "url": f"/api/v1/companies/{cid}/journal/{attachment.voucher}/attachments/{attachment.id}",
    }


def _too_large() -> ApiError:
    return ApiError(413, "too_large", f"a document is at most {max_attachment_bytes()} bytes")


async def _limited(part: BodyPartReader) -> bytes:
    """The part's bytes, refusing (413) as soon as they pass the largest document kept."""
    limit = max_attachment_bytes()
    data = bytearray()
    while chunk := await part.read_chunk():
        data.extend(chunk)
        if len(data) > limit:
            raise _too_large()
    return bytes(part.decode(bytes(data)))


async def _uploaded(request: web.Request) -> tuple[bytes, str]:
    """The sent file and the name it was sent with ("" when none)."""
    if request.content_length is not None and request.content_length > max_attachment_bytes() + 64 * 1024:
        raise _too_large()
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, BodyPartReader) and part.name == FILE_FIELD:
                # Browsers escape quotes and line breaks in a form's file name as %22, %0A
                # (HTML), some clients escape every byte: either way it is percent-encoded.
                return await _limited(part), unquote(part.filename or "")
        raise ApiError(400, "invalid_input", f"the form has no field {FILE_FIELD!r}")
    return await request.read(), request.query.get("filename", "")


def _disposition(filename: str) -> str:
    """`inline` with the name: ASCII for every client, UTF-8 for those that read it (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@routes.get(VOUCHER)
async def attachments(request: web.Request) -> web.Response:
    """The documents kept with the voucher, oldest first."""
    voucher = request.match_info["voucher"]

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        entry = find_voucher(session, company_id, voucher)
        return {
            "voucher": voucher,
            "missing_documentation": is_missing_documentation(session, company_id, entry.id),
            "attachments": [attachment_json(a, company_id) for a in list_attachments(session, company_id, entry.id)],
        }

    return json_response(await in_db(request, read))


@routes.post(VOUCHER)
async def attach(request: web.Request) -> web.Response:
    """Keeps the sent receipt with the voucher (the same bytes again are kept once)."""
    voucher = request.match_info["voucher"]

    def check(session: Session) -> None:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        find_voucher(session, company_id, voucher)

    await in_db(request, check)  # 404 before reading an upload for a voucher that is not there
    content, filename = await _uploaded(request)

    def write(session: Session) -> tuple[Attached, int]:
        user, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        entry = find_voucher(session, company_id, voucher)
        return attach_document(
            session, company_id, entry.id, content, filename, created_by_id=user.id, channel="api"
        ), company_id

    try:
        attached, company_id = await in_db(request, write)
    except InvalidAttachment as refused:
        if refused.details.get("reason") == "too_large":
            raise _too_large() from refused
        raise
    return json_response(attachment_json(attached.attachment, company_id), status=200 if attached.repeated else 201)


@routes.get(VOUCHER + r"/{attachment_id:\d{1,10}}")
async def download(request: web.Request) -> web.Response:
    """The document's bytes, with its content type."""
    voucher = request.match_info["voucher"]
    attachment_id = int(request.match_info["attachment_id"])

    def read(session: Session) -> tuple[Attachment, bytes]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        entry = find_voucher(session, company_id, voucher)
        file = fetch_attachment(session, company_id, attachment_id, entry.id)
        return file.attachment, file.content

    attachment, content = await in_db(request, read)
    return web.Response(
        body=content,
        content_type=attachment.content_type,
        headers={
            "Content-Disposition": _disposition(attachment.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )


@routes.get("/api/v1/companies/{cid}/vouchers/missing-documentation")
async def missing(request: web.Request) -> web.Response:
    """The vouchers (dated `from` to `to`, when given) still missing their documentation."""
    first, last = query_date(request, "from"), query_date(request, "to")
    if first and last and first > last:
        raise ApiError(400, "invalid_period", "from must not be after to")

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        found = vouchers_missing_documentation(session, company_id, first=first, last=last)
        return {
            "vouchers": [
                {
                    "voucher": m.voucher,
                    "date": m.date,
                    "description": m.description,
                    "amount": m.amount,
                    "needs": m.kind,
                    "attachments_url": f"/api/v1/companies/{company_id}/journal/{m.voucher}/attachments",
                }
                for m in found
            ]
        }

    return json_response(await in_db(request, read))
