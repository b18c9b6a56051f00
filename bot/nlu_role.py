"""NLU component: who is chatting, read in the Rasa process itself.

The signed portal token travels in the message metadata. This component verifies it
(`bot.identity.check_metadata`, the same code the live actions use) and adds its role
as the entity `token_role`; the slot `role` is filled from it first, then from the
words "je suis parent / enseignant / directeur" (entity `role`). No call to the
action server is needed on every message.

Only a verified token can give `token_role`, and only a settable role can come from
words: messages written as `/intent{"entity": ...}` are unpacked by Rasa's
RegexMessageHandler *after* the pipeline, so the same rule is applied there too
(`secure_regex_messages`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from bot.identity import SETTABLE_ROLES, check_metadata
from bot.nlu_component import StatelessComponent

TOKEN_ENTITY = "token_role"
WORDS_ENTITY = "role"
EXTRACTOR = "RoleFromToken"


def identity_entities(entities: Iterable[dict[str, Any]], metadata: Any) -> list[dict[str, Any]]:
    """The entities to keep: no `token_role` but the verified one, at most one settable `role`."""
    kept: list[dict[str, Any]] = []
    said = False
    for entity in entities:
        name = entity.get("entity")
        if name == TOKEN_ENTITY:
            continue
        if name == WORDS_ENTITY:
            if said or entity.get("value") not in SETTABLE_ROLES:
                continue
            said = True
        kept.append(entity)
    identity = check_metadata(metadata).identity
    if identity is not None:
        kept.append(
            {
                "entity": TOKEN_ENTITY,
                "value": identity.role,
                "start": 0,
                "end": 0,
                "confidence_entity": 1.0,
                "extractor": EXTRACTOR,
            }
        )
    return kept


def apply_identity(message: Message, metadata: Any) -> None:
    """Rewrite the message's entities with `identity_entities`."""
    entities = identity_entities(message.get(ENTITIES) or [], metadata)
    message.set(ENTITIES, entities, add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class RoleFromToken(StatelessComponent, EntityExtractorMixin):
    """Add the signed token's role as the entity `token_role`; drop role words that are not a role."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the speaker's role, read from the message's metadata."""
        for message in messages:
            apply_identity(message, message.get("metadata"))
        return messages


_UNPACK = RegexMessageHandler.process


def secure_regex_messages(self, messages: list[Message], domain: Domain | None = None) -> list[Message]:  # type: ignore[no-untyped-def]
    """RegexMessageHandler.process, then the identity rule on the messages it rebuilt.

    `self` has no annotation: Rasa's graph validation reads every annotated parameter
    as an input the graph must provide.
    """
    unpacked = _UNPACK(self, messages, domain)
    for before, after in zip(messages, unpacked, strict=True):
        if after is not before:
            apply_identity(after, before.get("metadata"))
    return unpacked


# Applied once, when Rasa loads a model whose pipeline names this module.
if RegexMessageHandler.process is _UNPACK:
    RegexMessageHandler.process = secure_regex_messages
