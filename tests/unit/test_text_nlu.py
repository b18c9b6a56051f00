"""The shared French text helpers (bot.text) and the one reader of the parse output (bot.nlu)."""

from __future__ import annotations

from bot.nlu import answer_key, answer_ranking, chosen_answer
from bot.text import STOP_WORDS, fold, normalize


def test_fold_lowers_and_strips_accents_and_ligatures() -> None:
    assert fold("Élève Œuvre l’ÉCOLE") == "eleve oeuvre l'ecole"


def test_normalize_keeps_letters_and_digits_only() -> None:
    assert normalize("  M. D'Almeida-Lefèvre, CE1 ! ") == "m d almeida lefevre ce1"
    assert normalize(None) == ""


def test_stop_words_are_folded_and_hold_no_seeded_name() -> None:
    assert all(word == normalize(word) for word in STOP_WORDS)
    assert not {"lambert", "roussel", "dubois", "martin", "petit"} & STOP_WORDS


def _parse(selector_name: str) -> dict:
    return {
        "intent": {"name": "faq", "confidence": 0.9},
        "response_selector": {
            selector_name: {
                "response": {"intent_response_key": "faq/activer_compte", "confidence": 0.8},
                "ranking": [
                    {"intent_response_key": "faq/activer_compte", "confidence": 0.8},
                    {"intent_response_key": "faq/code_sms", "confidence": 0.15},
                    {"intent_response_key": "sans_cle", "confidence": 0.05},
                ],
            }
        },
    }


def test_the_answer_is_read_under_the_retrieval_intent_or_default() -> None:
    for name in ("faq", "default"):
        assert chosen_answer(_parse(name)) == ("activer_compte", 0.8)
        assert answer_ranking(_parse(name)) == [("activer_compte", 0.8), ("code_sms", 0.15)]


def test_no_selector_means_no_answer() -> None:
    assert chosen_answer({"intent": {"name": "greet"}}) == (None, None)
    assert answer_ranking({}) == []
    assert answer_key("faq") is None
