"""Reading the guide's answers (responses `utter_faq/<key>`) and the ResponseSelector's output."""

from __future__ import annotations

from typing import Any

from bot.nlu import RETRIEVAL_INTENT, selector_prediction


def response_name(key: str) -> str:
    """The response that holds the answer `key`."""
    return f"utter_{RETRIEVAL_INTENT}/{key}"


def variations(domain: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The variations of the answer `key` (empty when unknown)."""
    return list((domain.get("responses") or {}).get(response_name(key)) or [])


def known_answer(domain: dict[str, Any], key: str) -> bool:
    """Whether `key` is an answer of the domain."""
    return bool(key) and bool(variations(domain, key))


def last_answer_key(events: list[dict[str, Any]]) -> str | None:
    """The key of the last answer the assistant gave (or started, by asking the role)."""
    prefix = response_name("")
    for event in reversed(events):
        if event.get("event") == "bot":
            action = (event.get("metadata") or {}).get("utter_action") or ""
            if action.startswith(prefix):
                return action[len(prefix) :]
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get(
            "name"
        ) not in (None, "inform_role"):
            return None
    return None


def _role_condition(variation: dict[str, Any]) -> bool:
    return any(c.get("type") == "slot" and c.get("name") == "role" for c in variation.get("condition") or [])


def is_role_dependent(domain: dict[str, Any], key: str) -> bool:
    """Whether the answer `key` has a variation per role."""
    return any(_role_condition(v) for v in variations(domain, key))


def selector_candidates(message: dict[str, Any]) -> list[tuple[str, float]]:
    """The guide's answer keys ranked by the ResponseSelector for a parsed message, best first.

    One selector ranks the guide's answers and the neighbouring topics (`hors_champ/...`)
    together; only the guide's answers (`faq/...`) are kept.
    """
    prediction = selector_prediction(message)
    ranking = prediction.get("ranking") or []
    out: list[tuple[str, float]] = []
    for item in ranking:
        full = item.get("intent_response_key") or ""
        if full.startswith(f"{RETRIEVAL_INTENT}/"):
            out.append((full.split("/", 1)[1], float(item.get("confidence") or 0)))
    if not out:
        response = prediction.get("response") or {}
        full = response.get("intent_response_key") or ""
        if full.startswith(f"{RETRIEVAL_INTENT}/"):
            out.append((full.split("/", 1)[1], float(response.get("confidence") or 0)))
    return out
