"""The hand-off to a person: offer, sentence, confirmation, storage, staff questions."""

from __future__ import annotations

import pytest

from actions.answers import ActionDidYouMean
from actions.handoff import (
    ActionAskHandoffConfirmed,
    ActionComplaint,
    ActionHandoffOffer,
    ActionHandoffSubmit,
    ActionStaffCloseRequest,
    ActionStaffRequests,
    ValidateHandoffForm,
    unanswered_questions,
)
from bot.ent import models as m
from tests.action_helper import buttons_of, create_tracker, run_action, said, slot_values, texts_of
from tests.helpers.live import demo_service, live_backend, metadata_for, who

pytestmark = pytest.mark.asyncio


@pytest.fixture()
def backend():
    """A fresh backend per test: requests stored by one test do not leak into another."""
    with live_backend(demo_service()) as service:
        yield service


def user(text: str, intent: str, at: float) -> dict:
    return {"event": "user", "text": text, "timestamp": at, "parse_data": {"intent": {"name": intent}}}


def action(name: str) -> dict:
    return {"event": "action", "name": name}


# A parent's conversation: one answer, then two misunderstandings, then « Transmettre ».
CONVERSATION = [
    user("comment activer educonnect ?", "faq", 1.0),
    action("utter_faq"),
    {"event": "bot", "text": "Trois méthodes", "metadata": {"utter_action": "utter_faq/activer_educonnect"}},
    user("le truc bleu de Nadia Benali marche pas", "nlu_fallback", 2.0),
    action("action_did_you_mean"),
    user("mon code 06 12 34 56 78 est refusé", "nlu_fallback", 3.0),
    action("action_did_you_mean"),
]
START = user("/handoff_start", "handoff_start", 4.0)


def tracker_for(
    login: str | None, role: str | None, intent: str, events=(), slots=None, text="", sender="conv-1"
):
    metadata = metadata_for(login, role) if login else {}
    return create_tracker(
        sender_id=sender, intent=intent, text=text, metadata=metadata, events=list(events), slots=slots or {}
    )


async def test_second_misunderstanding_offers_a_parent_to_reach_the_direction(backend) -> None:
    tracker = tracker_for("parent.papillons", "parent", "nlu_fallback", CONVERSATION[:6])
    messages, _ = await run_action(ActionDidYouMean(), tracker, {})
    assert "Je n'arrive pas à trouver la réponse à votre question, désolé." in texts_of(
        messages
    ) and "École des Papillons" in texts_of(messages)
    assert [b["title"] for b in buttons_of(messages)] == [
        "Transmettre ma question à la direction de l'école",
        "Non merci",
    ]
    assert buttons_of(messages)[0]["payload"] == "/handoff_start"


async def test_a_director_is_offered_the_erun(backend) -> None:
    messages, _ = await run_action(
        ActionHandoffOffer(), tracker_for("directeur.papillons", "directeur", "handoff_request")
    )
    assert buttons_of(messages)[0]["title"] == "Transmettre à l'ERUN de la circonscription"
    assert "ERUN" in texts_of(messages)


async def test_anonymous_visitors_are_told_how_to_reach_the_school_and_nothing_is_stored(backend) -> None:
    messages, _ = await run_action(
        ActionDidYouMean(), tracker_for(None, None, "nlu_fallback", CONVERSATION[:6]), {}
    )
    assert texts_of(messages) == said("utter_contact_erun") and not buttons_of(messages)
    messages, _ = await run_action(ActionHandoffOffer(), tracker_for(None, None, "handoff_request"))
    assert "adressez-vous directement à l'école" in texts_of(messages) and not buttons_of(messages)
    messages, _ = await run_action(
        ActionHandoffSubmit(), tracker_for(None, None, "handoff_confirm", [*CONVERSATION, START])
    )
    assert "Rien de ce que vous avez écrit n'a été transmis" in texts_of(messages)
    with backend._factory() as session:
        assert session.query(m.HandoffRequest).count() == 0


async def test_the_form_keeps_the_sentence_then_the_button_confirms(backend) -> None:
    login, role = "parent.papillons", "parent"
    events = await run_action(
        ValidateHandoffForm(), tracker_for(login, role, "handoff_start", text="/handoff_start")
    )
    assert slot_values(events[1]) == {"handoff_note": None, "handoff_confirmed": None}
    typed = tracker_for(
        login, role, "faq", text="c'est pour  ma fille en CE1", slots={"requested_slot": "handoff_confirmed"}
    )
    _, events = await run_action(ValidateHandoffForm(), typed)
    assert slot_values(events) == {"handoff_note": "c'est pour ma fille en CE1", "handoff_confirmed": None}
    asked, _ = await run_action(
        ActionAskHandoffConfirmed(), tracker_for(login, role, "faq", slots={"handoff_note": "x"})
    )
    assert "votre phrase accompagnera la demande" in texts_of(asked)
    assert [b["payload"] for b in buttons_of(asked)] == ["/handoff_confirm", "/handoff_cancel"]
    _, events = await run_action(ValidateHandoffForm(), tracker_for(login, role, "handoff_confirm"))
    assert slot_values(events) == {"handoff_confirmed": "oui"}


