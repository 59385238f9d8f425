"""Amounts and dates written for people, in their language (Babel): "6 250,00 kr" in
Norwegian, "NOK 6,250.00" in English. The one place money is written for people: the chat's
replies and the documents (invoice PDF, e-mail) both call `format_money`. Plain spaces in
chat text, so it reads the same everywhere; documents keep Babel's no-break spaces, so an
amount never breaks over two lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal

LOCALES = {"nb": "nb_NO", "en": "en_GB"}
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})
# CLDR puts a space between a letter code and the digits ("NOK 6,250.00"); Babel leaves it out.
_CURRENCY_FORMATS: dict[str, str | None] = {"nb": None, "en": "¤\u00a0#,##0.00"}


def locale_of(language: str) -> str:
    return LOCALES.get(language, "nb_NO")


def format_money(amount: Decimal, language: str = "nb", currency: str = "NOK", *, plain_spaces: bool = True) -> str:
    """`Decimal("6250")` → "6 250,00 kr" (nb) or "NOK 6,250.00" (en), to øre; with no-break
    spaces when not `plain_spaces`."""
    text = str(
        format_currency(
            amount,
            currency,
            format=_CURRENCY_FORMATS.get(language),
            locale=locale_of(language),
            currency_digits=False,
        )
    )
    return text.translate(_SPACES) if plain_spaces else text


def format_number(value: Decimal, language: str = "nb", decimals: int = 2) -> str:
    """A plain number with the language's separators ("7,5" / "7.5"), up to `decimals` places."""
    pattern = "#,##0." + "#" * decimals if decimals else "#,##0"
    return str(format_decimal(value, format=pattern, locale=locale_of(language))).translate(_SPACES)


def format_date(day: dt.date, language: str = "nb", style: str = "long") -> str:
    """`date(2026, 11, 29)` → "29. november 2026" (nb) or "29 November 2026" (en); in the
    "short" style "29.11.2026" / "29/11/2026"."""
    return str(babel_format_date(day, style, locale=locale_of(language))).translate(_SPACES)
