"""Short follow-ups answered in the context of the last answer.

"toujours rien" after the SMS-code answer gives that topic's next step; "et pour un
enseignant ?" gives the teacher's variation of the same answer; "et si je change d'école ?"
answers for a parent or a teacher depending on the answer it follows. The answer path
itself stays Rasa's `utter_faq` (no action server call per answer): the key of the last
answer is read from the bot events, and remembered in the slot `last_answer` by each
follow-up so that a second follow-up keeps the same context.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import is_role_dependent, known_answer, response_name, variations
from actions.phrasing.common import ROLE_LABELS
from actions.responses import text
from bot import followup_topics as topics
from bot.followup_context import FOLLOWUP_ACTION as ACTION
from bot.followup_context import SLOT, context_answer, roles_named
from bot.identity import SETTABLE_ROLES, check_metadata
from bot.nlu import chosen_answer

COMPLAINT = "utter_complaint"
# "et pour débloquer ?" reads like "et pour un enseignant ?" but names a topic, not a role:
# the guide's answer is given when the ResponseSelector is this sure of it (the
# FallbackClassifier's threshold, config.yml).
TOPIC_CONFIDENCE = 0.4


def asked_role(tracker: Tracker) -> str | None:
    """The role a follow-up asks about: the entity, else a role word in the text."""
    said = next(tracker.get_latest_entity_values("role"), None)
    if said in SETTABLE_ROLES:
        return said
    found = roles_named(tracker.latest_message.get("text") or "")
    return found[0] if len(found) == 1 else None


def role_before(events: list[dict[str, Any]]) -> str | None:
    """The slot `role` as it was before the current message."""
    seen_user = False
    for event in reversed(events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == "role":
            return event.get("value")
    return None


def topic_asked(tracker: Tracker, domain: dict[str, Any]) -> str | None:
    """The guide's answer a follow-up names instead of a role ("et pour débloquer ?"), when sure."""
    key, confidence = chosen_answer(tracker.latest_message)
    if key and confidence is not None and confidence >= TOPIC_CONFIDENCE and known_answer(domain, key):
        return key
    return None


def variation_for(domain: dict[str, Any], key: str, role: str) -> dict[str, Any] | None:
    """The variation of answer `key` written for `role`."""
    for variation in variations(domain, key):
        for condition in variation.get("condition") or []:
            if condition.get("name") == "role" and condition.get("value") == role:
                return variation
    return None


class ActionFollowup(Action):
    """Answer "toujours rien", "et pour un enseignant ?", "et si je change d'école ?" in context."""

    def name(self) -> str:
        return ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        key, already = context_answer(tracker.events)
        if key and not known_answer(domain, key):
            key = None
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        role = tracker.get_slot("role")
        if intent == "followup_role":
            return self.other_role(dispatcher, tracker, domain, key)
        if intent == "followup_school_change":
            self.school_change(dispatcher, domain, key, role)
        else:
            self.still_failing(dispatcher, key, already, role)
        return [SlotSet(SLOT, key)] if key else []

    @staticmethod
    def still_failing(
        dispatcher: CollectingDispatcher, key: str | None, already: bool, role: str | None
    ) -> None:
        """The next step of the topic; a person once that step was given too, or without context."""
        if key is None:
            dispatcher.utter_message(response=COMPLAINT)
        elif already or key not in topics.NEXT_STEP:
            person = "utter_still_failing_director" if role == "directeur" else "utter_still_failing"
            dispatcher.utter_message(response=person)
        else:
            dispatcher.utter_message(response=topics.NEXT_STEP[key])

    @staticmethod
    def school_change(
        dispatcher: CollectingDispatcher, domain: dict[str, Any], key: str | None, role: str | None
    ) -> None:
        """The parent's answer after a parent's topic, the teacher's after a teacher's or director's."""
        parent_answer = response_name("changement_ecole")
        if (key in topics.PARENT_KEYS) or (key is None and role == "parent"):
            dispatcher.utter_message(response=parent_answer)
        elif key is not None or role in ("enseignant", "directeur"):
            dispatcher.utter_message(response="utter_school_change_teacher")
        else:
            parent = (variations(domain, "changement_ecole") or [{}])[0].get("text") or ""
            teacher = text("utter_school_change_teacher")
            dispatcher.utter_message(text=text("utter_school_change_both", teacher=teacher, parent=parent))

    @staticmethod
    def other_role(
        dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], key: str | None
    ) -> list[EventType]:
        """The variation of the last answer for the role asked about; the person's role is kept."""
        asked = asked_role(tracker)
        events: list[EventType] = [SlotSet(SLOT, key)] if key else []
        from_token = check_metadata(tracker.latest_message.get("metadata")).identity is not None
        before = role_before(tracker.events)
        if not from_token and tracker.get_slot("role") != before:
            events.append(SlotSet("role", before))  # "et pour un enseignant ?" is not "je suis enseignant"
        if asked is None:
            if topic := topic_asked(tracker, domain):
                dispatcher.utter_message(response=response_name(topic))
                return [SlotSet(SLOT, topic), *events[1 if key else 0 :]]
            dispatcher.utter_message(response="utter_which_role")
            return events
        label = ROLE_LABELS[asked]
        if key is None:
            dispatcher.utter_message(response="utter_which_question", label=label)
        elif is_role_dependent(domain, key) and (variation := variation_for(domain, key, asked)):
            # « Pour un enseignant : » and the guide's answer for that role, in one message
            dispatcher.utter_message(
                text=f"{text('utter_for_role', label=label)}\n{variation.get('text') or ''}"
            )
        elif key in topics.PARENT_KEYS and asked != "parent":
            dispatcher.utter_message(response="utter_not_for_staff")
        elif key in topics.DIRECTOR_KEYS and asked != "directeur":
            dispatcher.utter_message(response="utter_director_only")
        else:
            dispatcher.utter_message(response="utter_same_for_role", label=label)
            dispatcher.utter_message(response=response_name(key))
        return events
