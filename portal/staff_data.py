"""Every read of the /staff page, in one place: no SQL in the handlers.

- hand-off requests, 👍/👎 statistics: through EntService, which checks the viewer (a director:
  their school; the ERUN: their circonscription; nobody else anything);
- daily activity and unanswered questions: Rasa's conversation store (table `events`), read
  incrementally (only the rows added since the last read, by primary key), so the page stays
  fast on a long history; the questions are grouped by bot.history.group_similar.
  The first read of a long history takes a few seconds (the portal starts it in the background);
  the page waits for it FIRST_READ_WAIT seconds at most, then is served without these two
  sections, with a « mise à jour en cours » note (never partial figures).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import column, create_engine, func, inspect, select, table
from sqlalchemy.engine import Connection, Engine

from bot.conversation_store import sqlite_path
from bot.ent import results as r
from bot.ent.service import EntService
from bot.history import FALLBACK_INTENTS, OUT_OF_SCOPE_INTENTS, group_similar, turn_from_event
from bot.identity import Identity
from bot.privacy import assistant_vocabulary, mask
from portal import staff_snapshot

DAYS = 30
PAGE_SIZE = 20
FIRST_READ_WAIT = 0.5  # seconds the page waits for the first read of the history, then shows a note
SAVE_EVERY = 60.0  # seconds between two writes of the counts to disk (and once at shutdown)
KEPT_QUESTIONS = 3000  # the latest unanswered questions kept for grouping
BATCH = 50_000
MISSED_INTENTS = FALLBACK_INTENTS | OUT_OF_SCOPE_INTENTS
EVENTS = table(
    "events",
    column("id"),
    column("sender_id"),
    column("type_name"),
    column("timestamp"),
    column("intent_name"),
    column("data"),
)


@dataclass
class DayActivity:
    """One day of the conversation store."""

    conversations: set[str] = field(default_factory=set)
    messages: int = 0
    fallbacks: int = 0


@dataclass(frozen=True)
class DayRow:
    """One day of the page's chart and table."""

    day: date
    conversations: int
    messages: int
    fallback_share: float
    votes: int
    down_share: float


@dataclass(frozen=True)
class QuestionGroup:
    """Unanswered questions that look alike (masked), most frequent first."""

    count: int
    question: str
    similar: tuple[str, ...]


