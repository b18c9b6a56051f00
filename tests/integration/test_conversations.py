"""Whole conversations against the trained model and the real action server."""

from __future__ import annotations

import pytest

from bot.identity import mint_token
from tests.helpers.chat import Chat
from tests.helpers.secret import TEST_SECRET

pytestmark = pytest.mark.model


def token(login: str, role: str) -> dict:
    return {"ent_token": mint_token(login, role, secret=TEST_SECRET)}


async def test_greeting_question_answer_thanks(chat: Chat) -> None:
    greeting = await chat.say("bonjour")
    assert "assistant de l'ENT" in greeting[0]["text"]
    assert len(greeting[0]["buttons"]) >= 3

    answer = await chat.text("comment activer mon compte educonnect ?")
    assert "FranceConnect" in answer and "SMS" in answer and "Eduline" in answer

    thanks = await chat.text("merci beaucoup")
    assert "plaisir" in thanks or "prie" in thanks
    goodbye = await chat.text("au revoir")
    assert "revoir" in goodbye or "journée" in goodbye


async def test_greeting_button_gives_its_answer(chat: Chat) -> None:
    greeting = await chat.say("bonjour")
    button = next(b for b in greeting[0]["buttons"] if "EduConnect" in b["title"])
    answer = await chat.text(button["payload"])
    assert "FranceConnect" in answer


async def test_role_is_asked_then_remembered(chat: Chat) -> None:
    asked = await chat.say("j'ai oublié mon mot de passe")
    assert "Vous êtes" in asked[0]["text"]
    assert [b["title"] for b in asked[0]["buttons"]] == ["Parent", "Enseignant", "Directeur"]

    answer = await chat.text('/inform_role{"role":"parent"}')
    assert "parent" in answer and "Mot de passe oublié" in answer

    # Remembered: the next role-dependent question is answered at once.
    again = await chat.say("je ne vois pas mon enfant dans sa nouvelle classe")
    assert "Vous êtes" not in again[0]["text"]
    tracker = await chat.tracker()
    assert tracker.get_slot("role") == "parent"


async def test_director_gets_the_reissue_procedure(chat: Chat) -> None:
    await chat.say("je suis directrice")
    answer = await chat.text("un parent a perdu ses identifiants educonnect")
    assert "Eduline" in answer


async def test_signed_token_decides_the_role(agent) -> None:
    chat = Chat(agent, metadata=token("directeur.papillons", "directeur"))
    answer = await chat.text("j'ai perdu mon identifiant")
    assert "Vous êtes" not in answer and "Eduline" in answer
    said = await chat.text("je suis parent")
    assert "ne peut pas être changé" in said
    assert (await chat.tracker()).get_slot("role") == "directeur"


async def test_forged_token_is_no_token(agent) -> None:
    forged = {"ent_token": mint_token("directeur.papillons", "directeur", secret="not-the-secret" * 3)}
    chat = Chat(agent, metadata=forged)
    asked = await chat.text("j'ai perdu mon mot de passe")
    assert "Vous êtes" in asked


async def test_out_of_scope_is_polite_and_says_what_it_covers(chat: Chat) -> None:
    answer = await chat.text("quelles sont les notes de mon fils sur pronote ?")
    assert "EduConnect" in answer and "ENT" in answer
    menu = await chat.text("c'est quoi le menu de la cantine ?")
    assert "cantine" in menu and "FranceConnect" not in menu


async def test_did_you_mean_then_erun(chat: Chat) -> None:
    first = await chat.say("compte")
    assert first[0]["text"].startswith("Je ne suis pas sûr")
    titles = [b["title"] for b in first[0]["buttons"]]
    assert 2 <= len(titles) <= 4 and titles[-1] == "Autre chose"
    # A candidate button is understood like a typed question.
    chosen = await chat.text(first[0]["buttons"][0]["payload"])
    assert "Je ne suis pas sûr" not in chosen

    again = await chat.say("compte")
    assert again[0]["text"].startswith("Je ne suis pas sûr"), "an answer in between starts afresh"
    second = await chat.text("code")
    assert "ERUN" in second


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "😀😀😀",
        "🙂",
        "x" * 10_000,
        "bonjour " * 1500,
        "<img src=x onerror=alert(1)>",
        "'; DROP TABLE accounts; --",
        "\x00\x01\x02",
        "what is this website",
    ],
)
async def test_bad_input_gets_a_polite_answer(chat: Chat, message: str) -> None:
    replies = await chat.say(message)
    assert replies, "the assistant always answers"
    text = "\n".join(r.get("text") or "" for r in replies)
    assert text.strip()
    assert "<img" not in text and "DROP TABLE" not in text, "never echoes the input"
