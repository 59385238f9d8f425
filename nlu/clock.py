"""Today's date in Norway, the one thing relative dates are resolved against.

`BOKBOT_TODAY=YYYY-MM-DD` pins it for deterministic tests and evaluation; this module is the
only place that reads it.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
TODAY_VARIABLE = "BOKBOT_TODAY"


def today() -> date:
    """Today in Europe/Oslo, or the date in BOKBOT_TODAY when it is set."""
    pinned = os.environ.get(TODAY_VARIABLE, "").strip()
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(OSLO).date()
