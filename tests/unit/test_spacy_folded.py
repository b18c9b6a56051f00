"""The measured spaCy variant: folded text for spaCy, the person's own characters in the tokens."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.text import fold_in_place
from tools.measure.spacy_folded import FoldedSpacyNLP, FoldedSpacyTokenizer


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Élève L’ENT", "eleve l'ent"),
        ("CŒUR œuvre", "cœur œuvre"),  # a ligature has no one-letter form: lower-cased only
        ("e\u0301cole", "e\u0301cole"),  # an already-decomposed accent keeps its place
    ],
)
def test_folding_in_place_keeps_every_offset(typed: str, folded: str) -> None:
    assert fold_in_place(typed) == folded
    assert len(fold_in_place(typed)) == len(typed)


@pytest.fixture(scope="module")
def nlp() -> FoldedSpacyNLP:
    return FoldedSpacyNLP.create({"model": "fr_core_news_md"}, None, None, None)  # type: ignore[arg-type]


def test_only_the_tokenizer_and_the_vectors_are_loaded(nlp: FoldedSpacyNLP) -> None:
    assert nlp.provide().model.pipe_names == []


def test_spacy_reads_the_folded_text_and_the_tokens_keep_what_was_typed(nlp: FoldedSpacyNLP) -> None:
    text = "Mon ÉLÈVE n'a pas l'ENT d'EduConnect"
    [message] = nlp.process([Message(data={"text": text})], nlp.provide())
    assert message.get("text_spacy_doc").text == fold_in_place(text)
    tokenizer = FoldedSpacyTokenizer(FoldedSpacyTokenizer.get_default_config())
    tokens = tokenizer.tokenize(message, "text")
    assert [t.text for t in tokens] == ["Mon", "ÉLÈVE", "n'", "a", "pas", "l'", "ENT", "d'", "EduConnect"]
    assert all(text[t.start : t.end] == t.text for t in tokens)
