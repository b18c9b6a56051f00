"""A short reply right after an answer is read in that answer's context (bot/nlu_followup.py)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.followup_context import AMBIGUOUS_FROM, context_answer, followup_intent, last_action, model_reading
from bot.nlu_followup import FollowupInContext, recent_events
from bot.paths import ROOT


def parse(text: str, intent: str, answer: str | None = None, confidence: float = 0.9) -> Message:
    """A message as the pipeline leaves it before this component."""
    data: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}, {"name": "greet", "confidence": 0.01}],
    }
    if answer:
        response = {"intent_response_key": f"faq/{answer}", "confidence": confidence}
        data["response_selector"] = {"faq": {"response": response, "ranking": [response]}}
    return Message(data=data)


def answered(key: str, served: bool = True) -> list[Event]:
    """A question answered with the guide's answer `key`: as served (bot message) or as a test story states it."""
    intent = {"name": "faq", "full_retrieval_intent_name": f"faq/{key}", "confidence": 0.9}
    events: list[Event] = [
        ActionExecuted("action_listen"),
        UserUttered("une question", intent=intent),
        ActionExecuted("utter_faq"),
    ]
    if served:
        events.append(BotUttered("la réponse", metadata={"utter_action": f"utter_faq/{key}"}))
    return [*events, ActionExecuted("action_listen")]


def tracker(events: list[Event], active_loop: str | None = None) -> DialogueStateTracker:
    built = DialogueStateTracker.from_events("test", events)
    if active_loop:
        built.change_loop_to(active_loop)
    return built


def read(message: Message, events: list[Event], active_loop: str | None = None) -> str:
    FollowupInContext().process([message], tracker(events, active_loop))
    return message.get("intent")["name"]


@pytest.mark.parametrize("served", [True, False])
def test_still_nothing_after_the_sms_answer_is_still_failing(served: bool) -> None:
    message = parse("rien reçu", "nlu_fallback", confidence=0.4)
    assert read(message, answered("code_sms_non_recu", served)) == "still_failing"
    ranking = [item["name"] for item in message.get("intent_ranking")]
    assert ranking[0] == "still_failing" and "nlu_fallback" in ranking


@pytest.mark.parametrize("intent", ["out_of_scope", "faq", "hors_champ"])
def test_a_failure_read_as_a_doubtful_other_answer_is_still_failing(intent: str) -> None:
    # « ça me met une erreur » after the FranceConnect answer: the blend said "not my field" at 0.23.
    doubtful = parse("ça me met une erreur", intent, "enfant_inconnu" if intent == "faq" else None, 0.23)
    assert read(doubtful, answered("connexion_franceconnect")) == "still_failing"
    sure = parse("ça me met une erreur", intent, "enfant_inconnu" if intent == "faq" else None, 0.8)
    assert read(sure, answered("connexion_franceconnect")) == intent


def test_a_failure_read_as_not_our_field_right_after_an_answer_is_still_failing() -> None:
    # after the password answer, the model read this out of scope at 0.62: it is the next step
    text = "le lien de réinitialisation ne m'arrive pas, j'ai regardé partout"
    assert (
        read(parse(text, "out_of_scope", confidence=0.62), answered("identifiants_oublies"))
        == "still_failing"
    )
    # a sure decline stays, a half-sure question of its own too, and a neighbouring school topic
    sure = parse("le bus ne passe plus", "out_of_scope", confidence=0.9)
    assert read(sure, answered("identifiants_oublies")) == "out_of_scope"
    question = parse("comment je récupère le code de ma banque ?", "out_of_scope", confidence=0.6)
    assert read(question, answered("code_sms_non_recu")) == "out_of_scope"
    neighbour = parse("le livret scolaire ne s'affiche pas", "hors_champ", confidence=0.9)
    assert read(neighbour, answered("identifiants_oublies")) == "hors_champ"
    # not right after the answer (another turn came between): declined as read
    between = [
        *answered("identifiants_oublies"),
        UserUttered("ok", intent={"name": "affirm"}),
        ActionExecuted("utter_thank"),
        ActionExecuted("action_listen"),
    ]
    assert read(parse(text, "out_of_scope", confidence=0.62), between) == "out_of_scope"


def test_a_half_sure_decline_is_doubtful_right_after_an_answer_only() -> None:
    half_sure = parse("x", "out_of_scope", confidence=0.6)
    assert model_reading(half_sure, just_answered=True) == ("nlu_fallback", None)
    assert model_reading(half_sure) == ("out_of_scope", None)
    assert model_reading(parse("x", "out_of_scope", confidence=0.8), just_answered=True) == (
        "out_of_scope",
        None,
    )
    assert model_reading(parse("x", "hors_champ", confidence=0.6), just_answered=True) == ("hors_champ", None)


