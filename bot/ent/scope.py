"""The authorization policy of the mock ENT: who the viewer is, and which schools, classes and people they may see.

Every EntService question starts here: `viewer` refuses an unknown, mismatched, never activated
or blocked account; the other functions bound what a director, a teacher, a parent or the ERUN
may reach, and raise NotAllowed (no detail) otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.ent import handoff as h
from bot.ent import models as m
from bot.ent import reads
from bot.ent.errors import AccountRefused, NotAllowed
from bot.identity import Identity, role_for_profile


def viewer(session: Session, identity: Identity) -> m.Person:
    """The person behind the identity.

    Refused if unknown, if the role disagrees, or if the account may not be used (never activated,
    or its profile blocked in bulk at its school).
    """
    if identity is None or not identity.login:
        raise NotAllowed()
    row = session.execute(
        select(m.Person, m.Account)
        .join(m.Account, m.Account.person_id == m.Person.id)
        .where(m.Account.login == identity.login)
    ).one_or_none()
    if row is None or role_for_profile(row[0].profile) != identity.role:
        raise NotAllowed()
    person, account = row
    if not account.activated or blocked_in_bulk(session, person, account):
        raise AccountRefused()
    return person


def blocked_in_bulk(session: Session, person: m.Person, account: m.Account) -> bool:
    """Whether one of the person's schools blocks their profile («Blocage en lot»)."""
    if person.profile not in (m.PARENT, m.PUPIL):
        return False  # only pupils' and parents' access can be blocked in bulk
    schools = set(viewer_school_ids(session, person))
    if person.profile == m.PUPIL:
        schools |= set(pupil_school_ids(session, [person.id]).values())
    if account.school_id:
        schools.add(account.school_id)
    if not schools:
        return False
    blocked = session.execute(
        select(func.count())
        .select_from(m.AccessBlock)
        .where(
            m.AccessBlock.school_id.in_(schools),
            m.AccessBlock.profile == person.profile,
            m.AccessBlock.blocked.is_(True),
        )
    ).scalar_one()
    return blocked > 0


def attached_schools(session: Session, person_id: int) -> list[m.School]:
    """Schools a teacher or director is attached to."""
    return list(
        session.execute(
            select(m.School)
            .join(m.TeacherAttachment, m.TeacherAttachment.school_id == m.School.id)
            .where(m.TeacherAttachment.person_id == person_id)
            .order_by(m.School.name)
        ).scalars()
    )


def directed_school(session: Session, viewer: m.Person) -> m.School:
    """The director's own school."""
    if viewer.profile != m.DIRECTOR:
        raise NotAllowed()
    schools = attached_schools(session, viewer.id)
    if not schools:
        raise NotAllowed()
    home = session.execute(
        select(m.TeacherAttachment.school_id).where(
            m.TeacherAttachment.person_id == viewer.id,
            m.TeacherAttachment.is_home_school.is_(True),
        )
    ).scalar()
    return next((s for s in schools if s.id == home), schools[0])


def pupil_school_ids(session: Session, pupil_ids: Iterable[int]) -> dict[int, int]:
    """Each pupil's school: the school of the pupil's latest class."""
    ids = list(pupil_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(m.Enrolment.pupil_id, m.SchoolClass.school_id, m.SchoolClass.school_year)
        .join(m.SchoolClass, m.SchoolClass.id == m.Enrolment.class_id)
        .where(m.Enrolment.pupil_id.in_(ids))
    ).all()
    latest: dict[int, tuple[str, int]] = {}
    for pupil_id, school_id, year in rows:
        if pupil_id not in latest or year > latest[pupil_id][0]:
            latest[pupil_id] = (year, school_id)
    return {pupil_id: school_id for pupil_id, (_, school_id) in latest.items()}


def viewer_school_ids(session: Session, viewer: m.Person) -> list[int]:
    """Schools a viewer belongs to, whatever the profile."""
    if viewer.profile in (m.TEACHER, m.DIRECTOR):
        return [s.id for s in attached_schools(session, viewer.id)]
    if viewer.profile == m.PARENT:
        children = session.execute(
            select(m.ParentLink.child_id).where(m.ParentLink.parent_id == viewer.id)
        ).scalars()
        return sorted(set(pupil_school_ids(session, children).values()))
    school_id = session.execute(select(m.Account.school_id).where(m.Account.person_id == viewer.id)).scalar()
    return [school_id] if school_id else []


def visible_classes(session: Session, viewer: m.Person) -> list[m.SchoolClass]:
    """This year's classes of the viewer's schools (directors and teachers only)."""
    if viewer.profile not in (m.TEACHER, m.DIRECTOR):
        raise NotAllowed()
    if viewer.profile == m.DIRECTOR:
        school_ids = [directed_school(session, viewer).id]
    else:
        school_ids = [s.id for s in attached_schools(session, viewer.id)]
    if not school_ids:
        return []
    year = reads.current_year(session)
    classes = session.execute(
        select(m.SchoolClass).where(
            m.SchoolClass.school_id.in_(school_ids), m.SchoolClass.school_year == year
        )
    ).scalars()
    return sorted(classes, key=lambda c: (c.school_id, reads.level_rank(c.level_list), c.label))


def school_parents(session: Session, school_id: int) -> list[m.Person]:
    """Parents (and foster families) of the pupils of a school."""
    links = session.execute(select(m.ParentLink.parent_id, m.ParentLink.child_id)).all()
    pupil_school = pupil_school_ids(session, {child for _, child in links})
    parent_ids = {p for p, child in links if pupil_school.get(child) == school_id}
    if not parent_ids:
        return []
    return list(
        session.execute(
            select(m.Person)
            .where(m.Person.id.in_(parent_ids), m.Person.profile == m.PARENT)
            .order_by(m.Person.last_name, m.Person.first_name, m.Person.id)
        ).scalars()
    )


def sender_school(session: Session, person: m.Person) -> m.School:
    """The school a request goes to.

    The director's own, a teacher's home school, a parent's children's school (the first
    one by name).
    """
    if person.profile == m.DIRECTOR:
        return directed_school(session, person)
    if person.profile not in h.SENDERS:
        raise NotAllowed()
    school_ids = viewer_school_ids(session, person)
    if not school_ids:
        raise NotAllowed()
    if person.profile == m.TEACHER:
        home = session.execute(
            select(m.TeacherAttachment.school_id).where(
                m.TeacherAttachment.person_id == person.id,
                m.TeacherAttachment.is_home_school.is_(True),
            )
        ).scalar()
        if home in school_ids:
            return session.get(m.School, home)
    schools = session.execute(
        select(m.School).where(m.School.id.in_(school_ids)).order_by(m.School.name)
    ).scalars()
    return next(iter(schools))


def reader_schools(session: Session, person: m.Person) -> list[int]:
    """The school whose requests a director reads; none for an ERUN (scope by circonscription)."""
    if person.profile == m.DIRECTOR:
        return [directed_school(session, person).id]
    if person.profile == m.ERUN:
        return []
    raise NotAllowed()
