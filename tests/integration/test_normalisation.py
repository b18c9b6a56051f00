"""Accents and case do not change what the assistant understands ("eleve" = "élève")."""

from __future__ import annotations

import unicodedata

import pytest

from bot.knowledge_data import heldout_examples

pytestmark = pytest.mark.model


def plain(text: str) -> str:
    """Lower case, accents stripped: how many people type on a phone."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def understood(parse: dict) -> tuple[str, str | None]:
    selectors = parse.get("response_selector") or {}
    selector = selectors.get("faq") or selectors.get("default") or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return parse["intent"]["name"], key


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
