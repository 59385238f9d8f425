"""Tests of the NLU components. They run with the Rasa environment's Python 3.10
(`.venv-rasa/bin/python -m pytest tests/nlu`), not with the product's 3.11 test run, which
should pass `--ignore=tests/nlu`. Under a Python without Rasa the whole folder is skipped."""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest

collect_ignore_glob: list[str] = []
if importlib.util.find_spec("rasa") is None:
    collect_ignore_glob = ["test_*.py"]

#: The day every relative date in these tests is resolved against: a Wednesday.
TODAY = date(2026, 3, 18)


@pytest.fixture
def today() -> date:
    return TODAY
