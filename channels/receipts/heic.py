"""HEIC pictures, an iPhone camera's default, made into JPEG: what OCR reads and what is kept.

Few browsers show HEIC and Pillow does not read it alone, so a HEIC receipt (recognised by
its content, `ledger.attachments.detect_type`, never by its name) is decoded with
`pillow-heif` as it arrives, turned upright by its EXIF orientation, and encoded as a JPEG;
that JPEG is what the OCR reads and what the books keep as the receipt, the same picture in a
format every browser shows. The file's name records the conversion ("IMG_0042.HEIC.jpg").
"""

from __future__ import annotations

import io

import pillow_heif
from PIL import ImageOps

from ledger.attachments import detect_type

HEIC = "image/heic"
JPEG_QUALITY = 90
"""High enough that the OCR reads the JPEG as well as the original."""
MAX_PIXELS = 40_000_000
"""A picture larger than this is not decoded (a phone's photo has 12 to 48 million)."""


class UnreadableHeic(ValueError):
    """A file that starts like a HEIC picture but cannot be decoded as one."""


def is_heic(data: bytes) -> bool:
    """Whether `data` is a HEIC (or HEIF) picture, by its first bytes."""
    found = detect_type(data)
    return found is not None and found.content_type == HEIC


def jpeg_rendition(data: bytes) -> bytes:
    """The HEIC picture in `data` as a JPEG, upright; `UnreadableHeic` when it is not one
    that decodes."""
    try:
        heif = pillow_heif.open_heif(data, convert_hdr_to_8bit=True)
        width, height = heif.size
        if width * height > MAX_PIXELS:
            raise UnreadableHeic("the picture is too large to convert")
        image = heif.to_pillow()
    except (ValueError, RuntimeError, OSError) as exc:
        if isinstance(exc, UnreadableHeic):
            raise
        raise UnreadableHeic(f"not a HEIC picture that decodes: {exc}") from exc
    upright = ImageOps.exif_transpose(image) or image
    out = io.BytesIO()
    upright.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def converted_name(filename: str) -> str:
    """The name a converted picture is kept under: its own with ".jpg" after it, so the
    conversion shows ("IMG_0042.HEIC.jpg"); "receipt.heic.jpg" when it came without one."""
    return f"{filename.strip() or 'receipt.heic'}.jpg"[-200:]

