"""People's names read by spaCy's French recogniser, and the parent names the live form searches."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.training_data.message import Message

from actions.forms import names_in
from bot.nlu import PERSON_ENTITY
from bot.nlu_french import french_pipeline
from bot.nlu_names import PersonNames
from bot.nlu_second_opinion import SecondOpinion
from tests.action_helper import create_tracker, entity

CONFIG = {"model": "fr_core_news_md", "intents": ["live_parent_activation", "live_inform"]}


@pytest.fixture(scope="module")
def names() -> PersonNames:
    return PersonNames.create(CONFIG, None, None, None)  # type: ignore[arg-type]


def parsed(text: str, intent: str, entities: list[dict[str, Any]] | None = None) -> Message:
    return Message(
        data={"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities or []}
    )


def people(message: Message) -> list[str]:
    return [e["value"] for e in message.get("entities") if e["entity"] == PERSON_ENTITY]


def test_the_pipeline_is_shared_with_the_lemmas_and_has_no_parser(names: PersonNames) -> None:
    second = SecondOpinion({"lemmas": "fr_core_news_md"}, None, None)  # type: ignore[arg-type]
    assert names._nlp is french_pipeline("fr_core_news_md")
    assert second.nlp is names._nlp
    assert names._nlp.pipe_names == ["tok2vec", "morphologizer", "attribute_ruler", "lemmatizer", "ner"]


def test_a_whole_unseen_name_is_found_with_its_offsets(names: PersonNames) -> None:
    text = "Est-ce que Rachid Amrani a activé son compte EduConnect ?"
    [message] = names.process([parsed(text, "live_parent_activation")])
    [person] = [e for e in message.get("entities") if e["entity"] == PERSON_ENTITY]
    assert person["value"] == "Rachid Amrani"
    assert text[person["start"] : person["end"]] == "Rachid Amrani"
    assert person["extractor"] == "PersonNames"


def test_the_child_and_the_parent_are_both_found_in_order(names: PersonNames) -> None:
    [message] = names.process(
        [parsed("Le papa d'Inès, Youssef Benali, a-t-il activé ?", "live_parent_activation")]
    )
    assert people(message)[-1] == "Youssef Benali"


def test_a_guide_question_is_not_read(names: PersonNames) -> None:
    [message] = names.process([parsed("Est-ce que Rachid Amrani doit activer EduConnect ?", "faq")])
    assert people(message) == []


def test_a_message_where_diet_saw_a_parent_name_is_read(names: PersonNames) -> None:
    diet = [entity("parent_name", "Amrani")]
    [message] = names.process([parsed("Est-ce que Rachid Amrani a un compte ?", "faq", diet)])
    assert people(message) == ["Rachid Amrani"]
    assert [e["entity"] for e in message.get("entities")] == ["parent_name", PERSON_ENTITY]


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "'; DROP TABLE ent_parents; --", "<b>x</b>" * 400])
def test_odd_messages_name_nobody(names: PersonNames, text: str) -> None:
    [message] = names.process([parsed(text, "live_inform")])
    assert people(message) == []
    assert message.get("text") == text


def test_a_name_beside_markup_is_found_as_typed(names: PersonNames) -> None:
    text = "<script>alert(1)</script> Rachid Amrani"
    [message] = names.process([parsed(text, "live_inform")])
    assert people(message) == ["Rachid Amrani"]


def test_the_form_searches_spacys_last_person_first_then_diet_then_capitals() -> None:
    tracker = create_tracker(
        intent="live_parent_activation",
        text="Dites-moi si Antoine Rousseau a activé son compte",
        entities=[entity("parent_name", "Rousseau"), entity(PERSON_ENTITY, "Antoine Rousseau")],
    )
    assert names_in(tracker) == ["Antoine Rousseau", "Rousseau", "Dites-moi Antoine Rousseau"]


def test_the_form_searches_each_name_once() -> None:
    tracker = create_tracker(
        intent="live_parent_activation",
        text="Julien Mercier a activé ?",
        entities=[entity("parent_name", "Julien Mercier"), entity(PERSON_ENTITY, "Julien Mercier")],
    )
    assert names_in(tracker) == ["Julien Mercier"]
