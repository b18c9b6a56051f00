"""One reader of Rasa's parse output: the retrieval intent and the answer its ResponseSelector chose.

Works on a parse result (dict) as on an NLU Message: both have `.get`. Imports nothing of
Rasa, so the actions, the measurements and the tests can use it.
"""

from __future__ import annotations

from typing import Any, Protocol

RETRIEVAL_INTENT = "faq"  # the intent whose answers the ResponseSelector picks (domain: faq/<key>)
FALLBACK_INTENT = "nlu_fallback"
PERSON_ENTITY = "person"  # a person's name found by spaCy's entity recogniser (bot/nlu_names.py)


class Parsed(Protocol):
    """A parse result or an NLU message."""

    def get(self, key: str, default: Any = None) -> Any:
        """The value of one field of the parse."""


def answer_key(intent_response_key: str | None) -> str | None:
    """'faq/key' -> 'key'; None when there is no answer key."""
    full = intent_response_key or ""
    return full.split("/", 1)[1] if "/" in full else None


def selector_prediction(parse: Parsed, retrieval_intent: str = RETRIEVAL_INTENT) -> dict[str, Any]:
    """The ResponseSelector's prediction for the retrieval intent ("default" when it names none)."""
    selectors = parse.get("response_selector") or {}
    return selectors.get(retrieval_intent) or selectors.get("default") or {}


def chosen_answer(parse: Parsed, retrieval_intent: str = RETRIEVAL_INTENT) -> tuple[str | None, float | None]:
    """The answer key the ResponseSelector chose and its confidence (None, None when it chose none)."""
    response = selector_prediction(parse, retrieval_intent).get("response") or {}
    confidence = response.get("confidence")
    return answer_key(response.get("intent_response_key")), None if confidence is None else float(confidence)


def answer_ranking(parse: Parsed, retrieval_intent: str = RETRIEVAL_INTENT) -> list[tuple[str, float]]:
    """The answer keys of the ResponseSelector's ranking with their confidences, best first."""
    ranking = selector_prediction(parse, retrieval_intent).get("ranking") or []
    out: list[tuple[str, float]] = []
    for item in ranking:
        key = answer_key(item.get("intent_response_key"))
        if key is not None:
            out.append((key, float(item.get("confidence") or 0)))
    return out
