"""Hand-off requests: questions handed to the director or the ERUN, read by them.

EntService's hand-off methods call these functions inside their session, after checking the
viewer: who may send (a parent, a teacher, a director), who may read and close (the director
of the school, the ERUN of the circonscription), nobody else anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.ent import models as m
from bot.ent import results as r
from bot.identity import role_for_profile
from bot.privacy import mask_question

MAX_OPEN_PER_PERSON = 5
MAX_TEXT = 2000  # characters kept of the questions, and of the note (cut, not refused)
MAX_QUESTIONS = 10
QUESTION_SEPARATOR = "\n"
CUT_MARK = " […]"
SENDERS = {m.PARENT: m.TO_DIRECTOR, m.TEACHER: m.TO_DIRECTOR, m.DIRECTOR: m.TO_ERUN}


class TooManyOpen(Exception):
    """The person already has MAX_OPEN_PER_PERSON open requests."""


def cut(text: str, limit: int = MAX_TEXT) -> str:
    """`text` cut to `limit` characters, with a visible mark when something was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(CUT_MARK)].rstrip() + CUT_MARK


def masked_questions(questions: Sequence[str], names: Iterable[str]) -> str | None:
    """The questions, each masked (other people's names, e-mails, phones), joined and capped."""
    names = set(names)
    kept = []
    for question in list(questions)[-MAX_QUESTIONS:]:
        masked = mask_question(cut(" ".join(str(question).split())), names, limit=MAX_TEXT)
        if masked:
            kept.append(masked)
    return cut(QUESTION_SEPARATOR.join(kept)) if kept else None


def masked_note(note: str | None, names: Iterable[str]) -> str | None:
    """The sentence the person added, masked and capped."""
    return mask_question(cut(note.strip()), set(names), limit=MAX_TEXT) if note else None


def submit(
    session: Session,
    person: m.Person,
    school: m.School,
    key: str,
    questions: str | None,
    note: str | None,
    last_answer_key: str | None,
) -> r.HandoffReceipt:
    """Store one request for this key (the same key twice: the first one is returned)."""
    recipient = SENDERS.get(person.profile)
    existing = _by_key(session, key)
    if existing is not None:
        return _receipt(session, existing, created=False)
    open_count = session.execute(
        select(func.count())
        .select_from(m.HandoffRequest)
        .where(m.HandoffRequest.requester_id == person.id, m.HandoffRequest.status == m.REQUEST_OPEN)
    ).scalar_one()
    if open_count >= MAX_OPEN_PER_PERSON:
        raise TooManyOpen()
    row = m.HandoffRequest(
        request_key=key,
        requester_id=person.id,
        school_id=school.id,
        recipient=recipient,
        questions=questions,
        note=note,
        last_answer_key=(last_answer_key or "")[:100] or None,
        created_at=datetime.utcnow(),
        status=m.REQUEST_OPEN,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same request arrived twice at once
        existing = _by_key(session, key)
        if existing is None:
            raise
        return _receipt(session, existing, created=False)
    return _receipt(session, row, created=True)


def received(
    session: Session, reader: m.Person, school_ids: Sequence[int], status: str | None, limit: int, offset: int
) -> list[r.HandoffInfo]:
    """The requests the reader may see (open only by default), newest first."""
    query = _reader_query(session, reader, school_ids)
    if status:
        query = query.where(m.HandoffRequest.status == status)
    rows = session.execute(
        query.order_by(m.HandoffRequest.created_at.desc(), m.HandoffRequest.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [_info(request, school, person) for request, school, person in rows]


def close(
    session: Session, reader: m.Person, school_ids: Sequence[int], request_id: int | None
) -> r.HandoffInfo:
    """Mark one request the reader may see as handled; LookupError if it is not theirs."""
    if request_id is None:
        raise LookupError(request_id)
    row = session.execute(
        _reader_query(session, reader, school_ids).where(m.HandoffRequest.id == request_id)
    ).one_or_none()
    if row is None:
        raise LookupError(request_id)
    request, school, person = row
    if request.status != m.REQUEST_DONE:
        request.status = m.REQUEST_DONE
        request.closed_at = datetime.utcnow()
        request.closed_by_id = reader.id
    return _info(request, school, person)


def _reader_query(session: Session, reader: m.Person, school_ids: Sequence[int]) -> Select:
    """Requests to the director of these schools, or to this ERUN; nothing for anyone else."""
    query = (
        select(m.HandoffRequest, m.School, m.Person)
        .join(m.School, m.School.id == m.HandoffRequest.school_id)
        .join(m.Person, m.Person.id == m.HandoffRequest.requester_id)
    )
    if reader.profile == m.DIRECTOR and school_ids:
        return query.where(
            m.HandoffRequest.recipient == m.TO_DIRECTOR, m.HandoffRequest.school_id.in_(school_ids)
        )
    if reader.profile == m.ERUN:
        scope = session.execute(
            select(m.ErunScope.circonscription).where(m.ErunScope.person_id == reader.id)
        ).scalar()
        if scope:
            return query.where(m.HandoffRequest.recipient == m.TO_ERUN, m.School.circonscription == scope)
    return query.where(m.HandoffRequest.id.is_(None))  # nothing


def _by_key(session: Session, key: str) -> m.HandoffRequest | None:
    return session.execute(
        select(m.HandoffRequest).where(m.HandoffRequest.request_key == key)
    ).scalar_one_or_none()


def _receipt(session: Session, request: m.HandoffRequest, created: bool) -> r.HandoffReceipt:
    school = session.get(m.School, request.school_id)
    return r.HandoffReceipt(
        id=request.id, recipient=request.recipient, school_name=school.name if school else "", created=created
    )


def _info(request: m.HandoffRequest, school: m.School, person: m.Person) -> r.HandoffInfo:
    return r.HandoffInfo(
        id=request.id,
        created_at=request.created_at,
        requester_name=f"{person.first_name} {person.last_name}".strip(),
        requester_role=role_for_profile(person.profile),
        school_name=school.name,
        recipient=request.recipient,
        questions=tuple((request.questions or "").split(QUESTION_SEPARATOR)) if request.questions else (),
        note=request.note,
        last_answer_key=request.last_answer_key,
        status=request.status,
    )
