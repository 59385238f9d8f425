"""The command grammars: read as JSGF (with weights), sentences drawn from them, names added,
the commands for a kind of name the company lacks left out, and a language model counted from
them; bokmål pronunciations in running speech; how a language's hypothesis is chosen."""

from __future__ import annotations

import math
import random
import re

from channels.voice.grammar import command_grammar, grammar_words, with_names
from channels.voice.jsgf import accepts, parse, sample, without_rules
from channels.voice.language_model import arpa, grammar_sentences
from channels.voice.lexicon import Lexicon, _with_running_speech
from channels.voice.phones import CMU_PHONES, ipa_to_phones, pronunciations
from channels.voice.reply_mode import requested_reply_mode
from channels.voice.sphinx_backend import Hypothesis, likelihood
from channels.voice.vocabulary import spoken_form, vocabulary_from_names


def said(text: str) -> list[str]:
    return text.split()


NAMES = vocabulary_from_names(["Fjord Bygg AS", "Hansen Rør AS"], ["Nettside"], ["Elkjøp"])


def test_both_grammars_parse_and_every_sentence_drawn_is_accepted() -> None:
    for language in ("nb", "en"):
        text = with_names(command_grammar(language), NAMES)
        rules, public = parse(text)
        rng = random.Random(1)
        for _ in range(200):
            sentence = sample(rules, public[0], rng)
            assert sentence is not None
            assert accepts(text, sentence), sentence


def test_a_command_with_the_companys_names_is_in_the_grammar_and_a_stranger_is_not() -> None:
    text = with_names(command_grammar("nb"), NAMES)
    assert accepts(text, said("fakturer fjord bygg for fem timer"))
    assert accepts(text, said("jeg betalte fire hundre og femti kroner for drivstoff hos elkjøp"))
    assert not accepts(text, said("fakturer solberg maling for fem timer"))


def test_commands_needing_a_supplier_are_left_out_when_the_company_has_none() -> None:
    without = with_names(command_grammar("en"), vocabulary_from_names(["Fjord Bygg"], ["Nettside"], []))
    assert "<VOID>" not in without and "<vendor>" not in without
    assert accepts(without, said("i bought fuel for fifty kroner"))
    assert not accepts(without, said("i bought fuel at elkjøp for fifty kroner"))


def test_names_are_said_without_the_company_form() -> None:
    assert spoken_form("Hansen Rør AS") == ("hansen rør", ["Hansen", "Rør"])
    assert NAMES.spelled("fakturer hansen rør") == "fakturer Hansen Rør"
    assert NAMES.fingerprint != vocabulary_from_names(["Fjord Bygg AS"], ["Nettside"], ["Elkjøp"]).fingerprint


def test_the_language_model_is_a_proper_distribution_after_each_history() -> None:
    text = with_names(command_grammar("nb"), NAMES)
    model = arpa(grammar_sentences(text, count=500), grammar_words(text))
    unigrams = [line.split() for line in model.split("\\1-grams:")[1].split("\\2-grams:")[0].strip().splitlines()]
    total = sum(10 ** float(parts[0]) for parts in unigrams if parts[1] != "<s>")
    assert math.isclose(total, 1.0, rel_tol=1e-3)
    assert re.search(r"ngram 3=\d+", model)


def test_norwegian_sounds_map_onto_the_english_phone_set() -> None:
    assert ipa_to_phones("fˈɑktʉːrər", "nb") == ("F", "AA", "K", "T", "UW", "R", "AH", "R")
    assert ipa_to_phones("xˈøːp", "nb") == ("SH", "ER", "P")
    assert ("B", "UW", "G") in pronunciations("bˈyɡː", "nb")
    for ipa in ("ʃˈøːmat", "ʂˈʉːa", "hˈʉnnra", "ˈɛlxøːp"):
        assert set(ipa_to_phones(ipa, "nb")) <= CMU_PHONES


def test_asking_for_spoken_replies_is_recognised_in_both_languages() -> None:
    assert requested_reply_mode("svar med tale") is True
    assert requested_reply_mode("Kan du svare med tale?") is None  # a question about it, not the request
    assert requested_reply_mode("answer by voice please") is True
    assert requested_reply_mode("svar med tekst") is False
    assert requested_reply_mode("Answer by text") is False
    assert requested_reply_mode("hva er saldoen") is None


