"""Whole conversations: follow-ups understood in context, neighbouring topics declined, frustration.

The trained model and the real action server, as a person in the portal would chat.
"""

from __future__ import annotations

import pytest

from tests.helpers.chat import Chat

pytestmark = pytest.mark.model


async def test_still_nothing_after_the_sms_code_answer_gives_the_next_step(chat: Chat) -> None:
    answer = await chat.text("je ne reçois pas le code SMS pour activer EduConnect")
    assert "ONDE" in answer
    follow = await chat.text("toujours rien")
    assert "FranceConnect" in follow and "directeur" in follow
    assert "connectez-vous à l'ent" not in follow.lower()


async def test_it_still_does_not_work_twice_ends_with_a_person(chat: Chat) -> None:
    await chat.text("comment libérer de la place dans mon espace ?")
    first = await chat.text("ça ne marche pas")
    assert "quota" in first
    second = await chat.text("ça ne marche toujours pas")
    assert "directeur" in second or "ERUN" in second


async def test_and_for_a_teacher_gives_the_teachers_variation(chat: Chat) -> None:
    await chat.say("j'ai oublié mon mot de passe educonnect")
    await chat.text('/inform_role{"role":"parent"}')
    teacher = await chat.text("et pour un enseignant ?")
    assert "académiques" in teacher
    assert (await chat.tracker()).get_slot("role") == "parent", "asking for a teacher is not being one"


async def test_school_change_after_the_teachers_share_answer_is_the_teachers(chat: Chat) -> None:
    answer = await chat.text("comment garder un partage pour l'enseignant de l'an prochain ?")
    assert "droits de gestion" in answer
    follow = await chat.text("et si je change d'école ?")
    assert "Mes données" in follow and "EduConnect" not in follow


async def test_school_change_after_a_parents_answer_is_the_parents(chat: Chat) -> None:
    await chat.text("comment activer mon compte educonnect ?")
    follow = await chat.text("et si mon enfant change d'école ?")
    assert "compte EduConnect" in follow and "identifiant reste le même" in follow


@pytest.mark.parametrize("message", ["c'est nul ton truc", "vous ne servez à rien"])
async def test_frustration_gets_an_apology_and_a_person_without_buttons(chat: Chat, message: str) -> None:
    said = await chat.say(message)
    assert "désolé" in said[0]["text"] and "ERUN" in said[0]["text"]
    assert not any(m.get("buttons") for m in said)


async def test_it_does_not_work_with_no_context_is_an_apology_and_a_person(chat: Chat) -> None:
    said = await chat.say("ça ne marche pas")
    assert "désolé" in said[0]["text"] and not any(m.get("buttons") for m in said)


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("où voir le livret scolaire de ma fille avec mon compte EduConnect ?", "enseignant"),
        ("comment inscrire ma fille en sixième au collège ?", "collège"),
        ("comment faire les vœux d'affectation au lycée après la 3e ?", "collège"),
        ("comment valider les passages en fin d'année dans ONDE ?", "circonscription"),
        ("la cantine coûte combien ?", "mairie"),
    ],
)
async def test_neighbouring_topics_are_declined_with_where_to_go(
    chat: Chat, question: str, where: str
) -> None:
    answer = await chat.text(question)
    assert "ne font pas partie de ce que je connais" in answer or "ne fait pas partie" in answer
    assert where in answer


# --- replies the model alone reads as another question, understood in context (bot/nlu_followup.py)
async def test_still_no_code_after_the_sms_answer_is_the_next_step_not_the_same_answer(chat: Chat) -> None:
    answer = await chat.text("je ne reçois pas le code SMS pour activer EduConnect")
    follow = await chat.text("toujours pas de code")
    assert follow != answer
    assert "FranceConnect" in follow and "directeur" in follow


async def test_a_step_done_that_did_not_help_gets_the_next_step(chat: Chat) -> None:
    await chat.text("comment libérer de la place dans mon espace ?")
    follow = await chat.text("j'ai supprimé plein de fichiers, c'est toujours plein")
    assert "toujours plein après ce tri" in follow and "quota" in follow


async def test_and_a_teacher_how_does_he_activate_is_the_teachers_variation(chat: Chat) -> None:
    await chat.text("comment activer mon compte educonnect ?")
    follow = await chat.text("et un prof, il active comment ?")
    assert "enseignant" in follow.lower() and "académiques" in follow


async def test_a_new_question_after_an_answer_gets_its_own_answer(chat: Chat) -> None:
    await chat.text("je ne reçois pas le code SMS pour activer EduConnect")
    follow = await chat.text("comment garder un partage pour l'enseignant de l'an prochain ?")
    assert "droits de gestion" in follow
