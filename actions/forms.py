"""The two live forms: which class (buttons of the school's classes) and which parent (namesakes)."""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import phrasing as texts
from actions.form_validation import FormValidation
from actions.live_call import BackendUnavailable, NotAllowed, call_backend, identity_of, service, signed_in
from bot.ent.results import ClassRef
from bot.knowledge_data import domain_intents
from bot.nlu import PERSON_ENTITY
from bot.privacy import PRODUCT_NAMES
from bot.text import LEVELS, STOP_WORDS, normalize

MAX_TRIES = 3
# Intents a waiting form keeps for itself or lets pass (never "something else"): the form's
# own answers, the fallback, and the intents of the guide's follow-ups, hand-off, staff
# requests and complaints, which do not interrupt a live question.
NOT_INTERRUPTIONS = {
    "live_inform",
    "affirm",
    "nlu_fallback",
    "hors_champ",
    "complaint",
    "still_failing",
    "followup_role",
    "followup_school_change",
    "handoff_request",
    "handoff_start",
    "handoff_confirm",
    "handoff_cancel",
    "staff_requests",
    "staff_close_request",
}
# Intents that mean "something else" while a form waits for an answer: every other intent of the
# domain (a new intent interrupts a form unless listed above; tests/unit/test_form_intents.py
# checks that data/rules give each one its interruption rule).
OTHER_INTENTS = set(domain_intents()) - NOT_INTERRUPTIONS
NEVER_A_NAME = {"deny", "goodbye", "thank", "greet", "inform_role"}

_LEVEL_WORDS = (
    ("toute petite section", "TPS"),
    ("tres petite section", "TPS"),
    ("petite section", "PS"),
    ("moyenne section", "MS"),
    ("grande section", "GS"),
    ("cours preparatoire", "CP"),
    ("cours elementaire 1", "CE1"),
    ("cours elementaire 2", "CE2"),
    ("cours moyen 1", "CM1"),
    ("cours moyen 2", "CM2"),
)
_LEVEL_CODES = re.compile(r"\b(tps|ps|ms|gs|cp|ce ?1|ce ?2|cm ?1|cm ?2)\b")
# Capitalised words that are not a parent's name: products, civilities, first words of questions.
_NOT_NAMES = STOP_WORDS | {normalize(w) for w in PRODUCT_NAMES}


def levels_in(tracker: Tracker) -> list[str]:
    """Class levels named in the latest message (entities, then the text itself)."""
    found: list[str] = []
    for value in tracker.get_latest_entity_values("class_level"):
        level = normalize(str(value)).replace(" ", "").upper()
        if level in LEVELS and level not in found:
            found.append(level)
    text = normalize(tracker.latest_message.get("text") or "")
    if text.startswith("/"):
        return found
    for words, level in _LEVEL_WORDS:
        if words in text:
            text = text.replace(words, " ")
            if level not in found:
                found.append(level)
    for match in _LEVEL_CODES.finditer(text):
        level = match.group(1).replace(" ", "").upper()
        if level not in found:
            found.append(level)
    return found


def names_in(tracker: Tracker) -> list[str]:
    """Parent names in the latest message, best first, to search one after the other.

    The last person spaCy's recogniser found (« le papa d'Inès, Youssef Benali » names the
    child first), then DIET's `parent_name` values, then the capitalised words.
    """
    candidates: list[str] = []
    people = [str(v) for v in tracker.get_latest_entity_values(PERSON_ENTITY) if str(v).strip()]
    if people:
        candidates.append(people[-1])
    values = [str(v) for v in tracker.get_latest_entity_values("parent_name") if str(v).strip()]
    if values:
        candidates.append(" ".join(values))
    words = re.findall(r"[A-ZÀ-ÖØ-Þ][\w'’-]+", tracker.latest_message.get("text") or "")
    kept = [w for w in words if normalize(w) not in _NOT_NAMES]
    if kept:
        candidates.append(" ".join(kept))
    names: list[str] = []
    for name in candidates:
        if normalize(name) not in {normalize(n) for n in names}:
            names.append(name)
    return names


