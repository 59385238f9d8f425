"""Identifiers in a message: invoice numbers, organisation numbers and e-mail addresses.

Owns the `invoice_number` entity (digits only: "faktura nr. 10 023" → "10023"), the `orgnr`
entity (a Norwegian organisation number, "organisasjonsnummer": nine digits, "923 609 016" →
"923609016") and the `email` entity (as written).

The span of an invoice or organisation number is the number itself, without the word
("faktura", "orgnr") that announced it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Identifier:
    """An identifier found in a text: its entity name, span and normalised value."""

    entity: str
    start: int
    end: int
    value: str


_GROUPED = r"\d{1,3}(?:[ \u00a0]\d{3})+|\d+"
INVOICE = re.compile(
    r"(?<![\w])(?:fakturanummer|fakturanr|faktura|fakturaen|fakt|kreditnota\s+for|invoice|inv|bill|nr|no|num|number|#)"
    r"\.?\s*(?:(?:nr|no|nummer|number|num|#)\.?\s*)?(?::\s*)?#?\s*"
    r"(?P<num>" + _GROUPED + r")"
    r"(?!\d|[ \u00a0]\d{3}(?!\d)|[\w.,]\d|\s*(?:kr|nok|kroner|,-|timer|t\b|h\b|hours|%|prosent))",
    re.IGNORECASE,
)
ORGNR_LABELLED = re.compile(
    r"(?<![\w])(?:org\.?\s*nr|orgnr|org\.?\s*nummer|organisasjonsnummer|organisasjonsnr|org\.?\s*no|"
    r"org(?:anisation|anization)?\s+(?:number|no)|org|company\s+(?:number|no|id)|foretaksnummer)"
    r"\.?\s*(?::|er|is|=)?\s*(?:no\s*)?(?P<num>\d{3}[ \u00a0.-]?\d{3}[ \u00a0.-]?\d{3})(?![\w])",
    re.IGNORECASE,
)
ORGNR_BARE = re.compile(r"(?<![\w.,])(?P<num>\d{3}[ \u00a0]\d{3}[ \u00a0]\d{3}|\d{9})(?![\w.,]|\s*(?:kr|nok|,-))",
                        re.IGNORECASE)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w])", re.IGNORECASE)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def find_identifiers(text: str) -> list[Identifier]:
    """Finds e-mail addresses, organisation numbers and invoice numbers."""
    found: list[Identifier] = []
    for m in EMAIL.finditer(text):
        found.append(Identifier("email", m.start(), m.end(), m.group(0)))
    for pattern in (ORGNR_LABELLED, ORGNR_BARE):
        for m in pattern.finditer(text):
            if any(f.start <= m.start("num") < f.end for f in found):
                continue
            found.append(Identifier("orgnr", m.start("num"), m.end("num"), digits(m.group("num"))))
    for m in INVOICE.finditer(text):
        num = m.group("num")
        if any(f.start <= m.start("num") < f.end for f in found):
            continue
        if len(digits(num)) == 9:
            continue  # an organisation number
        found.append(Identifier("invoice_number", m.start("num"), m.end("num"), digits(num)))
    return found
