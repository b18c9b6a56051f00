"""spaCy's French model for the NLU components: loaded once per process, shared by those that read with it.

`bot.nlu_names.PersonNames` runs its entity recogniser (which has its own token vectors);
`bot.nlu_second_opinion.SecondOpinion` runs the tagger and the rule lemmatizer. Both read
the same loaded pipeline, so the model's vectors are in memory once; the dependency parser
is never loaded.
"""

from __future__ import annotations

import functools
from typing import Any

# The pipes loaded: the recogniser's, and those the lemmas need.
LOADED_PIPES = ("tok2vec", "morphologizer", "attribute_ruler", "lemmatizer", "ner")
NAME_PIPES = ("ner",)
LEMMA_PIPES = ("tok2vec", "morphologizer", "attribute_ruler", "lemmatizer")
MAX_CHARS = 1_000  # longer messages fall back before any answer (bot/nlu_guard.py)


@functools.cache
def french_pipeline(name: str) -> Any:
    """The French spaCy model with the pipes of `LOADED_PIPES` only, loaded once per process."""
    import spacy

    info = spacy.info(name)
    pipes = info.get("pipeline", []) if isinstance(info, dict) else []
    return spacy.load(name, exclude=[pipe for pipe in pipes if pipe not in LOADED_PIPES])


def read(nlp: Any, text: str, pipes: tuple[str, ...]) -> Any:
    """The spaCy document of a text (its first `MAX_CHARS` characters) after the given pipes only."""
    doc = nlp.make_doc(text[:MAX_CHARS])
    for name in pipes:
        doc = nlp.get_pipe(name)(doc)
    return doc


def lemmas(nlp: Any, text: str) -> str:
    """The text's lemmas, by spaCy's tagger and rule lemmatizer, separated by spaces."""
    return " ".join(token.lemma_ for token in read(nlp, text, LEMMA_PIPES))