def fell_back_between(text: str, first: str, first_confidence: float, second: str) -> Message:
    """A message the classifier fell back on: two readings nearly tied."""
    message = parse(text, "nlu_fallback", confidence=0.4)
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": first, "confidence": first_confidence},
        {"name": second, "confidence": first_confidence - 0.01},
    ]
    message.set("intent_ranking", ranking)
    return message


def test_a_near_tie_with_a_follow_up_right_after_an_answer_is_that_follow_up() -> None:
    complaint = fell_back_between("c'est pénible, aucune réponse utile", "complaint", 0.44, "faq")
    assert read(complaint, answered("activer_educonnect")) == "complaint"
    role = fell_back_between("et côté chefs d'école, ça change quelque chose ?", "followup_role", 0.44, "faq")
    assert read(role, answered("identifiants_rentree")) == "followup_role"


def test_the_near_tie_threshold_is_the_fallback_classifiers() -> None:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    fallback = next(item for item in pipeline if item["name"] == "FallbackClassifier")
    assert fallback["threshold"] == AMBIGUOUS_FROM


def test_a_near_tie_stays_a_fallback_without_an_answer_just_before_or_under_the_threshold() -> None:
    assert read(fell_back_between("c'est pénible", "complaint", 0.44, "faq"), []) == "nlu_fallback"
    weak = fell_back_between("c'est pénible", "complaint", 0.3, "faq")
    assert read(weak, answered("activer_educonnect")) == "nlu_fallback"
    answer_first = fell_back_between("c'est pénible", "faq", 0.44, "complaint")
    assert read(answer_first, answered("activer_educonnect")) == "nlu_fallback"


def test_a_doubtful_reading_is_no_reading_for_the_follow_up_rules() -> None:
    assert model_reading(parse("x", "out_of_scope", confidence=0.2)) == ("nlu_fallback", None)
    assert model_reading(parse("x", "faq", "quota_stockage", 0.25)) == ("nlu_fallback", None)
    assert model_reading(parse("x", "faq", "quota_stockage", 0.3)) == ("faq", "quota_stockage")
    assert model_reading(parse("x", "greet", confidence=0.1)) == ("greet", None)


def test_the_same_answer_again_with_a_failure_is_still_failing() -> None:
    message = parse("toujours pas de code", "faq", "code_sms_non_recu")
    assert read(message, answered("code_sms_non_recu")) == "still_failing"


def test_an_answer_with_the_same_next_step_and_a_failure_is_still_failing() -> None:
    message = parse("c'est toujours plein", "faq", "quota_stockage")
    assert read(message, answered("liberer_espace")) == "still_failing"


def test_a_done_step_that_did_not_work_is_still_failing_whatever_the_answer_read() -> None:
    message = parse(
        "j'ai fait la manip mais elle ne voit toujours pas sa classe", "faq", "classes_manquantes"
    )
    assert read(message, answered("rattacher_enseignants_classe")) == "still_failing"


def test_and_for_another_subject_is_a_new_question_even_on_a_close_topic() -> None:
    text = "et pour un enfant qui n'est pas le mien mais qui s'affiche dans mon compte ?"
    assert read(parse(text, "faq", "enfant_inconnu"), answered("fratrie")) == "faq"


def test_a_new_question_on_another_topic_keeps_its_answer() -> None:
    message = parse("je n'ai pas de compte FranceConnect", "faq", "connexion_franceconnect")
    assert read(message, answered("code_sms_non_recu")) == "faq"
    message = parse("et pour rattacher mes enfants, je fais comment ?", "faq", "rattacher_enfants")
    assert read(message, answered("code_sms_non_recu")) == "faq"


def test_and_for_a_teacher_is_the_role_followup_even_read_as_a_live_question() -> None:
    message = parse("et un prof, il active comment ?", "live_parent_activation")
    assert read(message, answered("activer_educonnect")) == "followup_role"


def test_and_if_i_get_a_transfer_is_the_school_change_followup() -> None:
    message = parse("et si j'obtiens ma mutation ?", "out_of_scope")
    assert read(message, answered("donnees_conservees")) == "followup_school_change"


def test_going_to_college_is_not_a_school_change_followup() -> None:
    message = parse("et s'il change d'école pour le collège ?", "hors_champ")
    assert read(message, answered("changement_ecole")) == "hors_champ"