def _entity(tracker: Tracker, name: str) -> str | None:
    """The latest value of an entity, as text."""
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


def _intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def _tries(tracker: Tracker) -> int:
    try:
        return int(tracker.get_slot("live_tries") or 0)
    except (TypeError, ValueError):
        return 0


def _done(**slots: Any) -> dict[str, Any]:
    """Fill slots and end the form."""
    return {**slots, REQUESTED_SLOT: None}


def _stop_with(problem: str) -> dict[str, Any]:
    """End the form; the answer action explains the problem."""
    return _done(live_problem=problem)


def _retry(tracker: Tracker, slot: str, **slots: Any) -> dict[str, Any]:
    """Ask again, or give up after MAX_TRIES unusable answers."""
    tries = _tries(tracker) + 1
    if tries >= MAX_TRIES:
        return _done(live_tries=tries, **{slot: None}, **slots)
    return {"live_tries": tries, slot: None, **slots}


def _fresh(**slots: Any) -> dict[str, Any]:
    """Start a form with no leftover from an earlier question."""
    base = {"live_class": None, "live_parent": None, "live_parent_query": None, "live_problem": None}
    return {**base, **slots, "live_tries": 0}


def _pick_class(classes: list[ClassRef], tracker: Tracker) -> tuple[ClassRef | None, list[ClassRef]]:
    """The class meant by the message, or the candidates left to choose from."""
    ref = _entity(tracker, "class_ref")
    if ref is not None:
        chosen = next((c for c in classes if str(c.id) == ref.strip()), None)
        return chosen, [] if chosen else classes
    levels = levels_in(tracker)
    if not levels:
        return None, classes
    matching = [c for c in classes if set(levels) <= set(c.levels)]
    exact = [c for c in matching if set(c.levels) == set(levels)]
    if len(matching) == 1:
        return matching[0], []
    if len(exact) == 1:
        return exact[0], []
    return None, matching


def _class_buttons(classes: list[ClassRef]) -> list[dict[str, str]]:
    several = len({c.school_name for c in classes}) > 1
    return [
        {
            "title": texts.safe(texts.class_button_title(c, several)),
            "payload": "/live_inform" + json.dumps({"class_ref": str(c.id)}),
        }
        for c in classes
    ]


