"""The books' reference tables (chart, VAT rates, expense categories, statutory deadlines,
rettsgebyr) as semicolon-separated files: rates, fees and deadlines change with the law, so
they are data with validity dates, not code.

Each table says where it comes from: `vat_rates.csv` and `rettsgebyr.csv` in a `source`
column per row; `mva_melding_codes.csv` (the SAF-T codes that belong in the VAT return, what
each specifies and the sign the return expects) is Skatteetaten's mva-melding code lists
`mvaKodeSAFT.xml` and `merknadTilsvarendeMvaKode.xml` (github.com/Skatteetaten/mva-meldingen,
Apache-2.0), one row per code.
"""

from __future__ import annotations

import csv
from importlib import resources


def read_table(name: str) -> list[dict[str, str]]:
    """The rows of the table `name` (e.g. "rettsgebyr.csv"), each as column → text."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter=";"))
