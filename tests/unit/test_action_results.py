"""The action server's replies: validated as Rasa does, with the schema checked only once."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import action_results

# Rasa's own check, kept before any install() replaces it.
RASA_VALIDATE = RemoteAction._validate_action_result

VALID: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "live_class", "value": "cp-papillons"},
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [{"text": "La classe « CP » n'a encore aucun élève.", "buttons": []}],
    },
    {"events": [{"event": "slot", "name": "live_tries", "value": 2}]},
]
INVALID: list[dict[str, Any]] = [
    {"events": "not a list"},
    {"events": [{"name": "no event key"}]},
    {"events": [{"event": "slot", "value": 1}]},
    {"events": [], "responses": ["not an object"]},
    {"events": [{"event": "no_such_event"}]},
]


def remote_action() -> RemoteAction:
    return RemoteAction("action_live_class_pupils", EndpointConfig("http://127.0.0.1:9/webhook"))


def rasa_outcome(reply: dict[str, Any]) -> str:
    """'ok' or the message of the error Rasa's own validation raises."""
    try:
        RASA_VALIDATE(remote_action(), reply)
    except ValidationError as error:
        return error.message
    return "ok"


def our_outcome(reply: dict[str, Any]) -> str:
    try:
        action_results.validate_reply(reply)
    except ValidationError as error:
        return error.message
    return "ok"


@pytest.mark.parametrize("reply", VALID + INVALID)
def test_same_outcome_and_message_as_rasa(reply: dict[str, Any]) -> None:
    assert our_outcome(reply) == rasa_outcome(reply)


def test_invalid_replies_are_refused_with_rasa_s_explanation() -> None:
    for reply in INVALID:
        message = our_outcome(reply)
        assert message != "ok"
        assert "Failed to validate Action server response from API" in message


def test_the_schema_is_checked_once_for_many_replies(monkeypatch: pytest.MonkeyPatch) -> None:
    action_results.reply_validator.cache_clear()
    cls = type(action_results.reply_validator())
    action_results.reply_validator.cache_clear()
    checks: list[Any] = []
    original = cls.check_schema.__func__

    def counting(klass: Any, schema: Any, *args: Any, **kwargs: Any) -> None:
        checks.append(schema)
        original(klass, schema, *args, **kwargs)

    monkeypatch.setattr(cls, "check_schema", classmethod(counting))
    for reply in VALID * 3:
        assert action_results.validate_reply(reply) is True
    assert len(checks) == 1
    action_results.reply_validator.cache_clear()


def test_install_makes_rasa_use_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RASA_VALIDATE)
    calls: list[dict[str, Any]] = []
    real = action_results.validate_reply

    def spy(result: dict[str, Any]) -> bool:
        calls.append(result)
        return real(result)

    monkeypatch.setattr(action_results, "validate_reply", spy)
    action_results.install()
    assert remote_action()._validate_action_result(VALID[1]) is True
    with pytest.raises(ValidationError):
        remote_action()._validate_action_result(INVALID[0])
    assert calls == [VALID[1], INVALID[0]]
