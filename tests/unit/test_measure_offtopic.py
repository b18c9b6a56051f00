"""tools.measure.offtopic: what the assistant does with questions out of its field."""

from __future__ import annotations

from pathlib import Path

from tools.measure import offtopic
from tools.measure.scoring import OUT_OF_SCOPE, predict


def parse(intent: str, key: str | None = None) -> dict:
    """A parse as the trained model returns it: an intent, and the selector's answer for a retrieval intent."""
    selector = {}
    if key:
        selector = {
            "default": {
                "response": {"intent_response_key": key, "confidence": 0.9},
                "ranking": [{"intent_response_key": key, "confidence": 0.9}],
            }
        }
    return {
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
        "response_selector": selector,
    }


def test_a_decline_is_right_a_question_back_is_not_wrong_anything_else_is_confidently_wrong() -> None:
    items = [
        {"text": "code sms de ma banque", "kind": "everyday"},
        {"text": "icloud plein", "kind": "everyday"},
        {"text": "menu de la cantine", "kind": "school"},
        {"text": "photo de classe", "kind": "school"},
        {"text": "il pleut ?", "kind": "everyday"},
        {"text": "classe de neige", "kind": "school"},
    ]
    parses = [
        parse("faq", "faq/code_sms_non_recu"),
        parse("nlu_fallback", "faq/quota_stockage"),
        parse("hors_champ", "hors_champ/cantine_periscolaire"),
        parse(OUT_OF_SCOPE),
        parse("goodbye"),
        parse("live_class_pupils"),
    ]
    predictions = [predict(p, i["text"], OUT_OF_SCOPE) for p, i in zip(parses, items, strict=True)]
    result = offtopic.tally(items, predictions)
    assert result["kinds"]["everyday"] == {"questions": 3, "declined": 0, "asked_back": 1, "wrong": 2}
    assert result["kinds"]["school"] == {"questions": 3, "declined": 2, "asked_back": 0, "wrong": 1}
    said = {item["text"]: item["said"] for item in result["confident_wrong"]}
    assert said == {
        "code sms de ma banque": "faq/code_sms_non_recu",
        "il pleut ?": "goodbye",
        "classe de neige": "live_class_pupils",
    }
    assert "| x, everyday | 3 | 0 (0.0 %) | 1 (33.3 %) | 2 (66.7 %) |" in offtopic.markdown({"x": result})


def test_the_sets_are_80_questions_each_half_everyday_half_school() -> None:
    sets = sorted(offtopic.OFFTOPIC.glob("*.yml"))
    assert [path.name for path in sets] == ["blind-1.yml", "blind-2.yml"]
    for path in sets:
        items = offtopic.questions(Path(path))
        assert len(items) == 80 and len({item["text"] for item in items}) == 80
        assert sum(item["kind"] == "everyday" for item in items) == 40
        assert sum(item["kind"] == "school" for item in items) == 40
