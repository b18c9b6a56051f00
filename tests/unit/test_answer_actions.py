"""The conversation actions: role acknowledgement, "Vouliez-vous dire", ERUN after two failures."""

from __future__ import annotations

import pytest

from actions.answers import ActionDefaultFallback, ActionDidYouMean, ActionSetRole
from bot.identity import mint_token
from tests.action_helper import buttons_of, create_tracker, entity, run_action, texts_of
from tests.helpers.secret import TEST_SECRET

DOMAIN = {
    "responses": {
        "utter_faq/identifiants_oublies": [
            {"condition": [{"type": "slot", "name": "role", "value": None}], "text": "Vous êtes :"},
            {"condition": [{"type": "slot", "name": "role", "value": "parent"}], "text": "parent"},
            {"text": "général"},
        ],
        "utter_faq/activer_educonnect": [{"text": "Trois méthodes"}],
        "utter_faq/bloquer_acces": [{"text": "Blocage en lot"}],
    }
}


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENT_JWT_SECRET", TEST_SECRET)


def token(login: str, role: str, secret: str = TEST_SECRET) -> dict:
    return {"ent_token": mint_token(login, role, secret=secret)}


async def test_set_role_gives_the_answer_that_waited_for_it() -> None:
    events = [
        {
            "event": "bot",
            "text": "Vous êtes :",
            "metadata": {"utter_action": "utter_faq/identifiants_oublies"},
        },
        {"event": "user", "text": "je suis parent", "parse_data": {"intent": {"name": "inform_role"}}},
    ]
    tracker = create_tracker(
        intent="inform_role", entities=[entity("role", "parent")], slots={"role": "parent"}, events=events
    )
    messages, returned = await run_action(ActionSetRole(), tracker, DOMAIN)
    assert "en tant que parent" in texts_of(messages)
    assert messages[-1]["response"] == "utter_faq/identifiants_oublies"
    assert returned == []


async def test_set_role_does_not_repeat_an_answer_that_does_not_depend_on_it() -> None:
    events = [{"event": "bot", "text": "Trois", "metadata": {"utter_action": "utter_faq/activer_educonnect"}}]
    tracker = create_tracker(
        intent="inform_role", entities=[entity("role", "parent")], slots={"role": "parent"}, events=events
    )
    messages, _ = await run_action(ActionSetRole(), tracker, DOMAIN)
    assert texts_of(messages) == "C'est noté : je vous réponds en tant que parent."
    assert not any((m.get("response") or "").startswith("utter_faq/") for m in messages)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("directeur", "ne peut pas être changé"),
        # A logged-in parent saying « je suis parent » got no message at all.
        ("parent", "C'est noté : je vous réponds en tant que parent."),
    ],
)
async def test_set_role_with_token_keeps_the_account_s_role(said: str, expected: str) -> None:
    tracker = create_tracker(
        intent="inform_role",
        entities=[entity("role", said)],
        slots={"role": "parent"},
        metadata=token("parent.papillons", "parent"),
    )
    messages, _ = await run_action(ActionSetRole(), tracker, DOMAIN)
    assert expected in texts_of(messages)


async def test_set_role_asks_again_when_not_understood() -> None:
    tracker = create_tracker(intent="inform_role")
    messages, events = await run_action(ActionSetRole(), tracker, DOMAIN)
    assert [b["title"] for b in buttons_of(messages)] == ["Parent", "Enseignant", "Directeur"]
    assert events == []


def parsed_doubt(answers: list[tuple[str, float]], second_intent: str = "bot_capabilities") -> dict:
    """A fallback parse: the guide's answers ranked by the selector, a non-answer intent behind."""
    return {
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "faq", "confidence": 0.9},
            {"name": second_intent, "confidence": 0.05},
        ],
        "response_selector": {
            "default": {
                "ranking": [{"confidence": c, "intent_response_key": f"faq/{key}"} for key, c in answers],
            }
        },
    }


def parsed_uncertain_message() -> dict:
    return parsed_doubt([("bloquer_acces", 0.3), ("activer_educonnect", 0.25), ("unknown_key", 0.1)])


async def test_did_you_mean_offers_titles_best_first_and_something_else() -> None:
    tracker = create_tracker(intent="nlu_fallback", text="bloquer")
    tracker.latest_message.update(parsed_uncertain_message())
    messages, events = await run_action(ActionDidYouMean(), tracker, DOMAIN)
    buttons = buttons_of(messages)
    # Only answers (never "Ce que je sais faire"), best first, plus "Autre chose".
    assert [b["title"] for b in buttons] == [
        "Bloquer les accès avant la rentrée",
        "Activer mon compte EduConnect",
        "Autre chose",
    ]
    assert buttons[0]["payload"] == "Bloquer les accès avant la rentrée"
    assert events == []


async def test_did_you_mean_never_offers_conversation_intents_nor_neighbours_nor_duplicates() -> None:
    tracker = create_tracker(intent="nlu_fallback", text="merci bloquer")
    tracker.latest_message.update(
        {
            "intent_ranking": [
                {"name": "thank", "confidence": 0.5},
                {"name": "goodbye", "confidence": 0.2},
                {"name": "faq", "confidence": 0.15},
                {"name": "live_access_blocked", "confidence": 0.1},
                {"name": "bot_capabilities", "confidence": 0.05},
            ],
            "response_selector": {
                "default": {
                    "ranking": [
                        {"confidence": 0.5, "intent_response_key": "hors_champ/college"},
                        {"confidence": 0.3, "intent_response_key": "faq/bloquer_acces"},
                        {"confidence": 0.2, "intent_response_key": "faq/bloquer_acces"},
                    ],
                }
            },
        }
    )
    messages, _ = await run_action(ActionDidYouMean(), tracker, DOMAIN)
    titles = [b["title"] for b in buttons_of(messages)]
    assert titles == [
        "les accès de mon école sont-ils bloqués ?",
        "Bloquer les accès avant la rentrée",
        "Autre chose",
    ]
    assert not {"Remercier", "Terminer la conversation", "Ce que je sais faire"} & set(titles)


