"""SQLAlchemy models of the mock ENT backend (what the rollover guide describes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base: Any = declarative_base()

# Profiles of people in the ENT.
PUPIL = "eleve"
PARENT = "parent"  # parent / legal representative, or a foster family (manual account)
TEACHER = "enseignant"
DIRECTOR = "directeur"
STAFF = "personnel"
GUEST = "invite"
ERUN = "erun"  # enseignant référent pour les usages du numérique, for a circonscription
PROFILES = (PUPIL, PARENT, TEACHER, DIRECTOR, STAFF, GUEST, ERUN)

# Where an account comes from.
SOURCE_ONDE = "onde"
SOURCE_ACADEMIC = "academique"
SOURCE_MANUAL = "manuel"

# How a parent's EduConnect account was activated.
ORIGIN_FRANCECONNECT = "franceconnect"
ORIGIN_RESPONSABLE = "responsable"  # autonomous, code by SMS
ORIGIN_ETABLISSEMENT = "etablissement"  # credentials issued by the director (Eduline)

# Kinds of parent-child link.
LINK_LEGAL = "representant_legal"
LINK_FOSTER = "famille_accueil"

# Feed files from ONDE / the academy.
FEED_STAFF = "enseignants_personnels"
FEED_FAMILIES = "eleves_parents"
FEED_STRUCTURES = "structures_classes"
FEED_FILES = (FEED_STAFF, FEED_FAMILIES, FEED_STRUCTURES)
OUTCOME_OK = "ok"
OUTCOME_PARTIAL = "partiel"
OUTCOME_FAILED = "erreur"

# Share targets and rights.
TARGET_SCHOOL_GROUP = "groupe_scolarite"
TARGET_MANUAL_GROUP = "groupe_manuel"
TARGET_FAVOURITE = "favori"
TARGET_NOMINATIVE = "nominatif"
RIGHT_READ = "lecture"
RIGHT_CONTRIBUTE = "contribution"
RIGHT_MANAGE = "gestion"

# Resp-Affect-GAR membership states (changes wait for the next feed).
GAR_EFFECTIVE = "effectif"
GAR_PENDING_ADD = "ajout_en_attente"
GAR_PENDING_REMOVE = "retrait_en_attente"


class School(Base):
    """A primary school (école) of a circonscription."""

    __tablename__ = "ent_schools"

    id = Column(Integer, primary_key=True)
    uai = Column(String(8), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    circonscription = Column(String(200), nullable=False)
    onde_switch_date = Column(Date, nullable=True)  # None: ONDE switch not done yet

    classes = relationship("SchoolClass", back_populates="school")


class SchoolClass(Base):
    """A class of a school for one school year (label and levels)."""

    __tablename__ = "ent_classes"

    id = Column(Integer, primary_key=True)
    school_id = Column(ForeignKey("ent_schools.id"), nullable=False, index=True)
    label = Column(String(100), nullable=False)
    levels = Column(String(100), nullable=False)  # comma-separated, e.g. "CE2,CM1"
    school_year = Column(String(9), nullable=False)  # e.g. "2025-2026"

    school = relationship("School", back_populates="classes")

    @property
    def level_list(self) -> list[str]:
        """The class levels as a list."""
        return [level for level in self.levels.split(",") if level]


class Person(Base):
    """Someone known to the ENT, with one profile."""

    __tablename__ = "ent_people"

    id = Column(Integer, primary_key=True)
    first_name = Column(String(100), nullable=False)
    last_name = Column(String(100), nullable=False)
    profile = Column(String(20), nullable=False)

    account = relationship("Account", back_populates="person", uselist=False)


class Account(Base):
    """An ENT account: where it comes from, its login, activation and EduConnect."""

    __tablename__ = "ent_accounts"

    id = Column(Integer, primary_key=True)
    person_id = Column(ForeignKey("ent_people.id"), nullable=False, unique=True)
    login = Column(String(100), nullable=False, unique=True)
    source = Column(String(20), nullable=False)
    school_id = Column(ForeignKey("ent_schools.id"), nullable=True)  # manual accounts
    activated = Column(Boolean, nullable=False, default=False)
    activated_at = Column(DateTime, nullable=True)
    educonnect_origin = Column(String(20), nullable=True)  # None: not activated
    educonnect_activated_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=True)

    person = relationship("Person", back_populates="account")


class FeedRun(Base):
    """One run of a feed file for a school."""

    __tablename__ = "ent_feed_runs"

    id = Column(Integer, primary_key=True)
    school_id = Column(ForeignKey("ent_schools.id"), nullable=False, index=True)
    file = Column(String(30), nullable=False)
    school_year = Column(String(9), nullable=False)
    run_at = Column(DateTime, nullable=False)
    outcome = Column(String(10), nullable=False)


class TeacherAttachment(Base):
    """A teacher (or director) attached to a school."""

    __tablename__ = "ent_teacher_attachments"
    __table_args__ = (UniqueConstraint("person_id", "school_id"),)

    id = Column(Integer, primary_key=True)
    person_id = Column(ForeignKey("ent_people.id"), nullable=False, index=True)
    school_id = Column(ForeignKey("ent_schools.id"), nullable=False, index=True)
    is_home_school = Column(Boolean, nullable=False, default=False)  # remplaçant, PES
    last_feed_id = Column(ForeignKey("ent_feed_runs.id"), nullable=True)


class TeacherClass(Base):
    """A teacher attached to a class (the class carries the school year)."""

    __tablename__ = "ent_teacher_classes"
    __table_args__ = (UniqueConstraint("person_id", "class_id"),)

    id = Column(Integer, primary_key=True)
    person_id = Column(ForeignKey("ent_people.id"), nullable=False, index=True)
    class_id = Column(ForeignKey("ent_classes.id"), nullable=False, index=True)


class Enrolment(Base):
    """A pupil in a class (the class carries the school year)."""

    __tablename__ = "ent_enrolments"
    __table_args__ = (UniqueConstraint("pupil_id", "class_id"),)

    id = Column(Integer, primary_key=True)
    pupil_id = Column(ForeignKey("ent_people.id"), nullable=False, index=True)
    class_id = Column(ForeignKey("ent_classes.id"), nullable=False, index=True)


class ParentLink(Base):
    """A parent (or foster family) linked to a child, attached to the account or not."""

    __tablename__ = "ent_parent_links"
    __table_args__ = (UniqueConstraint("parent_id", "child_id"),)

    id = Column(Integer, primary_key=True)
    parent_id = Column(ForeignKey("ent_people.id"), nullable=False, index=True)
    child_id = Column(ForeignKey("ent_people.id"), nullable=False, index=True)
    kind = Column(String(20), nullable=False, default=LINK_LEGAL)
    attached_to_account = Column(Boolean, nullable=False, default=False)


class AccessBlock(Base):
    """Bulk blocking («Blocage en lot») of one profile in one school."""

    __tablename__ = "ent_access_blocks"
    __table_args__ = (UniqueConstraint("school_id", "profile"),)

    id = Column(Integer, primary_key=True)
    school_id = Column(ForeignKey("ent_schools.id"), nullable=False)
    profile = Column(String(20), nullable=False)  # 'eleve' | 'parent'
    blocked = Column(Boolean, nullable=False, default=False)
    changed_at = Column(DateTime, nullable=True)


class ManualGroup(Base):
    """A manual group of a school (APE, groupes de besoin...)."""

    __tablename__ = "ent_manual_groups"

    id = Column(Integer, primary_key=True)
    school_id = Column(ForeignKey("ent_schools.id"), nullable=False, index=True)
    name = Column(String(200), nullable=False)
    school_year = Column(String(9), nullable=False)
    created_at = Column(DateTime, nullable=True)


class ManualGroupMember(Base):
    """A member of a manual group."""

    __tablename__ = "ent_manual_group_members"
    __table_args__ = (UniqueConstraint("group_id", "person_id"),)

    id = Column(Integer, primary_key=True)
    group_id = Column(ForeignKey("ent_manual_groups.id"), nullable=False, index=True)
    person_id = Column(ForeignKey("ent_people.id"), nullable=False)


class SharingFavourite(Base):
    """A sharing favourite («favori de partage») of one user."""

    __tablename__ = "ent_sharing_favourites"

    id = Column(Integer, primary_key=True)
    owner_id = Column(ForeignKey("ent_people.id"), nullable=False, index=True)
    name = Column(String(200), nullable=False)
    school_year = Column(String(9), nullable=False)
    created_at = Column(DateTime, nullable=True)


class SharingFavouriteMember(Base):
    """A member of a sharing favourite."""

    __tablename__ = "ent_sharing_favourite_members"
    __table_args__ = (UniqueConstraint("favourite_id", "person_id"),)

    id = Column(Integer, primary_key=True)
    favourite_id = Column(ForeignKey("ent_sharing_favourites.id"), nullable=False, index=True)
    person_id = Column(ForeignKey("ent_people.id"), nullable=False)


class Share(Base):
    """A share of a resource to a target (school group, manual group, favourite, person)."""

    __tablename__ = "ent_shares"

    id = Column(Integer, primary_key=True)
    owner_id = Column(ForeignKey("ent_people.id"), nullable=False, index=True)
    resource = Column(String(200), nullable=False)
    target_kind = Column(String(20), nullable=False)
    target_class_id = Column(ForeignKey("ent_classes.id"), nullable=True)
    target_group_id = Column(ForeignKey("ent_manual_groups.id"), nullable=True)
    target_favourite_id = Column(ForeignKey("ent_sharing_favourites.id"), nullable=True)
    target_person_id = Column(ForeignKey("ent_people.id"), nullable=True)
    rights = Column(String(20), nullable=False, default=RIGHT_READ)
    created_at = Column(DateTime, nullable=True)


class GarMembership(Base):
    """A member of the school's «Resp-Affect-GAR» group, effective or pending."""

    __tablename__ = "ent_gar_memberships"
    __table_args__ = (UniqueConstraint("school_id", "person_id"),)

    id = Column(Integer, primary_key=True)
    school_id = Column(ForeignKey("ent_schools.id"), nullable=False, index=True)
    person_id = Column(ForeignKey("ent_people.id"), nullable=False)
    status = Column(String(20), nullable=False, default=GAR_EFFECTIVE)
    requested_at = Column(DateTime, nullable=True)


