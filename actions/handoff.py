"""Hand a question to a person: offer, optional sentence, confirmation, storage.

Also the staff's live questions « quelles demandes ai-je reçues ? », « la demande 3 est traitée ».
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import handoff_texts as texts
from actions import phrasing
from actions.form_validation import FormValidation
from actions.knowledge import response_name
from actions.live_call import BackendUnavailable, NotAllowed, call_backend, identity_of, service
from bot.ent.errors import TooManyOpen
from bot.ent.handoff import cut

START, CONFIRM, CANCEL = "handoff_start", "handoff_confirm", "handoff_cancel"
CONFIRMED, CANCELLED, ANONYMOUS = "oui", "annule", "anonyme"
HANDOFF_INTENTS = {"handoff_request", START, CONFIRM, CANCEL, "staff_requests", "staff_close_request"}
# Replies that mean "not understood": the question before them was not answered.
FAILED_ACTIONS = {"action_did_you_mean", "utter_rephrase", "action_default_fallback", "utter_out_of_scope"}
NOT_QUESTIONS = {
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "inform_role",
    "bot_capabilities",
} | HANDOFF_INTENTS
SLOTS = ("handoff_note", "handoff_confirmed")
REQUEST_NUMBER = re.compile(r"\d{1,9}")
LIST_LIMIT = 10


def start_button(recipient: str) -> dict[str, str]:
    """The button that starts a hand-off to the director or the ERUN."""
    title = texts.TO_ERUN_BUTTON if recipient == "erun" else texts.TO_DIRECTOR_BUTTON
    return {"title": title, "payload": f"/{START}"}


async def offer_handoff(
    dispatcher: CollectingDispatcher, tracker: Tracker, intro: str, anonymous_text: str = texts.ANONYMOUS
) -> None:
    """Offer to hand the question to a person (logged in), or say how to reach the school."""
    identity = identity_of(tracker).identity
    if identity is None:
        dispatcher.utter_message(text=anonymous_text)
        return
    if identity.role == "erun":
        dispatcher.utter_message(text=f"{intro}\n{texts.OFFER['erun']}")
        return
    try:
        recipient = await call_backend(service().handoff_recipient, identity)
    except NotAllowed:
        dispatcher.utter_message(text=f"{intro}\n{texts.NOBODY}")
        return
    except BackendUnavailable:
        dispatcher.utter_message(text=f"{intro}\n{texts.UNAVAILABLE}")
        return
    buttons = [start_button(recipient.recipient), {"title": texts.NO_THANKS, "payload": f"/{CANCEL}"}]
    dispatcher.utter_message(text=f"{intro}\n{texts.offer(recipient, identity.role)}", buttons=buttons)


def _intent(event: dict[str, Any]) -> str | None:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def unanswered_questions(events: list[dict[str, Any]]) -> list[str]:
    """What the person typed that the assistant did not understand, oldest first.

    Also the last question asked (the one that did not help), as typed.
    """
    turns: list[tuple[str, str | None, list[str]]] = []
    for event in events:
        if event.get("event") == "user":
            turns.append((str(event.get("text") or "").strip(), _intent(event), []))
        elif event.get("event") == "action" and turns and event.get("name") != "action_listen":
            turns[-1][2].append(str(event.get("name")))
    questions = [
        (text, intent == "nlu_fallback" or bool(FAILED_ACTIONS & set(actions)))
        for text, intent, actions in turns
        if text and not text.startswith("/") and intent not in NOT_QUESTIONS
    ]
    found = [text for text, failed in questions if failed]
    if questions and questions[-1][0] not in found:
        found.append(questions[-1][0])
    return found


def last_answer(events: list[dict[str, Any]]) -> str | None:
    """The key of the last answer of the guide given in the conversation."""
    prefix = response_name("")
    for event in reversed(events):
        action = (
            (event.get("metadata") or {}).get("utter_action") or "" if event.get("event") == "bot" else ""
        )
        if action.startswith(prefix):
            return action[len(prefix) :]
    return None


def pending_start(events: list[dict[str, Any]]) -> int | None:
    """Index of the latest « Transmettre » click, unless it was cancelled since."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "user" and _intent(event) == START:
            later = events[index + 1 :]
            cancelled = any(
                e.get("event") == "slot"
                and e.get("name") == "handoff_confirmed"
                and e.get("value") == CANCELLED
                for e in later
            )
            return None if cancelled else index
    return None


def request_key(tracker: Tracker, start: dict[str, Any], login: str) -> str:
    """One key per offer accepted: a double click or a retry finds the same request."""
    raw = f"{tracker.sender_id}|{start.get('timestamp')}|{login}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def reset() -> list[EventType]:
    """Empty the hand-off's slots."""
    return [SlotSet(slot, None) for slot in SLOTS]


class ActionHandoffOffer(Action):
    """« Je veux parler à quelqu'un », « ça ne m'aide pas »: offer the hand-off."""

    def name(self) -> str:
        return "action_handoff_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        await offer_handoff(dispatcher, tracker, texts.OFFER_INTRO)
        return reset()


class ActionComplaint(Action):
    """Frustration: an apology and a person; logged in, the offer to hand the question over."""

    def name(self) -> str:
        return "action_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if identity_of(tracker).identity is None:
            dispatcher.utter_message(response="utter_complaint")
            return []
        await offer_handoff(dispatcher, tracker, texts.COMPLAINT_INTRO)
        return reset()


