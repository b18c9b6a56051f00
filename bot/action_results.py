"""The action server's replies checked against Rasa's schema by a validator built once.

Rasa 3.6 checks every reply of the action server with `jsonschema.validate`, which first checks
the schema itself against JSON Schema's meta-schema: on a live question (three calls to the
action server) that check was more than half of the Rasa process's CPU. Here the schema is
checked once, when the validator is built, and each reply is validated as before: the same
errors, with the same message, for the same replies.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for


@cache
def reply_validator() -> Validator:
    """A validator of Rasa's action-server reply schema; the schema is checked here, once."""
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_reply(result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` without re-checking the schema at every call."""
    error = best_match(reply_validator().iter_errors(result))
    if error is None:
        return True
    from rasa.shared.constants import DOCS_BASE_URL

    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Make Rasa's RemoteAction validate replies with the validator built once."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = lambda self, result: validate_reply(result)


__all__ = ["ValidationError", "install", "reply_validator", "validate_reply"]
