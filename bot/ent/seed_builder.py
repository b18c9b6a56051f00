"""The vocabulary of the demo data: people, accounts, classes, links and feed runs, with unique logins."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from faker import Faker
from sqlalchemy.orm import Session

from bot.ent import models as m
from bot.ent.demo_people import BY_LOGIN
from bot.text import normalize

T = TypeVar("T")
FAKER_SEED = 20250901
SCHOOL_YEAR = "2025-2026"
LAST_YEAR = "2024-2025"
CIRCONSCRIPTION = "Circonscription de démonstration (Lille)"
ORIGINS = (m.ORIGIN_FRANCECONNECT, m.ORIGIN_RESPONSABLE, m.ORIGIN_ETABLISSEMENT, None)


def at(day: str, hour: int = 6) -> datetime:
    """A fixed timestamp of the demo calendar (feeds run early in the morning)."""
    return datetime.fromisoformat(day).replace(hour=hour)


class Builder:
    """Adds people, accounts and links to a session with unique logins."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(FAKER_SEED)
        self.logins: set[str] = set()

    def add(self, obj: T) -> T:
        """Add and flush one object (so it has its id)."""
        self.session.add(obj)
        self.session.flush()
        return obj

    def login_for(self, first: str, last: str) -> str:
        """A unique ENT login built from a name."""
        base = f"{normalize(first).replace(' ', '-')}.{normalize(last).replace(' ', '')}"
        login, n = base, 1
        while login in self.logins:
            n += 1
            login = f"{base}{n}"
        return login

    def person(
        self,
        first: str,
        last: str,
        profile: str,
        login: str | None = None,
        source: str = m.SOURCE_ONDE,
        school: m.School | None = None,
        activated: bool = True,
        origin: str | None = None,
        when: datetime | None = None,
    ) -> m.Person:
        """A person with an account."""
        person = self.add(m.Person(first_name=first, last_name=last, profile=profile))
        login = login or self.login_for(first, last)
        self.logins.add(login)
        self.add(
            m.Account(
                person_id=person.id,
                login=login,
                source=source,
                school_id=school.id if school and source == m.SOURCE_MANUAL else None,
                activated=activated,
                activated_at=when if activated else None,
                educonnect_origin=origin,
                educonnect_activated_at=when if origin else None,
                created_at=at("2023-09-04"),
            )
        )
        return person

    def teacher(
        self,
        first: str,
        last: str,
        school: m.School,
        login: str | None = None,
        profile: str = m.TEACHER,
        home: bool = True,
        feed: m.FeedRun | None = None,
    ) -> m.Person:
        """A teacher (academic account) attached to a school."""
        person = self.person(first, last, profile, login, source=m.SOURCE_ACADEMIC, when=at("2020-09-01"))
        self.attach(person, school, home, feed)
        return person

    def demo_person(self, login: str, **options: Any) -> m.Person:
        """A named demo person of bot/ent/demo_people.py, with an account."""
        who = BY_LOGIN[login]
        return self.person(who.first_name, who.last_name, who.profile, login, **options)

    def demo_teacher(self, login: str, school: m.School, **options: Any) -> m.Person:
        """A named demo teacher or director of bot/ent/demo_people.py, attached to a school."""
        who = BY_LOGIN[login]
        return self.teacher(who.first_name, who.last_name, school, login, who.profile, **options)

    def attach(self, person: m.Person, school: m.School, home: bool, feed: m.FeedRun | None) -> None:
        """Attach a teacher to a school."""
        self.add(
            m.TeacherAttachment(
                person_id=person.id,
                school_id=school.id,
                is_home_school=home,
                last_feed_id=feed.id if feed else None,
            )
        )

    def teach(self, person: m.Person, school_class: m.SchoolClass) -> None:
        """Attach a teacher to a class."""
        self.add(m.TeacherClass(person_id=person.id, class_id=school_class.id))

    def pupil(self, first: str, last: str, *classes: m.SchoolClass) -> m.Person:
        """A pupil enrolled in the given classes (one per school year)."""
        person = self.person(first, last, m.PUPIL, when=at("2023-09-10"))
        for school_class in classes:
            self.add(m.Enrolment(pupil_id=person.id, class_id=school_class.id))
        return person

    def link(
        self,
        parent: m.Person,
        child: m.Person,
        attached: bool = True,
        kind: str = m.LINK_LEGAL,
    ) -> None:
        """Link a parent (or foster family) to a child."""
        self.add(
            m.ParentLink(
                parent_id=parent.id,
                child_id=child.id,
                kind=kind,
                attached_to_account=attached,
            )
        )

    def family(self, school_class: m.SchoolClass, count: int, *earlier: m.SchoolClass) -> None:
        """Random pupils in a class, each with one parent of random EduConnect origin."""
        for _ in range(count):
            last = self.fake.last_name()
            child = self.pupil(self.fake.first_name(), last, *earlier, school_class)
            origin = self.fake.random_element(ORIGINS)
            parent = self.person(
                self.fake.first_name(),
                last,
                m.PARENT,
                activated=origin is not None,
                origin=origin,
                when=at("2024-09-15", 19) if origin else None,
            )
            self.link(parent, child, attached=origin is not None)

    def school(self, uai: str, name: str, switch: date | None) -> m.School:
        """A school of the demo circonscription."""
        return self.add(
            m.School(uai=uai, name=name, circonscription=CIRCONSCRIPTION, onde_switch_date=switch)
        )

    def classes(self, school: m.School, year: str, *labels: str) -> dict[str, m.SchoolClass]:
        """Classes of a school for a year; levels come from the label (e.g. 'CE2-CM1')."""
        return {
            label: self.add(
                m.SchoolClass(
                    school_id=school.id,
                    label=label,
                    levels=",".join(label.split("-")),
                    school_year=year,
                )
            )
            for label in labels
        }

    def feed(
        self, school: m.School, file: str, day: str, outcome: str = m.OUTCOME_OK, year: str = SCHOOL_YEAR
    ) -> m.FeedRun:
        """One feed run."""
        return self.add(
            m.FeedRun(school_id=school.id, file=file, school_year=year, run_at=at(day), outcome=outcome)
        )
