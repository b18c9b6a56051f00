"""Plain dataclasses returned by EntService (no ORM objects leave the backend)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# Phases of the rollover calendar, derived from the school's feeds.
PHASE_SUMMER = "ete"  # no « enseignants – personnels » feed for the new year yet
PHASE_LATE_AUGUST = "fin_aout"  # staff fed, ONDE switch not done
PHASE_SWITCHED = "bascule_faite"  # ONDE switched, no « élèves – parents » feed yet
PHASE_CLASSES = "classes"  # first « élèves – parents » feed done: classes arrive


@dataclass(frozen=True)
class ClassRef:
    """A class the viewer may ask about (for buttons)."""

    id: int
    label: str
    levels: tuple[str, ...]
    school_name: str


@dataclass(frozen=True)
class ClassPupils:
    """How many pupils a class has in the ENT, and what follows."""

    label: str
    levels: tuple[str, ...]
    school_name: str
    pupil_count: int
    teacher_names: tuple[str, ...]
    families_fed: bool  # a first « élèves – parents » feed happened this year
    first_class: bool  # TPS, PS or CP: often late in the first feed
    viewer_attached: bool  # the viewer teaches this class


@dataclass(frozen=True)
class ParentRef:
    """A parent of the director's school (for buttons)."""

    id: int
    display_name: str
    children: tuple[str, ...]  # "Prénom (classe)"


@dataclass(frozen=True)
class ParentActivation:
    """How a parent's account was activated."""

    display_name: str
    manual_account: bool  # foster family: ENT credentials, no EduConnect yet
    origin: str | None  # 'franceconnect' | 'responsable' | 'etablissement' | None
    activated_at: datetime | None


@dataclass(frozen=True)
class FeedInfo:
    """The last run of one feed file for a school."""

    file: str
    run_at: datetime | None
    outcome: str | None


@dataclass(frozen=True)
class RolloverStatus:
    """Where one school is in the rollover."""

    school_name: str
    school_year: str
    feeds: tuple[FeedInfo, ...]
    onde_switch_date: date | None
    phase: str


@dataclass(frozen=True)
class ChildInfo:
    """One of a parent's children in the ENT."""

    first_name: str
    school_name: str | None
    class_label: str | None  # this year's class in the ENT, if any
    last_year_class: str | None
    attached_to_account: bool
    families_fed: bool  # the school had its first « élèves – parents » feed


@dataclass(frozen=True)
class TeacherSchool:
    """One school of a teacher, with the teacher's classes there."""

    school_name: str
    is_home_school: bool
    classes: tuple[str, ...]
    families_fed: bool


@dataclass(frozen=True)
class TeacherInfo:
    """A teacher attached to the director's school."""

    display_name: str
    classes: tuple[str, ...]
    is_home_school: bool  # « école de rattachement » (remplaçant, PES...)
    in_latest_feed: bool
    is_director: bool


@dataclass(frozen=True)
class SchoolTeachers:
    """The teachers attached to the director's school."""

    school_name: str
    latest_staff_feed: datetime | None
    teachers: tuple[TeacherInfo, ...]


@dataclass(frozen=True)
class ManualAccountInfo:
    """A manual account of the school and the button that removes it."""

    display_name: str
    profile: str
    foster_family: bool
    activated: bool

    @property
    def removal(self) -> str:
        """« Supprimer le compte » if never activated, else « Pré-supprimer le compte »."""
        return "Pré-supprimer le compte" if self.activated else "Supprimer le compte"


@dataclass(frozen=True)
class GroupInfo:
    """A manual group or a sharing favourite, with what still points at it."""

    name: str
    school_year: str
    member_count: int
    share_count: int


@dataclass(frozen=True)
class CleanupReport:
    """What a director can clean at the rollover."""

    school_name: str
    school_year: str
    manual_accounts: tuple[ManualAccountInfo, ...]
    old_groups: tuple[GroupInfo, ...]
    favourites: tuple[GroupInfo, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class AccessState:
    """Whether pupils' and parents' access is blocked in bulk."""

    school_name: str
    pupils_blocked: bool
    parents_blocked: bool
    pupils_changed_at: datetime | None
    parents_changed_at: datetime | None


@dataclass(frozen=True)
class GarReport:
    """The school's « Resp-Affect-GAR » group."""

    school_name: str
    members: tuple[str, ...]
    pending_additions: tuple[str, ...]
    pending_removals: tuple[str, ...]
    missing_teachers: tuple[str, ...]


@dataclass(frozen=True)
class HandoffReceipt:
    """A stored hand-off request, as told to the person who sent it."""

    id: int
    recipient: str  # 'directeur' | 'erun'
    school_name: str
    created: bool  # False: the same request was already stored (double click, retry)


@dataclass(frozen=True)
class HandoffInfo:
    """A hand-off request, as shown to the staff who read it."""

    id: int
    created_at: datetime
    requester_name: str
    requester_role: str
    school_name: str
    recipient: str
    questions: tuple[str, ...]
    note: str | None
    last_answer_key: str | None
    status: str


@dataclass(frozen=True)
class AnswerVotes:
    """Votes on one answer of the assistant, with a few of the questions voted down (masked)."""

    answer_key: str
    down: int
    up: int
    questions: tuple[str, ...]


@dataclass(frozen=True)
class FeedbackStats:
    """The 👍/👎 since a date: per day (up, down), and the answers with the most 👎."""

    per_day: dict[date, tuple[int, int]]
    answers: tuple[AnswerVotes, ...]
