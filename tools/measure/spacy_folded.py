"""A measured NLU variant, not in config.yml: spaCy's tokens and vectors on accent-folded text.

The pipeline is configs/spacy-folded.yml. Kept so that `python -m tools.measure.variants configs/spacy-folded.yml` can be rerun when the
data change; docs/measuring.md has why the product does not use it.

People write « eleve », « Ecole », « educonnect » as often as « élève »: spaCy's tokens and
vectors are looked up on the text lower-cased and without accents (one character for one,
so every offset is an offset in what the person typed). Only the tokenizer and the word
vectors are loaded: the tagger, lemmatizer, parser and entity recogniser cost 3 ms a
message and about 150 MB and measured no gain here (docs/measuring.md).
The tokens keep the person's own characters (case and accents) for the other featurizers
and for entity values.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.training_data.message import Message

from bot.text import fold_in_place

# spaCy pipes left out: only the tokenizer and the static word vectors are used.
EXCLUDED_PIPES = ("tok2vec", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer", "ner")


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="FoldedSpacyNLP",
)
class FoldedSpacyNLP(SpacyNLP):
    """`SpacyNLP` with the tokenizer and vectors only, fed folded text."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FoldedSpacyNLP:
        """Loads the model named in the config without its trained pipes."""
        import spacy

        name = config.get("model")
        if not name:
            return super().create(config, model_storage, resource, execution_context)
        language = spacy.load(name, exclude=list(EXCLUDED_PIPES))
        cls.ensure_proper_language_model(language)
        model = SpacyModel(model=language, model_name=f"{name}+folded-vectors")
        return cls(model, {**cls.get_default_config(), **config})

    def _preprocess_text(self, text: str | None) -> str:
        """Lower case and no accents, same length as the text."""
        return fold_in_place(text or "")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FoldedSpacyTokenizer(SpacyTokenizer):
    """spaCy's tokens (French elisions: « l'ENT », « qu'il »), with the characters as typed."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Token boundaries from spaCy, characters from the original text."""
        tokens = super().tokenize(message, attribute)
        text = message.get(attribute)
        if not isinstance(text, str):
            return tokens
        for token in tokens:
            typed = text[token.start : token.end]
            if len(typed) == len(token.text):
                token.text = typed
                token.lemma = typed
        return tokens
