"""Rasa-side resilience, installed by the launcher (bot/rasa_quiet.py) before Rasa starts.

- **Bounded waits.** Rasa 3.6 waits up to 300 s for a custom action and keeps the
  conversation locked meanwhile. Every call to the action server here gets at most what
  is left of a per-turn budget (ACTIONS_TIMEOUT_SECONDS, 4 s by default), and a circuit
  breaker skips the action server for a few seconds after a failure, so that a hung
  server costs one wait, not one per action or per message.
- **A polite message instead of silence.** When the call fails, Rasa would drop the
  action's events and say nothing: the failed action says the polite "je n'arrive pas à
  consulter l'ENT" (live questions) or "pouvez-vous reformuler" (fallbacks) instead, once
  per turn (the domain's own responses, the same the actions send), and is recorded as having run; then the bot listens (no loop of predictions on
  an unchanged conversation). A failed form validation also ends the form, so the next
  message is not sent back into it. Custom slot-mapping actions (run on every message)
  fail silently, as Rasa already does.
- **A failing conversation store is noticed.** Rasa wraps every tracker store in
  FailSafeTrackerStore, which silently falls back to memory; the failure is logged here
  (type only, never the SQL parameters) and flagged on the current turn, so that the
  channel (bot/channels.py) tells the person.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

ACTIONS_TIMEOUT_ENV = "ACTIONS_TIMEOUT_SECONDS"
DEFAULT_ACTIONS_TIMEOUT = 4.0
BREAKER_SECONDS = 10.0  # after a failure, the action server is skipped this long

# Responses (domain.yml) said when the action server fails: the live actions' own, the
# fallbacks' own, and a generic one for the other actions.
UNAVAILABLE = "utter_live_unavailable"
REPHRASE = "utter_not_understood"
GENERIC = "utter_action_unavailable"
FALLBACK_BY_ACTION = {"action_did_you_mean": REPHRASE, "action_default_fallback": REPHRASE}
LIVE_PREFIXES = ("action_live_", "validate_live_")


def actions_timeout() -> float:
    """The longest a turn may wait for the action server, in seconds."""
    try:
        return max(0.1, float(os.environ.get(ACTIONS_TIMEOUT_ENV, DEFAULT_ACTIONS_TIMEOUT)))
    except ValueError:
        return DEFAULT_ACTIONS_TIMEOUT


@dataclass
class Turn:
    """What one message's processing has spent and met (set by the channel)."""

    deadline: float
    store_failed: bool = False
    actions_failed: list[str] = field(default_factory=list)
    said: set[str] = field(default_factory=set)  # polite responses already said this turn


_turn: contextvars.ContextVar[Turn | None] = contextvars.ContextVar("assistant_turn", default=None)


def start_turn() -> Turn:
    """Begin a turn in the current context (its action budget starts now)."""
    turn = Turn(deadline=time.monotonic() + actions_timeout())
    _turn.set(turn)
    return turn


def current_turn() -> Turn | None:
    """The turn being processed in this context, if a channel started one."""
    return _turn.get()


class Breaker:
    """Skip the action server for a while after it failed (one shared state per process)."""

    def __init__(self, seconds: float = BREAKER_SECONDS) -> None:
        self.seconds = seconds
        self.open_until = 0.0

    def is_open(self) -> bool:
        """Whether calls are refused for now."""
        return time.monotonic() < self.open_until

    def failed(self) -> None:
        """Refuse calls for the next `seconds`."""
        self.open_until = time.monotonic() + self.seconds

    def succeeded(self) -> None:
        """Allow calls again."""
        self.open_until = 0.0


breaker = Breaker()


class ActionServerSkipped(Exception):
    """The breaker is open or the turn's budget is spent: the call is not even tried."""


def time_left() -> float:
    """Seconds this call may wait for the action server."""
    turn = current_turn()
    limit = actions_timeout()
    if turn is not None:
        limit = min(limit, turn.deadline - time.monotonic())
    return limit


