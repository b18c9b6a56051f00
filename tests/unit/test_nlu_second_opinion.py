"""A second model rescues the fallbacks it agrees with and vetoes the doubtful answers it does not share."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu_second_opinion import SecondOpinion, fold

# Each label's examples share words the others lack, so the second model is sure of them.
EXAMPLES = {
    "faq/code_sms": ["je ne reçois pas le code SMS", "code SMS jamais reçu", "pas de SMS avec le code"],
    "faq/quota": ["mon espace de stockage est plein", "stockage plein", "plus de place de stockage"],
    "hors_champ/cantine": ["inscription à la cantine", "menu de la cantine", "tarif cantine"],
    "out_of_scope": ["quel temps fera-t-il demain", "la météo de demain", "il fera beau demain ?"],
    "live_class_pupils": [
        "combien d'élèves dans la classe",
        "élèves de la classe",
        "la classe a des élèves ?",
    ],
    "greet": ["bonjour", "salut", "bonsoir"],
}
LIVE = ["live_class_pupils"]


def training_data() -> TrainingData:
    messages = []
    for label, texts in EXAMPLES.items():
        intent, _, key = label.partition("/")
        for text in texts:
            data = {TEXT: text, INTENT: intent}
            if key:
                data[INTENT_RESPONSE_KEY] = label
            messages.append(Message(data=data))
    return TrainingData(training_examples=messages)


CONTEXT = ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def component(tmp_path_factory: pytest.TempPathFactory) -> SecondOpinion:
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    created = SecondOpinion.create({"also_for": LIVE}, storage, Resource("second"), CONTEXT)
    created.train(training_data())
    return created


def message(
    text: str, intent: str, ranking: list[tuple[str, float]], answers: list[tuple[str, float]]
) -> Message:
    """A parse as the pipeline leaves it before the second opinion."""
    selector_ranking = [{"intent_response_key": key, "confidence": c} for key, c in answers]
    best = selector_ranking[0] if selector_ranking else {}
    return Message(
        data={
            TEXT: text,
            "intent": {"name": intent, "confidence": ranking[0][1] if ranking else 0.0},
            "intent_ranking": [{"name": name, "confidence": c} for name, c in ranking],
            "response_selector": {
                "default": {
                    "response": {
                        "intent_response_key": best.get("intent_response_key"),
                        "confidence": best.get("confidence", 0.0),
                    },
                    "ranking": selector_ranking,
                }
            },
        }
    )


def intent_of(message: Message) -> str:
    return str(message.get("intent")["name"])


def test_fold_removes_accents_and_case() -> None:
    assert fold("Élève À l'ÉCOLE") == "eleve a l'ecole"


def test_a_fallback_both_models_agree_on_is_answered(component: SecondOpinion) -> None:
    msg = message(
        "le code SMS n'arrive pas",
        "nlu_fallback",
        [("nlu_fallback", 0.2), ("faq", 0.9)],
        [("faq/code_sms", 0.2), ("faq/quota", 0.15)],
    )
    component.process([msg])
    assert intent_of(msg) == "faq"
    assert msg.get("intent")["confidence"] == 0.9  # the classifier's own confidence


def test_a_neighbouring_topic_rescued_is_said_under_its_own_key(component: SecondOpinion) -> None:
    msg = message(
        "le menu de la cantine",
        "nlu_fallback",
        [("nlu_fallback", 0.3), ("hors_champ", 0.8)],
        [("hors_champ/cantine", 0.2), ("faq/quota", 0.1)],
    )
    component.process([msg])
    assert intent_of(msg) == "hors_champ"
    assert (
        msg.get("response_selector")["hors_champ"]["response"]["intent_response_key"] == "hors_champ/cantine"
    )


def test_a_fallback_the_models_disagree_on_stays_a_fallback(component: SecondOpinion) -> None:
    msg = message(
        "stockage plein",
        "nlu_fallback",
        [("nlu_fallback", 0.2), ("faq", 0.9)],
        [("faq/code_sms", 0.2), ("faq/quota", 0.15)],
    )
    component.process([msg])
    assert intent_of(msg) == "nlu_fallback"


def test_a_word_or_two_stays_a_question_back(component: SecondOpinion) -> None:
    msg = message("code SMS", "nlu_fallback", [("nlu_fallback", 0.2), ("faq", 0.9)], [("faq/code_sms", 0.2)])
    component.process([msg])
    assert intent_of(msg) == "nlu_fallback"


def test_a_fallback_of_a_conversation_intent_is_not_rescued(component: SecondOpinion) -> None:
    msg = message(
        "le code SMS", "nlu_fallback", [("nlu_fallback", 0.3), ("greet", 0.5)], [("faq/code_sms", 0.2)]
    )
    component.process([msg])
    assert intent_of(msg) == "nlu_fallback"


def test_a_doubtful_answer_the_second_model_does_not_share_is_vetoed(component: SecondOpinion) -> None:
    msg = message("stockage plein", "faq", [("faq", 1.0)], [("faq/code_sms", 0.5), ("faq/quota", 0.3)])
    component.process([msg])
    assert intent_of(msg) == "nlu_fallback"
    # The ranking is kept, so "Vouliez-vous dire" offers both answers.
    keys = [r["intent_response_key"] for r in msg.get("response_selector")["default"]["ranking"]]
    assert keys == ["faq/code_sms", "faq/quota"]


def test_a_sure_answer_or_a_shared_one_is_kept(component: SecondOpinion) -> None:
    sure = message("stockage plein", "faq", [("faq", 1.0)], [("faq/code_sms", 0.7)])
    shared = message("stockage plein", "faq", [("faq", 1.0)], [("faq/quota", 0.3)])
    component.process([sure, shared])
    assert intent_of(sure) == "faq"
    assert intent_of(shared) == "faq"


def test_two_declines_never_veto_each_other(component: SecondOpinion) -> None:
    msg = message("la météo de demain", "hors_champ", [("hors_champ", 0.9)], [("hors_champ/cantine", 0.3)])
    component.process([msg])
    assert intent_of(msg) == "hors_champ"


def test_a_doubtful_live_question_is_checked_and_other_intents_are_not(component: SecondOpinion) -> None:
    live = message("stockage plein", "live_class_pupils", [("live_class_pupils", 0.5)], [("faq/quota", 0.9)])
    greet = message("stockage plein", "greet", [("greet", 0.5)], [("faq/quota", 0.9)])
    component.process([live, greet])
    assert intent_of(live) == "nlu_fallback"
    assert intent_of(greet) == "greet"


def test_a_message_without_letters_is_left_to_the_guard(component: SecondOpinion) -> None:
    msg = message("🙂🙂", "nlu_fallback", [("nlu_fallback", 1.0), ("faq", 0.9)], [("faq/code_sms", 0.2)])
    component.process([msg])
    assert intent_of(msg) == "nlu_fallback"


def test_the_model_is_saved_and_loaded_with_the_assistant(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("second")
    SecondOpinion.create({}, storage, resource, CONTEXT).train(training_data())
    loaded = SecondOpinion.load({}, storage, resource, CONTEXT)
    assert loaded.opinion(Message(data={TEXT: "stockage plein"}))[0] == "faq/quota"


def test_without_a_trained_model_nothing_changes(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    empty = SecondOpinion.load({}, storage, Resource("never-trained"), CONTEXT)
    msg = message("stockage plein", "faq", [("faq", 1.0)], [("faq/code_sms", 0.3)])
    empty.process([msg])
    assert intent_of(msg) == "faq"


def test_the_loaded_weights_are_column_major_and_predict_the_same(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("second")
    trained = SecondOpinion.create({}, storage, resource, CONTEXT)
    trained.train(training_data())
    loaded = SecondOpinion.load({}, storage, resource, CONTEXT)
    assert loaded.model[-1].coef_.flags["F_CONTIGUOUS"]
    texts = ["stockage plein", "code SMS", "bonjour", "la cantine"]
    assert [trained.opinion(Message(data={TEXT: t})) for t in texts] == [
        loaded.opinion(Message(data={TEXT: t})) for t in texts
    ]