async def test_confirming_stores_one_request_and_says_who_reads_it(backend) -> None:
    events = [*CONVERSATION, START]
    slots = {"handoff_note": "merci", "handoff_confirmed": "oui"}
    tracker = tracker_for("parent.papillons", "parent", "handoff_confirm", events, slots)
    messages, returned = await run_action(ActionHandoffSubmit(), tracker)
    answer = texts_of(messages)
    assert (
        "C'est transmis (demande n° 1)" in answer
        and "La direction de l'école (École des Papillons)" in answer
    )
    assert "en dehors de l'assistant" in answer
    assert slot_values(returned) == {"handoff_note": None, "handoff_confirmed": None}
    # A double click, then a retry of the same message: the same request, nothing new stored.
    for _ in range(2):
        messages, _ = await run_action(
            ActionHandoffSubmit(), tracker_for("parent.papillons", "parent", "handoff_confirm", events)
        )
        assert (
            texts_of(messages) == "Cette demande est déjà transmise (demande n° 1) : inutile de la renvoyer."
        )
    [request] = backend.received_handoffs(who("directeur.papillons", "directeur"))
    assert request.note == "merci" and request.last_answer_key == "activer_educonnect"
    joined = " ".join(request.questions)
    assert "le truc bleu de [nom] marche pas" in joined and "[téléphone]" in joined
    assert "Benali" not in joined and "06 12" not in joined
    assert "comment activer educonnect" not in joined  # that one was answered


async def test_a_new_offer_in_the_same_conversation_is_a_new_request(backend) -> None:
    first = [*CONVERSATION, START]
    second = [
        *first,
        action("action_handoff_submit"),
        user("autre souci", "nlu_fallback", 5.0),
        user("/handoff_start", "handoff_start", 6.0),
    ]
    for events in (first, second):
        messages, _ = await run_action(
            ActionHandoffSubmit(), tracker_for("parent.papillons", "parent", "handoff_confirm", events)
        )
        assert "C'est transmis" in texts_of(messages)


async def test_cancel_stores_nothing(backend) -> None:
    tracker = tracker_for(
        "parent.papillons",
        "parent",
        "handoff_cancel",
        [*CONVERSATION, START],
        {"handoff_confirmed": "annule"},
    )
    messages, _ = await run_action(ActionHandoffSubmit(), tracker)
    assert texts_of(messages) == "D'accord, je ne transmets rien. Puis-je vous aider autrement ?"
    cancelled = [*CONVERSATION, START, {"event": "slot", "name": "handoff_confirmed", "value": "annule"}]
    messages, _ = await run_action(
        ActionHandoffSubmit(), tracker_for("parent.papillons", "parent", "handoff_confirm", cancelled)
    )
    assert "Je n'ai pas de demande en attente d'envoi" in texts_of(messages)
    assert backend.received_handoffs(who("directeur.papillons", "directeur")) == []


async def test_the_sixth_open_request_is_refused_politely(backend) -> None:
    for n in range(5):
        backend.submit_handoff(who("parent.papillons", "parent"), f"old{n}", ["q"])
    messages, _ = await run_action(
        ActionHandoffSubmit(),
        tracker_for("parent.papillons", "parent", "handoff_confirm", [*CONVERSATION, START]),
    )
    assert "Vous avez déjà 5 demandes en attente de réponse" in texts_of(messages)


async def test_staff_list_and_close_in_chat(backend) -> None:
    sent = backend.submit_handoff(
        who("parent.papillons", "parent"), "s1", ["<img src=x onerror=alert(1)> **gras**"]
    )
    director = ("directeur.papillons", "directeur")
    messages, _ = await run_action(ActionStaffRequests(), tracker_for(*director, "staff_requests"))
    answer = texts_of(messages)
    assert f"Demande n° {sent.id}" in answer and "Sophie Lambert" in answer
    assert "<img" not in answer and "&lt;img" in answer and "\\*\\*gras" in answer
    assert buttons_of(messages)[0]["payload"] == f'/staff_close_request{{"request_id": "{sent.id}"}}'
    closing = tracker_for(*director, "staff_close_request", text=f"la demande {sent.id} est traitée")
    messages, _ = await run_action(ActionStaffCloseRequest(), closing)
    assert texts_of(messages) == f"La demande n° {sent.id} est marquée comme traitée. Merci !"
    messages, _ = await run_action(ActionStaffRequests(), tracker_for(*director, "staff_requests"))
    assert texts_of(messages) == "Vous n'avez aucune demande en attente. Bonne nouvelle !"


async def test_unanswered_questions_are_the_failures_and_the_last_question() -> None:
    events = [*CONVERSATION, user("ça ne m'aide pas", "handoff_request", 3.5)]
    assert unanswered_questions(events) == [
        "le truc bleu de Nadia Benali marche pas",
        "mon code 06 12 34 56 78 est refusé",
    ]
    answered = [*CONVERSATION[:3], user("ça ne m'aide pas", "handoff_request", 1.5)]
    assert unanswered_questions(answered) == ["comment activer educonnect ?"]


async def test_action_server_registers_every_handoff_action_of_the_domain() -> None:
    import yaml
    from rasa_sdk.executor import ActionExecutor

    from bot.paths import ROOT

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    wanted = {a for a in domain["actions"] if "handoff" in a or "staff" in a}
    executor = ActionExecutor()
    executor.register_package("actions")
    assert len(wanted) == 7 and wanted <= set(executor.actions)
    assert "handoff_form" in domain["forms"]


async def test_a_complaint_gets_an_apology_and_logged_in_the_offer(backend) -> None:
    messages, _ = await run_action(ActionComplaint(), tracker_for(None, None, "complaint", text="c'est nul"))
    assert [m.get("response") for m in messages] == ["utter_complaint"] and not buttons_of(messages)
    messages, _ = await run_action(
        ActionComplaint(), tracker_for("parent.papillons", "parent", "complaint", text="c'est nul")
    )
    assert "désolé" in texts_of(messages) and "École des Papillons" in texts_of(messages)
    assert [b["title"] for b in buttons_of(messages)] == [
        "Transmettre ma question à la direction de l'école",
        "Non merci",
    ]
