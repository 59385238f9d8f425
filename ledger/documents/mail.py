"""Sending an invoice or credit note by e-mail: a short letter, the PDF and the EHF attached.

:func:`invoice_message` builds the message (text from ``templates/{nb,en}/invoice_email*.j2``,
the PDF as ``faktura-10023.pdf`` / ``invoice-10023.pdf``, the EHF XML beside it when the
buyer can take one); :func:`send_message` hands it to an SMTP server, with STARTTLS and login
when configured, and raises :class:`InvoiceSendFailed` on any failure.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.documents.ehf import EhfNotPossible, ehf_filename, ehf_xml
from ledger.documents.model import InvoiceDocument
from ledger.documents.pdf import invoice_pdf, pdf_filename
from ledger.documents.rendering import render
from ledger.errors import LedgerError


class InvoiceSendFailed(LedgerError):
    """The mail server did not take the invoice; nothing was sent."""

    code = "invoice_send_failed"


@dataclass(frozen=True)
class SmtpServer:
    """Where invoices are sent through.

    Attributes:
      host: The SMTP server's host name or address.
      port: Its port (25, or 587 for submission with STARTTLS).
      starttls: Upgrade the connection with STARTTLS before anything else.
      username: Log in with this user when not "" (after STARTTLS when that is on).
      password: The password for ``username``.
      sender: The envelope and header sender, e.g. "faktura@bokbot.no".
      timeout: Seconds to wait for the server before giving up.
    """

    host: str = "127.0.0.1"
    port: int = 25
    starttls: bool = False
    username: str = ""
    password: str = ""
    sender: str = "faktura@bokbot.local"
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: MailSettings) -> SmtpServer:
        """The server the mail settings (``BOKBOT_SMTP_*``) name."""
        return cls(
            host=settings.host,
            port=settings.port,
            starttls=settings.starttls,
            username=settings.user,
            password=settings.password,
            sender=settings.sender,
        )

    @classmethod
    def configured(cls) -> SmtpServer:
        """The server this installation is configured with (read from the environment when
        mail is sent, so a change needs no restart of the action server)."""
        return cls.from_settings(MailSettings())


class MailSettings(BaseSettings):
    """The mail server invoices go through; each field is read from ``BOKBOT_SMTP_<FIELD>``
    (and ``.env``). Apart from the installation's
    settings because only sending mail needs them.

    Attributes:
      host, port: the SMTP server (25, or 587 for submission with STARTTLS).
      user, password: log in when ``user`` is not "".
      starttls: upgrade the connection with STARTTLS first.
      sender: the sender of invoices, e.g. "faktura@firma.no".
    """

    model_config = SettingsConfigDict(env_prefix="BOKBOT_SMTP_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 25
    user: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "faktura@bokbot.local"


def invoice_message(
    doc: InvoiceDocument,
    *,
    sender: str,
    recipient: str | None = None,
    pdf: bytes | None = None,
    ehf: bytes | None = None,
) -> EmailMessage:
    """The e-mail carrying ``doc`` to its buyer, in the document's language.

    ``recipient`` defaults to the buyer's e-mail address. The PDF and EHF are made from
    ``doc`` unless given; the EHF is left out when the buyer cannot take one (no
    organisation number). Replies go to the seller's address.
    """
    to = recipient or doc.buyer.email
    if not to:
        raise InvoiceSendFailed("the buyer has no e-mail address", invoice=doc.number)
    if ehf is None:
        try:
            ehf = ehf_xml(doc)
        except EhfNotPossible:
            ehf = None
    context = {"doc": doc, "has_ehf": ehf is not None}
    message = EmailMessage()
    message["Subject"] = render(doc.language, "invoice_email_subject.txt.j2", **context).strip()
    message["From"] = formataddr((doc.seller.name, sender))
    message["To"] = formataddr((doc.buyer.name, to))
    if doc.seller.email:
        message["Reply-To"] = formataddr((doc.seller.name, doc.seller.email))
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Content-Language"] = doc.language
    message.set_content(render(doc.language, "invoice_email.txt.j2", **context))
    message.add_attachment(
        pdf if pdf is not None else invoice_pdf(doc),
        maintype="application",
        subtype="pdf",
        filename=pdf_filename(doc),
    )
    if ehf is not None:
        message.add_attachment(ehf, maintype="application", subtype="xml", filename=ehf_filename(doc))
    return message


def send_message(message: EmailMessage, server: SmtpServer) -> None:
    """Hands ``message`` to ``server``; raises :class:`InvoiceSendFailed` if it is not taken."""
    try:
        with smtplib.SMTP(server.host, server.port, timeout=server.timeout) as smtp:
            if server.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if server.username:
                smtp.login(server.username, server.password)
            refused = smtp.send_message(message, from_addr=server.sender)
    except (smtplib.SMTPException, OSError) as exc:
        raise InvoiceSendFailed(
            f"the mail server {server.host}:{server.port} did not take the message: {exc}",
            host=server.host,
            port=server.port,
            reason=str(exc),
        ) from exc
    if refused:
        raise InvoiceSendFailed(f"recipients refused: {', '.join(refused)}", refused=sorted(refused))


def send_invoice(
    doc: InvoiceDocument,
    server: SmtpServer,
    *,
    recipient: str | None = None,
    pdf: bytes | None = None,
    ehf: bytes | None = None,
) -> EmailMessage:
    """Builds the e-mail for ``doc`` and sends it through ``server``; returns what was sent."""
    message = invoice_message(doc, sender=server.sender, recipient=recipient, pdf=pdf, ehf=ehf)
    send_message(message, server)
    return message