def _typed(tracker: Tracker) -> str:
    """The sentence typed, spaces folded ("" for a button)."""
    text = " ".join(str(tracker.latest_message.get("text") or "").split())
    return "" if text.startswith("/") else text


class ValidateHandoffForm(FormValidation):
    """Between « Transmettre » and « Envoyer »: keep each sentence typed, then the button."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_handoff_form"

    async def extract_handoff_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Take a button or a sentence; anything else lets the form step aside."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if (
            identity_of(tracker).identity is not None
            and intent not in (START, CONFIRM, CANCEL, "deny")
            and not _typed(tracker)
        ):
            return {}
        return {"handoff_confirmed": None}  # read by validate_handoff_confirmed

    async def validate_handoff_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """« Envoyer » / « Annuler », or the sentence added to the note (the question comes again)."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if identity_of(tracker).identity is None:
            return {"handoff_confirmed": ANONYMOUS}
        if intent == START:
            return dict.fromkeys(SLOTS)
        if intent == CONFIRM:
            return {"handoff_confirmed": CONFIRMED}
        if intent in (CANCEL, "deny"):
            return {"handoff_confirmed": CANCELLED}
        note = " ".join(filter(None, [tracker.get_slot("handoff_note"), _typed(tracker)]))
        return {"handoff_note": cut(note), "handoff_confirmed": None}


class ActionAskHandoffConfirmed(Action):
    """Invite a sentence, with « Envoyer ma demande » and « Annuler »."""

    def name(self) -> str:
        return "action_ask_handoff_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        identity = identity_of(tracker).identity
        if tracker.get_slot("handoff_note"):
            text = texts.NOTE_ADDED
        else:
            text = texts.ASK_NOTE.get(identity.role if identity else "", texts.ASK_NOTE["default"])
        buttons = [
            {"title": texts.SEND_BUTTON, "payload": f"/{CONFIRM}"},
            {"title": texts.CANCEL_BUTTON, "payload": f"/{CANCEL}"},
        ]
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionHandoffSubmit(Action):
    """Store the request (once per offer accepted) and say who reads it and how they reply."""

    def name(self) -> str:
        return "action_handoff_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=await self.reply(tracker))
        return reset()

    async def reply(self, tracker: Tracker) -> str:
        identity = identity_of(tracker).identity
        if identity is None:
            return texts.ANONYMOUS
        if tracker.get_slot("handoff_confirmed") == CANCELLED:
            return texts.CANCELLED
        events = list(tracker.events)
        start = pending_start(events)
        if start is None:
            return texts.NOTHING_PENDING
        try:
            receipt = await call_backend(
                service().submit_handoff,
                identity,
                request_key(tracker, events[start], identity.login),
                unanswered_questions(events[:start]),
                tracker.get_slot("handoff_note"),
                last_answer(events[:start]),
            )
        except TooManyOpen:
            return texts.TOO_MANY
        except NotAllowed:
            return texts.NOBODY
        except BackendUnavailable:
            return texts.UNAVAILABLE
        if not receipt.created:
            return texts.ALREADY_SENT.format(id=receipt.id)
        return texts.SENT[receipt.recipient].format(id=receipt.id, school=phrasing.safe(receipt.school_name))


class ActionHandoffCancel(Action):
    """« Non merci » / « Annuler » outside the form: nothing is sent."""

    def name(self) -> str:
        return "action_handoff_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.CANCELLED)
        return reset()


class ActionStaffRequests(Action):
    """« Quelles demandes ai-je reçues ? » (director: their school; ERUN: the circonscription)."""

    def name(self) -> str:
        return "action_staff_requests"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        check = identity_of(tracker)
        if check.identity is None:
            dispatcher.utter_message(text=phrasing.NO_TOKEN)
            return []
        try:
            requests = await call_backend(service().received_handoffs, check.identity, "ouverte", LIST_LIMIT)
        except NotAllowed:
            dispatcher.utter_message(text=texts.NOT_A_READER)
            return []
        except BackendUnavailable:
            dispatcher.utter_message(text=phrasing.UNAVAILABLE)
            return []
        buttons = [
            {
                "title": texts.CLOSE_BUTTON.format(id=item.id),
                "payload": "/staff_close_request" + json.dumps({"request_id": str(item.id)}),
            }
            for item in requests[:LIST_LIMIT]
        ]
        dispatcher.utter_message(text=texts.received(requests), buttons=buttons)
        return []


def request_number(tracker: Tracker) -> str | None:
    """The request meant: an entity `request_id`, else the first number of the message."""
    value = next(tracker.get_latest_entity_values("request_id"), None)
    if value:
        return str(value)
    found = REQUEST_NUMBER.search(str(tracker.latest_message.get("text") or ""))
    return found.group() if found else None


class ActionStaffCloseRequest(Action):
    """« La demande 3 est traitée »: close one request the viewer received."""

    def name(self) -> str:
        return "action_staff_close_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        check = identity_of(tracker)
        number = request_number(tracker)
        if check.identity is None:
            text = phrasing.NO_TOKEN
        elif number is None:
            text = texts.WHICH_REQUEST
        else:
            try:
                closed = await call_backend(service().close_handoff, check.identity, number)
                text = texts.CLOSED.format(id=closed.id)
            except NotAllowed:
                text = texts.CLOSE_REFUSED.format(id=number)
            except BackendUnavailable:
                text = phrasing.UNAVAILABLE
        dispatcher.utter_message(text=text)
        return []