async def test_set_role_elides_before_a_vowel() -> None:
    tracker = create_tracker(
        intent="inform_role", entities=[entity("role", "enseignant")], slots={"role": "enseignant"}
    )
    messages, _ = await run_action(ActionSetRole(), tracker, DOMAIN)
    assert "en tant qu'enseignant" in texts_of(messages)


def turn(text: str, action: str) -> list[dict]:
    return [
        {"event": "user", "text": text},
        {"event": "action", "name": action},
        {"event": "bot", "text": "..."},
        {"event": "action", "name": "action_listen"},
    ]


async def test_second_misunderstanding_in_a_row_points_to_the_erun() -> None:
    events = [*turn("compte", "action_did_you_mean"), {"event": "user", "text": "code"}]
    tracker = create_tracker(intent="nlu_fallback", events=events)
    tracker.latest_message.update(parsed_uncertain_message())
    messages, returned = await run_action(ActionDidYouMean(), tracker, DOMAIN)
    assert "ERUN" in texts_of(messages) and not buttons_of(messages)
    assert returned == []


async def test_second_misunderstanding_points_a_director_to_the_erun_not_to_the_director() -> None:
    events = [*turn("compte", "action_did_you_mean"), {"event": "user", "text": "code"}]
    tracker = create_tracker(intent="nlu_fallback", events=events, slots={"role": "directeur"})
    tracker.latest_message.update(parsed_uncertain_message())
    messages, _ = await run_action(ActionDidYouMean(), tracker, DOMAIN)
    said = texts_of(messages)
    assert "ERUN" in said and "directeur" not in said


async def test_a_misunderstanding_after_an_answer_offers_candidates_again() -> None:
    events = (
        turn("compte", "action_did_you_mean")
        + turn("Activer mon compte EduConnect", "utter_faq")
        + [{"event": "user", "text": "code"}]
    )
    tracker = create_tracker(intent="nlu_fallback", events=events)
    tracker.latest_message.update(parsed_uncertain_message())
    messages, _ = await run_action(ActionDidYouMean(), tracker, DOMAIN)
    assert "ERUN" not in texts_of(messages) and buttons_of(messages)


async def test_no_candidate_asks_to_rephrase() -> None:
    tracker = create_tracker(intent="nlu_fallback", text="😀")
    messages, _ = await run_action(ActionDidYouMean(), tracker, DOMAIN)
    assert "reformuler" in texts_of(messages)


async def test_default_fallback_asks_to_rephrase_and_forgets_the_message() -> None:
    messages, events = await run_action(ActionDefaultFallback(), create_tracker(), DOMAIN)
    assert "reformuler" in texts_of(messages)
    assert events == [{"event": "rewind", "timestamp": None}]


def parsed_credentials_doubt(first: str, second: str) -> dict:
    """A fallback between two credentials answers (« un parent a perdu ses identifiants »)."""
    return parsed_doubt(
        [(first, 0.42), (second, 0.34), ("identifiants_ent_eleve", 0.07)], "live_parent_activation"
    )


DOMAIN_WITH_REISSUE = {
    "responses": {**DOMAIN["responses"], "utter_faq/reediter_identifiants": [{"text": "Eduline"}]}
}


@pytest.mark.parametrize(
    ("first", "second"),
    [("reediter_identifiants", "identifiants_oublies"), ("identifiants_oublies", "reediter_identifiants")],
)
async def test_did_you_mean_gives_a_director_the_answer_both_candidates_give_him(
    first: str, second: str
) -> None:
    tracker = create_tracker(
        intent="nlu_fallback", text="un parent a perdu ses identifiants", slots={"role": "directeur"}
    )
    tracker.latest_message.update(parsed_credentials_doubt(first, second))
    messages, events = await run_action(ActionDidYouMean(), tracker, DOMAIN_WITH_REISSUE)
    assert [m.get("response") for m in messages] == [f"utter_faq/{first}"]
    assert events == []


@pytest.mark.parametrize("role", ["parent", "enseignant", None])
async def test_did_you_mean_still_asks_when_the_two_answers_differ_for_the_role(role: str | None) -> None:
    tracker = create_tracker(
        intent="nlu_fallback", text="un parent a perdu ses identifiants", slots={"role": role}
    )
    tracker.latest_message.update(parsed_credentials_doubt("reediter_identifiants", "identifiants_oublies"))
    messages, _ = await run_action(ActionDidYouMean(), tracker, DOMAIN_WITH_REISSUE)
    titles = [b["title"] for b in buttons_of(messages)]
    assert titles == [
        "Rééditer des identifiants EduConnect",
        "Identifiant ou mot de passe oublié",
        "Autre chose",
    ]
    assert all(m.get("response") == "utter_did_you_mean" for m in messages)


async def test_did_you_mean_asks_a_director_when_the_two_answers_differ() -> None:
    tracker = create_tracker(intent="nlu_fallback", text="bloquer", slots={"role": "directeur"})
    tracker.latest_message.update(parsed_uncertain_message())
    messages, _ = await run_action(ActionDidYouMean(), tracker, DOMAIN)
    titles = [b["title"] for b in buttons_of(messages)]
    assert titles == ["Bloquer les accès avant la rentrée", "Activer mon compte EduConnect", "Autre chose"]
