"""Actions that give the guide's answers: confidence checks, role, "Vouliez-vous dire ...".

The knowledge itself lives in data/nlu/responses/*.yml (responses `utter_faq/<key>`);
these actions only choose which answer to give, for whom, and when to ask instead.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import (
    ROLES,
    answer_text,
    is_role_dependent,
    known_answer,
    selector_candidates,
)
from bot.identity import check_metadata
from bot.titles import answer_title, intent_title

logger = logging.getLogger(__name__)

# Below this confidence of the answer chosen by the ResponseSelector, the assistant
# asks "Vouliez-vous dire ..." even when the intent `faq` itself is confident
# (RasaHQ/rasa#9751). Tuned on the held-out set (see README, "Mesurer").
ANSWER_CONFIDENCE_THRESHOLD = 0.5
# How many candidates "Vouliez-vous dire ..." offers.
MAX_CANDIDATES = 3
# Intents never offered as a candidate.
NOT_CANDIDATES = {"nlu_fallback", "out_of_scope", "other_language", "affirm", "deny", "inform_role"}

ROLE_LABELS = {"parent": "parent", "enseignant": "enseignant", "directeur": "directeur"}


def current_role(tracker: Tracker) -> tuple[str | None, bool]:
    """The role of the person chatting and whether it comes from a signed token."""
    check = check_metadata(tracker.latest_message.get("metadata"))
    if check.identity is not None:
        return check.identity.role, True
    return tracker.get_slot("role"), False


def role_events(tracker: Tracker, role: str | None, from_token: bool) -> list[EventType]:
    """Remember the token's role in the slot when it differs."""
    if from_token and role != tracker.get_slot("role"):
        return [SlotSet("role", role)]
    return []


def give_answer(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], key: str, role: str | None
) -> list[EventType]:
    """Utter the answer `key` for `role` and reset the conversation helpers."""
    dispatcher.utter_message(
        text=answer_text(domain, key, role), answer_key=key, utter_action=f"utter_faq/{key}"
    )
    return [SlotSet("pending_answer", None), SlotSet("misunderstandings", 0)]


def did_you_mean(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[EventType]:
    """Offer the best candidates as buttons, or the ERUN contact after a second failure."""
    misunderstandings = float(tracker.get_slot("misunderstandings") or 0)
    if misunderstandings >= 1:
        dispatcher.utter_message(response="utter_contact_erun")
        return [SlotSet("misunderstandings", 0)]

    buttons = candidate_buttons(tracker.latest_message, domain)
    if not buttons:
        dispatcher.utter_message(response="utter_rephrase")
    else:
        buttons.append({"title": "Autre chose", "payload": "/deny"})
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
    return [SlotSet("misunderstandings", misunderstandings + 1)]


def candidate_buttons(message: dict[str, Any], domain: dict[str, Any]) -> list[dict[str, str]]:
    """Readable buttons for the most likely answers of a message, best first."""
    scored: list[tuple[float, str, str]] = []
    answers = selector_candidates(message)
    for item in message.get("intent_ranking") or []:
        intent, confidence = item.get("name"), float(item.get("confidence") or 0)
        if not intent or intent in NOT_CANDIDATES:
            continue
        if intent == "faq":
            for key, answer_confidence in answers[:MAX_CANDIDATES]:
                title = answer_title(key)
                if title and known_answer(domain, key):
                    payload = '/faq{"answer_key":"%s"}' % key
                    scored.append((confidence * answer_confidence, title, payload))
        else:
            title = intent_title(intent)
            if title:
                scored.append((confidence, title, f"/{intent}"))
    scored.sort(key=lambda item: item[0], reverse=True)
    buttons, seen = [], set()
    for _, title, payload in scored:
        if title not in seen:
            seen.add(title)
            buttons.append({"title": title, "payload": payload})
        if len(buttons) == MAX_CANDIDATES:
            break
    return buttons


class ActionAnswerQuestion(Action):
    """Answer a question of the guide, checking confidence and the person's role."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message
        key = next(tracker.get_latest_entity_values("answer_key"), None)
        if key is None or not known_answer(domain, key):
            candidates = selector_candidates(message)
            if not candidates or candidates[0][1] < ANSWER_CONFIDENCE_THRESHOLD:
                return did_you_mean(dispatcher, tracker, domain)
            key = candidates[0][0]
            if not known_answer(domain, key):
                return did_you_mean(dispatcher, tracker, domain)

        role, from_token = current_role(tracker)
        events = role_events(tracker, role, from_token)
        if is_role_dependent(domain, key) and role is None:
            dispatcher.utter_message(response="utter_ask_role")
            return [*events, SlotSet("pending_answer", key)]
        return [*events, *give_answer(dispatcher, domain, key, role)]


class ActionSetRole(Action):
    """Remember who is chatting ("je suis directeur"), unless a signed token says otherwise."""

    def name(self) -> str:
        return "action_set_role"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        said = next(tracker.get_latest_entity_values("role"), None)
        role, from_token = current_role(tracker)
        events: list[EventType] = []
        if from_token:
            events += role_events(tracker, role, from_token)
            if said and said != role:
                dispatcher.utter_message(response="utter_role_from_token")
        elif said in ROLES:
            role = said
            events.append(SlotSet("role", role))
            dispatcher.utter_message(text=f"C'est noté : je vous réponds en tant que {ROLE_LABELS[role]}.")
        else:
            dispatcher.utter_message(response="utter_ask_role")
            return events

        pending = tracker.get_slot("pending_answer")
        if pending and known_answer(domain, pending):
            events += give_answer(dispatcher, domain, pending, role)
        return events


class ActionDidYouMean(Action):
    """Low confidence: "Vouliez-vous dire ..." with the best candidates."""

    def name(self) -> str:
        return "action_did_you_mean"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return did_you_mean(dispatcher, tracker, domain)
