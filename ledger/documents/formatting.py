"""How documents write values for people, per language: money, dates, account numbers, KID.

"6 250,00 kr" and "2. november 2026" in Norwegian, "NOK 6,250.00" and "2 November 2026" in
English (Babel, CLDR data, through :mod:`ledger.formatting`, as the chat writes them but with
no-break spaces); bank accounts as "8601.11.17947", organisation numbers as "923 609 016".
These are the Jinja2 filters of the document templates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.numbers import format_decimal
from stdnum.no import kontonr, orgnr

from ledger.documents.model import CENT, Language
from ledger.formatting import format_date, format_money, locale_of


def money(amount: Decimal, language: Language, currency: str = "NOK") -> str:
    """``6 250,00 kr`` (nb) or ``NOK 6,250.00`` (en)."""
    return format_money(amount, language, currency, plain_spaces=False)


def amount(value: Decimal, language: Language) -> str:
    """An amount without currency, for table columns: ``6 250,00`` / ``6,250.00``."""
    return format_decimal(value.quantize(CENT), format="#,##0.00", locale=locale_of(language))


def number(value: Decimal, language: Language) -> str:
    """A quantity or unit price with as many decimals as it has: ``7,5`` / ``7.5``."""
    return format_decimal(value, format="#,##0.######", locale=locale_of(language))


def percent(rate: Decimal, language: Language) -> str:
    """A VAT rate given in percent: ``25 %`` / ``25%``."""
    digits = number(rate, language)
    return f"{digits}\u00a0%" if language == "nb" else f"{digits}%"


def long_date(day: dt.date, language: Language) -> str:
    """``2. november 2026`` / ``2 November 2026``."""
    return format_date(day, language, "long")


def short_date(day: dt.date, language: Language) -> str:
    """``02.11.2026`` / ``02/11/2026``."""
    return format_date(day, language, "short")


def bank_account(account: str) -> str:
    """A Norwegian account number as ``8601.11.17947``; anything else (an IBAN) as given."""
    digits = account.replace(".", "").replace(" ", "")
    if len(digits) == 11 and digits.isdigit():
        return str(kontonr.format(digits))
    return account


def organisation_number(number: str, vat_registered: bool = False) -> str:
    """``923 609 016``, followed by ``MVA`` when the company is VAT-registered."""
    digits = number.replace(" ", "")
    text = str(orgnr.format(digits)) if len(digits) == 9 and digits.isdigit() else number
    return f"{text} MVA" if vat_registered else text


def kid(value: str) -> str:
    """A KID in groups of four from the left, easy to read and type: ``1234 5678 90``.

    Short KIDs (up to six digits) are written as they are.
    """
    if len(value) <= 6:
        return value
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
