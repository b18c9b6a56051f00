"""Rasa's SQL tracker store, minus the portal's signed token, with a bounded load per turn.

Every message from the portal carries `ent_token` in its metadata. The actions need
it during the turn, but it must not rest in the conversation history: a copied
database would otherwise hold working credentials. This store removes every
`ent_token` key from the events before writing them.

Rasa rebuilds the whole session from its events on every message, then the policies
and the action call walk all of them again: a turn costs more as the conversation
grows. For a session longer than `window_events`, this store loads only the last
turns (at most `window_events` events, from a user message on) and puts in front of
them the state the earlier events left: the slots, the active form, a pause. Policies
look at 5 turns and the actions at the last few, so nothing they use is lost; the full
history stays in the database (`retrieve_full_tracker`, reports). Shorter sessions are
loaded whole, as Rasa does. Events are read with a cached lookup of their class (Rasa
walks every Event subclass for each event: 0.1 ms an event, most of a load). A SQLite file
keeps its connections in a pool: SQLAlchemy 1.4's default for it opens the file for every
session and, closing the last connection, checkpoints the WAL (about 2 sessions a turn).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
)
from rasa.shared.core.trackers import DialogueStateTracker

SECRET_KEYS = frozenset({"ent_token"})
# Events that change the state carried from one turn to the next.
STATE_EVENTS = ("session_started", "slot", "reset_slots", "restart", "active_loop", "form", "pause", "resume")
# The tracker attribute that remembers how many of its events are already stored.
STORED = "_ent_events_stored"
# About the last 8 turns: the policies look at 5, the actions at the last 2.
DEFAULT_WINDOW_EVENTS = 60


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

    engine: sa.engine.Engine

    def __init__(self, *args: Any, window_events: int = DEFAULT_WINDOW_EVENTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.window_events = int(window_events)
        if self.engine.dialect.name == "sqlite":
            if self.engine.url.database:  # a file: SQLAlchemy 1.4 opens and closes it for every session
                self.engine.dispose()
                self.engine = sa.create_engine(
                    self.engine.url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
                )
                self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session: whole when short, its state and last turns when long."""
        if not self.domain:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            session_events = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            markers = session_events.with_entities(
                self.SQLEvent.id,
                self.SQLEvent.type_name,
                sa.case((self.SQLEvent.type_name.in_(STATE_EVENTS), self.SQLEvent.data), else_=None),
            ).all()
            if not markers:
                return None
            start = _window_start(markers, self.window_events) if len(markers) > self.window_events else 0
            head = surviving_state([(kind, data) for _, kind, data in markers[:start]])
            window = (
                session_events.filter(self.SQLEvent.id >= markers[start][0])
                .with_entities(self.SQLEvent.data)
                .all()
            )
        slots = self.domain.slots
        events = deserialise(data for (data,) in window)
        if head:
            events = (
                _state_events(DialogueStateTracker.from_events(sender_id, deserialise(head), slots)) + events
            )
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


@functools.cache
def _event_class(type_name: str) -> type[Event] | None:
    """Rasa's event class for a type name, looked up once (Rasa walks all subclasses each time).

    An unknown name raises ValueError, as in Rasa.
    """
    return Event.resolve_by_type(type_name)


def deserialise(serialised: Iterable[str]) -> list[Event]:
    """Events from their stored JSON, as rasa.shared.core.events.deserialise_events does, faster."""
    events: list[Event] = []
    for data in serialised:
        parameters = json.loads(data)
        if "event" not in parameters:
            continue
        event_class = _event_class(parameters["event"])
        event = event_class._from_parameters(parameters) if event_class else None
        if event is not None:
            events.append(event)
    return events


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """No disk flush on every commit.

    In WAL mode a crash of the process loses nothing, a power cut at most the last turns. A flush per
    message cost about 6 ms here, during which the server answers nobody.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


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