def test_no_recent_answer_no_followup() -> None:
    message = parse("rien reçu", "nlu_fallback", confidence=0.4)
    assert read(message, []) == "nlu_fallback"
    long_ago = answered("code_sms_non_recu")
    for text in ("bonjour", "merci", "super", "d'accord"):
        long_ago += [UserUttered(text, intent={"name": "greet"}), ActionExecuted("action_listen")]
    assert read(parse("rien reçu", "nlu_fallback", confidence=0.4), long_ago) == "nlu_fallback"


def test_no_after_a_question_stays_no_but_no_after_an_answer_with_nothing_is_still_failing() -> None:
    asked = [
        ActionExecuted("action_listen"),
        UserUttered("une question", intent={"name": "faq", "full_retrieval_intent_name": "faq/aide_parents"}),
        ActionExecuted("utter_faq"),
        ActionExecuted("action_handoff_offer"),
        ActionExecuted("action_listen"),
    ]
    assert read(parse("non rien du tout", "deny"), asked) == "deny"
    assert read(parse("non rien du tout", "deny"), answered("code_sms_non_recu")) == "still_failing"


def test_nothing_changes_while_a_form_asks_its_questions() -> None:
    message = parse("rien reçu", "nlu_fallback", confidence=0.4)
    assert read(message, answered("code_sms_non_recu"), active_loop="handoff_form") == "nlu_fallback"


def test_frustration_the_model_missed_is_a_complaint_with_or_without_context() -> None:
    assert (
        read(parse("votre robot ne sert strictement à rien", "nlu_fallback", confidence=0.5), [])
        == "complaint"
    )
    after = answered("code_sms_non_recu")
    assert read(parse("vous êtes nuls", "out_of_scope"), after) == "complaint"


def test_a_long_message_is_a_question_not_a_followup() -> None:
    text = (
        "toujours rien mais en fait je voulais aussi savoir comment on fait pour ajouter un deuxième parent "
        "sur le compte de mes enfants, parce que leur père n'a pas encore reçu ses identifiants"
    )
    assert read(parse(text, "nlu_fallback", confidence=0.3), answered("code_sms_non_recu")) == "nlu_fallback"


def test_a_second_followup_keeps_the_first_answers_context() -> None:
    events = [
        *answered("code_sms_non_recu"),
        UserUttered("toujours rien", intent={"name": "still_failing"}),
        ActionExecuted("action_followup"),
        BotUttered("l'étape suivante"),
        SlotSet("last_answer", "code_sms_non_recu"),
        ActionExecuted("action_listen"),
    ]
    assert read(parse("non, pareil", "deny"), events) == "still_failing"


def test_recent_events_keep_the_last_turns_only() -> None:
    events = answered("quota_stockage")
    for text in ("a", "b", "c", "d", "e"):
        events += [UserUttered(text, intent={"name": "greet"}), ActionExecuted("action_listen")]
    tail = recent_events(tracker(events))
    assert [e["text"] for e in tail if e["event"] == "user"] == ["b", "c", "d", "e"]
    assert context_answer([*tail, {"event": "user"}]) == (None, False)
    assert last_action(tail) is None


def test_followup_intent_leaves_the_models_own_followups_alone() -> None:
    assert followup_intent("toujours rien", "still_failing", None, "code_sms_non_recu") is None
    assert followup_intent("merci", "thank", None, "code_sms_non_recu") is None


@pytest.mark.parametrize(
    "text",
    ["est-il inutile de garder les anciens messages ?", "comment je vide la corbeille de la messagerie ?"],
)
def test_words_of_a_question_are_not_a_complaint_or_a_failure(text: str) -> None:
    message = parse(text, "faq", "liberer_espace")
    assert read(message, answered("liberer_espace")) == "faq"


@pytest.mark.parametrize(
    "text", ["génial, je n'avais pas vu le bouton, merci infiniment", "ah ça marche, je n'avais rien compris"]
)
def test_thanks_after_an_answer_are_not_a_failure(text: str) -> None:
    assert read(parse(text, "nlu_fallback", confidence=0.3), answered("code_sms_non_recu")) == "nlu_fallback"


def test_a_failure_with_eux_aussi_is_still_failing_not_another_role() -> None:
    text = "la maîtresse nous a donné une nouvelle fiche mais les codes sont refusés eux aussi"
    assert (
        read(parse(text, "nlu_fallback", confidence=0.3), answered("identifiants_ent_eleve"))
        == "still_failing"
    )
    assert (
        read(parse("ça marche pas, toujours rien", "nlu_fallback"), answered("code_sms_non_recu"))
        == "still_failing"
    )
