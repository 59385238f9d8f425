"""Reading a receipt's photo or PDF: the text on it by OCR, and from that its fields.

`read_receipt(data)` takes the file's bytes (JPEG, PNG, WebP, TIFF, or a PDF) and returns a
`ledger.receipts.ReceiptReading`. Photos from a phone are made easier to read first: in
grey, small pictures enlarged, turned upright when wider than tall and Tesseract's
orientation detection is sure the text lies on its side, evened out where the light falls
unevenly, the text's slant of a few degrees straightened (the angle whose rows of ink are
sharpest), then black and white by Otsu's threshold. The OCR is Tesseract (Debian's `tesseract-ocr` with the
Norwegian and English models) through pytesseract; a PDF's pages are drawn by `pdftoppm`
(poppler-utils). Reading the fields from the text is the ledger's (`read_receipt_text`).

The work is blocking (a second or two of CPU per receipt), so a server runs it through the
process's `ocr_queue()`: `await ocr_queue().run(read_receipt, data)`. The queue reads at most
`BOKBOT_OCR_JOBS` receipts at once (the CPU count by default) in threads of its own, and the
rest wait their turn there: a burst of photos takes its time instead of taking every core
and every thread the gateway's other work (the books, the chat) runs in.
"""

from __future__ import annotations

import asyncio
import functools
import io
import re
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

import numpy as np
import pytesseract
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from ledger.errors import InvalidInput
from ledger.receipts import ReceiptReading, combined, read_receipt_text
from ledger.settings import get_settings

P = ParamSpec("P")
T = TypeVar("T")

LANGUAGES = "nor+eng"
MAX_PIXELS = 40_000_000
"""Larger pictures are refused before they are decoded (a decompression bomb)."""
PDF_PAGES = 2
"""A receipt's PDF is read from its first pages only."""
UNIFORM_BLOCK = 6
"""Tesseract's page segmentation mode for one uniform block of text."""
SURE = 0.5
"""A total or date read with less confidence is read again."""


class UnreadableReceipt(InvalidInput):
    """The file is no picture or PDF that can be read."""

    code = "unreadable_receipt"


@dataclass(frozen=True)
class OcrOptions:
    """How a picture is prepared and read.

    Attributes:
      target_width: pictures narrower than this are enlarged to it (Tesseract reads letters
        some 20–30 pixels high best); wider ones are made no wider than twice it.
      max_skew: the largest slant straightened, in degrees.
      detect_orientation: ask Tesseract whether a picture wider than tall lies on its side
        (a quarter or half turn); costs about half a second.
      page_segmentation: Tesseract's page segmentation mode (4: one column of lines of
        varying size, as a receipt is).
      timeout: seconds Tesseract may take per picture.
    """

    target_width: int = 1000
    max_skew: float = 6.0
    detect_orientation: bool = True
    page_segmentation: int = 4
    timeout: int = 60


class OcrQueue:
    """Readings by OCR, at most `jobs` at once, each in one of the queue's own threads; the
    others wait their turn in the order they came.

    The threads are the queue's own, not the event loop's default ones, so readings waiting
    their turn hold no thread the server's other blocking work needs. A reading given up
    while it waits (its caller's timeout, a cancelled request) is never started."""

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise ValueError(f"an OCR queue reads at least one receipt at a time, not {jobs}")
        self.jobs = jobs
        self._threads = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="receipt-ocr")

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """What `work(*args, **kwargs)` (a reading such as `read_receipt`) returns, once its
        turn came and it ran in one of the queue's threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, functools.partial(work, *args, **kwargs))


@functools.lru_cache(maxsize=1)
def ocr_queue() -> OcrQueue:
    """The process's OCR queue, `BOKBOT_OCR_JOBS` readings wide (`Settings.ocr_jobs`)."""
    return OcrQueue(get_settings().ocr_jobs)


def read_receipt(data: bytes, options: OcrOptions | None = None) -> ReceiptReading:
    """The fields of the receipt in `data` (a picture or a PDF); `UnreadableReceipt` when the
    file is neither. When the total or the date is missing or unsure, the pictures are read
    again as one uniform block of text (a price column set far apart from its labels can
    otherwise be read as a column of its own), and each field taken from the surer reading."""
    chosen = options or OcrOptions()
    prepared = [prepare(page, chosen) for page in pages(data)]
    reading = read_receipt_text(_text(prepared, chosen, chosen.page_segmentation))
    if _unsure(reading):
        again = read_receipt_text(_text(prepared, chosen, UNIFORM_BLOCK))
        reading = combined(reading, again)
    return reading


def _unsure(reading: ReceiptReading) -> bool:
    return any(found is None or found.confidence < SURE for found in (reading.total, reading.date))


def receipt_text(data: bytes, options: OcrOptions | None = None) -> str:
    """The text on the receipt in `data`, one printed line a line."""
    chosen = options or OcrOptions()
    return _text([prepare(page, chosen) for page in pages(data)], chosen, chosen.page_segmentation)


def _text(images: list[Image.Image], options: OcrOptions, segmentation: int) -> str:
    return "\n".join(ocr_image(image, options, segmentation) for image in images)


