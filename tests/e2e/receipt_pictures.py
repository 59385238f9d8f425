"""Receipts drawn for the end-to-end tests: a clean photo-like PNG of a Norwegian receipt with
the vendor, date, total, VAT and payment chosen by the test (drawn as `bench.receipts` draws
its test set), and a serial number that makes each picture a file never sent before."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from decimal import Decimal

from bench.receipts import _draw, _kroner, _Slip
from ledger.money import round_money


def receipt_picture(vendor: str, day: dt.date, total: Decimal, *, item: str = "Varer", payment: str = "Visa",
                    rate: Decimal = Decimal(25)) -> bytes:
    """A PNG of a receipt from `vendor` on `day` for `total` kroner, VAT at `rate` included."""
    vat = round_money(total * rate / (100 + rate))
    slip = _Slip([])
    slip.add(vendor, bold=True, centre=True)
    slip.add("Storgata 12, 0155 Oslo", centre=True)
    slip.add(f"Dato: {day:%d.%m.%Y} 14:32")
    slip.add(f"Kvittering nr {secrets.randbelow(900_000) + 100_000}")
    slip.add("-" * 34)
    slip.add(item, _kroner(total, "space"))
    slip.add("-" * 34)
    slip.add("Totalt", _kroner(total, "space"), bold=True)
    slip.add()
    slip.add(f"MVA {rate}%", _kroner(vat, "space"))
    slip.add()
    slip.add(payment, _kroner(total, "space"))
    slip.add("Takk for handelen!", centre=True)
    buffer = io.BytesIO()
    _draw(slip, "DejaVuSansMono", 30).save(buffer, "PNG")
    return buffer.getvalue()
