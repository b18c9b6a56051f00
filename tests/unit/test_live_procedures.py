"""The live action -> guide procedure mapping: every answer it names exists in the domain Rasa builds."""

from __future__ import annotations

import pytest

from actions.live import LiveAction
from actions.phrasing import procedures as guide
from bot.identity import SETTABLE_ROLES
from bot.knowledge_data import answers, training_examples
from bot.paths import ROOT
from bot.titles import answer_title
from tests.action_helper import said


def live_action_names() -> set[str]:
    """The names of every live question's action."""
    return {cls().name() for cls in LiveAction.__subclasses__()}


def test_every_live_question_has_its_procedure() -> None:
    assert set(guide.PROCEDURES) == live_action_names()
    assert len(guide.PROCEDURES) == 8


@pytest.mark.parametrize("key", sorted(guide.guide_keys()))
def test_every_key_is_a_guide_answer_with_a_title(key: str) -> None:
    assert key in answers(), f"utter_faq/{key} is not among the guide's responses"
    assert answer_title(key), f"no button title for {key}"
    (button,) = guide.guide_buttons([key])
    assert button["title"] == answer_title(key)
    # A click is understood like a typed question: the payload is an example of this very answer.
    assert button["payload"] in training_examples()[f"faq/{key}"]


@pytest.mark.parametrize("action", sorted(guide.PROCEDURES))
def test_roles_are_known_roles(action: str) -> None:
    procedure = guide.PROCEDURES[action]
    assert procedure.roles <= set(SETTABLE_ROLES)
    assert procedure.after_refusal <= procedure.roles


def test_rasa_puts_every_key_in_the_domain_the_actions_render_from() -> None:
    """Rasa merges data/nlu/responses into the domain: a response an action names must be there.

    Rasa silently drops a `response=` it cannot find (RemoteAction skips an empty draft).
    """
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    responses = importer.get_domain().responses
    for key in guide.guide_keys():
        assert responses.get(f"utter_faq/{key}"), key


def test_notes_are_short_clean_french() -> None:
    for name in (guide.SIGN_IN_NOTE, guide.FOR_DIRECTION):
        text = said(name)
        assert len(text) <= 120 and "{" not in text and " tu " not in f" {text} "
    assert "connectez-vous à l'ENT" in said(guide.SIGN_IN_NOTE)
