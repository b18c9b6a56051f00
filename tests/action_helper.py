"""Run rasa_sdk actions without a server (covidflow style): build a tracker, run, compare events.

A message sent as a domain response (`response="utter_x"`, variables as keyword arguments)
is rendered through domain.yml as Rasa would (`render`), so tests assert on the words read.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge_data import DOMAIN as DOMAIN_FILE
from bot.paths import ROOT

DOMAIN: dict[str, Any] = {}
RESPONSES_DIR = ROOT / "data" / "nlu" / "responses"
# rasa-sdk's own keys of a dispatched message; any other key is a response variable.
MESSAGE_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}


@cache
def domain_responses() -> dict[str, list[dict[str, Any]]]:
    """The responses of domain.yml and of the data files (the guide's answers)."""
    responses: dict[str, list[dict[str, Any]]] = {}
    for path in [DOMAIN_FILE, *sorted(RESPONSES_DIR.glob("*.yml"))]:
        responses.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return responses


def render(message: dict[str, Any]) -> dict[str, Any]:
    """A dispatched message as the person gets it: a response's text filled, its buttons first.

    Rasa's own steps (RemoteAction._utter_responses, TemplatedNaturalLanguageGenerator):
    the response's first variation, `{variables}` filled from the keyword arguments, the
    message's buttons appended to the response's. A message without a response is as sent.
    """
    from rasa.core.nlg.interpolator import interpolate

    name = message.get("response")
    if not name:
        return message
    assert name in domain_responses(), f"response {name} is not in the domain"
    values = {k: v for k, v in message.items() if k not in MESSAGE_KEYS}
    variation = copy.deepcopy(domain_responses()[name][0])
    text = interpolate(variation.get("text") or "", values)
    assert "{" not in text, f"{name}: a variable was not given: {text}"
    buttons = interpolate(variation.get("buttons") or [], values) + list(message.get("buttons") or [])
    return {**message, "text": text, "buttons": buttons}


def create_tracker(
    sender_id: str = "test-user",
    slots: dict[str, Any] | None = None,
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    text: str | None = None,
    metadata: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    last_action: str = "action_listen",
    confidence: float = 0.95,
) -> Tracker:
    """A tracker whose latest message carries the intent, entities, text and metadata given."""
    latest_message = {
        "intent": {"name": intent or "none", "confidence": confidence},
        "entities": list(entities or []),
        "text": text or "",
        "metadata": dict(metadata or {}),
    }
    return Tracker(
        sender_id,
        dict(slots or {}),
        latest_message,
        list(events or []),
        False,
        None,
        {"name": active_loop} if active_loop else {},
        last_action,
    )


def entity(name: str, value: str, text: str | None = None) -> dict[str, Any]:
    """One extracted entity, as the NLU pipeline returns it."""
    return {"entity": name, "value": value, "text": text or value}


async def run_action(
    action: Action, tracker: Tracker, domain: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run an action; return (the dispatcher's messages, the events returned)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain if domain is not None else DOMAIN)
    return dispatcher.messages, list(events or [])


def texts_of(messages: list[dict[str, Any]]) -> str:
    """All the texts read (responses rendered), joined by new lines."""
    return "\n".join(render(m).get("text") or "" for m in messages)


def buttons_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """All the buttons shown (a response's own first)."""
    return [b for m in messages for b in (render(m).get("buttons") or [])]


def assert_events(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """The events returned are exactly those expected (same order)."""
    assert actual == expected, f"events differ:\n  actual:   {actual}\n  expected: {expected}"


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The last value set for each slot by the events."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def said(name: str, **values: Any) -> str:
    """The words of domain response `name` with its variables filled, as the person reads them."""
    return str(render({"response": name, **values})["text"])


def guide_text(messages: list[dict[str, Any]], role: str | None = None) -> str:
    """The texts sent, each response rendered, guide answers (`utter_faq/<key>`) as Rasa would for `role`.

    Like Rasa's templated generator: a variation whose `role` condition matches, else the one
    without condition.
    """
    from bot.knowledge_data import answers

    parts: list[str] = []
    for message in messages:
        name = message.get("response") or ""
        if name.startswith("utter_faq/"):
            variations = answers()[name.split("/", 1)[1]]
            matching = [
                v
                for v in variations
                if any(c.get("name") == "role" and c.get("value") == role for c in v.get("condition") or [])
            ]
            plain = [v for v in variations if not v.get("condition")]
            parts.append((matching or plain)[0]["text"])
        elif name:
            parts.append(str(render(message).get("text") or ""))
        elif message.get("text"):
            parts.append(message["text"])
    return "\n".join(parts)
