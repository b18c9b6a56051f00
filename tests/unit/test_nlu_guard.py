"""The NLU guard: uncertain answers and unanswerable messages fall back to "Vouliez-vous dire"."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu_guard import AnswerConfidenceGuard, unanswerable


def parsed(text: str, intent: str, answer_confidence: float | None) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.99})
    if answer_confidence is not None:
        message.set(
            "response_selector",
            {"default": {"response": {"confidence": answer_confidence, "intent_response_key": "faq/x"}}},
        )
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("comment activer mon compte ?", False),
        ("bonjour, mon fils est en CP et il n'apparaît pas dans la classe depuis la rentrée", False),
        ("voir https://educonnect.education.gouv.fr/educt-aide/aide/ svp", False),
        ("", True),
        ("   ", True),
        ("😀😀", True),
        ("?!...", True),
        ("x" * 10_000, True),
        ("bonjour " * 1500, True),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", True),
    ],
)
def test_unanswerable(text: str, expected: bool) -> None:
    assert unanswerable(text) is expected


def test_uncertain_answer_falls_back_keeping_the_ranking() -> None:
    guard = AnswerConfidenceGuard({"retrieval_intent": "faq", "threshold": 0.25})
    message = guard.process([parsed("partage", "faq", 0.2)])[0]
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 0.2}
    assert message.get("response_selector")["default"]["response"]["confidence"] == 0.2


def test_confident_answer_and_other_intents_are_left_alone() -> None:
    guard = AnswerConfidenceGuard({"retrieval_intent": "faq", "threshold": 0.25})
    confident, greeting = guard.process([parsed("activer", "faq", 0.9), parsed("bonjour", "greet", None)])
    assert confident.get("intent")["name"] == "faq"
    assert greeting.get("intent")["name"] == "greet"


def test_unanswerable_message_falls_back_whatever_the_intent() -> None:
    guard = AnswerConfidenceGuard({"retrieval_intent": "faq", "threshold": 0.25})
    message = guard.process([parsed("x" * 5000, "faq", 1.0)])[0]
    assert message.get("intent")["name"] == "nlu_fallback"


def test_the_neighbours_intent_always_says_a_neighbouring_topic_answer() -> None:
    """Intent hors_champ but the selector's first choice is a guide answer: the best
    neighbouring topic is put under `hors_champ`, which `utter_hors_champ` reads first."""
    guard = AnswerConfidenceGuard(
        {"retrieval_intent": "faq", "threshold": 0.25, "neighbours_intent": "hors_champ"}
    )
    message = Message(data={"text": "je ne suis pas d'accord avec une note"})
    message.set("intent", {"name": "hors_champ", "confidence": 0.9})
    ranking = [
        {"confidence": 0.45, "intent_response_key": "faq/enfant_inconnu"},
        {"confidence": 0.35, "intent_response_key": "hors_champ/livret_scolaire"},
        {"confidence": 0.2, "intent_response_key": "hors_champ/college"},
    ]
    message.set("response_selector", {"default": {"response": {"confidence": 0.5}, "ranking": ranking}})
    guard.process([message])
    own = message.get("response_selector")["hors_champ"]
    assert own["response"]["utter_action"] == "utter_hors_champ/livret_scolaire"
    assert [r["intent_response_key"] for r in own["ranking"]] == [
        "hors_champ/livret_scolaire",
        "hors_champ/college",
    ]
    assert message.get("intent")["name"] == "hors_champ"


def test_a_sure_guide_answer_is_kept_even_under_the_neighbours_intent() -> None:
    guard = AnswerConfidenceGuard(
        {"retrieval_intent": "faq", "threshold": 0.25, "neighbours_intent": "hors_champ"}
    )
    message = Message(data={"text": "mon numéro a changé"})
    message.set("intent", {"name": "hors_champ", "confidence": 0.6})
    ranking = [
        {"confidence": 0.8, "intent_response_key": "faq/changer_telephone"},
        {"confidence": 0.1, "intent_response_key": "hors_champ/absences"},
    ]
    message.set("response_selector", {"default": {"response": {"confidence": 0.8}, "ranking": ranking}})
    guard.process([message])
    assert "hors_champ" not in message.get("response_selector")


def test_a_guide_question_keeps_the_selectors_choice() -> None:
    guard = AnswerConfidenceGuard(
        {"retrieval_intent": "faq", "threshold": 0.25, "neighbours_intent": "hors_champ"}
    )
    message = parsed("comment activer mon compte ?", "faq", 0.9)
    guard.process([message])
    assert "hors_champ" not in message.get("response_selector")
