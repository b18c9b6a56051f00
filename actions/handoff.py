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

from actions import phrasing
from actions.form_validation import FormValidation
from actions.knowledge import response_name
from actions.live_call import BackendUnavailable, NotAllowed, call_backend, identity_of, service, signed_in
from actions.phrasing import handoff as staff
from actions.responses import Response, buttons, text, utter
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


async def offer_handoff(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    intro: str,
    anonymous: str = "utter_handoff_anonymous",
) -> None:
    """Offer to hand the question to a person (logged in), or say how to reach the school.

    `intro` and `anonymous` are response names; the intro and the offer make one message.
    """
    identity = identity_of(tracker).identity
    if identity is None:
        dispatcher.utter_message(response=anonymous)
        return
    if identity.role == "erun":
        dispatcher.utter_message(text=f"{text(intro)}\n{text('utter_handoff_erun')}")
        return
    try:
        recipient = await call_backend(service().handoff_recipient, identity)
    except NotAllowed:
        dispatcher.utter_message(text=f"{text(intro)}\n{text('utter_handoff_nobody')}")
        return
    except BackendUnavailable:
        dispatcher.utter_message(text=f"{text(intro)}\n{text('utter_handoff_unavailable')}")
        return
    # a director's question goes to the ERUN, anyone else's to the school's direction
    offer = "utter_handoff_offer_to_erun" if identity.role == "directeur" else "utter_handoff_offer_to_school"
    school = phrasing.safe(recipient.school_name)
    dispatcher.utter_message(text=f"{text(intro)}\n{text(offer, school=school)}", buttons=buttons(offer))


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
        await offer_handoff(dispatcher, tracker, "utter_handoff_intro")
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
        await offer_handoff(dispatcher, tracker, "utter_handoff_complaint_intro")
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
            dispatcher.utter_message(response="utter_handoff_note_added")
        elif identity is not None and identity.role == "directeur":
            dispatcher.utter_message(response="utter_handoff_ask_note_erun")
        else:
            dispatcher.utter_message(response="utter_handoff_ask_note")
        return []


class ActionHandoffSubmit(Action):
    """Store the request (once per offer accepted) and say who reads it and how they reply."""

    def name(self) -> str:
        return "action_handoff_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reply, values = await self.reply(tracker)
        utter(dispatcher, reply, **values)
        return reset()

    async def reply(self, tracker: Tracker) -> tuple[Response, dict[str, Any]]:
        """The response to send and its variables."""
        identity = identity_of(tracker).identity
        if identity is None:
            return Response("utter_handoff_anonymous"), {}
        if tracker.get_slot("handoff_confirmed") == CANCELLED:
            return Response("utter_handoff_cancelled"), {}
        events = list(tracker.events)
        start = pending_start(events)
        if start is None:
            return Response("utter_handoff_nothing_pending"), {}
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
            return Response("utter_handoff_too_many"), {}
        except NotAllowed:
            return Response("utter_handoff_nobody"), {}
        except BackendUnavailable:
            return Response("utter_handoff_unavailable"), {}
        if not receipt.created:
            return Response("utter_handoff_already_sent"), {"id": receipt.id}
        sent = "utter_handoff_sent_to_erun" if receipt.recipient == "erun" else "utter_handoff_sent_to_school"
        return Response(sent), {"id": receipt.id, "school": phrasing.safe(receipt.school_name)}


class ActionHandoffCancel(Action):
    """« Non merci » / « Annuler » outside the form: nothing is sent."""

    def name(self) -> str:
        return "action_handoff_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_cancelled")
        return reset()


class ActionStaffRequests(Action):
    """« Quelles demandes ai-je reçues ? » (director: their school; ERUN: the circonscription)."""

    def name(self) -> str:
        return "action_staff_requests"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        identity = signed_in(tracker, dispatcher)
        if identity is None:
            return []
        try:
            requests = await call_backend(service().received_handoffs, identity, "ouverte", LIST_LIMIT)
        except NotAllowed:
            dispatcher.utter_message(response="utter_staff_not_a_reader")
            return []
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_live_unavailable")
            return []
        if not requests:
            dispatcher.utter_message(response="utter_staff_none_received")
            return []
        close_buttons = [
            {
                "title": staff.CLOSE_BUTTON.format(id=item.id),
                "payload": "/staff_close_request" + json.dumps({"request_id": str(item.id)}),
            }
            for item in requests[:LIST_LIMIT]
        ]
        dispatcher.utter_message(text=staff.received(requests), buttons=close_buttons)
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
            dispatcher.utter_message(response="utter_live_no_token")
        elif number is None:
            dispatcher.utter_message(response="utter_staff_which_request")
        else:
            try:
                closed = await call_backend(service().close_handoff, check.identity, number)
                dispatcher.utter_message(response="utter_staff_closed", id=closed.id)
            except NotAllowed:
                dispatcher.utter_message(response="utter_staff_close_refused", id=number)
            except BackendUnavailable:
                dispatcher.utter_message(response="utter_live_unavailable")
        return []
