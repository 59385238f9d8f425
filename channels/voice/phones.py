"""Sounds as the embedded recogniser knows them: espeak-ng's IPA turned into the 39 phones of
the CMU (ARPAbet) set that pocketsphinx's English acoustic model was trained on.

There is no Norwegian acoustic model to be had, so bokmål words are heard with the English
one: each Norwegian sound is given the nearest English phone ("kj" [ç] as SH, the front
rounded vowels [y] and [ø] as IY and ER, retroflex [ʈ ɖ ɳ ɭ ʂ] as plain T D N L SH).
`variants` adds a few alternatives where the nearest phone is a toss-up, so the decoder may
pick whichever fits the voice better.
"""

from __future__ import annotations

from collections.abc import Iterable

Phones = tuple[str, ...]
"""One pronunciation as CMU phones, e.g. ("F", "Y", "AO", "R", "D")."""

CMU_PHONES = frozenset({
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY", "JH",
    "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
})

# Longest symbols first: diphthongs and affricates before their parts.
_COMMON: dict[str, Phones] = {
    "aɪ": ("AY",), "ɑɪ": ("AY",), "æɪ": ("AY",), "ɔɪ": ("OY",), "ɔʏ": ("OY",), "œʏ": ("OY",),
    "øy": ("OY",), "aʊ": ("AW",), "æʉ": ("AW",), "æʊ": ("AW",), "eɪ": ("EY",), "oʊ": ("OW",),
    "əʊ": ("OW",), "ʉɪ": ("UW", "IY"), "tʃ": ("CH",), "dʒ": ("JH",), "ɪə": ("IH", "R"), "eə": ("EH", "R"),
    "ʊə": ("UH", "R"),
    "ɑ": ("AA",), "a": ("AA",), "ɐ": ("AH",), "ɒ": ("AA",), "ɛ": ("EH",), "æ": ("AE",), "i": ("IY",),
    "ɪ": ("IH",), "ᵻ": ("IH",), "o": ("OW",), "ɔ": ("AO",), "u": ("UW",), "ʉ": ("UW",), "ʊ": ("UH",),
    "ə": ("AH",), "ʌ": ("AH",), "ɜ": ("ER",), "ɚ": ("ER",), "ɝ": ("ER",),
    "p": ("P",), "b": ("B",), "t": ("T",), "d": ("D",), "k": ("K",), "ɡ": ("G",), "g": ("G",),
    "f": ("F",), "v": ("V",), "ʋ": ("V",), "s": ("S",), "z": ("Z",), "ʃ": ("SH",), "ʂ": ("SH",),
    "ʒ": ("ZH",), "h": ("HH",), "j": ("Y",), "l": ("L",), "ɫ": ("L",), "ɭ": ("L",), "m": ("M",),
    "n": ("N",), "ɳ": ("N",), "ɲ": ("N", "Y"), "ŋ": ("NG",), "r": ("R",), "ɾ": ("R",), "ɹ": ("R",),
    "ʈ": ("T",), "ɖ": ("D",), "w": ("W",), "θ": ("TH",), "ð": ("DH",), "ɬ": ("L",),
}

_BY_LANGUAGE: dict[str, dict[str, Phones]] = {
    # bokmål: long e is [eː] (EY), "kj" is [ç] or espeak's [x], y and ø are front rounded.
    "nb": {"e": ("EY",), "ç": ("SH",), "x": ("SH",), "y": ("IY",), "ʏ": ("IY",), "ø": ("ER",), "œ": ("ER",)},
    "en": {"e": ("EH",), "ç": ("HH",), "x": ("HH",), "y": ("Y",), "ʏ": ("UH",), "ø": ("ER",), "œ": ("ER",)},
}

_IGNORED = set("ˈˌːˑ‿ʔ-.'̩̃̆ ")

# Toss-ups worth offering the decoder (bokmål only): [y] is as often heard as UW, [ø] as UH.
_NB_ALTERNATIVES: tuple[dict[str, Phones], ...] = (
    {"y": ("UW",), "ʏ": ("UW",)},
    {"ø": ("UH",), "œ": ("UH",)},
)


def ipa_to_phones(ipa: str, language: str, overrides: dict[str, Phones] | None = None) -> Phones:
    """The CMU phones for one word's IPA as espeak-ng prints it; doubled sounds (long
    consonants, "nn") count once. Unknown symbols are skipped."""
    table = _COMMON | _BY_LANGUAGE.get(language, _BY_LANGUAGE["en"]) | (overrides or {})
    longest = max(len(k) for k in table)
    phones: list[str] = []
    i = 0
    while i < len(ipa):
        if ipa[i] in _IGNORED:
            i += 1
            continue
        for size in range(longest, 0, -1):
            found = table.get(ipa[i : i + size])
            if found is not None:
                for phone in found:
                    if not phones or phones[-1] != phone:
                        phones.append(phone)
                i += size
                break
        else:
            i += 1
    return tuple(phones)


def pronunciations(ipa: str, language: str) -> list[Phones]:
    """The pronunciations to offer the decoder for one word, the nearest first: for bokmål
    also the alternatives above and an unstressed final "-er" as one ER."""
    found = [ipa_to_phones(ipa, language)]
    if language == "nb":
        found += [ipa_to_phones(ipa, language, overrides) for overrides in _NB_ALTERNATIVES]
        first = found[0]
        if len(first) > 2 and first[-2:] == ("AH", "R"):
            found.append((*first[:-2], "ER"))
        found += [_without_r_after_er(p) for p in found]
    return _unique(found)


def _without_r_after_er(phones: Phones) -> Phones:
    """[ø] before r ("før", "førti") is ER, which already has the r in it: ER R is an r too many."""
    return tuple(p for i, p in enumerate(phones) if not (p == "R" and i > 0 and phones[i - 1] == "ER"))


def _unique(items: Iterable[Phones]) -> list[Phones]:
    seen: list[Phones] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen
