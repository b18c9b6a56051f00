"""EntService: the only way into the mock ENT backend; it checks who may see what."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.ent import handoff as h
from bot.ent import models as m
from bot.ent import results as r
from bot.ent.db import session_factory, session_scope
from bot.identity import Identity, role_for_profile
from bot.privacy import mask_question
from bot.text import FIRST_CLASS_LEVELS, LEVELS, STOP_WORDS, normalize

T = TypeVar("T")

FED_OUTCOMES = (m.OUTCOME_OK, m.OUTCOME_PARTIAL)
VOTES = ("up", "down")
FEEDBACK_TICKET_TTL_SECONDS = 7 * 24 * 3600  # a vote is possible for a week after the answer


class NotAllowed(Exception):
    """The viewer may not see this (carries no detail on purpose)."""

    def __init__(self) -> None:
        super().__init__("")


class AccountRefused(NotAllowed):
    """The account may not be used now: never activated, or its access blocked in bulk."""


class AlreadyRecorded(Exception):
    """This feedback ticket was already used (a vote is stored once)."""


class TooManyOpen(NotAllowed):
    """The person already has the most open hand-off requests allowed (5)."""


class BackendUnavailable(Exception):
    """The backend could not be reached or failed (carries no detail)."""

    def __init__(self) -> None:
        super().__init__("")


def full_name(person: m.Person) -> str:
    """First name then last name."""
    return f"{person.first_name} {person.last_name}".strip()


class EntService:
    """Live questions about the ENT, each checked against the viewer's rights."""

    def __init__(self, factory: sessionmaker | None = None) -> None:
        self._factory = factory

    @classmethod
    def from_url(cls, url: str) -> EntService:
        """A service on a given database URL."""
        return cls(session_factory(url))

    # --- plumbing ---------------------------------------------------------
    def _run(self, work: Callable[[Session], T]) -> T:
        """Run one request in its own session; storage errors become BackendUnavailable."""
        try:
            factory = self._factory or session_factory()
            with session_scope(factory) as session:
                return work(session)
        except (NotAllowed, AlreadyRecorded):
            raise
        except (SQLAlchemyError, OSError) as error:
            raise BackendUnavailable() from error

    def _viewer(self, session: Session, identity: Identity) -> m.Person:
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
        if not account.activated or self._blocked_in_bulk(session, person, account):
            raise AccountRefused()
        return person

    def _blocked_in_bulk(self, session: Session, person: m.Person, account: m.Account) -> bool:
        """Whether one of the person's schools blocks their profile («Blocage en lot»)."""
        if person.profile not in (m.PARENT, m.PUPIL):
            return False  # only pupils' and parents' access can be blocked in bulk
        schools = set(self._viewer_school_ids(session, person))
        if person.profile == m.PUPIL:
            schools |= set(self._pupil_school_ids(session, [person.id]).values())
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

    @staticmethod
    def _current_year(session: Session) -> str:
        """The school year being set up (the latest one known to the backend)."""
        years = [
            session.execute(select(func.max(m.SchoolClass.school_year))).scalar(),
            session.execute(select(func.max(m.FeedRun.school_year))).scalar(),
        ]
        return max((y for y in years if y), default="")

    @staticmethod
    def _attached_schools(session: Session, person_id: int) -> list[m.School]:
        """Schools a teacher or director is attached to."""
        return list(
            session.execute(
                select(m.School)
                .join(m.TeacherAttachment, m.TeacherAttachment.school_id == m.School.id)
                .where(m.TeacherAttachment.person_id == person_id)
                .order_by(m.School.name)
            ).scalars()
        )

    def _directed_school(self, session: Session, viewer: m.Person) -> m.School:
        """The director's own school."""
        if viewer.profile != m.DIRECTOR:
            raise NotAllowed()
        schools = self._attached_schools(session, viewer.id)
        if not schools:
            raise NotAllowed()
        home = session.execute(
            select(m.TeacherAttachment.school_id).where(
                m.TeacherAttachment.person_id == viewer.id,
                m.TeacherAttachment.is_home_school.is_(True),
            )
        ).scalar()
        return next((s for s in schools if s.id == home), schools[0])

    @staticmethod
    def _pupil_school_ids(session: Session, pupil_ids: Iterable[int]) -> dict[int, int]:
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

    def _viewer_school_ids(self, session: Session, viewer: m.Person) -> list[int]:
        """Schools a viewer belongs to, whatever the profile."""
        if viewer.profile in (m.TEACHER, m.DIRECTOR):
            return [s.id for s in self._attached_schools(session, viewer.id)]
        if viewer.profile == m.PARENT:
            children = session.execute(
                select(m.ParentLink.child_id).where(m.ParentLink.parent_id == viewer.id)
            ).scalars()
            return sorted(set(self._pupil_school_ids(session, children).values()))
        school_id = session.execute(
            select(m.Account.school_id).where(m.Account.person_id == viewer.id)
        ).scalar()
        return [school_id] if school_id else []

    @staticmethod
    def _families_fed(session: Session, school: m.School, year: str) -> bool:
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

    @staticmethod
    def _latest_feed(
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

    def _visible_classes(self, session: Session, viewer: m.Person) -> list[m.SchoolClass]:
        """This year's classes of the viewer's schools (directors and teachers only)."""
        if viewer.profile not in (m.TEACHER, m.DIRECTOR):
            raise NotAllowed()
        if viewer.profile == m.DIRECTOR:
            school_ids = [self._directed_school(session, viewer).id]
        else:
            school_ids = [s.id for s in self._attached_schools(session, viewer.id)]
        if not school_ids:
            return []
        year = self._current_year(session)
        classes = session.execute(
            select(m.SchoolClass).where(
                m.SchoolClass.school_id.in_(school_ids), m.SchoolClass.school_year == year
            )
        ).scalars()
        return sorted(classes, key=lambda c: (c.school_id, _level_rank(c.level_list), c.label))

    @staticmethod
    def _class_ref(school_class: m.SchoolClass) -> r.ClassRef:
        return r.ClassRef(
            id=school_class.id,
            label=school_class.label,
            levels=tuple(school_class.level_list),
            school_name=school_class.school.name,
        )

    def _school_parents(self, session: Session, school_id: int) -> list[m.Person]:
        """Parents (and foster families) of the pupils of a school."""
        links = session.execute(select(m.ParentLink.parent_id, m.ParentLink.child_id)).all()
        pupil_school = self._pupil_school_ids(session, {child for _, child in links})
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

    def _children_labels(self, session: Session, parent_id: int) -> tuple[str, ...]:
        """Each child of a parent as "Prénom (classe)", with the latest class."""
        rows = session.execute(
            select(m.Person.id, m.Person.first_name)
            .join(m.ParentLink, m.ParentLink.child_id == m.Person.id)
            .where(m.ParentLink.parent_id == parent_id)
            .order_by(m.Person.first_name)
        ).all()
        labels = []
        for child_id, first_name in rows:
            current = self._classes_of_pupil(session, child_id)
            label = current[-1][1] if current else None
            labels.append(f"{first_name} ({label})" if label else first_name)
        return tuple(labels)

    @staticmethod
    def _classes_of_pupil(session: Session, pupil_id: int) -> list[tuple[str, str, int]]:
        """(school year, class label, school id) of a pupil, oldest first."""
        rows = session.execute(
            select(m.SchoolClass.school_year, m.SchoolClass.label, m.SchoolClass.school_id)
            .join(m.Enrolment, m.Enrolment.class_id == m.SchoolClass.id)
            .where(m.Enrolment.pupil_id == pupil_id)
            .order_by(m.SchoolClass.school_year)
        ).all()
        return [tuple(row) for row in rows]

    # --- tooling ----------------------------------------------------------
    def ping(self) -> None:
        """Raise BackendUnavailable unless the database answers with its tables (health check)."""
        self._run(lambda session: session.execute(select(m.School.id).limit(1)).all())

    def known_names(self) -> set[str]:
        """First and last names of the people of the ENT: masked wherever they appear in a text."""
        return self._run(_known_names)

    def role_of(self, login: str) -> str | None:
        """The assistant role of a login (development tooling), None if unknown."""

        def work(session: Session) -> str | None:
            profile = session.execute(
                select(m.Person.profile)
                .join(m.Account, m.Account.person_id == m.Person.id)
                .where(m.Account.login == login)
            ).scalar()
            return role_for_profile(profile) if profile else None

        return self._run(work)

    # --- 1. does a class have pupils yet? ----------------------------------
    def list_classes(self, viewer: Identity) -> list[r.ClassRef]:
        """This year's classes the viewer may ask about (director, teacher)."""
        return self._run(
            lambda s: [self._class_ref(c) for c in self._visible_classes(s, self._viewer(s, viewer))]
        )

    def find_classes(self, viewer: Identity, level: str) -> list[r.ClassRef]:
        """The viewer's classes that include a level (e.g. 'CP')."""
        wanted = (level or "").strip().upper()
        return [c for c in self.list_classes(viewer) if wanted in c.levels]

    def class_pupils(self, viewer: Identity, class_id: int) -> r.ClassPupils:
        """Pupil count of a class of the viewer's school, and who teaches it."""

        def work(session: Session) -> r.ClassPupils:
            person = self._viewer(session, viewer)
            visible = {c.id: c for c in self._visible_classes(session, person)}
            school_class = visible.get(_as_int(class_id))
            if school_class is None:
                raise NotAllowed()
            count = session.execute(
                select(func.count(m.Enrolment.id)).where(m.Enrolment.class_id == school_class.id)
            ).scalar_one()
            teachers = session.execute(
                select(m.Person)
                .join(m.TeacherClass, m.TeacherClass.person_id == m.Person.id)
                .where(m.TeacherClass.class_id == school_class.id)
                .order_by(m.Person.last_name)
            ).scalars()
            teachers = list(teachers)
            year = school_class.school_year
            return r.ClassPupils(
                label=school_class.label,
                levels=tuple(school_class.level_list),
                school_name=school_class.school.name,
                pupil_count=count,
                teacher_names=tuple(full_name(t) for t in teachers),
                families_fed=self._families_fed(session, school_class.school, year),
                first_class=bool(FIRST_CLASS_LEVELS & set(school_class.level_list)),
                viewer_attached=any(t.id == person.id for t in teachers),
            )

        return self._run(work)

    # --- 2. how did this parent activate EduConnect? -----------------------
    def find_parents(self, viewer: Identity, name: str) -> list[r.ParentRef]:
        """Parents of the director's school whose name matches (director only)."""
        wanted = [t for t in normalize(name).split() if t not in STOP_WORDS]

        def work(session: Session) -> list[r.ParentRef]:
            school = self._directed_school(session, self._viewer(session, viewer))
            if not wanted:
                return []
            found = []
            for parent in self._school_parents(session, school.id):
                tokens = set(normalize(full_name(parent)).split())
                tokens |= {normalize(parent.last_name).replace(" ", "")}
                if all(t in tokens for t in wanted):
                    found.append(
                        r.ParentRef(
                            id=parent.id,
                            display_name=full_name(parent),
                            children=self._children_labels(session, parent.id),
                        )
                    )
            return found

        return self._run(work)

    def parent_activation(self, viewer: Identity, parent_id: int) -> r.ParentActivation:
        """How a parent of the director's school activated their account."""

        def work(session: Session) -> r.ParentActivation:
            school = self._directed_school(session, self._viewer(session, viewer))
            wanted = _as_int(parent_id)
            parent = next((p for p in self._school_parents(session, school.id) if p.id == wanted), None)
            if parent is None or parent.account is None:
                raise NotAllowed()
            account = parent.account
            manual = account.source == m.SOURCE_MANUAL
            return r.ParentActivation(
                display_name=full_name(parent),
                manual_account=manual,
                origin=None if manual else account.educonnect_origin,
                activated_at=account.activated_at if manual else account.educonnect_activated_at,
            )

        return self._run(work)

    # --- 3. where is my school in the rollover? ----------------------------
    def rollover_status(self, viewer: Identity) -> list[r.RolloverStatus]:
        """Feeds, ONDE switch and calendar phase of each of the viewer's schools."""

        def work(session: Session) -> list[r.RolloverStatus]:
            person = self._viewer(session, viewer)
            school_ids = self._viewer_school_ids(session, person)
            if not school_ids:
                raise NotAllowed()
            year = self._current_year(session)
            statuses = []
            schools = session.execute(
                select(m.School).where(m.School.id.in_(school_ids)).order_by(m.School.name)
            ).scalars()
            for school in schools:
                feeds = []
                for file in m.FEED_FILES:
                    run = self._latest_feed(session, school.id, file, year)
                    feeds.append(
                        r.FeedInfo(
                            file=file,
                            run_at=run.run_at if run else None,
                            outcome=run.outcome if run else None,
                        )
                    )
                staff = self._latest_feed(session, school.id, m.FEED_STAFF, year, True)
                if staff is None:
                    phase = r.PHASE_SUMMER
                elif school.onde_switch_date is None:
                    phase = r.PHASE_LATE_AUGUST
                elif not self._families_fed(session, school, year):
                    phase = r.PHASE_SWITCHED
                else:
                    phase = r.PHASE_CLASSES
                statuses.append(
                    r.RolloverStatus(
                        school_name=school.name,
                        school_year=year,
                        feeds=tuple(feeds),
                        onde_switch_date=school.onde_switch_date,
                        phase=phase,
                    )
                )
            return statuses

        return self._run(work)

    # --- 4. parent: my children --------------------------------------------
    def my_children(self, viewer: Identity) -> list[r.ChildInfo]:
        """The viewer's own children, their class this year and account attachment."""

        def work(session: Session) -> list[r.ChildInfo]:
            person = self._viewer(session, viewer)
            if person.profile != m.PARENT:
                raise NotAllowed()
            year = self._current_year(session)
            rows = session.execute(
                select(m.Person, m.ParentLink.attached_to_account)
                .join(m.ParentLink, m.ParentLink.child_id == m.Person.id)
                .where(m.ParentLink.parent_id == person.id)
                .order_by(m.Person.first_name, m.Person.id)
            ).all()
            children = []
            for child, attached in rows:
                classes = self._classes_of_pupil(session, child.id)
                this_year = [c for c in classes if c[0] == year]
                before = [c for c in classes if c[0] < year]
                latest = this_year or classes
                school = session.get(m.School, latest[-1][2]) if latest else None
                children.append(
                    r.ChildInfo(
                        first_name=child.first_name,
                        school_name=school.name if school else None,
                        class_label=this_year[-1][1] if this_year else None,
                        last_year_class=before[-1][1] if before else None,
                        attached_to_account=bool(attached),
                        families_fed=school is not None and self._families_fed(session, school, year),
                    )
                )
            return children

        return self._run(work)

    # --- 5. teacher: my schools and classes; director: the school's teachers --
    def my_classes(self, viewer: Identity) -> list[r.TeacherSchool]:
        """The viewer's schools and this year's classes there (teacher, director)."""

        def work(session: Session) -> list[r.TeacherSchool]:
            person = self._viewer(session, viewer)
            if person.profile not in (m.TEACHER, m.DIRECTOR):
                raise NotAllowed()
            year = self._current_year(session)
            result = []
            attachments = session.execute(
                select(m.TeacherAttachment, m.School)
                .join(m.School, m.School.id == m.TeacherAttachment.school_id)
                .where(m.TeacherAttachment.person_id == person.id)
                .order_by(m.TeacherAttachment.is_home_school.desc(), m.School.name)
            ).all()
            for attachment, school in attachments:
                labels = self._class_labels(session, person.id, school.id, year)
                result.append(
                    r.TeacherSchool(
                        school_name=school.name,
                        is_home_school=attachment.is_home_school,
                        classes=tuple(labels),
                        families_fed=self._families_fed(session, school, year),
                    )
                )
            return result

        return self._run(work)

    @staticmethod
    def _class_labels(session: Session, person_id: Any, school_id: Any, year: str) -> list[str]:
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

    def school_teachers(self, viewer: Identity) -> r.SchoolTeachers:
        """Teachers attached to the director's school, flagging those absent from the feed."""

        def work(session: Session) -> r.SchoolTeachers:
            school = self._directed_school(session, self._viewer(session, viewer))
            year = self._current_year(session)
            latest = self._latest_feed(session, school.id, m.FEED_STAFF, year, True)
            rows = session.execute(
                select(m.Person, m.TeacherAttachment)
                .join(m.TeacherAttachment, m.TeacherAttachment.person_id == m.Person.id)
                .where(m.TeacherAttachment.school_id == school.id)
                .order_by(m.Person.last_name, m.Person.first_name)
            ).all()
            teachers = []
            for person, attachment in rows:
                labels = self._class_labels(session, person.id, school.id, year)
                teachers.append(
                    r.TeacherInfo(
                        display_name=full_name(person),
                        classes=tuple(labels),
                        is_home_school=attachment.is_home_school,
                        in_latest_feed=latest is not None and attachment.last_feed_id == latest.id,
                        is_director=person.profile == m.DIRECTOR,
                    )
                )
            return r.SchoolTeachers(
                school_name=school.name,
                latest_staff_feed=latest.run_at if latest else None,
                teachers=tuple(teachers),
            )

        return self._run(work)

    # --- 6. director: what to clean ------------------------------------------
    def cleanup_report(self, viewer: Identity) -> r.CleanupReport:
        """Manual accounts, last year's manual groups and the director's favourites."""

        def work(session: Session) -> r.CleanupReport:
            person = self._viewer(session, viewer)
            school = self._directed_school(session, person)
            year = self._current_year(session)
            accounts = session.execute(
                select(m.Person, m.Account)
                .join(m.Account, m.Account.person_id == m.Person.id)
                .where(m.Account.source == m.SOURCE_MANUAL, m.Account.school_id == school.id)
                .order_by(m.Person.last_name, m.Person.first_name)
            ).all()
            foster_ids = set(
                session.execute(
                    select(m.ParentLink.parent_id).where(m.ParentLink.kind == m.LINK_FOSTER)
                ).scalars()
            )
            manual = tuple(
                r.ManualAccountInfo(
                    display_name=full_name(p),
                    profile=p.profile,
                    foster_family=p.id in foster_ids,
                    activated=bool(a.activated),
                )
                for p, a in accounts
            )
            groups = session.execute(
                select(m.ManualGroup)
                .where(m.ManualGroup.school_id == school.id, m.ManualGroup.school_year < year)
                .order_by(m.ManualGroup.name)
            ).scalars()
            old_groups = tuple(
                r.GroupInfo(
                    name=g.name,
                    school_year=g.school_year,
                    member_count=_count(session, m.ManualGroupMember.group_id, g.id),
                    share_count=_count(session, m.Share.target_group_id, g.id),
                )
                for g in groups
            )
            favourites = session.execute(
                select(m.SharingFavourite)
                .where(
                    m.SharingFavourite.owner_id == person.id,
                    m.SharingFavourite.school_year < year,
                )
                .order_by(m.SharingFavourite.name)
            ).scalars()
            old_favourites = tuple(
                r.GroupInfo(
                    name=f.name,
                    school_year=f.school_year,
                    member_count=_count(session, m.SharingFavouriteMember.favourite_id, f.id),
                    share_count=_count(session, m.Share.target_favourite_id, f.id),
                )
                for f in favourites
            )
            return r.CleanupReport(
                school_name=school.name,
                school_year=year,
                manual_accounts=manual,
                old_groups=old_groups,
                favourites=old_favourites,
            )

        return self._run(work)

    # --- 7. director: is access blocked? -------------------------------------
    def access_blocking(self, viewer: Identity) -> r.AccessState:
        """Bulk blocking of pupils and parents in the director's school."""

        def work(session: Session) -> r.AccessState:
            school = self._directed_school(session, self._viewer(session, viewer))
            blocks = {
                b.profile: b
                for b in session.execute(
                    select(m.AccessBlock).where(m.AccessBlock.school_id == school.id)
                ).scalars()
            }
            pupils, parents = blocks.get(m.PUPIL), blocks.get(m.PARENT)
            return r.AccessState(
                school_name=school.name,
                pupils_blocked=bool(pupils and pupils.blocked),
                parents_blocked=bool(parents and parents.blocked),
                pupils_changed_at=pupils.changed_at if pupils else None,
                parents_changed_at=parents.changed_at if parents else None,
            )

        return self._run(work)

    # --- 8. director: Resp-Affect-GAR ------------------------------------------
    def gar_group(self, viewer: Identity) -> r.GarReport:
        """Members of Resp-Affect-GAR, pending changes and teachers not in it."""

        def work(session: Session) -> r.GarReport:
            school = self._directed_school(session, self._viewer(session, viewer))
            rows = session.execute(
                select(m.Person, m.GarMembership.status)
                .join(m.GarMembership, m.GarMembership.person_id == m.Person.id)
                .where(m.GarMembership.school_id == school.id)
                .order_by(m.Person.last_name, m.Person.first_name)
            ).all()
            by_status: dict[str, list[str]] = {}
            in_group: set[int] = set()
            for person, status in rows:
                by_status.setdefault(status, []).append(full_name(person))
                if status in (m.GAR_EFFECTIVE, m.GAR_PENDING_ADD):
                    in_group.add(person.id)
            year = self._current_year(session)
            latest = self._latest_feed(session, school.id, m.FEED_STAFF, year, True)
            teachers = session.execute(
                select(m.Person, m.TeacherAttachment)
                .join(m.TeacherAttachment, m.TeacherAttachment.person_id == m.Person.id)
                .where(
                    m.TeacherAttachment.school_id == school.id,
                    m.Person.profile.in_((m.TEACHER, m.DIRECTOR)),
                )
                .order_by(m.Person.last_name, m.Person.first_name)
            ).all()
            # Teachers absent from the latest feed and not attached here (they left) are
            # not "missing": question 5 flags them for detaching instead.
            missing = tuple(
                full_name(t)
                for t, a in teachers
                if t.id not in in_group
                and (a.is_home_school or (latest is not None and a.last_feed_id == latest.id))
            )
            return r.GarReport(
                school_name=school.name,
                members=tuple(by_status.get(m.GAR_EFFECTIVE, [])),
                pending_additions=tuple(by_status.get(m.GAR_PENDING_ADD, [])),
                pending_removals=tuple(by_status.get(m.GAR_PENDING_REMOVE, [])),
                missing_teachers=missing,
            )

        return self._run(work)

    # --- feedback from the web widget ------------------------------------------
    def record_feedback(
        self, answer_key: str, question: str | None, vote: str, ticket_id: str | None = None
    ) -> None:
        """Store a 👍/👎 on an answer, the question masked first (names, e-mails, phone numbers).

        With a ticket id, the vote is stored once: the id is kept with a unique constraint, in
        the same transaction (AlreadyRecorded on a second use, even after a restart).
        """
        if vote not in VOTES:
            raise ValueError("vote must be 'up' or 'down'")
        key = (answer_key or "").strip()[:100] or "inconnu"

        def work(session: Session) -> None:
            names = _known_names(session) if question else ()
            text = mask_question(question, names)
            if ticket_id is not None:
                session.add(m.FeedbackTicket(ticket_id=str(ticket_id)[:64], used_at=datetime.utcnow()))
                try:
                    session.flush()
                except IntegrityError as error:
                    raise AlreadyRecorded() from error
            session.add(m.Feedback(created_at=datetime.utcnow(), answer_key=key, question=text, vote=vote))

        self._run(work)

    def forget_used_tickets(self, before: datetime) -> int:
        """Delete the used-ticket rows older than `before` (their tickets have expired); the count."""

        def work(session: Session) -> int:
            result = session.execute(delete(m.FeedbackTicket).where(m.FeedbackTicket.used_at < before))
            return int(result.rowcount or 0)

        return self._run(work)

    # --- hand-off to a person ---------------------------------------
    def _sender_school(self, session: Session, person: m.Person) -> m.School:
        """The school a request goes to.

        The director's own, a teacher's home school, a parent's children's school (the first
        one by name).
        """
        if person.profile == m.DIRECTOR:
            return self._directed_school(session, person)
        if person.profile not in h.SENDERS:
            raise NotAllowed()
        school_ids = self._viewer_school_ids(session, person)
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

    def handoff_recipient(self, viewer: Identity) -> r.HandoffReceipt:
        """Who would read a request of this viewer (id 0: nothing stored); NotAllowed if nobody."""

        def work(session: Session) -> r.HandoffReceipt:
            person = self._viewer(session, viewer)
            school = self._sender_school(session, person)
            return r.HandoffReceipt(
                id=0, recipient=h.SENDERS[person.profile], school_name=school.name, created=False
            )

        return self._run(work)

    def submit_handoff(
        self,
        viewer: Identity,
        key: str,
        questions: list[str],
        note: str | None = None,
        last_answer_key: str | None = None,
    ) -> r.HandoffReceipt:
        """Store a hand-off request once per key.

        A parent's or a teacher's goes to the director, a director's to the ERUN; questions and
        note masked and capped; TooManyOpen past 5 open requests.
        """

        def work(session: Session) -> r.HandoffReceipt:
            person = self._viewer(session, viewer)
            school = self._sender_school(session, person)
            names = _known_names(session)
            try:
                return h.submit(
                    session,
                    person,
                    school,
                    str(key)[:64],
                    h.masked_questions(questions, names),
                    h.masked_note(note, names),
                    last_answer_key,
                )
            except h.TooManyOpen:
                raise TooManyOpen() from None

        return self._run(work)

    def _reader_schools(self, session: Session, person: m.Person) -> list[int]:
        """The school whose requests a director reads; none for an ERUN (scope by circonscription)."""
        if person.profile == m.DIRECTOR:
            return [self._directed_school(session, person).id]
        if person.profile == m.ERUN:
            return []
        raise NotAllowed()

    def received_handoffs(
        self, viewer: Identity, status: str | None = m.REQUEST_OPEN, limit: int = 20, offset: int = 0
    ) -> list[r.HandoffInfo]:
        """Requests a director (their school) or an ERUN (their circonscription) received."""

        def work(session: Session) -> list[r.HandoffInfo]:
            person = self._viewer(session, viewer)
            schools = self._reader_schools(session, person)
            return h.received(session, person, schools, status, max(1, min(limit, 200)), max(0, offset))

        return self._run(work)

    def close_handoff(self, viewer: Identity, request_id: object) -> r.HandoffInfo:
        """Mark a received request as handled; NotAllowed if the viewer may not see it."""

        def work(session: Session) -> r.HandoffInfo:
            person = self._viewer(session, viewer)
            schools = self._reader_schools(session, person)
            try:
                return h.close(session, person, schools, _as_int(request_id))
            except LookupError:
                raise NotAllowed() from None

        return self._run(work)

    def feedback_stats(self, viewer: Identity, since: datetime, top: int = 15) -> r.FeedbackStats:
        """Votes since a date for the staff page (directors and the ERUN only).

        Per day, and the answers with the most 👎 with up to 3 of their questions (masked when
        stored).
        """

        def work(session: Session) -> r.FeedbackStats:
            self._reader_schools(session, self._viewer(session, viewer))
            day = func.date(m.Feedback.created_at)
            per_day: dict = {}
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

        return self._run(work)


def _known_names(session: Session) -> set[str]:
    """First and last names of the people of the ENT: masked wherever they appear in a question."""
    rows = session.execute(select(m.Person.first_name, m.Person.last_name)).all()
    return {part for row in rows for name in row for part in str(name or "").replace("-", " ").split()}


def _level_rank(levels: list[str]) -> int:
    """Position of a class's first level in the school order (TPS first)."""
    return LEVELS.index(levels[0]) if levels and levels[0] in LEVELS else len(LEVELS)


def _as_int(value: object) -> int | None:
    """An id from a slot or a button, or None."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _count(session: Session, column: Any, value: int) -> int:
    """How many rows have column == value."""
    return session.execute(select(func.count()).where(column == value)).scalar_one()
