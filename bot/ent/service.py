"""EntService: the only way into the mock ENT backend; each question checks who may see what.

This module holds the eight live questions. EntService inherits the transaction plumbing,
the health check and the tooling (bot/ent/core.py) and the staff side, votes and hand-off
requests (bot/ent/staff_desk.py): one class, one entry point. The authorization policy is
bot/ent/scope.py, the shared reads bot/ent/reads.py, the errors bot/ent/errors.py.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.ent import models as m
from bot.ent import reads, scope
from bot.ent import results as r
from bot.ent.errors import NotAllowed
from bot.ent.staff_desk import StaffDesk
from bot.identity import Identity
from bot.text import FIRST_CLASS_LEVELS, STOP_WORDS, normalize


class EntService(StaffDesk):
    """Live questions about the ENT, each checked against the viewer's rights."""

    # --- 1. does a class have pupils yet? ----------------------------------
    def list_classes(self, viewer: Identity) -> list[r.ClassRef]:
        """This year's classes the viewer may ask about (director, teacher)."""
        return self._run(
            lambda s: [reads.class_ref(c) for c in scope.visible_classes(s, scope.viewer(s, viewer))]
        )

    def find_classes(self, viewer: Identity, level: str) -> list[r.ClassRef]:
        """The viewer's classes that include a level (e.g. 'CP')."""
        wanted = (level or "").strip().upper()
        return [c for c in self.list_classes(viewer) if wanted in c.levels]

    def class_pupils(self, viewer: Identity, class_id: int) -> r.ClassPupils:
        """Pupil count of a class of the viewer's school, and who teaches it."""

        def work(session: Session) -> r.ClassPupils:
            person = scope.viewer(session, viewer)
            visible = {c.id: c for c in scope.visible_classes(session, person)}
            school_class = visible.get(reads.as_int(class_id))
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
                teacher_names=tuple(reads.full_name(t) for t in teachers),
                families_fed=reads.families_fed(session, school_class.school, year),
                first_class=bool(FIRST_CLASS_LEVELS & set(school_class.level_list)),
                viewer_attached=any(t.id == person.id for t in teachers),
            )

        return self._run(work)

    # --- 2. how did this parent activate EduConnect? -----------------------
    def find_parents(self, viewer: Identity, name: str) -> list[r.ParentRef]:
        """Parents of the director's school whose name matches (director only)."""
        wanted = [t for t in normalize(name).split() if t not in STOP_WORDS]

        def work(session: Session) -> list[r.ParentRef]:
            school = scope.directed_school(session, scope.viewer(session, viewer))
            if not wanted:
                return []
            found = []
            for parent in scope.school_parents(session, school.id):
                tokens = set(normalize(reads.full_name(parent)).split())
                tokens |= {normalize(parent.last_name).replace(" ", "")}
                if all(t in tokens for t in wanted):
                    found.append(
                        r.ParentRef(
                            id=parent.id,
                            display_name=reads.full_name(parent),
                            children=reads.children_labels(session, parent.id),
                        )
                    )
            return found

        return self._run(work)

    def parent_activation(self, viewer: Identity, parent_id: int) -> r.ParentActivation:
        """How a parent of the director's school activated their account."""

        def work(session: Session) -> r.ParentActivation:
            school = scope.directed_school(session, scope.viewer(session, viewer))
            wanted = reads.as_int(parent_id)
            parent = next((p for p in scope.school_parents(session, school.id) if p.id == wanted), None)
            if parent is None or parent.account is None:
                raise NotAllowed()
            account = parent.account
            manual = account.source == m.SOURCE_MANUAL
            return r.ParentActivation(
                display_name=reads.full_name(parent),
                manual_account=manual,
                origin=None if manual else account.educonnect_origin,
                activated_at=account.activated_at if manual else account.educonnect_activated_at,
            )

        return self._run(work)

    # --- 3. where is my school in the rollover? ----------------------------
    def rollover_status(self, viewer: Identity) -> list[r.RolloverStatus]:
        """Feeds, ONDE switch and calendar phase of each of the viewer's schools."""

        def work(session: Session) -> list[r.RolloverStatus]:
            person = scope.viewer(session, viewer)
            school_ids = scope.viewer_school_ids(session, person)
            if not school_ids:
                raise NotAllowed()
            year = reads.current_year(session)
            statuses = []
            schools = session.execute(
                select(m.School).where(m.School.id.in_(school_ids)).order_by(m.School.name)
            ).scalars()
            for school in schools:
                feeds = []
                for file in m.FEED_FILES:
                    run = reads.latest_feed(session, school.id, file, year)
                    feeds.append(
                        r.FeedInfo(
                            file=file,
                            run_at=run.run_at if run else None,
                            outcome=run.outcome if run else None,
                        )
                    )
                staff = reads.latest_feed(session, school.id, m.FEED_STAFF, year, True)
                if staff is None:
                    phase = r.PHASE_SUMMER
                elif school.onde_switch_date is None:
                    phase = r.PHASE_LATE_AUGUST
                elif not reads.families_fed(session, school, year):
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
            person = scope.viewer(session, viewer)
            if person.profile != m.PARENT:
                raise NotAllowed()
            year = reads.current_year(session)
            rows = session.execute(
                select(m.Person, m.ParentLink.attached_to_account)
                .join(m.ParentLink, m.ParentLink.child_id == m.Person.id)
                .where(m.ParentLink.parent_id == person.id)
                .order_by(m.Person.first_name, m.Person.id)
            ).all()
            children = []
            for child, attached in rows:
                classes = reads.classes_of_pupil(session, child.id)
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
                        families_fed=school is not None and reads.families_fed(session, school, year),
                    )
                )
            return children

        return self._run(work)

    # --- 5. teacher: my schools and classes; director: the school's teachers --
    def my_classes(self, viewer: Identity) -> list[r.TeacherSchool]:
        """The viewer's schools and this year's classes there (teacher, director)."""

        def work(session: Session) -> list[r.TeacherSchool]:
            person = scope.viewer(session, viewer)
            if person.profile not in (m.TEACHER, m.DIRECTOR):
                raise NotAllowed()
            year = reads.current_year(session)
            result = []
            attachments = session.execute(
                select(m.TeacherAttachment, m.School)
                .join(m.School, m.School.id == m.TeacherAttachment.school_id)
                .where(m.TeacherAttachment.person_id == person.id)
                .order_by(m.TeacherAttachment.is_home_school.desc(), m.School.name)
            ).all()
            for attachment, school in attachments:
                labels = reads.class_labels(session, person.id, school.id, year)
                result.append(
                    r.TeacherSchool(
                        school_name=school.name,
                        is_home_school=attachment.is_home_school,
                        classes=tuple(labels),
                        families_fed=reads.families_fed(session, school, year),
                    )
                )
            return result

        return self._run(work)

    def school_teachers(self, viewer: Identity) -> r.SchoolTeachers:
        """Teachers attached to the director's school, flagging those absent from the feed."""

        def work(session: Session) -> r.SchoolTeachers:
            school = scope.directed_school(session, scope.viewer(session, viewer))
            year = reads.current_year(session)
            latest = reads.latest_feed(session, school.id, m.FEED_STAFF, year, True)
            rows = session.execute(
                select(m.Person, m.TeacherAttachment)
                .join(m.TeacherAttachment, m.TeacherAttachment.person_id == m.Person.id)
                .where(m.TeacherAttachment.school_id == school.id)
                .order_by(m.Person.last_name, m.Person.first_name)
            ).all()
            teachers = []
            for person, attachment in rows:
                labels = reads.class_labels(session, person.id, school.id, year)
                teachers.append(
                    r.TeacherInfo(
                        display_name=reads.full_name(person),
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
            person = scope.viewer(session, viewer)
            school = scope.directed_school(session, person)
            year = reads.current_year(session)
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
                    display_name=reads.full_name(p),
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
                    member_count=reads.count(session, m.ManualGroupMember.group_id, g.id),
                    share_count=reads.count(session, m.Share.target_group_id, g.id),
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
                    member_count=reads.count(session, m.SharingFavouriteMember.favourite_id, f.id),
                    share_count=reads.count(session, m.Share.target_favourite_id, f.id),
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
            school = scope.directed_school(session, scope.viewer(session, viewer))
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
            school = scope.directed_school(session, scope.viewer(session, viewer))
            rows = session.execute(
                select(m.Person, m.GarMembership.status)
                .join(m.GarMembership, m.GarMembership.person_id == m.Person.id)
                .where(m.GarMembership.school_id == school.id)
                .order_by(m.Person.last_name, m.Person.first_name)
            ).all()
            by_status: dict[str, list[str]] = {}
            in_group: set[int] = set()
            for person, status in rows:
                by_status.setdefault(status, []).append(reads.full_name(person))
                if status in (m.GAR_EFFECTIVE, m.GAR_PENDING_ADD):
                    in_group.add(person.id)
            year = reads.current_year(session)
            latest = reads.latest_feed(session, school.id, m.FEED_STAFF, year, True)
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
                reads.full_name(t)
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
