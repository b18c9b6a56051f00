"""The role of the person chatting, read in the NLU pipeline: the signed token first, else words."""

from __future__ import annotations

import time

import jwt
import pytest
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.message import Message

from bot.identity import mint_token
from bot.nlu_role import RoleFromToken, identity_entities
from tests.action_helper import entity
from tests.helpers.secret import TEST_SECRET


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENT_JWT_SECRET", TEST_SECRET)


def token(login: str, role: str, secret: str = TEST_SECRET) -> dict:
    return {"ent_token": mint_token(login, role, secret=secret)}


def values(entities: list[dict], name: str) -> list[str]:
    return [e["value"] for e in entities if e["entity"] == name]


def test_a_valid_token_gives_its_role() -> None:
    entities = identity_entities([], token("directeur.papillons", "directeur"))
    assert values(entities, "token_role") == ["directeur"]


def test_words_are_kept_beside_the_token_which_wins_in_the_slot_mapping() -> None:
    entities = identity_entities([entity("role", "directeur")], token("parent.papillons", "parent"))
    assert values(entities, "token_role") == ["parent"]
    assert values(entities, "role") == ["directeur"]  # what was said, for the acknowledgement


def test_words_give_the_role_without_a_token() -> None:
    entities = identity_entities([entity("role", "enseignant")], None)
    assert values(entities, "role") == ["enseignant"] and values(entities, "token_role") == []


def test_only_the_first_role_said_counts() -> None:
    entities = identity_entities([entity("role", "parent"), entity("role", "directeur")], {})
    assert values(entities, "role") == ["parent"]


def test_a_forged_token_is_no_token() -> None:
    entities = identity_entities([], token("directeur.papillons", "directeur", "forged" * 8))
    assert values(entities, "token_role") == []


def test_an_expired_token_is_no_token() -> None:
    now = int(time.time())
    claims = {"sub": "directeur.papillons", "role": "directeur", "iat": now - 99, "exp": now - 9}
    expired = {"ent_token": jwt.encode(claims, TEST_SECRET, algorithm="HS256")}
    assert values(identity_entities([], expired), "token_role") == []


@pytest.mark.parametrize("metadata", [{"ent_token": "garbled.token.x"}, {"ent_token": 42}, "not a dict", []])
def test_garbled_tokens_and_metadata_are_no_token(metadata: object) -> None:
    assert values(identity_entities([], metadata), "token_role") == []


def test_a_token_with_an_unknown_role_is_no_token() -> None:
    now = int(time.time())
    claims = {"sub": "x", "role": "admin", "iat": now, "exp": now + 60}
    bad = {"ent_token": jwt.encode(claims, TEST_SECRET, algorithm="HS256")}
    assert values(identity_entities([], bad), "token_role") == []


@pytest.mark.parametrize("value", ["admin", "autre", "'; DROP TABLE x;--", "<b>directeur</b>"])
def test_words_that_are_not_a_settable_role_are_dropped(value: str) -> None:
    assert values(identity_entities([entity("role", value)], None), "role") == []


def test_an_extracted_token_role_entity_is_never_trusted() -> None:
    entities = identity_entities([entity("token_role", "directeur")], None)
    assert values(entities, "token_role") == []


def test_the_component_rewrites_each_message() -> None:
    message = Message(data={"text": "bonjour", "metadata": token("enseignant.papillons", "enseignant")})
    message.set("entities", [entity("token_role", "directeur"), entity("class_level", "CP")])
    RoleFromToken().process([message])
    assert values(message.get("entities"), "token_role") == ["enseignant"]
    assert values(message.get("entities"), "class_level") == ["CP"]


DOMAIN = Domain.from_dict(
    {
        "intents": ["faq", "inform_role"],
        "entities": ["role", {"token_role": {"influence_conversation": False}}],
    }
)


def unpack(text: str, metadata: object) -> Message:
    """A message written as `/intent{...}`, through Rasa's handler (with the identity rule)."""
    handler = RegexMessageHandler()
    [message] = handler.process([Message(data={"text": text, "metadata": metadata})], DOMAIN)
    return message


def test_a_payload_cannot_forge_the_token_role() -> None:
    message = unpack('/faq{"token_role": "directeur"}', None)
    assert message.get("intent")["name"] == "faq"
    assert values(message.get("entities"), "token_role") == []


def test_a_payload_keeps_the_role_of_a_valid_token() -> None:
    message = unpack('/inform_role{"role": "parent"}', token("directeur.papillons", "directeur"))
    assert values(message.get("entities"), "token_role") == ["directeur"]
    assert values(message.get("entities"), "role") == ["parent"]


def test_a_payload_role_that_is_not_settable_is_dropped() -> None:
    message = unpack('/inform_role{"role": "admin"}', None)
    assert values(message.get("entities"), "role") == []
