"""Invoices go out by e-mail with the PDF and the EHF attached; a server that says no is an error.

Each test starts its own SMTP server (aiosmtpd) on a free local port.
"""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from ledger.documents.mail import InvoiceSendFailed, SmtpServer, invoice_message, send_invoice

from .builders import BUYER, CONSULTING, SELLER_AS, credit_note, invoice

PDF = b"%PDF-1.7 test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """Keeps what arrives; answers RCPT or DATA with ``reply`` when given one."""

    def __init__(self, rcpt_reply: str | None = None, data_reply: str | None = None) -> None:
        self.rcpt_reply = rcpt_reply
        self.data_reply = data_reply
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def start(inbox: Inbox, **kwargs: Any) -> tuple[Controller, SmtpServer]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller, SmtpServer(host="127.0.0.1", port=port, sender="faktura@bokbot.test", timeout=5)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, SmtpServer]]:
    box = Inbox()
    controller, server = start(box)
    try:
        yield box, server
    finally:
        controller.stop()


def attachments(message: EmailMessage) -> dict[str, tuple[str, bytes]]:
    return {
        part.get_filename() or "": (part.get_content_type(), part.get_payload(decode=True))
        for part in message.iter_attachments()
    }


def test_the_invoice_arrives_with_pdf_and_ehf_attached(inbox: tuple[Inbox, SmtpServer]) -> None:
    box, server = inbox
    doc = invoice(SELLER_AS, BUYER, CONSULTING)
    send_invoice(doc, server, pdf=PDF)

    (envelope,) = box.envelopes
    assert envelope.mail_from == "faktura@bokbot.test"
    assert envelope.rcpt_tos == ["invoice@havbris.no"]
    received = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
    assert received["Subject"] == "Faktura 10023 fra Fjordlys Rådgivning AS"
    assert received["Reply-To"] == "Fjordlys Rådgivning AS <faktura@fjordlys.no>"
    files = attachments(received)
    assert files["faktura-10023.pdf"] == ("application/pdf", PDF)
    content_type, ehf = files["faktura-10023.xml"]
    assert content_type == "application/xml"
    assert b"<cbc:ID>10023</cbc:ID>" in ehf
    body = received.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Vedlagt er faktura 10023 på 6\u00a0250,00\u00a0kr." in text
    assert "Forfallsdato:  16.11.2026" in text
    assert "Kontonummer:   8601.11.17947" in text
    assert "KID:           100232" in text


def test_an_english_invoice_is_written_in_english_and_named_invoice(inbox: tuple[Inbox, SmtpServer]) -> None:
    box, server = inbox
    send_invoice(invoice(SELLER_AS, BUYER, CONSULTING, language="en"), server, pdf=PDF)
    received = email.message_from_bytes(box.envelopes[0].original_content or b"", policy=email.policy.default)
    assert received["Subject"] == "Invoice 10023 from Fjordlys Rådgivning AS"
    assert set(attachments(received)) == {"invoice-10023.pdf", "invoice-10023.xml"}
    body = received.get_body(("plain",))
    assert body is not None and "Please find attached invoice 10023 of NOK\u00a06,250.00." in body.get_content()


def test_the_pdf_is_made_from_the_document_when_not_given() -> None:
    message = invoice_message(credit_note(invoice(SELLER_AS, BUYER, CONSULTING)), sender="faktura@bokbot.test")
    files = attachments(message)
    assert files["kreditnota-10024.pdf"][1].startswith(b"%PDF-")
    assert "kreditnota-10024.xml" in files
    assert message["Subject"] == "Kreditnota 10024 fra Fjordlys Rådgivning AS"


def test_a_buyer_without_organisation_number_gets_the_pdf_only() -> None:
    doc = invoice(SELLER_AS, replace(BUYER, orgnr=None, vat_registered=False), CONSULTING)
    message = invoice_message(doc, sender="faktura@bokbot.test", pdf=PDF)
    assert set(attachments(message)) == {"faktura-10023.pdf"}
    body = message.get_body(("plain",))
    assert body is not None and "EHF" not in body.get_content()


def test_a_buyer_without_e_mail_address_cannot_be_sent_to() -> None:
    doc = invoice(SELLER_AS, replace(BUYER, email=None), CONSULTING)
    with pytest.raises(InvoiceSendFailed):
        invoice_message(doc, sender="faktura@bokbot.test", pdf=PDF)


def test_a_refused_connection_is_invoice_send_failed() -> None:
    server = SmtpServer(host="127.0.0.1", port=free_port(), timeout=5)
    with pytest.raises(InvoiceSendFailed) as failure:
        send_invoice(invoice(SELLER_AS, BUYER, CONSULTING), server, pdf=PDF)
    assert failure.value.code == "invoice_send_failed"
    assert failure.value.details["port"] == server.port


@pytest.mark.parametrize(
    "box",
    [Inbox(rcpt_reply="550 5.1.1 Mailbox unavailable"), Inbox(data_reply="550 5.7.1 Message rejected")],
    ids=["550 on RCPT", "550 on DATA"],
)
def test_a_server_answering_550_is_invoice_send_failed(box: Inbox) -> None:
    controller, server = start(box)
    try:
        with pytest.raises(InvoiceSendFailed, match="550"):
            send_invoice(invoice(SELLER_AS, BUYER, CONSULTING), server, pdf=PDF)
    finally:
        controller.stop()
    assert box.envelopes == []


def authenticator(server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"kari", b"hemmelig")
    return AuthResult(success=ok)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize(("password", "arrives"), [("hemmelig", True), ("feil", False)])
def test_login_is_used_when_configured(password: str, arrives: bool) -> None:
    box = Inbox()
    controller, server = start(box, authenticator=authenticator, auth_require_tls=False, auth_required=True)
    server = replace(server, username="kari", password=password)
    try:
        if arrives:
            send_invoice(invoice(SELLER_AS, BUYER, CONSULTING), server, pdf=PDF)
        else:
            with pytest.raises(InvoiceSendFailed):
                send_invoice(invoice(SELLER_AS, BUYER, CONSULTING), server, pdf=PDF)
    finally:
        controller.stop()
    assert len(box.envelopes) == (1 if arrives else 0)


def test_the_server_comes_from_the_mail_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"BOKBOT_SMTP_HOST": "mail.example", "BOKBOT_SMTP_PORT": "587",
                        "BOKBOT_SMTP_STARTTLS": "true", "BOKBOT_SMTP_SENDER": "a@b.no"}.items():
        monkeypatch.setenv(name, value)
    server = SmtpServer.configured()
    assert (server.host, server.port, server.starttls, server.sender) == ("mail.example", 587, True, "a@b.no")