def test_weights_are_read_kept_and_followed_when_sentences_are_drawn() -> None:
    text = "#JSGF V1.0;\ngrammar t;\npublic <n> = /9/ fem hundre | /1/ fem tusen | <NULL> takk;\n"
    rules, _ = parse(text)
    rng = random.Random(7)
    drawn = [" ".join(sample(rules, "n", rng) or []) for _ in range(1000)]
    assert 0.75 < drawn.count("fem hundre") / 1000 < 0.88  # 9 of 11: an alternative without a weight weighs 1
    assert set(drawn) == {"fem hundre", "fem tusen", "takk"}
    kept = without_rules(text, set(), name="t")
    assert "/9/ fem hundre" in kept and accepts(kept, said("takk"))


def test_bokmal_amounts_take_the_usual_forms_and_never_end_in_a_bare_ett() -> None:
    text = with_names(command_grammar("nb"), NAMES)
    for amount in ("fem hundre", "tolv hundre og femti", "tusen fem hundre", "ett tusen to hundre og femti",
                   "fire hundre og femti", "tjue fem", "tyve"):
        assert accepts(text, said(f"jeg betalte {amount} kroner for lunsj")), amount
    assert not accepts(text, said("jeg betalte tre tusen ett kroner for lunsj"))
    assert not accepts(text, said("før ett timer på nettside"))


def test_bokmal_number_words_are_heard_as_said_in_a_sentence_and_with_a_schwa() -> None:
    heard = _with_running_speech("fire", [("F", "IY", "R", "AA")])
    assert heard[0] == ("F", "IY", "R", "AA")
    assert ("F", "IY", "R", "EH") in heard and ("F", "IY", "R", "AH") in heard
    assert ("HH", "UW", "N", "D", "R", "AH") in _with_running_speech("hundre", [("HH", "UW", "N", "R", "AA")])
    assert ("AO",) in _with_running_speech("og", [("UW", "G")])
    assert _with_running_speech("tak", [("T", "AA", "K")]) == [("T", "AA", "K")]


def test_bokmal_number_words_also_get_the_readings_the_english_model_hears() -> None:
    heard = Lexicon().pronounce(["hundre", "tusen", "to", "fem", "tjue", "sju", "timer", "kroner"], "nb")
    assert ("HH", "UW", "Z", "EH") in heard["hundre"]
    assert ("T", "ER", "S", "AH", "N") in heard["tusen"]
    assert ("T", "AO") in heard["to"] and ("TH", "EH", "M") in heard["fem"]
    # No diphthong for the plain [uː] of "to": with OW, "tolv" was heard as "to".
    assert ("T", "OW") not in heard["to"]
    # The retroflex [ʂ] of "tjue" also as S, the plain [ʃ] of "sju" not.
    assert ("S", "UW", "AH") in heard["tjue"] and ("SH", "UW", "AH") in heard["tjue"]
    assert all(p[0] == "SH" for p in heard["sju"])
    # Not the words around them: each extra reading makes another word easier to mistake.
    assert all(p[0] == "T" for p in heard["timer"]) and all("ER" not in p[:3] for p in heard["kroner"])


def test_an_r_after_the_r_coloured_er_is_not_said_twice() -> None:
    assert ("F", "ER") in pronunciations("fˈøːr", "nb")


def test_after_tusen_the_hundreds_are_one_digits() -> None:
    text = with_names(command_grammar("nb"), NAMES)
    assert accepts(text, said("jeg betalte ett tusen to hundre kroner for lunsj"))
    assert not accepts(text, said("jeg betalte ett tusen tolv hundre kroner for lunsj"))


def test_the_conversations_language_tips_a_close_call_and_a_whole_sentence_beats_a_fragment() -> None:
    ja = Hypothesis("ja", -3.1, "nb", complete=True)
    no = Hypothesis("no", -3.4, "en", complete=True)
    assert likelihood(no, "en") > likelihood(ja, "en")
    assert likelihood(ja, "nb") > likelihood(no, "nb")
    fragment = Hypothesis("i paid twenty five kroner for taxi at", -2.9, "en", complete=False)
    wrong = Hypothesis("nei det er feil", -4.0, "nb", complete=True)
    assert likelihood(fragment, None) > likelihood(wrong, None)


def test_an_invoices_number_comes_after_for() -> None:
    """With "for" optional, "for ti" (10) was heard as "førti" (40): they sound nearly alike."""
    text = with_names(command_grammar("nb"), NAMES)
    assert accepts(text, said("fakturer fjord bygg for ti timer"))
    assert accepts(text, said("fakturer fjord bygg for førti timer"))
    assert not accepts(text, said("fakturer fjord bygg førti timer"))
    assert accepts(text, said("fakturer fjord bygg"))
