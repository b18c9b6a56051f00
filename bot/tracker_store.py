"""Rasa's SQL tracker store, minus the portal's signed token.

Every message from the portal carries `ent_token` in its metadata. The actions need
it during the turn, but it must not rest in the conversation history: a copied
database would otherwise hold working credentials. This store removes every
`ent_token` key from the events before writing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore

SECRET_KEYS = frozenset({"ent_token"})


def scrub(value: Any) -> Any:
    """A copy of `value` without any SECRET_KEYS, at any depth."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if k not in SECRET_KEYS}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


class _ScrubbedEvent:
    """An event as the SQL store serialises it, without the secret keys."""

    def __init__(self, event: Any) -> None:
        self._event = event
        self.type_name = event.type_name

    def as_dict(self) -> dict[str, Any]:
        return scrub(self._event.as_dict())


class ScrubbingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that never writes the portal's token to the database."""

    def _additional_events(self, session: Any, tracker: Any) -> Iterator[Any]:
        for event in super()._additional_events(session, tracker):
            yield _ScrubbedEvent(event)
