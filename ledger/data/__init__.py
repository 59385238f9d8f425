"""The books' reference tables (chart, VAT rates, expense categories, statutory deadlines,
rettsgebyr) as semicolon-separated files: rates, fees and deadlines change with the law, so
they are data with validity dates, not code."""

from __future__ import annotations

import csv
from importlib import resources


def read_table(name: str) -> list[dict[str, str]]:
    """The rows of the table `name` (e.g. "rettsgebyr.csv"), each as column → text."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter=";"))
