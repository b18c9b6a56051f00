"""The knowledge base is complete, consistent and clean (no training needed)."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.knowledge_data import answers, heldout_examples, neighbours, training_examples
from bot.paths import ROOT
from bot.text import fold
from bot.titles import load_titles

ROLES = ("parent", "enseignant", "directeur")
KEYS = sorted(answers())
# Words the OCR of the guide damages; none may reach an answer.
OCR_DAMAGE = [
    "ukilisateur",
    "cliguer",
    "edquconnect",
    "equconnect",
    "adwin",
    "avkre",
    "donkt",
    "mammtenir",
    "prochawne",
    "manvel",
    "bloguer",
    "ecablissement",
    "ebdblissement",
    "rentree 1003",
    "l0l2",
    "sovhaitez",
    "favor de",
    "lent ",
    " 51 vous",
    "dlimentation",
]


def role_values(variations: list[dict]) -> list[object]:
    values = []
    for variation in variations:
        for condition in variation.get("condition") or []:
            if condition.get("name") == "role":
                values.append(condition.get("value"))
    return values


def test_there_are_answers_for_every_topic_of_the_issue() -> None:
    assert len(KEYS) >= 44
    for key in ("activer_educonnect", "liberer_espace", "bloquer_acces", "identifiants_oublies"):
        assert key in KEYS


@pytest.mark.parametrize("key", KEYS)
def test_every_answer_has_training_heldout_and_title(key: str) -> None:
    assert len(training_examples().get(f"faq/{key}", [])) >= 15
    assert len(heldout_examples().get(f"faq/{key}", [])) >= 6  # issue 8: at least 6 per answer
    title = load_titles().get(key)
    assert title and len(title) <= 45


def test_every_live_question_has_six_heldout_questions() -> None:
    trained_live = {k for k in training_examples() if k.startswith("live_") and k != "live_inform"}
    assert len(trained_live) == 8
    short = {k: len(heldout_examples().get(k, [])) for k in trained_live}
    assert {k: n for k, n in short.items() if n < 6} == {}


@pytest.mark.parametrize("key", KEYS)
def test_answer_has_a_text_for_every_role(key: str) -> None:
    """A role-dependent answer: one text per role, one asking the role, one general."""
    variations = answers()[key]
    values = role_values(variations)
    unconditioned = [v for v in variations if not v.get("condition")]
    assert unconditioned, "every answer needs a text for any profile"
    if values:
        assert set(ROLES) <= set(values)
        assert None in values, "a role-dependent answer asks the role when unknown"
        asking = next(v for v in variations if None in role_values([v]))
        payloads = [b["payload"] for b in asking["buttons"]]
        # Doubled braces: Rasa's response interpolator reads {...} as a slot placeholder
        # (and logs an ERROR); {{...}} comes out as the single-brace intent payload.
        assert payloads == [f'/inform_role{{{{"role":"{r}"}}}}' for r in ROLES]
    else:
        assert len(variations) == 1


@pytest.mark.parametrize("key", KEYS)
def test_answers_are_clean_french(key: str) -> None:
    for variation in answers()[key]:
        text = variation["text"]
        folded = fold(text)
        for damage in OCR_DAMAGE:
            assert damage not in folded, f"OCR damage {damage!r} in {key}"
        assert "{" not in text and "}" not in text, "braces would be read as slot templates"
        assert not re.search(r"\b20\d\d\b", text), "no fixed year: the calendar repeats"
        assert "tu " not in f" {folded} ".replace("\n", " ") or "vous" in folded


def test_titles_are_training_examples_of_their_answer() -> None:
    """A "Vouliez-vous dire" button sends its title: it must lead to its own answer."""
    for key in KEYS:
        assert load_titles()[key] in training_examples()[f"faq/{key}"], key


def test_heldout_never_appears_in_training() -> None:
    trained = {fold(e) for examples in training_examples().values() for e in examples}
    leaked = [e for ex in heldout_examples().values() for e in ex if fold(e) in trained]
    assert leaked == []


def test_heldout_intents_exist_in_training() -> None:
    """Neighbouring topics are held out by retrieval intent only (any topic's answer declines)."""
    trained = set(training_examples()) | {intent.split("/")[0] for intent in training_examples()}
    assert set(heldout_examples()) <= trained


# --- neighbouring topics -----------------------------------------------------------
NEIGHBOUR_KEYS = sorted(neighbours())


def test_neighbouring_topics_cover_the_issue_and_have_60_heldout_questions() -> None:
    for key in ("livret_scolaire", "college", "orientation_affectation", "inscription_6e", "onde_fin_annee"):
        assert key in NEIGHBOUR_KEYS
    assert len(heldout_examples()["hors_champ"]) >= 60
    trained = {f"hors_champ/{key}" for key in NEIGHBOUR_KEYS}
    assert {i for i in training_examples() if i.startswith("hors_champ/")} == trained


@pytest.mark.parametrize("key", NEIGHBOUR_KEYS)
def test_neighbouring_topic_says_where_to_go_in_clean_french(key: str) -> None:
    assert len(training_examples()[f"hors_champ/{key}"]) >= 10
    (variation,) = neighbours()[key]
    folded = fold(variation["text"])
    assert "ne font pas partie de ce que je connais" in folded or "ne fait pas partie" in folded
    assert any(w in folded for w in ("voyez avec", "adressez-vous", "prevenez")), "where to go"
    assert "{" not in folded and "tu " not in f" {folded} "


def test_no_example_is_labelled_twice() -> None:
    seen: dict[str, str] = {}
    for intent, examples in training_examples().items():
        for example in examples:
            assert seen.setdefault(fold(example), intent) == intent, example


def test_domain_buttons_lead_to_known_answers() -> None:
    """Greeting buttons send a title: it must be the title of an answer."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    titles = set(load_titles().values())
    for name, variations in domain["responses"].items():
        for variation in variations:
            for button in variation.get("buttons") or []:
                if not button["payload"].startswith("/"):
                    assert button["payload"] in titles, (name, button)
