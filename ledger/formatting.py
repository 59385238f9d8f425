"""Amounts and dates written for people, in their language (Babel): "6 250,00 kr" in
Norwegian, "NOK 6,250.00" in English. Plain spaces, so the text reads the same everywhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal

LOCALES = {"nb": "nb_NO", "en": "en_GB"}
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def locale_of(language: str) -> str:
    return LOCALES.get(language, "nb_NO")


def format_money(amount: Decimal, language: str = "nb") -> str:
    """`Decimal("6250")` → "6 250,00 kr" (nb) or "NOK 6,250.00" (en)."""
    if language == "en":
        text = format_currency(amount, "NOK", format="¤\u00a0#,##0.00", locale="en_GB", currency_digits=False)
    else:
        text = format_currency(amount, "NOK", locale="nb_NO")
    return str(text).translate(_SPACES)


def format_number(value: Decimal, language: str = "nb", decimals: int = 2) -> str:
    """A plain number with the language's separators ("7,5" / "7.5"), up to `decimals` places."""
    pattern = "#,##0." + "#" * decimals if decimals else "#,##0"
    return str(format_decimal(value, format=pattern, locale=locale_of(language))).translate(_SPACES)


def format_date(day: dt.date, language: str = "nb", style: str = "long") -> str:
    """`date(2026, 11, 29)` → "29. november 2026" (nb) or "29 November 2026" (en)."""
    return str(babel_format_date(day, style, locale=locale_of(language))).translate(_SPACES)
