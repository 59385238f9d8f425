"""How well receipts are read: receipts drawn here with their truth known, half of them spoiled
like phone photos, read by OCR (`channels.receipts.ocr`), and each field compared.

Run on demand (the test `tests/channels/test_receipt_reading.py` runs the same set and holds
the total and the date to 90 %):

    .venv/bin/python -m bench.receipts            # 40 receipts, the field accuracy table
    .venv/bin/python -m bench.receipts --count 80 --show-misses

Each receipt is made from a fixed seed: a Norwegian or English shop (DejaVu fonts, four
layouts: a VAT table, "MVA 25 %" lines with mva-grunnlag, an English till slip, a slip whose
total is "Å betale" with no "Sum"), one to three VAT rates of 25, 15 and 12 %, amounts with
decimal commas ("1 234,50", "kr 1.234,50") or points, dates as 03.11.2026, 3/11/26 or
2026-11-03, paid by BankAxept, Visa, Mastercard, Vipps or cash. Every second one is spoiled
like a photo: laid on a table, turned a few degrees, seen at a slant (perspective), blurred,
lit unevenly, grainy, saved as a JPEG. The receipts are read two at a time (a process each).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from stdnum.no import orgnr as orgnr_number

from channels.receipts.ocr import read_receipt
from ledger.money import Money, round_money
from ledger.receipts import ReceiptReading, fold

FONTS = Path("/usr/share/fonts/truetype/dejavu")
FIELDS = ("vendor", "orgnr", "date", "total", "vat", "payment")

VENDORS_NB = ("Rema 1000 Storo", "Kiwi Majorstuen", "Clas Ohlson", "Circle K Alnabru", "Biltema Ski",
              "Elkjøp Lade", "Coop Extra Bryn", "Narvesen Oslo S", "Kaffebrenneriet", "Jernia Trysil",
              "Europris Moss", "Byggmakker Ås", "Esso Økern", "Boots Apotek")
VENDORS_EN = ("Office Depot", "Pret A Manger", "The Coffee House", "Tech Supplies Ltd", "Harbour Books",
              "City Hardware", "Station Kiosk")
ITEMS = {
    Decimal(25): (("Kopipapir A4", "Printer paper"), ("Skrivesaker", "Pens"), ("USB-kabel", "USB cable"),
                  ("Lyspære", "Light bulb"), ("Batterier", "Batteries"), ("Spylervæske", "Screen wash"),
                  ("Skruer", "Screws"), ("Notatbok", "Notebook")),
    Decimal(15): (("Kaffe", "Coffee"), ("Brød", "Bread"), ("Melk", "Milk"), ("Baguett", "Sandwich"),
                  ("Frukt", "Fruit"), ("Vann", "Water")),
    Decimal(12): (("Bussbillett", "Bus ticket"), ("Togbillett", "Train ticket"), ("Kinobillett", "Cinema ticket")),
}
PAYMENTS = ("bankaxept", "visa", "mastercard", "vipps", "cash")


@dataclass(frozen=True)
class Truth:
    """What a drawn receipt says."""

    vendor: str
    orgnr: str
    date: dt.date
    total: Money
    vat: tuple[tuple[Decimal, Money], ...]  # (rate, VAT) per rate, largest rate first
    payment: str
    language: str
    layout: str
    spoiled: bool


@dataclass(frozen=True)
class DrawnReceipt:
    truth: Truth
    image: bytes


def _orgnr(rng: random.Random) -> str:
    while True:
        number = f"{rng.randint(81, 99)}{rng.randint(0, 9_999_999):07d}"
        if orgnr_number.is_valid(number):
            return number


def _kroner(amount: Decimal, style: str) -> str:
    """`amount` written as the receipt writes it: "1 234,50", "1.234,50", "1,234.50", "1234,50"."""
    whole, cents = f"{amount:.2f}".split(".")
    groups = f"{int(whole):,}"
    if style == "space":
        return groups.replace(",", " ") + "," + cents
    if style == "dot":
        return groups.replace(",", ".") + "," + cents
    if style == "english":
        return groups + "." + cents
    return whole + "," + cents


def _date_text(day: dt.date, style: str) -> str:
    if style == "dotted":
        return day.strftime("%d.%m.%Y")
    if style == "slash":
        return f"{day.day}/{day.month}/{day.strftime('%y')}"
    return day.isoformat()


@dataclass
class _Slip:
    """Lines to draw: (left text, right text, bold, centred)."""

    lines: list[tuple[str, str, bool, bool]]

    def add(self, left: str = "", right: str = "", *, bold: bool = False, centre: bool = False) -> None:
        self.lines.append((left, right, bold, centre))


def make_receipt(index: int, seed: int = 2026) -> DrawnReceipt:
    """Receipt number `index` of the set made from `seed`: its truth and its picture."""
    rng = random.Random(seed * 1000 + index)
    english = index % 4 == 2
    layout = ("vat_table", "vat_lines", "english", "no_sum")[index % 4]
    vendor = rng.choice(VENDORS_EN if english else VENDORS_NB)
    orgnr = _orgnr(rng)
    day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
    rates = rng.sample([Decimal(25), Decimal(15), Decimal(12)], rng.choice((1, 1, 2, 2, 3)))
    items: list[tuple[str, Decimal, Decimal]] = []
    for rate in rates:
        for _ in range(rng.randint(1, 3)):
            name = rng.choice(ITEMS[rate])[1 if english else 0]
            price = Decimal(rng.randint(1500, 250_000)) / 100 if rng.random() < 0.85 else Decimal(rng.randint(10, 300))
            items.append((name, price, rate))
    rng.shuffle(items)
    gross_by_rate = {rate: sum((p for _, p, r in items if r == rate), Decimal(0)) for rate in rates}
    vat_by_rate = {rate: round_money(gross_by_rate[rate] * rate / (100 + rate)) for rate in rates}
    total = sum((p for _, p, _ in items), Decimal("0.00")).quantize(Decimal("0.01"))
    payment = rng.choice(PAYMENTS)
    amount_style = "english" if english else rng.choice(("space", "dot", "plain"))
    date_style = "iso" if english else rng.choice(("dotted", "dotted", "slash", "iso"))

    def money_text(amount: Decimal) -> str:
        text = _kroner(amount, amount_style)
        return f"kr {text}" if not english and rng.random() < 0.25 else text

    slip = _Slip([])
    slip.add(vendor.upper() if rng.random() < 0.5 else vendor, bold=True, centre=True)
    slip.add(rng.choice(("Storgata 12, 0155 Oslo", "Industriveien 4, 1400 Ski", "Kongens gate 3, 7011 Trondheim")),
             centre=True)
    slip.add(f"Org.nr {orgnr[:3]} {orgnr[3:6]} {orgnr[6:]} MVA" if rng.random() < 0.6 else f"Org nr: NO{orgnr}MVA",
             centre=True)
    when = f"{_date_text(day, date_style)} {rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}"
    slip.add(("Date: " if english else rng.choice(("Dato: ", "", "Kvittering "))) + when)
    slip.add("-" * 34)
    for name, price, _ in items:
        slip.add(name, money_text(price))
    slip.add("-" * 34)
    total_word = {
        "vat_table": rng.choice(("Sum", "SUM", "Totalt")),
        "vat_lines": rng.choice(("Totalt", "TOTALT NOK", "Sum kr")),
        "english": rng.choice(("Total", "TOTAL", "Amount due")),
        "no_sum": "Å betale",
    }[layout]
    slip.add(total_word, money_text(total), bold=True)
    slip.add()
    if layout == "vat_table":
        slip.add("Mva-sats   Grunnlag      Mva")
        for rate in sorted(rates, reverse=True):
            base = gross_by_rate[rate] - vat_by_rate[rate]
            slip.add(f"{rate}%   {_kroner(base, amount_style)}", _kroner(vat_by_rate[rate], amount_style))
    elif layout == "vat_lines":
        for rate in sorted(rates, reverse=True):
            base = gross_by_rate[rate] - vat_by_rate[rate]
            slip.add(f"Mva-grunnlag {rate}%", _kroner(base, amount_style))
            slip.add(f"MVA {rate}%", _kroner(vat_by_rate[rate], amount_style))
    elif layout == "english":
        for rate in sorted(rates, reverse=True):
            slip.add(f"VAT {rate}%", _kroner(vat_by_rate[rate], amount_style))
    else:
        for rate in sorted(rates, reverse=True):
            slip.add(f"Herav mva {rate} %", _kroner(vat_by_rate[rate], amount_style))
    slip.add()
    paid_word = {
        "bankaxept": "BankAxept", "visa": "VISA", "mastercard": "Mastercard", "vipps": "Vipps",
        "cash": "Cash" if english else "Kontant",
    }[payment]  # fmt: skip
    slip.add(paid_word, _kroner(total, amount_style))
    if payment in ("visa", "mastercard", "bankaxept"):
        slip.add(f"**** **** **** {rng.randint(1000, 9999)}")
    slip.add("Thank you!" if english else rng.choice(("Takk for handelen!", "Velkommen igjen")), centre=True)

    spoiled = index % 2 == 1
    font_name = rng.choice(("DejaVuSansMono", "DejaVuSans", "DejaVuSansCondensed", "DejaVuSerif"))
    image = _draw(slip, font_name, rng.randint(19, 23))
    if spoiled:
        image = _spoil(image, rng)
    buffer = io.BytesIO()
    if spoiled:
        image.convert("RGB").save(buffer, "JPEG", quality=rng.randint(55, 80))
    else:
        image.save(buffer, "PNG")
    truth = Truth(
        vendor=vendor.upper() if slip.lines[0][0].isupper() else vendor,
        orgnr=orgnr,
        date=day,
        total=total,
        vat=tuple((rate, vat_by_rate[rate]) for rate in sorted(rates, reverse=True)),
        payment=payment,
        language="en" if english else "nb",
        layout=layout,
        spoiled=spoiled,
    )
    return DrawnReceipt(truth, buffer.getvalue())


def _font(name: str, size: int, bold: bool) -> ImageFont.FreeTypeFont:
    suffix = "-Bold" if bold else ""
    return ImageFont.truetype(str(FONTS / f"{name}{suffix}.ttf"), size)


def _draw(slip: _Slip, font_name: str, size: int) -> Image.Image:
    width, margin, spacing = 480, 18, int(size * 1.45)
    image = Image.new("L", (width, margin * 2 + spacing * len(slip.lines)), 250)
    draw = ImageDraw.Draw(image)
    for row, (left, right, bold, centre) in enumerate(slip.lines):
        font = _font(font_name, size, bold)
        y = margin + row * spacing
        if centre:
            draw.text(((width - draw.textlength(left, font=font)) / 2, y), left, fill=20, font=font)
            continue
        draw.text((margin, y), left, fill=20, font=font)
        if right:
            draw.text((width - margin - draw.textlength(right, font=font), y), right, fill=20, font=font)
    return image


def _spoil(image: Image.Image, rng: random.Random) -> Image.Image:
    """As a phone sees a receipt on a table: turned, at a slant, blurred, unevenly lit, grainy."""
    pad = 40
    table = Image.new("L", (image.width + 2 * pad, image.height + 2 * pad), rng.randint(70, 120))
    table.paste(image, (pad, pad))
    turned = table.rotate(rng.uniform(-4, 4), resample=Image.Resampling.BICUBIC, expand=True,
                          fillcolor=rng.randint(70, 120))
    w, h = turned.size
    d = 0.03
    # Where the picture's corners come from: upper left, lower left, lower right, upper right.
    def inset() -> float:
        return rng.uniform(0, d)

    corners = [(inset() * w, inset() * h), (inset() * w, h - inset() * h),
               (w - inset() * w, h - inset() * h), (w - inset() * w, inset() * h)]
    slanted = turned.transform((w, h), Image.Transform.QUAD, [c for xy in corners for c in xy],
                               resample=Image.Resampling.BICUBIC, fillcolor=100)
    blurred = slanted.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.0)))
    pixels = np.asarray(blurred, dtype=np.float32)
    ys, xs = np.mgrid[0:h, 0:w]
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xs / w + np.sin(angle) * ys / h)
    light = 1.0 - rng.uniform(0.25, 0.45) * (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, rng.uniform(5, 12), pixels.shape)
    return Image.fromarray(np.clip(pixels * light + noise, 0, 255).astype(np.uint8))


# --------------------------------------------------------------------------------------------
# Reading them and counting


def _same_name(a: str, b: str) -> bool:
    return " ".join(fold(a).split()) == " ".join(fold(b).split())


def field_results(truth: Truth, reading: ReceiptReading) -> dict[str, bool]:
    """Per field, whether the reading has it right."""
    read_vat = tuple((line.rate, line.vat) for line in reading.vat)
    return {
        "vendor": reading.vendor is not None and _same_name(reading.vendor.value, truth.vendor),
        "orgnr": reading.orgnr is not None and reading.orgnr.value == truth.orgnr,
        "date": reading.date is not None and reading.date.value == truth.date,
        "total": reading.total is not None and reading.total.value == truth.total,
        "vat": read_vat == truth.vat,
        "payment": reading.payment is not None and reading.payment.value == truth.payment,
    }


def _read(receipt: DrawnReceipt) -> tuple[Truth, ReceiptReading, float]:
    started = time.monotonic()
    reading = read_receipt(receipt.image)
    return receipt.truth, reading, time.monotonic() - started


def _one_thread_each() -> None:
    # Tesseract would otherwise start a thread per core in each of the two processes.
    os.environ["OMP_THREAD_LIMIT"] = "1"


def read_all(receipts: Iterable[DrawnReceipt], workers: int = 2) -> list[tuple[Truth, ReceiptReading, float]]:
    """Every receipt read, `workers` at a time (each in its own process)."""
    with ProcessPoolExecutor(max_workers=workers, initializer=_one_thread_each) as pool:
        return list(pool.map(_read, receipts))


@dataclass(frozen=True)
class Accuracy:
    """Per field, the share read right, over all receipts, the clean and the spoiled ones."""

    counts: dict[str, dict[str, tuple[int, int]]]
    total_and_date: float
    seconds: float

    def share(self, field: str, group: str = "all") -> float:
        right, of = self.counts[group][field]
        return right / of if of else 0.0

    def table(self) -> str:
        rows = ["| field | all | clean | spoiled |", "|---|---|---|---|"]
        for name in (*FIELDS, "total and date"):
            key = name if name in FIELDS else "both"
            cells = [f"{self.counts[g][key][0]}/{self.counts[g][key][1]}" for g in ("all", "clean", "spoiled")]
            rows.append(f"| {name} | " + " | ".join(cells) + " |")
        return "\n".join(rows)


def measure(results: list[tuple[Truth, ReceiptReading, float]]) -> Accuracy:
    counts: dict[str, dict[str, list[int]]] = {
        g: {f: [0, 0] for f in (*FIELDS, "both")} for g in ("all", "clean", "spoiled")
    }
    for truth, reading, _ in results:
        right = field_results(truth, reading)
        right["both"] = right["total"] and right["date"]
        for group in ("all", "spoiled" if truth.spoiled else "clean"):
            for name, ok in right.items():
                counts[group][name][0] += int(ok)
                counts[group][name][1] += 1
    both = counts["all"]["both"]
    return Accuracy(
        {g: {f: (c[0], c[1]) for f, c in fields.items()} for g, fields in counts.items()},
        both[0] / both[1] if both[1] else 0.0,
        sum(seconds for *_, seconds in results),
    )


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> Accuracy:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    started = time.monotonic()
    receipts = [make_receipt(i, args.seed) for i in range(args.count)]
    results = read_all(receipts, args.workers)
    accuracy = measure(results)
    out(f"{args.count} receipts (half spoiled like photos), read in {time.monotonic() - started:.1f} s "
        f"({accuracy.seconds / max(args.count, 1):.2f} s of OCR each)")
    out(accuracy.table())
    if args.show_misses:
        for index, (truth, reading, _) in enumerate(results):
            wrong = [f for f, ok in field_results(truth, reading).items() if not ok]
            if wrong:
                out(f"\n#{index} wrong: {', '.join(wrong)}\n  truth: {truth}\n  read: {reading}")
                out("  text:\n    " + "\n    ".join(reading.text.splitlines()))
    return accuracy


if __name__ == "__main__":
    main()
