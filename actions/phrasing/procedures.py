"""The guide's procedure behind each live question: given without identity, pointed to after a live answer.

One place for the live action -> guide answer (`utter_faq/<key>`) mapping. Without a verified
identity the person gets the guide's procedure, then a short note (or the token problem); logged
in, the live answer may end with buttons to the procedure the person must then follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from actions.knowledge import response_name
from actions.responses import Response
from bot.ent import results as r
from bot.titles import answer_title

ALL_ROLES = frozenset({"parent", "enseignant", "directeur"})
DIRECTION = frozenset({"directeur"})
STAFF = frozenset({"enseignant", "directeur"})
PARENTS = frozenset({"parent"})

# After the procedure, without any token: how to get the answer for one's own school.
SIGN_IN_NOTE = Response("utter_live_sign_in_note")
# Before a procedure only the direction carries out, when the person's role is not known.
FOR_DIRECTION = Response("utter_live_for_direction")


@dataclass(frozen=True)
class Procedure:
    """The guide's answers for the need behind one live question."""

    given: str  # the answer given without identity (its variations may depend on the role slot)
    roles: frozenset[str]  # whose procedure it is: a declared role outside it keeps today's text
    pointers: tuple[str, ...] = ()  # answers a logged-in live answer may point to (buttons)
    also: tuple[str, ...] = ()  # further answers offered as buttons under `given`
    after_refusal: frozenset[str] = frozenset()  # roles refused the live answer that still get `given`


PROCEDURES: dict[str, Procedure] = {
    # A class without pupils yet: the guide's « je ne vois pas ma classe » has a text per role.
    "action_live_class_pupils": Procedure(
        "classes_manquantes",
        ALL_ROLES,
        pointers=("rattacher_enseignants_classe",),
        after_refusal=PARENTS,
    ),
    "action_live_parent_activation": Procedure(
        "reediter_identifiants", DIRECTION, pointers=("reediter_identifiants",)
    ),
    "action_live_rollover_status": Procedure("calendrier_rentree", ALL_ROLES, also=("calendrier_ete",)),
    "action_live_my_children": Procedure(
        "rattacher_enfants", PARENTS, pointers=("rattacher_enfants", "fratrie"), also=("fratrie",)
    ),
    "action_live_teachers_classes": Procedure(
        "classes_manquantes", STAFF, pointers=("detacher_enseignants", "rattacher_enseignants_classe")
    ),
    "action_live_cleanup": Procedure(
        "supprimer_comptes_manuels",
        DIRECTION,
        pointers=("supprimer_comptes_manuels", "supprimer_groupes_manuels", "supprimer_favoris"),
        also=("supprimer_groupes_manuels", "supprimer_favoris"),
    ),
    "action_live_access_blocking": Procedure("bloquer_acces", DIRECTION, pointers=("bloquer_acces",)),
    "action_live_gar_group": Procedure("resp_affect_gar", DIRECTION, pointers=("resp_affect_gar",)),
}


def guide_keys() -> set[str]:
    """Every guide answer the live actions give or point to."""
    keys: set[str] = set()
    for procedure in PROCEDURES.values():
        keys.update((procedure.given, *procedure.pointers, *procedure.also))
    return keys


# A button sends its title, a training example of its answer, except where the model reads that
# title as a live question: « Rattacher mes enfants à mon compte » is classified live_my_children
# (0.97 on the trained model, 29 Nov 2026), so the button sends another training example
# of the answer, read as faq/rattacher_enfants (1.0, selector 0.94). The widget shows the title.
PAYLOADS = {"rattacher_enfants": "comment rattacher mon enfant a mon compte educonnect"}


def guide_buttons(keys: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """A button per guide answer: its title, sending a training example of that answer."""
    buttons = []
    for key in keys:
        title = answer_title(key)
        if title:
            buttons.append({"title": title, "payload": PAYLOADS.get(key, title)})
    return buttons


@dataclass(frozen=True)
class GuideTurn:
    """What to send for the guide's procedure: an optional lead-in, the response, its buttons."""

    lead: str | None
    response: str
    buttons: list[dict[str, str]]


def without_identity(action: str, declared_role: str | None) -> GuideTurn | None:
    """The procedure for a person without a verified identity; None keeps today's text.

    A role the person declared (never verified) outside the procedure's roles gets nothing more:
    never a director's menu to someone who said they are a parent.
    """
    procedure = PROCEDURES.get(action)
    if procedure is None or (declared_role is not None and declared_role not in procedure.roles):
        return None
    lead = FOR_DIRECTION if procedure.roles == DIRECTION and declared_role != "directeur" else None
    return GuideTurn(lead, response_name(procedure.given), guide_buttons(procedure.also))


def after_refusal(action: str, role: str) -> GuideTurn | None:
    """The procedure for a verified role the live answer refused, when the guide has one for it."""
    procedure = PROCEDURES.get(action)
    if procedure is None or role not in procedure.after_refusal:
        return None
    return GuideTurn(None, response_name(procedure.given), [])


# --- pointers after a live answer: only when the person has something to do -----------------
def class_pointers(result: r.ClassPupils, role: str) -> tuple[str, ...]:
    """A director whose class has pupils but no teacher: attach the teacher."""
    if role == "directeur" and result.pupil_count > 0 and not result.teacher_names:
        return ("rattacher_enseignants_classe",)
    return ()


def activation_pointers(result: r.ParentActivation) -> tuple[str, ...]:
    """Identifiers from the school, or no account yet: the director may (re)issue identifiers."""
    if not result.manual_account and result.origin in ("etablissement", None):
        return ("reediter_identifiants",)
    return ()


def children_pointers(children: list[r.ChildInfo]) -> tuple[str, ...]:
    """No child found, or a child not attached to the account."""
    if not children:
        return ("fratrie",)
    if any(not child.attached_to_account for child in children):
        return ("rattacher_enfants",)
    return ()


def teachers_pointers(result: r.SchoolTeachers) -> tuple[str, ...]:
    """A teacher gone from the latest feed (not at home here), a teacher without a class."""
    keys: list[str] = []
    if any(not t.in_latest_feed and not t.is_home_school for t in result.teachers):
        keys.append("detacher_enseignants")
    if any(not t.classes and not t.is_director for t in result.teachers):
        keys.append("rattacher_enseignants_classe")
    return tuple(keys)


def cleanup_pointers(result: r.CleanupReport) -> tuple[str, ...]:
    """One procedure per kind of thing left to clean."""
    found = (
        ("supprimer_comptes_manuels", result.manual_accounts),
        ("supprimer_groupes_manuels", result.old_groups),
        ("supprimer_favoris", result.favourites),
    )
    return tuple(key for key, items in found if items)


def access_pointers(result: r.AccessState) -> tuple[str, ...]:
    """Blocked (to unblock) or open (to block before the rollover): the guide covers both."""
    return ("bloquer_acces",)


def gar_pointers(result: r.GarReport) -> tuple[str, ...]:
    """Teachers still missing from Resp-Affect-GAR."""
    return ("resp_affect_gar",) if result.missing_teachers else ()
