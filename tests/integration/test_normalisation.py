"""Accents and case do not change what the assistant understands ("eleve" = "élève")."""

from __future__ import annotations

import pytest

from bot.knowledge_data import heldout_examples
from bot.nlu import chosen_answer
from bot.text import fold as plain  # lower case, no accents: how many people type on a phone

pytestmark = pytest.mark.model


def understood(parse: dict) -> tuple[str, str | None]:
    return parse["intent"]["name"], chosen_answer(parse)[0]


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Comment activer mon compte EduConnect ?", "comment activer mon compte educonnect"),
        ("Mon élève n'apparaît pas dans la classe", "mon eleve n'apparait pas dans la classe"),
        ("Où est l'aide EduConnect pour les parents ?", "ou est l'aide educonnect pour les parents"),
        ("Je n'ai pas reçu le code SMS", "je n'ai pas recu le code sms"),
        ("COMMENT BLOQUER LES ACCÈS DES ÉLÈVES ?", "comment bloquer les acces des eleves"),
    ],
)
async def test_accents_and_case_give_the_same_answer(agent, written: str, typed: str) -> None:
    assert understood(await agent.parse_message(written)) == understood(await agent.parse_message(typed))


async def test_heldout_questions_are_understood_alike_without_accents(agent) -> None:
    questions = [q for intent, qs in heldout_examples().items() if intent.startswith("faq/") for q in qs]
    changed = [q for q in questions if plain(q) != q]
    same = 0
    for question in changed:
        same += understood(await agent.parse_message(question)) == understood(
            await agent.parse_message(plain(question))
        )
    assert len(changed) > 100
    assert same / len(changed) >= 0.95
