"""Rasa's SQL tracker store, minus the portal's signed token, with a bounded load per turn.

Every message from the portal carries `ent_token` in its metadata. The actions need
it during the turn, but it must not rest in the conversation history: a copied
database would otherwise hold working credentials. This store removes every
`ent_token` key from the events before writing them.

Rasa rebuilds the whole session from its events on every message, then the policies
and the action call walk all of them again: a turn costs more as the conversation
grows. For a session longer than `window_events`, this store loads only the last
turns (at least `window_events` events, cut at a user message) and puts in front of
them the state the earlier events left: the slots, the active form, a pause. Policies
look at 5 turns and the actions at the last few, so nothing they use is lost; the full
history stays in the database (`retrieve_full_tracker`, reports). Shorter sessions are
loaded exactly as Rasa does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker

SECRET_KEYS = frozenset({"ent_token"})
# Events that change the state carried from one turn to the next.
STATE_EVENTS = ("session_started", "slot", "reset_slots", "restart", "active_loop", "form", "pause", "resume")
# The tracker attribute that remembers how many of its events are already stored.
STORED = "_ent_events_stored"
DEFAULT_WINDOW_EVENTS = 120


def scrub(value: Any) -> Any:
    """A copy of `value` without any SECRET_KEYS, at any depth."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if k not in SECRET_KEYS}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


class _ScrubbedEvent:
    """An event as the SQL store serialises it, without the secret keys."""

    def __init__(self, event: Any) -> None:
        self._event = event
        self.type_name = event.type_name

    def as_dict(self) -> dict[str, Any]:
        return scrub(self._event.as_dict())


def surviving_state(rows: list[tuple[str, str | None]]) -> list[str]:
    """The state events still in force after rewinds, undos and restarts.

    `rows` are (type name, data or None) in order; data is given for STATE_EVENTS only.
    Mirrors DialogueStateTracker.applied_events on the markers that matter here.
    """
    applied: list[tuple[str, str | None]] = []

    def undo_till(kind: str) -> None:
        while applied:
            if applied.pop()[0] == kind:
                return

    for kind, data in rows:
        if kind in ("restart", "session_started"):
            applied = [(kind, data)] if kind == "session_started" else []
        elif kind == "undo":
            undo_till("action")
        elif kind == "rewind":
            undo_till("user")
            undo_till("action")
        else:
            applied.append((kind, data))
    return [data for kind, data in applied if kind in STATE_EVENTS and data is not None]


class ScrubbingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that never writes the portal's token and loads long sessions in part."""

    def __init__(self, *args: Any, window_events: int = DEFAULT_WINDOW_EVENTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.window_events = int(window_events)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session: whole when short, its state and last turns when long."""
        if not self.domain:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            markers = (
                self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
                .with_entities(
                    self.SQLEvent.id,
                    self.SQLEvent.type_name,
                    sa.case((self.SQLEvent.type_name.in_(STATE_EVENTS), self.SQLEvent.data), else_=None),
                )
                .all()
            )
            window: list[Any] = []
            if len(markers) > self.window_events:
                start = _window_start(markers, self.window_events)
                head = surviving_state([(kind, data) for _, kind, data in markers[:start]])
                window = (
                    session.query(self.SQLEvent.data)
                    .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.id >= markers[start][0])
                    .order_by(self.SQLEvent.id)
                    .all()
                )
        if not window:
            return await super().retrieve(sender_id)
        slots = self.domain.slots
        head_tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(d) for d in head], slots)
        events = _state_events(head_tracker) + deserialise_events([json.loads(d) for (d,) in window])
        tracker = DialogueStateTracker.from_events(sender_id, events, slots)
        setattr(tracker, STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events not stored yet (a partly loaded tracker knows how many it had)."""
        if getattr(tracker, STORED, None) is None:
            return await super().save(tracker)
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in list(tracker.events)[getattr(tracker, STORED) :]:
                data = scrub(event.as_dict())
                intent = (data.get("parse_data") or {}).get("intent", {}).get("name")
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        setattr(tracker, STORED, len(tracker.events))

    def _additional_events(self, session: Any, tracker: Any) -> Iterator[Any]:
        for event in super()._additional_events(session, tracker):
            yield _ScrubbedEvent(event)


def _window_start(markers: list[Any], window_events: int) -> int:
    """Index of the first user message among the last `window_events` events."""
    start = len(markers) - window_events
    while start < len(markers) and markers[start][1] != "user":
        start += 1
    return start if start < len(markers) else len(markers) - window_events


def _state_events(head: DialogueStateTracker) -> list[Event]:
    """Events that put a new tracker in the state `head` ended in."""
    started = head.events[0] if head.events and isinstance(head.events[0], SessionStarted) else None
    timestamp = started.timestamp if started else None
    events: list[Event] = [started] if started else []
    for slot in head.slots.values():
        if slot.value != slot.initial_value:
            events.append(SlotSet(slot.name, slot.value, timestamp=timestamp))
    if head.active_loop_name:
        events.append(ActiveLoop(head.active_loop_name, timestamp=timestamp))
    if head.is_paused():
        events.append(ConversationPaused(timestamp=timestamp))
    return events