class FeedbackTicket(Base):
    """A feedback ticket already used: one vote per answer, even after a restart."""

    __tablename__ = "ent_feedback_tickets"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(String(64), nullable=False, unique=True)
    used_at = Column(DateTime, nullable=False, default=datetime.utcnow, index=True)


class Feedback(Base):
    """A thumbs up or down on an answer (no personal data: the question is masked first)."""

    __tablename__ = "ent_feedback"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    answer_key = Column(String(100), nullable=False)
    question = Column(Text, nullable=True)
    vote = Column(String(4), nullable=False)  # 'up' | 'down'


# Hand-off requests: who reads them, and their status.
TO_DIRECTOR = "directeur"  # a parent's or a teacher's question, read by the school's director
TO_ERUN = "erun"  # a director's question, read by the circonscription's ERUN
REQUEST_OPEN = "ouverte"
REQUEST_DONE = "traitee"


class ErunScope(Base):
    """The circonscription an ERUN looks after."""

    __tablename__ = "ent_erun_scopes"

    id = Column(Integer, primary_key=True)
    person_id = Column(ForeignKey("ent_people.id"), nullable=False, unique=True)
    circonscription = Column(String(200), nullable=False)


class HandoffRequest(Base):
    """A question the assistant could not answer, handed to a person (masked, capped)."""

    __tablename__ = "ent_handoff_requests"

    id = Column(Integer, primary_key=True)
    request_key = Column(String(64), nullable=False, unique=True)  # idempotency: one per offer
    requester_id = Column(ForeignKey("ent_people.id"), nullable=False, index=True)
    school_id = Column(ForeignKey("ent_schools.id"), nullable=False, index=True)
    recipient = Column(String(20), nullable=False)  # TO_DIRECTOR | TO_ERUN
    questions = Column(Text, nullable=True)
    note = Column(Text, nullable=True)
    last_answer_key = Column(String(100), nullable=True)
    created_at = Column(DateTime, nullable=False, default=datetime.utcnow, index=True)
    status = Column(String(10), nullable=False, default=REQUEST_OPEN, index=True)
    closed_at = Column(DateTime, nullable=True)
    closed_by_id = Column(ForeignKey("ent_people.id"), nullable=True)
