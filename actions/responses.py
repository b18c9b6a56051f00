"""The fixed sentences are domain responses (domain.yml, `utter_*`): how the actions say them.

One response is sent by name (`dispatcher.utter_message(response=..., name=value)`): Rasa
fills its `{variables}` and adds its buttons. A message that joins a response with another
text in one bubble (the hand-off offer after its intro, a guide answer after « Pour un
enseignant : ») is composed here from the same domain texts.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge_data import DOMAIN

# A `{variable}` as Rasa's interpolator reads it (rasa/core/nlg/interpolator.py).
_VARIABLE = re.compile(r"{([^\n{}]+?)}")


class Response(str):
    """The name of a domain response, where a phrased text could also be returned."""


@cache
def domain_responses() -> dict[str, list[dict[str, Any]]]:
    """The responses of domain.yml, by name."""
    return (yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}).get("responses") or {}


def text(name: str, **values: Any) -> str:
    """The text of response `name` with its `{variables}` filled."""
    raw = str(domain_responses()[name][0]["text"])
    return _VARIABLE.sub(lambda match: str(values[match.group(1)]), raw)


def buttons(name: str) -> list[dict[str, str]]:
    """The buttons of response `name`."""
    return [dict(button) for button in domain_responses()[name][0].get("buttons") or []]


def utter(
    dispatcher: CollectingDispatcher, reply: str, buttons: list[dict[str, str]] | None = None, **values: Any
) -> None:
    """Send a domain response (a `Response`) or a text phrased from live data, with optional buttons."""
    if isinstance(reply, Response):
        dispatcher.utter_message(response=str(reply), buttons=buttons or [], **values)
    else:
        dispatcher.utter_message(text=reply, buttons=buttons or [])
