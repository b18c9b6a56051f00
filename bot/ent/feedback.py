"""The 👍/👎 votes on answers: stored once per ticket, the question masked, counted for the staff page.

EntService's feedback methods call these functions inside their session (after checking the
viewer for `stats`), as its hand-off methods call bot/ent/handoff.py.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.ent import models as m
from bot.ent import reads
from bot.ent import results as r
from bot.ent.errors import AlreadyRecorded
from bot.privacy import mask_question

VOTES = ("up", "down")
FEEDBACK_TICKET_TTL_SECONDS = 7 * 24 * 3600  # a vote is possible for a week after the answer


def answer_key(value: str | None) -> str:
    """The answer key as stored: trimmed, at most 100 characters, "inconnu" when empty."""
    return (value or "").strip()[:100] or "inconnu"


def record(session: Session, key: str, question: str | None, vote: str, ticket_id: str | None) -> None:
    """Store one vote, the question masked; AlreadyRecorded if the ticket was used."""
    names = reads.known_names(session) if question else ()
    text = mask_question(question, names)
    if ticket_id is not None:
        session.add(m.FeedbackTicket(ticket_id=str(ticket_id)[:64], used_at=datetime.utcnow()))
        try:
            session.flush()
        except IntegrityError as error:
            raise AlreadyRecorded() from error
    session.add(m.Feedback(created_at=datetime.utcnow(), answer_key=key, question=text, vote=vote))


def forget_used_tickets(session: Session, before: datetime) -> int:
    """Delete the used-ticket rows older than `before`; the count."""
    result = session.execute(delete(m.FeedbackTicket).where(m.FeedbackTicket.used_at < before))
    return int(result.rowcount or 0)


def stats(session: Session, since: datetime, top: int) -> r.FeedbackStats:
    """Votes per day since a date, and the answers with the most 👎 with up to 3 of their questions."""
    day = func.date(m.Feedback.created_at)
    per_day: dict[date, tuple[int, int]] = {}
    for when, vote, count in session.execute(
        select(day, m.Feedback.vote, func.count())
        .where(m.Feedback.created_at >= since)
        .group_by(day, m.Feedback.vote)
    ).all():
        key = when if not isinstance(when, str) else datetime.fromisoformat(when).date()
        up, down = per_day.get(key, (0, 0))
        per_day[key] = (up + count, down) if vote == "up" else (up, down + count)
    down_count = func.sum(case((m.Feedback.vote == "down", 1), else_=0))
    up_count = func.sum(case((m.Feedback.vote == "up", 1), else_=0))
    rows = session.execute(
        select(m.Feedback.answer_key, down_count, up_count)
        .where(m.Feedback.created_at >= since)
        .group_by(m.Feedback.answer_key)
        .having(down_count > 0)
        .order_by(down_count.desc(), m.Feedback.answer_key)
        .limit(top)
    ).all()
    answers = []
    for key, down, up in rows:
        questions = session.execute(
            select(m.Feedback.question)
            .where(
                m.Feedback.answer_key == key,
                m.Feedback.vote == "down",
                m.Feedback.question.is_not(None),
                m.Feedback.created_at >= since,
            )
            .order_by(m.Feedback.id.desc())
            .limit(3)
        ).scalars()
        answers.append(r.AnswerVotes(key, int(down), int(up), tuple(questions)))
    return r.FeedbackStats(per_day=per_day, answers=tuple(answers))
