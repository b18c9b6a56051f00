"""Reading the guide's answers (responses `utter_faq/<key>`) and the ResponseSelector's output."""

from __future__ import annotations

from typing import Any

RETRIEVAL_INTENT = "faq"
ROLES = ("parent", "enseignant", "directeur")


def response_name(key: str) -> str:
    """The response that holds the answer `key`."""
    return f"utter_{RETRIEVAL_INTENT}/{key}"


def variations(domain: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The variations of the answer `key` (empty when unknown)."""
    return list((domain.get("responses") or {}).get(response_name(key)) or [])


def known_answer(domain: dict[str, Any], key: str) -> bool:
    """Whether `key` is an answer of the domain."""
    return bool(key) and bool(variations(domain, key))


def _role_condition(variation: dict[str, Any]) -> str | None:
    for condition in variation.get("condition") or []:
        if condition.get("type") == "slot" and condition.get("name") == "role":
            return str(condition.get("value"))
    return None


def is_role_dependent(domain: dict[str, Any], key: str) -> bool:
    """Whether the answer `key` has a variation per role."""
    return any(_role_condition(v) for v in variations(domain, key))


def answer_text(domain: dict[str, Any], key: str, role: str | None) -> str:
    """The text of answer `key` for `role`: its role variation, else the general one."""
    options = variations(domain, key)
    for variation in options:
        if role and _role_condition(variation) == role:
            return variation["text"]
    for variation in options:
        if _role_condition(variation) is None:
            return variation["text"]
    return options[0]["text"]


def selector_candidates(message: dict[str, Any]) -> list[tuple[str, float]]:
    """Answer keys ranked by the ResponseSelector for a parsed message, best first."""
    selector = message.get("response_selector") or {}
    prediction = selector.get(RETRIEVAL_INTENT) or selector.get("default") or {}
    ranking = prediction.get("ranking") or []
    out: list[tuple[str, float]] = []
    for item in ranking:
        full = item.get("intent_response_key") or ""
        if "/" in full:
            out.append((full.split("/", 1)[1], float(item.get("confidence") or 0)))
    if not out:
        response = prediction.get("response") or {}
        full = response.get("intent_response_key") or ""
        if "/" in full:
            out.append((full.split("/", 1)[1], float(response.get("confidence") or 0)))
    return out
