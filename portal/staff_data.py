"""Every read of the /staff page, in one place: no SQL in the handlers.

- hand-off requests, 👍/👎 statistics: through EntService, which checks the viewer (a director:
  their school; the ERUN: their circonscription; nobody else anything);
- daily activity and unanswered questions: Rasa's conversation store (table `events`), read
  incrementally (only the rows added since the last read, by primary key), so the page stays
  fast on a long history; the questions are grouped by bot.history.group_similar.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import column, create_engine, func, inspect, select, table
from sqlalchemy.engine import Connection, Engine

from bot.conversation_store import sqlite_path
from bot.ent import results as r
from bot.ent.service import EntService
from bot.history import FALLBACK_INTENTS, OUT_OF_SCOPE_INTENTS, group_similar, turn_from_event
from bot.identity import Identity
from bot.privacy import assistant_vocabulary, mask

DAYS = 30
PAGE_SIZE = 20
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

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self.last_id = 0
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

    def refresh(self) -> None:
        """Fold the new user messages into the per-day counts and the unanswered questions."""
        with self._lock:
            engine = self._connect()
            if engine is None or not inspect(engine).has_table("events"):
                return
            with engine.connect() as connection:
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
                    self._read_missed(connection, missed[-KEPT_QUESTIONS:])
                    self.last_id = rows[-1][0]
            oldest = datetime.now(timezone.utc).date() - timedelta(days=DAYS + 1)
            for day in [d for d in self.days if d < oldest]:
                del self.days[day]

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

    def __init__(self, service: EntService, conversation_store: str | None) -> None:
        self.service = service
        self.activity = ConversationActivity(conversation_store)
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

    def days(self, viewer: Identity, today: date | None = None) -> list[DayRow]:
        """Per day over the last 30 days: conversations, messages, share of fallbacks, share of 👎."""
        today = today or datetime.now(timezone.utc).date()
        since = datetime.combine(today - timedelta(days=DAYS - 1), datetime.min.time())
        votes = self.service.feedback_stats(viewer, since).per_day  # checks the viewer first
        self.activity.refresh()
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

    def questions(self, viewer: Identity, page: int = 1) -> tuple[list[QuestionGroup], bool]:
        """One page of the unanswered questions of the last 30 days, grouped by similarity, masked."""
        self.service.received_handoffs(viewer, "ouverte", 1)  # staff only: NotAllowed otherwise
        self.activity.refresh()
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
