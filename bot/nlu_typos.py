"""NLU component: a word typed with one slip is read as the training word it was meant to be.

Accents and case are already normalised by the featurizers, but one typo (« educonnetc »,
« rentrre ») changes a word's features entirely: on the held-out questions typed in a
hurry (tools/measure/humanify.py), the single typo cost 7 points of answer accuracy while
the missing accents and capitals cost nothing. This component learns the training
examples' words (folded, with their counts) and, at prediction time, replaces a token of
4 letters or more that is not one of them by the most frequent training word one edit
away (a letter dropped, added, replaced or two letters swapped: SymSpell's lookup).
A French word is not a slip: the tables of `fr_core_news_md`'s lemmatizer tell them apart, so
« saisi » is not read as « sais », nor « foyers » as « flyers », nor « affectée » as « affecter ».

Only the tokens the featurizers read change (text and lemma); the message text and the
tokens' offsets stay as typed, so the entities (class levels, people's names) keep the
person's own words. Known words, short words, words with digits and words with no close
training word are left alone. Training examples are never changed.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from symspellpy import SymSpell, Verbosity

from bot.nlu_french import french_pipeline
from bot.text import fold

VOCABULARY_FILE = "vocabulary.json"
MIN_LENGTH = 4  # shorter words are too close to each other to be corrected safely
MAX_EDITS = 1


def is_word(folded: str) -> bool:
    """Letters only (apostrophes and hyphens allowed inside): what may be a typed word."""
    return folded.replace("'", "").replace("-", "").isalpha() and folded.isascii()


@functools.cache
def french_lexicon(model: str) -> Callable[[str], bool]:
    """Whether a word is French, from the tables of the model's rule lemmatizer.

    A word is known when it is a lemma of the index, an exception, or becomes a lemma of
    the index by one of the rules (« foyers » -> « foyer »). The tables are those of the
    lemmatizer in the French pipeline the other components share (`bot/nlu_french.py`), not
    a second copy read from disk.
    """
    lookups = french_pipeline(model).get_pipe("lemmatizer").lookups
    index, rules, exceptions = (lookups.get_table(t) for t in ("lemma_index", "lemma_rules", "lemma_exc"))
    by_pos = [
        (frozenset(lemmas), frozenset(exceptions.get(pos, {})), [tuple(rule) for rule in rules.get(pos, [])])
        for pos, lemmas in index.items()
    ]

    def known(word: str) -> bool:
        for lemmas, forms, endings in by_pos:
            if word in lemmas or word in forms:
                return True
            for old, new in endings:
                if word.endswith(old) and word[: len(word) - len(old)] + new in lemmas:
                    return True
        return False

    return known


class Speller:
    """The training words and their counts; the correction of one folded word."""

    def __init__(self, counts: dict[str, int], is_real_word: Callable[[str], bool] | None = None) -> None:
        self.counts = dict(counts)
        self.is_real_word = is_real_word or (lambda word: False)
        self._symspell = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=7)
        for word, count in sorted(self.counts.items()):
            if len(word) >= MIN_LENGTH - MAX_EDITS:
                self._symspell.create_dictionary_entry(word, count)

    @classmethod
    def learn(cls, texts: list[list[str]], is_real_word: Callable[[str], bool] | None = None) -> Speller:
        """The speller of these tokenised texts (each token folded and counted)."""
        counts: Counter[str] = Counter()
        for tokens in texts:
            counts.update(folded for folded in map(fold, tokens) if is_word(folded))
        return cls(counts, is_real_word)

    def correct(self, typed: str) -> str | None:
        """The training word meant by the `typed` word (folded), or None to keep it."""
        word = fold(typed)
        if word in self.counts or len(word) < MIN_LENGTH or not is_word(word):
            return None
        if self.is_real_word(typed.lower()):
            return None  # another French word (« saisi », « foyers »), not a slip
        found = [
            suggestion
            for suggestion in self._symspell.lookup(word, Verbosity.CLOSEST, max_edit_distance=MAX_EDITS)
            if suggestion.term[0] == word[0]  # a slip rarely hits the first letter
        ]
        if not found:
            return None
        return str(min(found, key=lambda s: (s.distance, -s.count, s.term)).term)


def correct_tokens(tokens: list[Token], speller: Speller) -> int:
    """Replace the text and lemma of the mistyped tokens; the number replaced."""
    replaced = 0
    for token in tokens:
        meant = speller.correct(token.text)
        if meant is not None:
            token.text = meant
            token.lemma = meant
            replaced += 1
    return replaced


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class TypoTolerance(GraphComponent):
    """Read a mistyped word as the training word one edit away (see the module)."""

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, speller: Speller | None
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.speller = speller

    def real_words(self) -> Callable[[str], bool] | None:
        """Whether spaCy's French lexicon knows a word (None without a lexicon)."""
        name = self._config.get("lexicon")
        return french_lexicon(name) if name else None

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The spaCy model whose vocabulary tells real words from slips (None: no such check)."""
        return {"lexicon": "fr_core_news_md"}

    @staticmethod
    def required_packages() -> list[str]:
        """SymSpell's lookup, and spaCy for the lexicon."""
        return ["symspellpy", "spacy"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TypoTolerance:
        """A component with no vocabulary yet (Rasa's graph API)."""
        return cls(config, model_storage, resource, None)

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the words of the training examples and keep them in the model."""
        texts = [
            [token.text for token in example.get(TOKENS_NAMES[TEXT]) or []]
            for example in training_data.training_examples
            if example.get(TEXT)
        ]
        self.speller = Speller.learn(texts, self.real_words())
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(self.speller.counts, ensure_ascii=False, sort_keys=True), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TypoTolerance:
        """The component with the vocabulary saved at training."""
        try:
            with model_storage.read_from(resource) as directory:
                counts = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            counts = None
        component = cls(config, model_storage, resource, None)
        if counts:
            component.speller = Speller(counts, component.real_words())
        return component

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples are taken as written."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Correct the mistyped tokens of each message."""
        if self.speller is None:
            return messages
        for message in messages:
            correct_tokens(message.get(TOKENS_NAMES[TEXT]) or [], self.speller)
        return messages
