"""Text from people as the books keep it: no control characters, nothing a statutory file
cannot carry.

Names, addresses and descriptions reach the books from the REST API, the chat, Telegram and
the command line, and leave them again in EHF invoices and SAF-T files, whose XML cannot hold
C0 control characters (NUL, ESC, ...), lone UTF-16 surrogates or the non-characters U+FFFE and
U+FFFF. They are removed on the way in, in one place: every text column of every row is
cleaned when a session flushes (`keep_text_clean`), whichever path wrote it; tabs and line
breaks stay where a text may have several lines.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def without_controls(value: str) -> str:
    """`value` without control characters, lone surrogates and non-characters (tabs and line
    breaks kept)."""
    return _UNWRITABLE.sub("", value)


def has_controls(value: str) -> bool:
    """True if `value` holds anything `without_controls` removes."""
    return _UNWRITABLE.search(value) is not None


def _clean_row(row: Any) -> None:
    state = inspect(row)
    for column in state.mapper.column_attrs:
        if not any(isinstance(c.type, String) for c in column.columns):
            continue
        value = getattr(row, column.key)
        if isinstance(value, str) and has_controls(value):
            setattr(row, column.key, without_controls(value))


@event.listens_for(Session, "before_flush")
def keep_text_clean(session: Session, flush_context: Any, instances: Any) -> None:
    """Cleans every new or changed row's text columns before they are written."""
    for row in (*session.new, *session.dirty):
        _clean_row(row)
