"""Follow-ups in the context of the last answer: 40+ short conversations.

Each case is the answer the assistant gave, then a short reply ("toujours rien", "et pour un
enseignant ?", "et si je change d'école ?"); the follow-up must say that topic's next step,
the other role's variation, or the right school-change answer, with the real texts.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from actions.followup import ActionFollowup
from bot.followup_context import context_answer
from bot.identity import mint_token
from bot.knowledge_data import answers
from bot.paths import ROOT
from tests.action_helper import create_tracker, entity, run_action, texts_of
from tests.helpers.secret import TEST_SECRET


def real_domain() -> dict[str, Any]:
    """domain.yml's responses and the guide's answers, as Rasa sends them to the action server."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    responses = dict(domain["responses"])
    responses.update({f"utter_faq/{key}": variations for key, variations in answers().items()})
    return {"responses": responses}


DOMAIN = real_domain()


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENT_JWT_SECRET", TEST_SECRET)


def after_answer(key: str | None, question: str = "une question") -> list[dict[str, Any]]:
    """The events of a turn answered with `key` (as Rasa records utter_faq), then nothing more."""
    events: list[dict[str, Any]] = [
        {"event": "user", "text": question, "parse_data": {"intent": {"name": "faq"}}},
        {"event": "action", "name": "utter_faq"},
    ]
    if key:
        events.append({"event": "bot", "text": "...", "metadata": {"utter_action": f"utter_faq/{key}"}})
    events.append({"event": "action", "name": "action_listen"})
    return events


