"""Live answers from the ENT backend: thin actions that call EntService and phrase the result."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import phrasing as texts
from actions.live_call import BackendUnavailable, NotAllowed, call_backend, identity_of, service
from actions.responses import Response, utter
from bot.identity import Identity

logger = logging.getLogger(__name__)

# Slots of the two forms, emptied once a live answer is given.
FORM_SLOTS = ("live_class", "live_parent", "live_parent_query", "live_problem")
# What stops a live answer, as domain responses (domain.yml).
PROBLEM_TEXTS: dict[str, str] = {
    "missing": Response("utter_live_no_token"),
    "invalid": Response("utter_live_token_invalid"),
    "expired": Response("utter_live_token_expired"),
    "refused": Response("utter_live_refused"),
    "unavailable": Response("utter_live_unavailable"),
    "no_class": Response("utter_live_no_class"),
}


def reset_events() -> list[EventType]:
    """Empty the live forms' slots so that nothing stale is reused."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("live_tries", 0)]


class LiveAction(Action, ABC):
    """Check the signed identity, ask the backend, phrase the answer; never fail."""

    @abstractmethod
    async def answer(self, identity: Identity, tracker: Tracker) -> str:
        """The phrased answer for this identity, or a `Response` (raises NotAllowed / BackendUnavailable)."""
        raise NotImplementedError

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        check = identity_of(tracker)
        if check.identity is None:
            text = PROBLEM_TEXTS[check.problem or "missing"]
        else:
            try:
                text = await self.answer(check.identity, tracker)
            except NotAllowed:
                text = PROBLEM_TEXTS["refused"]
            except BackendUnavailable:
                text = PROBLEM_TEXTS["unavailable"]
        utter(dispatcher, text)
        return reset_events()


class ActionLiveClassPupils(LiveAction):
    """1. Does class X have pupils in the ENT yet? Asked after live_class_form."""

    def name(self) -> str:
        return "action_live_class_pupils"

    async def answer(self, identity: Identity, tracker: Tracker) -> str:
        problem = tracker.get_slot("live_problem")
        if problem in PROBLEM_TEXTS:
            return PROBLEM_TEXTS[problem]
        class_id = tracker.get_slot("live_class")
        if not class_id:
            return Response("utter_live_class_give_up")
        result = await call_backend(service().class_pupils, identity, class_id)
        return texts.class_pupils(result, identity.role)


class ActionLiveParentActivation(LiveAction):
    """2. How was this parent's EduConnect account activated? Asked after live_parent_form."""

    def name(self) -> str:
        return "action_live_parent_activation"

    async def answer(self, identity: Identity, tracker: Tracker) -> str:
        problem = tracker.get_slot("live_problem")
        if problem in PROBLEM_TEXTS:
            return PROBLEM_TEXTS[problem]
        parent_id = tracker.get_slot("live_parent")
        if not parent_id:
            return Response("utter_live_parent_give_up")
        result = await call_backend(service().parent_activation, identity, parent_id)
        return texts.parent_activation(result)


class ActionLiveRolloverStatus(LiveAction):
    """3. Where is my school in the rollover, and what should I do now?"""

    def name(self) -> str:
        return "action_live_rollover_status"

    async def answer(self, identity: Identity, tracker: Tracker) -> str:
        statuses = await call_backend(service().rollover_status, identity)
        return texts.rollover_status(statuses, identity.role)


class ActionLiveMyChildren(LiveAction):
    """4. Parent: my children, their class this year and the attachment to my account."""

    def name(self) -> str:
        return "action_live_my_children"

    async def answer(self, identity: Identity, tracker: Tracker) -> str:
        return texts.my_children(await call_backend(service().my_children, identity))


class ActionLiveTeachersClasses(LiveAction):
    """5. Teacher: my schools and classes. Director: the teachers of the school."""

    def name(self) -> str:
        return "action_live_teachers_classes"

    async def answer(self, identity: Identity, tracker: Tracker) -> str:
        if identity.role == "directeur":
            return texts.school_teachers(await call_backend(service().school_teachers, identity))
        return texts.my_classes(await call_backend(service().my_classes, identity))


class ActionLiveCleanup(LiveAction):
    """6. Director: manual accounts, last year's manual groups and sharing favourites."""

    def name(self) -> str:
        return "action_live_cleanup"

    async def answer(self, identity: Identity, tracker: Tracker) -> str:
        return texts.cleanup(await call_backend(service().cleanup_report, identity))


class ActionLiveAccessBlocking(LiveAction):
    """7. Director: are pupils' and parents' access blocked?"""

    def name(self) -> str:
        return "action_live_access_blocking"

    async def answer(self, identity: Identity, tracker: Tracker) -> str:
        return texts.access_blocking(await call_backend(service().access_blocking, identity))


class ActionLiveGarGroup(LiveAction):
    """8. Director: who is in Resp-Affect-GAR, who is missing, what is pending."""

    def name(self) -> str:
        return "action_live_gar_group"

    async def answer(self, identity: Identity, tracker: Tracker) -> str:
        return texts.gar_group(await call_backend(service().gar_group, identity))


class ActionLiveStop(Action):
    """The person gives up a live question: acknowledge and clear the forms' slots."""

    def name(self) -> str:
        return "action_live_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_live_stopped")
        return reset_events()


class ActionLiveInformAlone(Action):
    """A class or a name given outside any question: invite a full question."""

    def name(self) -> str:
        return "action_live_inform_alone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_live_inform_alone")
        return reset_events()
