"""Helpers for tests that start and kill processes."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie has ended, only not yet been waited for)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"