class ConversationActivity:
    """Reads Rasa's `events` table once, then only the rows added since (by id)."""

    def __init__(self, url: str | None, snapshot: Path | None = None) -> None:
        self.url = url
        self.snapshot = snapshot  # the counts kept on disk (portal/staff_snapshot.py), if any
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._saved_at: float | None = None  # time.monotonic() of the last save
        self._unsaved = False  # rows read since the last save
        self.last_id = 0
        self.loaded = False  # the whole history has been read once
        self.days: dict[date, DayActivity] = {}
        self.missed: deque[tuple[int, float, str]] = deque(maxlen=KEPT_QUESTIONS)

    def _connect(self) -> Engine | None:
        """The store's engine; None when there is no store (an absent SQLite file is not created)."""
        if not self.url:
            return None
        path = sqlite_path(self.url)
        if path is not None and not path.exists():
            return None
        if self._engine is None:
            self._engine = create_engine(self.url, future=True)
        return self._engine

    def refresh(self, wait: float | None = None) -> bool:
        """Fold the new user messages into the per-day counts and the unanswered questions.

        False (and nothing read) when the first read of the history is still running in another
        thread after `wait` seconds (None: as long as it takes); once the history has been read,
        it always waits (reading the rows added since takes milliseconds).
        """
        timeout = -1 if wait is None or self.loaded else max(wait, 0.0)
        if not self._lock.acquire(timeout=timeout):
            return False
        try:
            self._read_new_rows()
        finally:
            self._lock.release()
        return True

    def _read_new_rows(self) -> None:
        """The body of refresh (the lock held)."""
        engine = self._connect()
        if engine is None or not inspect(engine).has_table("events"):
            self.loaded = True
            return
        with engine.connect() as connection:
            if not self.loaded and self.last_id == 0:
                self._restore(connection)
            first_id = self.last_id
            while True:
                rows = connection.execute(
                    select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.intent_name)
                    .where(EVENTS.c.id > self.last_id, EVENTS.c.type_name == "user")
                    .order_by(EVENTS.c.id)
                    .limit(BATCH)
                ).all()
                if not rows:
                    break
                missed = []
                by_number: dict[int, DayActivity] = {}  # UTC day number -> its activity
                for event_id, sender, timestamp, intent in rows:
                    number = int((timestamp or 0) // 86400)
                    activity = by_number.get(number)
                    if activity is None:
                        day = date(1970, 1, 1) + timedelta(days=number)
                        activity = by_number[number] = self.days.setdefault(day, DayActivity())
                    activity.conversations.add(sender)
                    activity.messages += 1
                    if intent in FALLBACK_INTENTS:
                        activity.fallbacks += 1
                    if intent in MISSED_INTENTS:
                        missed.append(event_id)
                if first_id:  # new rows: their questions now (the first read takes them at the end)
                    self._read_missed(connection, missed[-KEPT_QUESTIONS:])
                self.last_id = rows[-1][0]
            if not first_id and self.last_id:  # the whole history: only the latest questions
                self._read_missed_backwards(connection)
        oldest = datetime.now(timezone.utc).date() - timedelta(days=DAYS + 1)
        for day in [d for d in self.days if d < oldest]:
            del self.days[day]
        self.loaded = True
        self._unsaved = self._unsaved or self.last_id != first_id
        if self._unsaved and (self._saved_at is None or time.monotonic() - self._saved_at > SAVE_EVERY):
            self._save()

    def _restore(self, connection: Connection) -> None:
        """Start from the counts saved by the last portal, if they belong to this store."""
        if self.snapshot is None or self.url is None:
            return
        saved = staff_snapshot.load(self.snapshot, self.url)
        if saved is None:
            return
        newest = connection.execute(select(func.max(EVENTS.c.id))).scalar() or 0
        if newest < saved.last_id:  # the store was reset or replaced
            return
        self.days = {
            day: DayActivity(set(d.conversations), d.messages, d.fallbacks) for day, d in saved.days.items()
        }
        self.last_id = saved.last_id
        self._read_missed_backwards(connection)

    def _read_missed_backwards(self, connection: Connection) -> None:
        """The latest unanswered questions up to last_id, newest first, back to DAYS days at most."""
        since = (datetime.now(timezone.utc) - timedelta(days=DAYS + 1)).timestamp()
        found: list[tuple[int, float, str]] = []
        upper = self.last_id
        while len(found) < KEPT_QUESTIONS:
            rows = connection.execute(
                select(EVENTS.c.id, EVENTS.c.timestamp, EVENTS.c.data)
                .where(EVENTS.c.id <= upper, EVENTS.c.type_name == "user")
                .where(EVENTS.c.intent_name.in_(sorted(MISSED_INTENTS)))
                .order_by(EVENTS.c.id.desc())
                .limit(500)
            ).all()
            for event_id, timestamp, data in rows:
                turn = turn_from_event("", timestamp, json.loads(data or "{}"))
                if turn.typed:
                    found.append((event_id, turn.timestamp, turn.text))
            if len(rows) < 500 or (rows[-1][1] or 0) < since:
                break
            upper = rows[-1][0] - 1
        self.missed.extend(reversed(found[:KEPT_QUESTIONS]))

    def save(self) -> None:
        """Write the counts to disk now if anything was read since the last save (portal shutdown)."""
        with self._lock:
            if self.loaded and self._unsaved:
                self._save()

    def _save(self) -> None:
        """Write the counts (the lock held)."""
        if self.snapshot is None or self.url is None:
            return
        days = {
            day: staff_snapshot.Day(a.messages, a.fallbacks, frozenset(a.conversations))
            for day, a in self.days.items()
        }
        staff_snapshot.save(self.snapshot, self.url, staff_snapshot.Snapshot(self.last_id, days))
        self._saved_at = time.monotonic()
        self._unsaved = False

    def _read_missed(self, connection: Connection, ids: list[int]) -> None:
        """The text of the unanswered messages (typed ones only, not button payloads)."""
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for event_id, timestamp, data in connection.execute(
                select(EVENTS.c.id, EVENTS.c.timestamp, EVENTS.c.data).where(EVENTS.c.id.in_(chunk))
            ).all():
                turn = turn_from_event("", timestamp, json.loads(data or "{}"))
                if turn.typed:
                    self.missed.append((event_id, turn.timestamp, turn.text))

    def per_day(self, today: date) -> dict[date, DayActivity]:
        """The last DAYS days, today included (empty days too)."""
        return {
            today - timedelta(days=n): self.days.get(today - timedelta(days=n), DayActivity())
            for n in range(DAYS)
        }


class StaffReads:
    """What the /staff page shows, each read checked against the viewer by the backend."""

    def __init__(
        self, service: EntService, conversation_store: str | None, snapshot: Path | None = None
    ) -> None:
        self.service = service
        self.activity = ConversationActivity(conversation_store, snapshot)
        self._names: set[str] | None = None

    def requests(self, viewer: Identity, page: int = 1) -> tuple[list[r.HandoffInfo], bool]:
        """One page of the open requests, and whether there is a next page (NotAllowed if not staff)."""
        rows = self.service.received_handoffs(
            viewer, "ouverte", PAGE_SIZE + 1, (max(page, 1) - 1) * PAGE_SIZE
        )
        return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE

    def close(self, viewer: Identity, request_id: object) -> r.HandoffInfo:
        """Mark a request as handled (NotAllowed if it is not the viewer's)."""
        return self.service.close_handoff(viewer, request_id)

    def days(
        self, viewer: Identity, today: date | None = None, wait: float | None = None
    ) -> list[DayRow] | None:
        """Per day over the last 30 days: conversations, messages, share of fallbacks, share of 👎.

        None when the history is still being read for the first time after `wait` seconds.
        """
        today = today or datetime.now(timezone.utc).date()
        since = datetime.combine(today - timedelta(days=DAYS - 1), datetime.min.time())
        votes = self.service.feedback_stats(viewer, since).per_day  # checks the viewer first
        if not self.activity.refresh(wait):
            return None
        rows = []
        for day, activity in sorted(self.activity.per_day(today).items()):
            up, down = votes.get(day, (0, 0))
            rows.append(
                DayRow(
                    day=day,
                    conversations=len(activity.conversations),
                    messages=activity.messages,
                    fallback_share=activity.fallbacks / activity.messages if activity.messages else 0.0,
                    votes=up + down,
                    down_share=down / (up + down) if up + down else 0.0,
                )
            )
        return rows

    def answers(self, viewer: Identity) -> list[r.AnswerVotes]:
        """The answers with the most 👎 over the last 30 days, with questions voted down."""
        since = datetime.utcnow() - timedelta(days=DAYS)
        return list(self.service.feedback_stats(viewer, since).answers)

    def questions(
        self, viewer: Identity, page: int = 1, wait: float | None = None
    ) -> tuple[list[QuestionGroup], bool] | None:
        """One page of the unanswered questions of the last 30 days, grouped by similarity, masked.

        None when the history is still being read for the first time after `wait` seconds.
        """
        self.service.received_handoffs(viewer, "ouverte", 1)  # staff only: NotAllowed otherwise
        if not self.activity.refresh(wait):
            return None
        since = (datetime.now(timezone.utc) - timedelta(days=DAYS)).timestamp()
        texts = [text for _, timestamp, text in self.activity.missed if timestamp >= since]
        groups = group_similar(texts)
        start = (max(page, 1) - 1) * PAGE_SIZE
        vocabulary = assistant_vocabulary()
        shown = []
        for group in groups[start : start + PAGE_SIZE]:
            distinct = list(dict.fromkeys(group))[:4]  # the question and up to 3 similar ones
            masked = list(dict.fromkeys(mask(text, vocabulary, self.names()) for text in distinct))
            shown.append(QuestionGroup(count=len(group), question=masked[0], similar=tuple(masked[1:4])))
        return shown, len(groups) > start + PAGE_SIZE

    def warm_up(self) -> None:
        """Read the history and the names to mask once, before the first page asks for them."""
        self.activity.refresh()
        assistant_vocabulary()
        self.names()

    def names(self) -> set[str]:
        """People's names of the ENT (masked wherever they appear), read once."""
        if self._names is None:
            self._names = self.service.known_names()
        return self._names


def count_events(url: str) -> int:
    """How many events the store holds (for the benchmark's report)."""
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(EVENTS)).scalar_one())
    finally:
        engine.dispose()
