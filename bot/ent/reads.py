"""Reads shared by the questions of EntService: school year, feeds, classes, names (no rights checked here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.ent import models as m
from bot.ent import results as r
from bot.text import LEVELS

FED_OUTCOMES = (m.OUTCOME_OK, m.OUTCOME_PARTIAL)


def full_name(person: m.Person) -> str:
    """First name then last name."""
    return f"{person.first_name} {person.last_name}".strip()


def current_year(session: Session) -> str:
    """The school year being set up (the latest one known to the backend)."""
    years = [
        session.execute(select(func.max(m.SchoolClass.school_year))).scalar(),
        session.execute(select(func.max(m.FeedRun.school_year))).scalar(),
    ]
    return max((y for y in years if y), default="")


def families_fed(session: Session, school: m.School, year: str) -> bool:
    """True once the school had its first « élèves – parents » feed of the year."""
    if school.onde_switch_date is None:
        return False
    run = session.execute(
        select(m.FeedRun.id)
        .where(
            m.FeedRun.school_id == school.id,
            m.FeedRun.file == m.FEED_FAMILIES,
            m.FeedRun.school_year == year,
            m.FeedRun.outcome.in_(FED_OUTCOMES),
            m.FeedRun.run_at >= datetime.combine(school.onde_switch_date, datetime.min.time()),
        )
        .limit(1)
    ).scalar()
    return run is not None


def latest_feed(
    session: Session, school_id: int, file: str, year: str, fed_only: bool = False
) -> m.FeedRun | None:
    """The latest run of a feed file for a school and year."""
    query = select(m.FeedRun).where(
        m.FeedRun.school_id == school_id,
        m.FeedRun.file == file,
        m.FeedRun.school_year == year,
    )
    if fed_only:
        query = query.where(m.FeedRun.outcome.in_(FED_OUTCOMES))
    return session.execute(query.order_by(m.FeedRun.run_at.desc()).limit(1)).scalar_one_or_none()


def class_ref(school_class: m.SchoolClass) -> r.ClassRef:
    """A class as the actions name it."""
    return r.ClassRef(
        id=school_class.id,
        label=school_class.label,
        levels=tuple(school_class.level_list),
        school_name=school_class.school.name,
    )


def children_labels(session: Session, parent_id: int) -> tuple[str, ...]:
    """Each child of a parent as "Prénom (classe)", with the latest class."""
    rows = session.execute(
        select(m.Person.id, m.Person.first_name)
        .join(m.ParentLink, m.ParentLink.child_id == m.Person.id)
        .where(m.ParentLink.parent_id == parent_id)
        .order_by(m.Person.first_name)
    ).all()
    labels = []
    for child_id, first_name in rows:
        current = classes_of_pupil(session, child_id)
        label = current[-1][1] if current else None
        labels.append(f"{first_name} ({label})" if label else first_name)
    return tuple(labels)


def classes_of_pupil(session: Session, pupil_id: int) -> list[tuple[str, str, int]]:
    """(school year, class label, school id) of a pupil, oldest first."""
    rows = session.execute(
        select(m.SchoolClass.school_year, m.SchoolClass.label, m.SchoolClass.school_id)
        .join(m.Enrolment, m.Enrolment.class_id == m.SchoolClass.id)
        .where(m.Enrolment.pupil_id == pupil_id)
        .order_by(m.SchoolClass.school_year)
    ).all()
    return [tuple(row) for row in rows]


def class_labels(session: Session, person_id: Any, school_id: Any, year: str) -> list[str]:
    """Labels of the classes a teacher is attached to in one school, for one school year."""
    return list(
        session.execute(
            select(m.SchoolClass.label)
            .join(m.TeacherClass, m.TeacherClass.class_id == m.SchoolClass.id)
            .where(
                m.TeacherClass.person_id == person_id,
                m.SchoolClass.school_id == school_id,
                m.SchoolClass.school_year == year,
            )
            .order_by(m.SchoolClass.label)
        ).scalars()
    )


def known_names(session: Session) -> set[str]:
    """First and last names of the people of the ENT: masked wherever they appear in a question."""
    rows = session.execute(select(m.Person.first_name, m.Person.last_name)).all()
    return {part for row in rows for name in row for part in str(name or "").replace("-", " ").split()}


def level_rank(levels: list[str]) -> int:
    """Position of a class's first level in the school order (TPS first)."""
    return LEVELS.index(levels[0]) if levels and levels[0] in LEVELS else len(LEVELS)


def as_int(value: object) -> int | None:
    """An id from a slot or a button, or None."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def count(session: Session, column: Any, value: int) -> int:
    """How many rows have column == value."""
    return session.execute(select(func.count()).where(column == value)).scalar_one()