class ValidateLiveClassForm(FormValidation):
    """Find the class meant (level, label or button) among the viewer's classes."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_live_class_form"

    async def extract_live_class(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Take the message as the answer, unless it asks something else (the form steps aside)."""
        if (
            tracker.get_slot(REQUESTED_SLOT) == "live_class"
            and _intent(tracker) in OTHER_INTENTS - {"live_class_pupils"}
            and not (levels_in(tracker) or _entity(tracker, "class_ref"))
        ):
            return {}
        return {"live_class": None}  # chosen by validate_live_class among the viewer's classes

    async def validate_live_class(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The class meant by the message, the question again, or the form's end with a problem."""
        asked = tracker.get_slot(REQUESTED_SLOT) == "live_class"
        check = identity_of(tracker)
        if check.identity is None:
            return _stop_with(check.problem or "missing")
        try:
            classes = await call_backend(service().list_classes, check.identity)
        except NotAllowed:
            return _stop_with("refused")
        except BackendUnavailable:
            return _stop_with("unavailable")
        if not classes:
            return _stop_with("no_class")
        chosen, candidates = _pick_class(classes, tracker)
        if chosen is not None:
            return _done(live_class=str(chosen.id), live_problem=None)
        if not asked:
            return _fresh()
        if candidates and len(candidates) < len(classes):
            return {"live_class": None}  # narrowed down: the question shows those
        dispatcher.utter_message(response="utter_live_class_not_found")
        return _retry(tracker, "live_class")


class ActionAskLiveClass(Action):
    """Ask which class, with a button per class of the viewer's school(s)."""

    def name(self) -> str:
        return "action_ask_live_class"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        identity = signed_in(tracker, dispatcher)
        if identity is None:
            return []
        try:
            classes = await call_backend(service().list_classes, identity)
        except NotAllowed:
            dispatcher.utter_message(response="utter_live_refused")
            return []
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_live_unavailable")
            return []
        _, candidates = _pick_class(classes, tracker)
        levels = levels_in(tracker)
        if levels and 1 < len(candidates) < len(classes):
            dispatcher.utter_message(
                response="utter_live_which_class_level",
                level="-".join(levels),
                buttons=_class_buttons(candidates),
            )
        else:
            dispatcher.utter_message(response="utter_live_which_class", buttons=_class_buttons(classes))
        return []


def _short_answer(tracker: Tracker) -> bool:
    """A few words typed, not a question nor a button: can be a name given alone."""
    text = (tracker.latest_message.get("text") or "").strip()
    return len(text.split()) <= 5 and "?" not in text and not text.startswith("/")


class ValidateLiveParentForm(FormValidation):
    """Find the parent meant (name typed, or a button among namesakes) in the director's school."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_live_parent_form"

    async def extract_live_parent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Take the message as the answer, unless it asks something else (the form steps aside)."""
        intent = _intent(tracker)
        if (
            tracker.get_slot(REQUESTED_SLOT) == "live_parent"
            and _entity(tracker, "parent_ref") is None
            and (
                intent in NEVER_A_NAME
                or (intent in OTHER_INTENTS - {"live_parent_activation"} and not _short_answer(tracker))
            )
        ):
            return {}
        return {"live_parent": None}  # found by validate_live_parent in the director's school

    async def validate_live_parent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The parent meant by the message, the question again, or the form's end with a problem."""
        asked = tracker.get_slot(REQUESTED_SLOT) == "live_parent"
        ref = _entity(tracker, "parent_ref")
        check = identity_of(tracker)
        if check.identity is None:
            return _stop_with(check.problem or "missing")
        try:
            # An empty search only checks that the viewer may look parents up at all.
            await call_backend(service().find_parents, check.identity, "")
            if ref is not None:
                return _done(live_parent=ref.strip(), live_problem=None)
            queries = names_in(tracker)
            if asked and _short_answer(tracker):
                queries.insert(0, (tracker.latest_message.get("text") or "").strip())
            found, query = [], ""
            for query in queries:  # the query that matched is kept
                found = await call_backend(service().find_parents, check.identity, query)
                if found:
                    break
        except NotAllowed:
            return _stop_with("refused")
        except BackendUnavailable:
            return _stop_with("unavailable")
        if len(found) == 1:
            return _done(live_parent=str(found[0].id), live_parent_query=None, live_problem=None)
        if len(found) > 1:
            if not asked:
                return _fresh(live_parent_query=query)
            return {"live_parent": None, "live_parent_query": query}
        if not asked:
            if queries:
                dispatcher.utter_message(response="utter_live_parent_not_found")
            return _fresh()
        dispatcher.utter_message(response="utter_live_parent_not_found")
        return _retry(tracker, "live_parent", live_parent_query=None)


class ActionAskLiveParent(Action):
    """Ask which parent; namesakes are told apart by buttons."""

    def name(self) -> str:
        return "action_ask_live_parent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        query = tracker.get_slot("live_parent_query")
        check = identity_of(tracker)
        if query and check.identity is not None:
            try:
                found = await call_backend(service().find_parents, check.identity, query)
            except (NotAllowed, BackendUnavailable):
                found = []
            if len(found) > 1:
                buttons = [
                    {
                        "title": texts.safe(texts.parent_button_title(p)),
                        "payload": "/live_inform" + json.dumps({"parent_ref": str(p.id)}),
                    }
                    for p in found
                ]
                dispatcher.utter_message(response="utter_live_which_namesake", buttons=buttons)
                return []
        dispatcher.utter_message(response="utter_live_which_parent")
        return []
