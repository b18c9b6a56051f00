"""Live questions in whole conversations: trained model, real action server, tokens in the metadata."""

from __future__ import annotations

import time

import jwt
import pytest

from actions.phrasing import procedures as guide
from bot.identity import mint_token
from tests.action_helper import said
from tests.helpers.chat import Chat
from tests.helpers.secret import TEST_SECRET

pytestmark = [pytest.mark.model, pytest.mark.asyncio]


def token(login: str, role: str) -> dict:
    return {"ent_token": mint_token(login, role, secret=TEST_SECRET)}


DIRECTOR = token("directeur.papillons", "directeur")
PARENT = token("parent.papillons", "parent")


async def test_director_gets_the_live_cp_answer_and_the_parent_is_refused(agent, ent_env) -> None:
    director = await Chat(agent, DIRECTOR).text("la classe de CP a-t-elle des élèves ?")
    assert "« CP »" in director and "aucun élève" in director
    parent = await Chat(agent, PARENT).text("la classe de CP a-t-elle des élèves ?")
    assert said("utter_live_refused") in parent and "aucun élève" not in parent


async def test_without_token_a_director_question_gets_the_guide_then_the_sign_in_note(agent, ent_env) -> None:
    answer = await Chat(agent).text("/live_access_blocked")
    assert answer.startswith(said("utter_live_for_direction"))
    assert "« Blocage en lot »" in answer and "Débloquer" in answer  # utter_faq/bloquer_acces, rendered
    assert answer.endswith(said("utter_live_sign_in_note")) and said("utter_live_no_token") not in answer


async def test_anonymous_parent_whose_child_is_not_attached_gets_the_procedure(agent, ent_env) -> None:
    """Issue 8, group 5: « mon enfant n'est pas rattaché à mon compte » used to get only NO_TOKEN."""
    messages = await Chat(agent).say("mon enfant n'est pas rattaché à mon compte")
    answer = "\n".join(m.get("text") or "" for m in messages)
    assert "confirmez sa date de naissance" in answer and "procédure manuelle" in answer
    assert answer.endswith(said("utter_live_sign_in_note")) and "Emma" not in answer
    titles = [b["title"] for m in messages for b in m.get("buttons") or []]
    assert titles == ["Un de mes enfants manque dans mon compte"]


async def test_anonymous_class_question_asks_the_role_then_gives_that_roles_procedure(agent, ent_env) -> None:
    chat = Chat(agent)
    asked = await chat.say("la classe de CP a-t-elle des élèves ?")
    shown = "\n".join(m.get("text") or "" for m in asked)
    assert "La réponse dépend de votre situation" in shown and shown.endswith(said("utter_live_sign_in_note"))
    assert "De quelle classe" not in shown and said("utter_live_no_token") not in shown
    director = next(b for m in asked for b in m.get("buttons") or [] if b["title"] == "Directeur")
    answer = await chat.text(director["payload"])
    assert "« Ajouter une classe »" in answer  # utter_faq/classes_manquantes, director's variation


async def test_logged_in_parent_gets_the_live_answer_and_a_button_to_the_procedure(agent, ent_env) -> None:
    chat = Chat(agent, PARENT)
    messages = await chat.say("mon enfant n'est pas rattaché à mon compte")
    answer = "\n".join(m.get("text") or "" for m in messages)
    assert (
        "**Hugo**" in answer and "pas encore fait" in answer and said("utter_live_sign_in_note") not in answer
    )
    (button,) = [b for m in messages for b in m.get("buttons") or []]
    assert button["title"] == "Rattacher mes enfants à mon compte"
    procedure = await chat.text(button["payload"])
    assert "Lors de votre **première connexion** à EduConnect" in procedure


async def test_forged_and_expired_tokens(agent, ent_env) -> None:
    forged = {"ent_token": mint_token("directeur.papillons", "directeur", secret="x" * 48)}
    assert said("utter_live_token_invalid") in await Chat(agent, forged).text("/live_gar_group")
    now = int(time.time())
    expired = jwt.encode(
        {"sub": "directeur.papillons", "role": "directeur", "iat": now - 99, "exp": now - 9},
        TEST_SECRET,
        algorithm="HS256",
    )
    assert said("utter_live_token_expired") in await Chat(agent, {"ent_token": expired}).text(
        "/live_gar_group"
    )


async def test_class_buttons_then_answer(agent, ent_env) -> None:
    chat = Chat(agent, DIRECTOR)
    asked = await chat.say("/live_class_pupils")
    buttons = [b for m in asked for b in m.get("buttons") or []]
    assert [b["title"] for b in buttons] == ["PS-MS", "GS", "CP", "CE1", "CE2-CM1", "CM2"]
    ce1 = next(b for b in buttons if b["title"] == "CE1")
    answer = await chat.text(ce1["payload"])
    assert "La classe « CE1 »" in answer and "Nadia Benali" in answer


async def test_namesakes_are_told_apart_by_buttons(agent, ent_env) -> None:
    chat = Chat(agent, DIRECTOR)
    asked = await chat.say('/live_parent_activation{"parent_name": "Lefebvre"}')
    assert said("utter_live_which_namesake") in "\n".join(m.get("text") or "" for m in asked)
    buttons = [b for m in asked for b in m.get("buttons") or []]
    assert len(buttons) == 2
    julien = next(b for b in buttons if b["title"].startswith("Julien Lefebvre"))
    answer = await chat.text(julien["payload"])
    assert "Julien Lefebvre a activé son compte EduConnect **par SMS**" in answer


async def test_saying_i_am_director_changes_nothing(agent, ent_env) -> None:
    chat = Chat(agent, PARENT)
    await chat.say("je suis directeur")
    assert said("utter_live_refused") in await chat.text("/live_access_blocked")
    children = await chat.text("/live_my_children")
    assert "Emma" in children and "Hugo" in children


async def test_giving_up_a_form(agent, ent_env) -> None:
    chat = Chat(agent, DIRECTOR)
    await chat.say("/live_parent_activation")
    assert said("utter_live_stopped") in await chat.text("/deny")


async def test_every_button_to_the_guide_leads_to_its_answer(agent, ent_env) -> None:
    """Each pointer sends a text the trained model reads as that very answer of the guide."""
    for key in sorted(guide.guide_keys()):
        (button,) = guide.guide_buttons([key])
        chat = Chat(agent)
        await chat.say(button["payload"])
        events = (await chat.tracker()).events
        uttered = [e.metadata.get("utter_action") for e in events if e.type_name == "bot"]
        assert uttered and uttered[-1] == f"utter_faq/{key}", (key, uttered)
