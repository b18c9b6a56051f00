"""NLU component: people's names, found by spaCy's French entity recogniser.

A director asks « est-ce que Rachid Amrani a activé son compte ? »: the live form needs the
parent's whole name. DIET, trained on a few dozen names, often keeps only part of an unseen
one (« Amrani »), and the capitalised words of the message bring « Est-ce » with them.
spaCy's recogniser (`fr_core_news_md`'s ner pipe, in the pipeline `bot.nlu_french` shares
with the second model's lemmas) adds each person it finds as the entity `person`. It runs
only on messages that can name a parent (the intents in `intents`, or a message where DIET
found `parent_name`): a guide question costs nothing.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import PERSON_ENTITY
from bot.nlu_french import NAME_PIPES, french_pipeline, read

EXTRACTOR = "PersonNames"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PersonNames(GraphComponent, EntityExtractorMixin):
    """Add spaCy's PER spans as `person` entities on the messages that can name a parent."""

    def __init__(self, config: dict[str, Any], nlp: Any) -> None:
        """Keep the config and the loaded spaCy pipeline."""
        self._intents = frozenset(config["intents"])
        self._triggers = frozenset(config["entities"])
        self._nlp = nlp

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The model, and the intents and DIET entities that make a message worth reading."""
        return {"model": "fr_core_news_md", "intents": [], "entities": ["parent_name"]}

    @staticmethod
    def required_packages() -> list[str]:
        """The spaCy package (and its French model)."""
        return ["spacy"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersonNames:
        """Load the French model (once per process, shared with the second model's lemmas)."""
        config = {**cls.get_default_config(), **config}
        return cls(config, french_pipeline(config["model"]))

    def _worth_reading(self, message: Message) -> bool:
        intent = (message.get(INTENT) or {}).get("name")
        if intent in self._intents:
            return True
        return any(entity.get("entity") in self._triggers for entity in message.get(ENTITIES) or [])

    def people(self, text: str) -> list[dict[str, Any]]:
        """The `person` entities of a text, in order."""
        doc = read(self._nlp, text, NAME_PIPES)
        return [
            {
                "entity": PERSON_ENTITY,
                "value": span.text,
                "start": span.start_char,
                "end": span.end_char,
                "extractor": EXTRACTOR,
            }
            for span in doc.ents
            if span.label_ == "PER"
        ]

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the people named in each message worth reading."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip() or not self._worth_reading(message):
                continue
            found = self.people(text)
            if found:
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), *found], add_to_output=True)
        return messages
