"""Deterministic demo data: a circonscription of four schools at the rentrée.

The schools are written here with the words of bot/ent/seed_builder.py.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.ent import models as m
from bot.ent.db import make_session_factory, session_scope
from bot.ent.seed_builder import CIRCONSCRIPTION, LAST_YEAR, SCHOOL_YEAR, Builder, at


def _papillons(b: Builder) -> m.Person:
    """École des Papillons: every situation of the guide at the rentrée; returns its remplaçant."""
    school = b.school("0599001A", "École des Papillons", date(2025, 9, 2))
    old_staff = b.feed(school, m.FEED_STAFF, "2025-06-27", year=LAST_YEAR)
    b.feed(school, m.FEED_FAMILIES, "2025-06-27", year=LAST_YEAR)
    b.feed(school, m.FEED_STAFF, "2025-08-20")
    staff = b.feed(school, m.FEED_STAFF, "2025-09-03")
    b.feed(school, m.FEED_FAMILIES, "2025-09-03")
    b.feed(school, m.FEED_STRUCTURES, "2025-09-03")
    last = b.classes(school, LAST_YEAR, "GS", "CP", "CE1-CE2", "CM1-CM2")
    now = b.classes(school, SCHOOL_YEAR, "PS-MS", "GS", "CP", "CE1", "CE2-CM1", "CM2")

    director = b.demo_teacher("directeur.papillons", school, feed=staff)
    b.teach(director, now["CM2"])
    newcomer = b.demo_teacher("enseignant.papillons", school, feed=staff)
    ce1 = b.demo_teacher("enseignant.ce1.papillons", school, feed=staff)
    b.teach(ce1, now["CE1"])
    cm = b.demo_teacher("enseignant.cm.papillons", school, feed=staff)
    b.teach(cm, now["CE2-CM1"])
    left = b.demo_teacher("enseignant.parti.papillons", school, home=False, feed=old_staff)
    replacement = b.demo_teacher("remplacant.papillons", school, home=True)

    # The parents of the demo (fixed names), then random families to fill the classes.
    parent = b.demo_person(
        "parent.papillons",
        origin=m.ORIGIN_FRANCECONNECT,
        when=at("2024-09-12", 20),
    )
    b.link(parent, b.pupil("Emma", "Lambert", last["CP"], now["CE1"]), attached=True)
    b.link(parent, b.pupil("Hugo", "Lambert", last["GS"]), attached=False)  # CP not fed yet
    sms = b.demo_person(
        "parent.sms.papillons",
        origin=m.ORIGIN_RESPONSABLE,
        when=at("2024-10-02", 18),
    )
    b.link(sms, b.pupil("Inès", "Haddad", last["CE1-CE2"], now["CE2-CM1"]))
    school_issued = b.demo_person(
        "parent.etablissement.papillons",
        origin=m.ORIGIN_ETABLISSEMENT,
        when=at("2024-11-05", 17),
    )
    b.link(school_issued, b.pupil("Lucas", "Dubois", last["CM1-CM2"], now["CM2"]))
    inactive = b.demo_person("parent.nonactive.papillons", activated=False)
    b.link(inactive, b.pupil("Chloé", "Lemaire", now["PS-MS"]), attached=False)
    claire = b.demo_person(
        "parent.lefebvre1.papillons",
        origin=m.ORIGIN_FRANCECONNECT,
        when=at("2024-09-20", 21),
    )
    b.link(claire, b.pupil("Léo", "Lefebvre", last["CP"], now["CE1"]))
    julien = b.demo_person(
        "parent.lefebvre2.papillons",
        origin=m.ORIGIN_RESPONSABLE,
        when=at("2025-01-14", 19),
    )
    b.link(julien, b.pupil("Manon", "Lefebvre", last["CM1-CM2"], now["CM2"]))
    foster = b.demo_person(
        "famille.accueil.papillons",
        source=m.SOURCE_MANUAL,
        school=school,
        when=at("2024-09-09", 10),
    )
    b.link(foster, b.pupil("Noah", "Petitjean", last["GS"], now["CE1"]), kind=m.LINK_FOSTER)
    b.demo_person(
        "invite.papillons",
        source=m.SOURCE_MANUAL,
        school=school,
        activated=False,
    )
    dalmeida = b.person(
        "Sandrine", "D'Almeida", m.PARENT, origin=m.ORIGIN_FRANCECONNECT, when=at("2024-09-30")
    )
    b.link(dalmeida, b.pupil("Yanis", "D'Almeida", last["GS"], now["CE1"]))
    b.family(now["PS-MS"], 5)
    b.family(now["GS"], 4)
    b.family(now["CE1"], 3, last["CP"])
    b.family(now["CE2-CM1"], 4, last["CE1-CE2"])
    b.family(now["CM2"], 3, last["CM1-CM2"])

    b.add(m.AccessBlock(school_id=school.id, profile=m.PUPIL, blocked=True, changed_at=at("2025-08-28", 9)))
    b.add(m.AccessBlock(school_id=school.id, profile=m.PARENT, blocked=False, changed_at=at("2025-09-03", 9)))

    ape = b.add(
        m.ManualGroup(school_id=school.id, name="APE", school_year=LAST_YEAR, created_at=at("2024-09-16"))
    )
    for member in (sms, claire, inactive):
        b.add(m.ManualGroupMember(group_id=ape.id, person_id=member.id))
    current = b.add(
        m.ManualGroup(
            school_id=school.id,
            name="Groupe de besoin CE1 2025-2026",
            school_year=SCHOOL_YEAR,
            created_at=at("2025-09-03", 14),
        )
    )
    b.add(m.ManualGroupMember(group_id=current.id, person_id=ce1.id))
    team = b.add(
        m.SharingFavourite(
            owner_id=director.id,
            name="Équipe 2024-2025",
            school_year=LAST_YEAR,
            created_at=at("2024-09-05"),
        )
    )
    for member in (left, ce1, cm):
        b.add(m.SharingFavouriteMember(favourite_id=team.id, person_id=member.id))
    b.add(
        m.Share(
            owner_id=director.id,
            resource="Compte rendu du conseil d'école",
            target_kind=m.TARGET_MANUAL_GROUP,
            target_group_id=ape.id,
            created_at=at("2024-11-20"),
        )
    )
    b.add(
        m.Share(
            owner_id=director.id,
            resource="Projet d'école",
            target_kind=m.TARGET_FAVOURITE,
            target_favourite_id=team.id,
            rights=m.RIGHT_CONTRIBUTE,
            created_at=at("2024-10-01"),
        )
    )
    b.add(
        m.Share(
            owner_id=ce1.id,
            resource="Cahier de textes CE1",
            target_kind=m.TARGET_SCHOOL_GROUP,
            target_class_id=now["CE1"].id,
            created_at=at("2025-09-03", 16),
        )
    )
    b.add(
        m.Share(
            owner_id=left.id,
            resource="Cahier mémo",
            target_kind=m.TARGET_NOMINATIVE,
            target_person_id=newcomer.id,
            rights=m.RIGHT_MANAGE,
            created_at=at("2025-06-30"),
        )
    )

    b.add(
        m.GarMembership(
            school_id=school.id, person_id=director.id, status=m.GAR_EFFECTIVE, requested_at=at("2024-09-10")
        )
    )
    b.add(
        m.GarMembership(
            school_id=school.id, person_id=ce1.id, status=m.GAR_EFFECTIVE, requested_at=at("2024-09-10")
        )
    )
    b.add(
        m.GarMembership(
            school_id=school.id,
            person_id=newcomer.id,
            status=m.GAR_PENDING_ADD,
            requested_at=at("2025-09-03", 15),
        )
    )
    return replacement


def _tilleuls(b: Builder, replacement: m.Person) -> None:
    """École des Tilleuls: switched, fed, every class has pupils."""
    school = b.school("0599002B", "École des Tilleuls", date(2025, 9, 2))
    b.feed(school, m.FEED_STAFF, "2025-08-21")
    staff = b.feed(school, m.FEED_STAFF, "2025-09-03")
    b.feed(school, m.FEED_FAMILIES, "2025-09-03")
    b.feed(school, m.FEED_STRUCTURES, "2025-09-03")
    last = b.classes(school, LAST_YEAR, "GS", "CP", "CE1", "CE2", "CM1-CM2")
    now = b.classes(school, SCHOOL_YEAR, "CP", "CE1", "CE2", "CM1-CM2")
    director = b.demo_teacher("directeur.tilleuls", school, feed=staff)
    b.teach(director, now["CM1-CM2"])
    teacher = b.demo_teacher("enseignant.tilleuls", school, feed=staff)
    b.teach(teacher, now["CE1"])
    b.attach(replacement, school, home=False, feed=staff)
    parent = b.demo_person(
        "parent.tilleuls",
        origin=m.ORIGIN_FRANCECONNECT,
        when=at("2024-09-18", 20),
    )
    b.link(parent, b.pupil("Jade", "Martin", last["GS"], now["CP"]))
    # A parent sharing a surname with a Papillons parent, in another school.
    other = b.demo_person(
        "parent.lefebvre.tilleuls",
        origin=m.ORIGIN_ETABLISSEMENT,
        when=at("2024-10-10", 18),
    )
    b.link(other, b.pupil("Tom", "Lefebvre", last["CE1"], now["CE2"]))
    b.family(now["CP"], 3, last["GS"])
    b.family(now["CE1"], 3, last["CP"])
    b.family(now["CE2"], 2, last["CE1"])
    b.family(now["CM1-CM2"], 3, last["CM1-CM2"])
    b.add(m.ManualGroup(school_id=school.id, name="Chorale 2024-2025", school_year=LAST_YEAR))
    b.add(m.GarMembership(school_id=school.id, person_id=director.id, status=m.GAR_EFFECTIVE))
    b.add(m.AccessBlock(school_id=school.id, profile=m.PUPIL, blocked=False, changed_at=at("2025-09-03", 8)))
    b.add(m.AccessBlock(school_id=school.id, profile=m.PARENT, blocked=True, changed_at=at("2025-08-29", 8)))


def _moulin(b: Builder) -> None:
    """École maternelle du Moulin: staff fed, ONDE switch not done yet."""
    school = b.school("0599003C", "École maternelle du Moulin", None)
    b.feed(school, m.FEED_FAMILIES, "2025-06-27", year=LAST_YEAR)
    staff = b.feed(school, m.FEED_STAFF, "2025-08-22")
    last = b.classes(school, LAST_YEAR, "TPS-PS", "MS", "GS")
    director = b.demo_teacher("directeur.moulin", school, feed=staff)
    b.teach(director, last["GS"])
    b.demo_teacher("enseignant.moulin", school, feed=staff)
    for label in ("TPS-PS", "MS", "GS"):
        b.family(last[label], 2)


def _jaures(b: Builder) -> None:
    """École Jean Jaurès: ONDE switched, first « élèves – parents » feed failed."""
    school = b.school("0599004D", "École Jean Jaurès", date(2025, 9, 3))
    staff = b.feed(school, m.FEED_STAFF, "2025-08-20")
    b.feed(school, m.FEED_FAMILIES, "2025-09-04", outcome=m.OUTCOME_FAILED)
    last = b.classes(school, LAST_YEAR, "CP-CE1", "CE2-CM1-CM2")
    b.demo_teacher("directeur.jaures", school, feed=staff)
    for label in ("CP-CE1", "CE2-CM1-CM2"):
        b.family(last[label], 2)


ERUN_LOGIN = "erun.demo"


def _erun(session: Session) -> bool:
    """The circonscription's ERUN, added to older databases too; True if added."""
    known = session.execute(select(m.Account.id).where(m.Account.login == ERUN_LOGIN)).scalar()
    if known is not None:
        return False
    b = Builder(session)
    erun = b.demo_person(ERUN_LOGIN, source=m.SOURCE_ACADEMIC, when=at("2020-09-01"))
    b.add(m.ErunScope(person_id=erun.id, circonscription=CIRCONSCRIPTION))
    return True


def seed(session: Session) -> None:
    """Fill an empty database with the demo circonscription."""
    b = Builder(session)
    _tilleuls(b, _papillons(b))
    _moulin(b)
    _jaures(b)
    _erun(session)


def is_empty(session: Session) -> bool:
    """True when the backend has no school yet."""
    return session.execute(select(func.count(m.School.id))).scalar_one() == 0


def init_db(engine: Engine) -> bool:
    """Create the tables and seed them if the database is empty; True if seeded."""
    m.Base.metadata.create_all(engine)
    with session_scope(make_session_factory(engine)) as session:
        if not is_empty(session):
            _erun(session)  # a database seeded before the hand-off existed gets its ERUN
            return False
        seed(session)
        return True


def reset_db(engine: Engine) -> None:
    """Drop every table, create them again and seed."""
    m.Base.metadata.drop_all(engine)
    init_db(engine)
