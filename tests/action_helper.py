"""Run rasa_sdk actions without a server (covidflow style): build a tracker, run, compare events."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN: dict[str, Any] = {}


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
    """All the texts sent, joined by new lines."""
    return "\n".join(m.get("text") or "" for m in messages)


def buttons_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """All the buttons sent."""
    return [b for m in messages for b in (m.get("buttons") or [])]


def assert_events(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """The events returned are exactly those expected (same order)."""
    assert actual == expected, f"events differ:\n  actual:   {actual}\n  expected: {expected}"


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The last value set for each slot by the events."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def guide_text(messages: list[dict[str, Any]], role: str | None = None) -> str:
    """The texts sent, with each guide answer (`utter_faq/<key>`) rendered as Rasa would for `role`.

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
        if message.get("text"):
            parts.append(message["text"])
    return "\n".join(parts)