def pages(data: bytes) -> list[Image.Image]:
    """The pictures in `data`: the image itself, or a PDF's first pages drawn at 200 dpi."""
    if data[:5] == b"%PDF-":
        return _pdf_pages(data)
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
        if image.width * image.height > MAX_PIXELS:
            raise UnreadableReceipt("the picture is too large to read")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnreadableReceipt("the file is no picture or PDF that can be read") from exc
    return [ImageOps.exif_transpose(image) or image]


def _pdf_pages(data: bytes) -> list[Image.Image]:
    with tempfile.TemporaryDirectory(prefix="receipt-") as folder:
        source = Path(folder) / "receipt.pdf"
        source.write_bytes(data)
        result = subprocess.run(
            ["pdftoppm", "-r", "200", "-gray", "-png", "-f", "1", "-l", str(PDF_PAGES), str(source),
             str(Path(folder) / "page")],
            capture_output=True,
            timeout=60,
            check=False,
        )
        drawn = sorted(Path(folder).glob("page*.png"))
        if result.returncode != 0 or not drawn:
            raise UnreadableReceipt("the PDF could not be read")
        images = []
        for path in drawn:
            with Image.open(path) as page:
                images.append(page.copy())
        return images


def prepare(image: Image.Image, options: OcrOptions) -> Image.Image:
    """The picture made easy to read: upright, grey, evenly lit, large enough, straightened,
    black on white."""
    grey = ImageOps.grayscale(image.convert("RGB"))
    grey = _resized(grey, options.target_width)
    if options.detect_orientation and grey.width > grey.height:
        # A receipt is taller than wide: one wider than tall lies on its side.
        grey = _upright(grey, options.timeout)
    grey = _evened(grey)
    angle = skew_angle(grey, options.max_skew)
    if angle:
        grey = grey.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return _black_and_white(grey)


def _resized(image: Image.Image, target_width: int) -> Image.Image:
    width, height = image.size
    if width < target_width:
        scale = target_width / width
    elif width > 2 * target_width:
        scale = 2 * target_width / width
    else:
        return image
    return image.resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)


def _upright(image: Image.Image, timeout: int) -> Image.Image:
    """Turned a quarter or half turn when Tesseract is sure the text lies that way."""
    try:
        osd = pytesseract.image_to_osd(image, config="--psm 0", timeout=timeout)
    except (pytesseract.TesseractError, RuntimeError):
        return image  # too little text to tell: leave it as it is
    rotate = re.search(r"Rotate:\s*(\d+)", osd)
    confidence = re.search(r"Orientation confidence:\s*([\d.]+)", osd)
    if rotate is None or confidence is None or float(confidence.group(1)) < 2.0:
        return image
    degrees = int(rotate.group(1))
    return image.rotate(-degrees, expand=True) if degrees in (90, 180, 270) else image


def _evened(image: Image.Image) -> Image.Image:
    """Uneven light taken out: the picture divided by its own heavy blur (the paper's
    brightness where it lies), so shadows and a bright corner read as the same white."""
    radius = max(image.size) // 30 + 5
    background = np.asarray(image.filter(ImageFilter.GaussianBlur(radius)), dtype=np.float32)
    pixels = np.asarray(image, dtype=np.float32)
    evened = np.clip(pixels / np.maximum(background, 1.0) * 235.0, 0, 255).astype(np.uint8)
    return Image.fromarray(evened)


def skew_angle(image: Image.Image, max_skew: float) -> float:
    """The rotation that makes the lines of text level: of the angles tried, the one whose
    rows of dark pixels differ most from row to row (level lines make sharp stripes)."""
    small = image.copy()
    small.thumbnail((500, 500))
    ink = np.asarray(small, dtype=np.float32) < 128
    if ink.sum() < 50:
        return 0.0
    best_angle, best_score = 0.0, -1.0
    steps = int(max_skew * 4)
    for step in range(-steps, steps + 1):
        angle = step / 4
        turned = Image.fromarray((ink * 255).astype(np.uint8)).rotate(angle, expand=True)
        rows = np.asarray(turned, dtype=np.float32).sum(axis=1)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best_angle, best_score = angle, score
    return best_angle


def _black_and_white(image: Image.Image) -> Image.Image:
    """Otsu's threshold: the grey level that best splits ink from paper."""
    pixels = np.asarray(image, dtype=np.uint8)
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = pixels.size
    levels = np.arange(256)
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * levels)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1)
    threshold = int(np.argmax(between))
    return Image.fromarray(np.where(pixels > threshold, 255, 0).astype(np.uint8))


def ocr_image(image: Image.Image, options: OcrOptions, segmentation: int | None = None) -> str:
    """Tesseract's reading of one prepared picture (with `options.page_segmentation` unless
    another `segmentation` is given)."""
    mode = options.page_segmentation if segmentation is None else segmentation
    config = f"--psm {mode} --oem 1 -c preserve_interword_spaces=1"
    try:
        return str(pytesseract.image_to_string(image, lang=LANGUAGES, config=config, timeout=options.timeout))
    except RuntimeError as exc:  # pytesseract's timeout
        raise UnreadableReceipt("reading the receipt took too long") from exc