def _slot_mapping_actions(domain: Any) -> set[str]:
    """Custom actions used as slot mappings: they run on every message and must stay silent."""
    names = set()
    for slot in getattr(domain, "slots", []) or []:
        for mapping in getattr(slot, "mappings", []) or []:
            if isinstance(mapping, dict) and mapping.get("action"):
                names.add(mapping["action"])
    return names


def fallback_response(action_name: str, domain: Any) -> str | None:
    """The response the person is told when `action_name` could not run (None: nothing)."""
    if action_name in _slot_mapping_actions(domain):
        return None
    if action_name.startswith(LIVE_PREFIXES):
        return UNAVAILABLE
    return FALLBACK_BY_ACTION.get(action_name, GENERIC)


def response_text(domain: Any, name: str) -> str | None:
    """The text of the domain's response `name` (its first variation)."""
    variations = (getattr(domain, "responses", None) or {}).get(name) or []
    if not variations:
        return None
    return str(variations[0].get("text") or "") or None


def failure_events(action_name: str, domain: Any, turn: Turn | None) -> list[Any]:
    """The events of an action that could not run: its polite text (once a turn), then listen.

    A form validator (`validate_<form>`) ends its form instead of listening: the form's own
    rules then run the answer action, which fails in turn and lets the bot listen.
    """
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
    from rasa.shared.core.events import BotUttered, FollowupAction, SlotSet

    name = fallback_response(action_name, domain)
    if name is None:
        return []
    events: list[Any] = []
    text = response_text(domain, name)
    if text is None:
        logger.error("Response %s missing from the domain: nothing said for %s", name, action_name)
    elif turn is None or name not in turn.said:
        metadata = {"action_unavailable": action_name, "utter_action": name}
        events.append(BotUttered(text, metadata=metadata))
        if turn is not None:
            turn.said.add(name)
    if action_name.startswith("validate_"):
        return [*events, SlotSet(REQUESTED_SLOT, None)]
    return [*events, FollowupAction(ACTION_LISTEN_NAME)]


def install() -> None:
    """Bound and soften Rasa's calls to the action server; notice tracker store failures."""
    from rasa.core.actions import action as rasa_action
    from rasa.core.tracker_store import FailSafeTrackerStore

    if getattr(rasa_action.RemoteAction.run, "_bounded", False):
        return
    original_run = rasa_action.RemoteAction.run

    async def bounded_run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        """RemoteAction.run with a time limit, a breaker and a polite message on failure."""
        try:
            budget = time_left()
            if breaker.is_open() or budget <= 0.05:
                raise ActionServerSkipped()
            events = await asyncio.wait_for(original_run(self, output_channel, nlg, tracker, domain), budget)
        except rasa_action.ActionExecutionRejection:
            breaker.succeeded()  # the server answered (a form rejected the input)
            raise
        except Exception as error:  # noqa: BLE001 - any failure: polite message, conversation goes on
            kind = "skipped" if isinstance(error, ActionServerSkipped) else type(error).__name__
            if not isinstance(error, ActionServerSkipped):
                breaker.failed()
            logger.warning("Action server unavailable for %s (%s): fallback message", self.name(), kind)
            turn = current_turn()
            if turn is not None:
                turn.actions_failed.append(self.name())
            return failure_events(self.name(), domain, turn)
        breaker.succeeded()
        return events

    bounded_run._bounded = True  # type: ignore[attr-defined]
    rasa_action.RemoteAction.run = bounded_run

    def on_store_error(self: Any, error: Exception) -> None:
        """Log the failure without its details (they quote messages) and flag the turn."""
        logger.error(
            "Conversation store %s unavailable (%s): this turn is kept in memory only",
            type(getattr(self, "_tracker_store", None)).__name__,
            type(error).__name__,
        )
        turn = current_turn()
        if turn is not None:
            turn.store_failed = True

    FailSafeTrackerStore.on_tracker_store_error = on_store_error
    FailSafeTrackerStore.on_tracker_store_retrieve_error = on_store_error
