"""Actions around the guide's answers: the role acknowledgement, and "Vouliez-vous dire ...".

Typed questions are answered by Rasa's retrieval action `utter_faq` (rule
`faq -> utter_faq`); answers that depend on the role have a variation per value
of the slot `role`, and one for "role unknown" that asks it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import offer_handoff
from actions.knowledge import (
    is_role_dependent,
    known_answer,
    last_answer_key,
    response_name,
    selector_candidates,
)
from actions.phrasing.common import ROLE_AS, ROLE_LABELS
from bot import followup_topics as topics
from bot.identity import SETTABLE_ROLES, check_metadata
from bot.nlu import FALLBACK_INTENT, RETRIEVAL_INTENT
from bot.titles import answer_title, intent_title

# How many candidates "Vouliez-vous dire ..." offers.
MAX_CANDIDATES = 3
# Besides the guide's answers, only live questions are offered (never a conversation intent).
LIVE_PREFIX = "live_"
# The last button of « Vouliez-vous dire » (after the candidates: Rasa would put a response's
# own buttons first).
SOMETHING_ELSE = "Autre chose"
# Sent with utter_role_unknown by the action: a response's own buttons would have their
# `{"role": ...}` payloads read as template variables by Rasa (an ERROR logged each time).
ROLE_BUTTONS = [
    {"title": "Parent", "payload": '/inform_role{"role":"parent"}'},
    {"title": "Enseignant", "payload": '/inform_role{"role":"enseignant"}'},
    {"title": "Directeur", "payload": '/inform_role{"role":"directeur"}'},
]


class ActionSetRole(Action):
    """Acknowledge the person's role and give the answer that was waiting for it."""

    def name(self) -> str:
        return "action_set_role"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        said = next(tracker.get_latest_entity_values("role"), None)
        role = tracker.get_slot("role")
        from_token = check_metadata(tracker.latest_message.get("metadata")).identity is not None
        label = ROLE_LABELS.get(role or "", "autre profil")
        if from_token:
            if (said and said != role) or role not in ROLE_AS:
                dispatcher.utter_message(response="utter_role_from_token", label=label)
            else:  # the account's own role, said again: acknowledged, never silence
                dispatcher.utter_message(response="utter_role_noted", as_role=ROLE_AS[role])
        elif role not in SETTABLE_ROLES:
            dispatcher.utter_message(response="utter_role_unknown", buttons=ROLE_BUTTONS)
            return []
        else:
            dispatcher.utter_message(response="utter_role_noted", as_role=ROLE_AS[role])

        key = last_answer_key(tracker.events)
        if key and known_answer(domain, key) and is_role_dependent(domain, key):
            dispatcher.utter_message(response=response_name(key))
        return []


class ActionDidYouMean(Action):
    """Low confidence: "Vouliez-vous dire ..." with the best candidates.

    If the previous turn already failed to understand, the director and the ERUN instead;
    if the two best candidates say the same thing to the person's role, that answer.
    """

    def name(self) -> str:
        return "action_did_you_mean"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if previous_turn_misunderstood(tracker.events):
            # Logged in: offer to hand the question to a person; else whom to contact.
            director = tracker.get_slot("role") == "directeur"
            anonymous = "utter_contact_erun_director" if director else "utter_contact_erun"
            await offer_handoff(dispatcher, tracker, "utter_handoff_not_found", anonymous=anonymous)
            return []

        key = one_answer_for_role(tracker.latest_message, tracker.get_slot("role"))
        if key and known_answer(domain, key):
            dispatcher.utter_message(response=response_name(key))
            return []

        buttons = candidate_buttons(tracker.latest_message, domain)
        if buttons:
            buttons.append({"title": SOMETHING_ELSE, "payload": "/deny"})
            dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_no_candidates")
        return []


class ActionDefaultFallback(Action):
    """The dialogue policies are unsure what to do: ask to rephrase, forget the message."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_not_understood")
        return [UserUtteranceReverted()]


MISUNDERSTOOD = {"action_did_you_mean", "utter_rephrase"}


def previous_turn_misunderstood(events: list[dict[str, Any]]) -> bool:
    """Whether the assistant's last reply, before the current message, was a failure to understand."""
    users_seen = 0
    for event in reversed(events):
        if event.get("event") == "user":
            users_seen += 1
        elif users_seen == 1 and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name") in MISUNDERSTOOD
        if users_seen > 1:
            return False
    return False


def one_answer_for_role(message: dict[str, Any], role: str | None) -> str | None:
    """The best guide answer, when the two best candidates say the same thing to this role."""
    same = topics.SAME_ANSWER_FOR_ROLE.get(role or "", {})
    intents = [
        item.get("name")
        for item in message.get("intent_ranking") or []
        if item.get("name") != FALLBACK_INTENT
    ]
    if not same or not intents or intents[0] != RETRIEVAL_INTENT:
        return None
    keys = [key for key, _ in selector_candidates(message)[:2]]
    if len(keys) == 2 and same.get(keys[0], keys[0]) == same.get(keys[1], keys[1]):
        return keys[0]
    return None


def candidate_buttons(message: dict[str, Any], domain: dict[str, Any]) -> list[dict[str, str]]:
    """Readable buttons for the answers a message most likely asks for, best first.

    Only answers are offered: the guide's (faq keys) and the live questions; never a
    conversation intent (thanks, capabilities, goodbye) nor a duplicate.

    A button's payload is its title as plain text: every title is also a training
    example of its answer (tests/unit/test_knowledge_data.py checks it), so a click
    is understood like a typed question and answered by the usual rules.
    """
    scored: list[tuple[float, str]] = []
    answers = selector_candidates(message)
    for item in message.get("intent_ranking") or []:
        intent, confidence = item.get("name"), float(item.get("confidence") or 0)
        if not intent:
            continue
        if intent == RETRIEVAL_INTENT:
            for key, answer_confidence in answers[:MAX_CANDIDATES]:
                title = answer_title(key)
                if title and known_answer(domain, key):
                    scored.append((confidence * answer_confidence, title))
        elif intent.startswith(LIVE_PREFIX) and (title := intent_title(intent)):
            scored.append((confidence, title))
    scored.sort(key=lambda item: item[0], reverse=True)
    titles: list[str] = []
    for _, title in scored:
        if title not in titles:
            titles.append(title)
    return [{"title": title, "payload": title} for title in titles[:MAX_CANDIDATES]]
