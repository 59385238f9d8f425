"""Telling bokmål from English, defaulting to bokmål."""

from __future__ import annotations

import pytest

from nlu.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "hei", "fakturer Fjord Bygg for 5 timer", "hvor mye har vi på konto?",
        "før 3 timer på nettsideprosjektet i går", "saldo?", "takk", "ja", "nei", "avbryt",
        "hva er resultatet hittil i år", "krediter faktura 10023", "bytt til Nordlys Regnskap",
        "glem det", "hva blir været i morgen?", "skriv et dikt", "ok", "5000", "Q3", "",
        "registrer utgift 450 kr parkering", "mva for 3. termin", "hvem skylder meg penger",
        "jeg kjøpte bensin på circle k", "vis timene mine", "angre", "kr 1.234,-",
    ],
)
def test_norwegian_and_unclear_messages_are_nb(text: str) -> None:
    assert detect_language(text) == "nb"


@pytest.mark.parametrize(
    "text",
    [
        "hi", "invoice customer Nordlys 5 hours", "what's my balance", "register 2.5 hours on Support",
        "thanks", "yes", "no", "cancel", "who won the football", "show my hours this week",
        "credit invoice 10023", "switch to Fjord Bygg", "forget it", "what's the profit this year",
        "how much vat do we owe", "i bought fuel at circle k for 650 kr", "who owes me money",
        "undo the last entry", "help me", "show unpaid invoices", "new customer Berg Elektro",
        "received NOK 6 200 from Mørkved Maskin", "bill Grønli Bygg 5 hours", "paid 450 kr for parking",
    ],
)
def test_english_messages_are_en(text: str) -> None:
    assert detect_language(text) == "en"
