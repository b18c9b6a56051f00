"""The portal's side of the chat: Rasa's REST channel, and which answer each reply is.

Neither Rasa channel (REST or socket.io) passes a bot message's metadata to the
client, so the answer's key (`utter_action`, e.g. "utter_faq/<key>") is read from
the conversation's tracker through Rasa's HTTP API, whose token stays on the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp

FAQ_PREFIX = "utter_faq/"
LIVE_PREFIX = "action_live_"
NOT_ANSWERS = frozenset({"action_live_stop", "action_live_inform_alone"})
SEND_TIMEOUT = aiohttp.ClientTimeout(total=30)
QUICK_TIMEOUT = aiohttp.ClientTimeout(total=3)


class RasaUnavailable(Exception):
    """The Rasa server could not be reached or failed."""


@dataclass
class Reply:
    """One message of the assistant, as the widget shows it."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    answer_key: str | None = None  # "utter_faq/<key>" or "action_live_<name>"; None: not an answer


def clean_buttons(buttons: Any) -> list[dict[str, str]]:
    """Keep only the title and payload (both strings) of each button."""
    out = []
    for button in buttons or []:
        if isinstance(button, dict) and isinstance(button.get("title"), str):
            payload = button.get("payload")
            out.append(
                {
                    "title": button["title"],
                    "payload": payload if isinstance(payload, str) else button["title"],
                }
            )
    return out


def answer_key(utter_action: str | None, last_action: str | None) -> str | None:
    """What produced a bot message, when it is an answer worth a vote."""
    if utter_action and utter_action.startswith(FAQ_PREFIX):
        return utter_action
    if last_action and last_action.startswith(LIVE_PREFIX) and last_action not in NOT_ANSWERS:
        return last_action
    return None


def latest_turn(events: list[dict[str, Any]]) -> tuple[str | None, list[Reply]]:
    """The question asked and the assistant's replies since the last user message."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if not users:
        return None, []
    typed = [events[i].get("text") or "" for i in users if not (events[i].get("text") or "").startswith("/")]
    question = typed[-1] if typed else None
    replies: list[Reply] = []
    last_action = None
    for event in events[users[-1] + 1 :]:
        if event.get("event") == "action":
            last_action = event.get("name")
        elif event.get("event") == "bot" and event.get("text"):
            metadata = event.get("metadata") or {}
            buttons = clean_buttons((event.get("data") or {}).get("buttons"))
            # A message with buttons asks something back (e.g. the role): not an answer to vote on.
            key = None if buttons else answer_key(metadata.get("utter_action"), last_action)
            replies.append(Reply(event["text"], buttons, key))
    return question, replies


def replies_from_webhook(messages: list[dict[str, Any]]) -> list[Reply]:
    """The REST channel's own answer (no answer keys): the fallback when the tracker is unreadable."""
    return [
        Reply(m["text"], clean_buttons(m.get("buttons"))) for m in messages if isinstance(m.get("text"), str)
    ]


class RasaClient:
    """Send a message to Rasa and read the turn back."""

    def __init__(self, base_url: str, api_token: str | None, session: aiohttp.ClientSession) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_token = api_token
        self.session = session

    async def alive(self) -> bool:
        """Whether the Rasa server answers."""
        try:
            async with self.session.get(f"{self.base_url}/", timeout=QUICK_TIMEOUT) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def send(self, sender: str, message: str, metadata: dict[str, str]) -> list[dict[str, Any]]:
        """Post the message to the REST channel; the messages Rasa sent back."""
        body = {"sender": sender, "message": message, "metadata": metadata}
        try:
            async with self.session.post(
                f"{self.base_url}/webhooks/rest/webhook", json=body, timeout=SEND_TIMEOUT
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                return await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from error

    async def events(self, sender: str) -> list[dict[str, Any]] | None:
        """The conversation's events since its last restart, or None if unreadable."""
        if not self.api_token:
            return None
        url = f"{self.base_url}/conversations/{sender}/tracker"
        params = {"include_events": "AFTER_RESTART", "token": self.api_token}
        try:
            async with self.session.get(url, params=params, timeout=QUICK_TIMEOUT) as response:
                if response.status != 200:
                    return None
                return (await response.json()).get("events") or []
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return None