async def follow(
    key: str | None,
    intent: str,
    text: str,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    before: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    events = (before or []) + after_answer(key)
    events.append({"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}})
    tracker = create_tracker(
        intent=intent, text=text, slots=slots, entities=entities, metadata=metadata, events=events
    )
    return await run_action(ActionFollowup(), tracker, DOMAIN)


# --- "toujours rien" / "ça ne marche pas": the next step of that topic ----------------------
STILL = [
    ("code_sms_non_recu", "toujours rien", ["FranceConnect", "identifiants EduConnect"]),
    ("changer_telephone", "ça ne marche pas", ["FranceConnect", "ONDE"]),
    ("activer_educonnect", "ça ne marche toujours pas", ["console EduConnect"]),
    ("educonnect_parents", "j'ai essayé, rien", ["console EduConnect"]),
    ("delais_educonnect", "toujours rien", ["identifiants"]),
    ("connexion_franceconnect", "toujours rien", ["SMS", "identifiants EduConnect"]),
    ("identifiants_oublies", "ça ne marche pas", ["nouveaux identifiants", "directeur"]),
    ("changer_mot_de_passe", "toujours pas", ["nouveaux identifiants"]),
    ("adresse_mail", "même problème", ["nouveaux identifiants"]),
    ("rattacher_enfants", "toujours rien", ["procédure manuelle", "ONDE"]),
    ("fratrie", "ça ne marche pas", ["procédure manuelle"]),
    ("enfant_inconnu", "toujours rien", ["procédure manuelle"]),
    ("changement_ecole", "toujours rien", ["procédure manuelle"]),
    ("familles_accueil", "ça ne marche pas", ["fiche de connexion"]),
    ("identifiants_ent_eleve", "toujours rien", ["réinitialiser", "fiche de connexion"]),
    ("liberer_espace", "toujours plein, rien", ["quota"]),
    ("quota_stockage", "ça ne marche pas", ["quota", "console d'administration"]),
    ("classes_manquantes", "toujours rien", ["quelques jours", "ERUN"]),
    ("premieres_classes", "toujours rien", ["quelques jours"]),
    ("calendrier_rentree", "toujours rien", ["bascule de ONDE"]),
    ("resp_affect_gar", "ça ne marche pas", ["lendemain", "ERUN"]),
    ("bloquer_acces", "ça ne marche pas", ["Blocage en lot", "ERUN"]),
    ("detacher_enseignants", "ça ne marche pas", ["ERUN", "étape"]),
    ("supprimer_groupes_manuels", "toujours rien", ["ERUN"]),
    ("supprimer_comptes_manuels", "ça bloque toujours", ["ERUN"]),
    ("rattacher_enseignants_classe", "toujours rien", ["ERUN"]),
    ("reediter_identifiants", "ça ne marche pas", ["ERUN"]),
]


@pytest.mark.parametrize(("key", "text", "words"), STILL, ids=[case[0] for case in STILL])
async def test_still_failing_gives_the_next_step_of_that_topic(key: str, text: str, words: list[str]) -> None:
    messages, events = await follow(key, "still_failing", text)
    said = texts_of(messages)
    for word in words:
        assert word in said, (key, said)
    assert "connectez-vous à l'ent" not in said.lower()  # never taken for a live question
    assert not any(m.get("buttons") for m in messages)
    assert {"event": "slot", "name": "last_answer", "value": key, "timestamp": None} in events


async def test_still_failing_without_a_next_step_points_to_a_person() -> None:
    messages, _ = await follow("donnees_conservees", "still_failing", "ça ne marche pas")
    assert "directeur ou à la directrice" in texts_of(messages)


async def test_still_failing_points_a_director_to_the_erun() -> None:
    messages, _ = await follow(
        "donnees_conservees", "still_failing", "toujours rien", slots={"role": "directeur"}
    )
    said = texts_of(messages)
    assert "ERUN" in said and "directrice" not in said


async def test_still_failing_without_context_is_a_complaint_with_a_person_and_no_buttons() -> None:
    messages, events = await follow(None, "still_failing", "ça ne marche pas")
    assert messages[0]["response"] == "utter_complaint"
    assert events == []


async def test_still_failing_twice_goes_from_the_next_step_to_a_person() -> None:
    first = [
        *after_answer("code_sms_non_recu"),
        {"event": "user", "text": "toujours rien", "parse_data": {"intent": {"name": "still_failing"}}},
        {"event": "action", "name": "action_followup"},
        {"event": "bot", "text": "..."},
        {"event": "slot", "name": "last_answer", "value": "code_sms_non_recu"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "toujours rien", "parse_data": {"intent": {"name": "still_failing"}}},
    ]
    tracker = create_tracker(intent="still_failing", text="toujours rien", events=first)
    messages, _ = await run_action(ActionFollowup(), tracker, DOMAIN)
    assert "directeur ou à la directrice" in texts_of(messages)


def test_an_answer_long_ago_is_no_context() -> None:
    events = after_answer("code_sms_non_recu")
    for text in ("bonjour", "merci", "super", "toujours rien"):
        events += [{"event": "user", "text": text}, {"event": "action", "name": "action_listen"}]
    assert context_answer(events) == (None, False)


# --- "et pour un enseignant ?": the other role's variation ----------------------------------
ROLE = [
    ("identifiants_oublies", "et pour un enseignant ?", "enseignant", ["Pour un enseignant", "académiques"]),
    ("identifiants_oublies", "et pour un directeur ?", "directeur", ["Pour un directeur", "origine"]),
    ("identifiants_oublies", "et pour les parents ?", "parent", ["Pour un parent", "Identifiant oublié"]),
    ("classes_manquantes", "et pour un directeur ?", "directeur", ["Pour un directeur"]),
    ("activer_educonnect", "et pour un enseignant ?", "enseignant", ["identifiants académiques"]),
    ("code_sms_non_recu", "et pour les profs ?", None, ["identifiants académiques"]),
    ("bloquer_acces", "et pour un parent ?", "parent", ["directeur de l'école"]),
    ("resp_affect_gar", "et pour un enseignant ?", "enseignant", ["directeur de l'école"]),
]


@pytest.mark.parametrize(("key", "text", "role", "words"), ROLE, ids=[f"{c[0]}-{c[1]}" for c in ROLE])
async def test_other_role_gives_that_roles_answer(
    key: str, text: str, role: str | None, words: list[str]
) -> None:
    entities = [entity("role", role)] if role else []
    messages, _ = await follow(key, "followup_role", text, entities=entities)
    said = texts_of(messages)
    for word in words:
        assert word in said, (key, said)


async def test_other_role_on_a_common_answer_says_it_is_the_same() -> None:
    messages, _ = await follow("liberer_espace", "followup_role", "et pour un parent ?")
    assert "même pour un parent" in texts_of(messages)
    assert messages[-1]["response"] == "utter_faq/liberer_espace"


async def test_other_role_without_context_asks_which_question() -> None:
    messages, _ = await follow(None, "followup_role", "et pour un enseignant ?")
    assert "Sur quelle question" in texts_of(messages)


def selector(key: str, confidence: float) -> dict[str, Any]:
    """The ResponseSelector's output in a parse, for one answer."""
    return {"faq": {"response": {"intent_response_key": f"faq/{key}", "confidence": confidence}}}


@pytest.mark.parametrize(("confidence", "answers"), [(0.8, True), (0.2, False)])
async def test_and_for_a_topic_rather_than_a_role_gives_that_answer_when_sure(
    confidence: float, answers: bool
) -> None:
    text = "et comment je les débloque ?"
    events = after_answer("bloquer_acces")
    events.append({"event": "user", "text": text, "parse_data": {"intent": {"name": "followup_role"}}})
    tracker = create_tracker(intent="followup_role", text=text, events=events)
    tracker.latest_message["response_selector"] = selector("bloquer_acces", confidence)
    messages, slots = await run_action(ActionFollowup(), tracker, DOMAIN)
    if answers:  # the guide's answer (it says « Débloquer »), and it becomes the context
        assert messages[0]["response"] == "utter_faq/bloquer_acces" and "Débloquer" in texts_of(messages)
        assert slots == [
            {"event": "slot", "name": "last_answer", "value": "bloquer_acces", "timestamp": None}
        ]
    else:  # not sure of the topic: which role is meant
        assert "Pour qui souhaitez-vous la réponse" in texts_of(messages)


async def test_other_role_does_not_change_who_the_person_is() -> None:
    before = [{"event": "slot", "name": "role", "value": "parent"}]
    _, events = await follow(
        "identifiants_oublies",
        "followup_role",
        "et pour un enseignant ?",
        slots={"role": "enseignant"},
        entities=[entity("role", "enseignant")],
        before=before,
    )
    assert {"event": "slot", "name": "role", "value": "parent", "timestamp": None} in events


async def test_other_role_keeps_the_role_of_a_signed_token() -> None:
    metadata = {"ent_token": mint_token("enseignant.papillons", "enseignant", secret=TEST_SECRET)}
    _, events = await follow(
        "identifiants_oublies",
        "followup_role",
        "et pour un parent ?",
        slots={"role": "enseignant"},
        metadata=metadata,
    )
    assert not any(e.get("name") == "role" for e in events)


# --- "et si je change d'école ?" ---------------------------------------------------------
SCHOOL = [
    ("conserver_partage", None, "droits de gestion"),
    ("donnees_conservees", None, "Mes données"),
    ("mes_donnees_export", None, "droits de gestion"),
    ("detacher_enseignants", None, "droits de gestion"),
    (None, "enseignant", "droits de gestion"),
]


@pytest.mark.parametrize(("key", "role", "word"), SCHOOL, ids=[str(c[0]) for c in SCHOOL])
async def test_school_change_after_a_teachers_answer_is_the_teachers(
    key: str | None, role: str | None, word: str
) -> None:
    messages, _ = await follow(
        key, "followup_school_change", "et si je change d'école ?", slots={"role": role}
    )
    said = texts_of(messages)
    assert word in said and "EduConnect" not in said
    assert not any(m.get("response") == "utter_faq/changement_ecole" for m in messages)


@pytest.mark.parametrize(
    ("key", "role"), [("activer_educonnect", None), ("rattacher_enfants", None), (None, "parent")]
)
async def test_school_change_after_a_parents_answer_is_the_parents(key: str | None, role: str | None) -> None:
    messages, _ = await follow(
        key, "followup_school_change", "et si mon enfant change d'école ?", slots={"role": role}
    )
    assert messages[-1]["response"] == "utter_faq/changement_ecole"


async def test_school_change_without_context_nor_role_answers_both() -> None:
    messages, _ = await follow(None, "followup_school_change", "et si je change d'école ?")
    said = texts_of(messages)
    assert "Pour un enseignant" in said and "Pour un parent" in said and "EduConnect" in said
