"""A word typed with one slip is read as the training word meant; everything else is left as typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu_typos import Speller, TypoTolerance, correct_tokens, french_lexicon

TRAINING = [
    "Comment activer mon compte EduConnect ?",
    "Je n'ai pas reçu le code par SMS",
    "Mon enfant n'apparaît pas dans mon compte",
    "Quand arrivent les classes de la rentrée ?",
    "le parent ne trouve pas son compte",
    "les parents de la classe",
    "mon parent",
    "le code sais pas",
]
TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())


def tokenised(text: str) -> Message:
    message = Message(data={TEXT: text})
    TOKENIZER.process([message])
    return message


def speller(is_real_word: object = None) -> Speller:
    texts = [[t.text for t in tokenised(text).get(TOKENS_NAMES[TEXT])] for text in TRAINING]
    return Speller.learn(texts, is_real_word)  # type: ignore[arg-type]


def test_one_slip_is_read_as_the_training_word() -> None:
    spell = speller()
    assert spell.correct("educonnetc") == "educonnect"  # two letters swapped
    assert spell.correct("activr") == "activer"  # a letter dropped
    assert spell.correct("comptte") == "compte"  # a letter doubled
    assert spell.correct("rentrre") == "rentree"  # accents do not matter
    assert spell.correct("Enfnat") == "enfant"  # nor capitals


def test_the_most_frequent_training_word_wins_a_tie() -> None:
    # « parentt »: « parent » (a t dropped, 3 times in training) or « parents » (t -> s, once).
    assert speller().correct("parentt") == "parent"


def test_known_short_odd_and_far_words_are_kept() -> None:
    spell = speller()
    assert spell.correct("compte") is None  # a training word
    assert spell.correct("Compte") is None
    assert spell.correct("cod") is None  # under 4 letters
    assert spell.correct("ce1x") is None  # digits: a class level or a code, not a word
    assert spell.correct("bonjour") is None  # nothing one edit away
    assert spell.correct("🙂🙂🙂🙂") is None
    assert spell.correct("") is None


def test_the_first_letter_is_never_corrected() -> None:
    # « mode » is one edit from « code », but a slip rarely hits the first letter.
    assert speller().correct("mode") is None


def test_a_real_word_is_not_a_slip() -> None:
    known = {"saisi"}
    spell = speller(lambda word: word in known)
    assert spell.correct("saisi") is None  # a French word, one edit from « sais »
    assert speller().correct("saisi") == "sais"  # without a lexicon it would have been "corrected"
    assert spell.correct("compt") == "compte"  # not a word: corrected


def test_tokens_change_but_the_text_and_the_offsets_stay_as_typed() -> None:
    text = "Mon compet EduConnetc ne marche pas, Mme Dupnot"
    message = tokenised(text)
    before = [(t.start, t.end) for t in message.get(TOKENS_NAMES[TEXT])]
    replaced = correct_tokens(message.get(TOKENS_NAMES[TEXT]), speller())
    tokens = message.get(TOKENS_NAMES[TEXT])
    assert replaced == 2
    assert [t.text for t in tokens][:3] == ["Mon", "compte", "educonnect"]
    assert tokens[1].lemma == "compte"
    assert [(t.start, t.end) for t in tokens] == before
    assert message.get(TEXT) == text
    assert [text[t.start : t.end] for t in tokens][-1] == "Dupnot"  # a name keeps its letters


@pytest.mark.parametrize(
    "text",
    ["", "   ", "🙂" * 50, "'; DROP TABLE events; --", "<script>alert(1)</script>", "x" * 5000, "\x00\x01"],
)
def test_odd_messages_go_through_untouched(text: str) -> None:
    message = tokenised(text)
    correct_tokens(message.get(TOKENS_NAMES[TEXT]) or [], speller())
    assert message.get(TEXT) == text


def test_the_vocabulary_is_kept_in_the_model(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("typos")
    context = ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]
    config = {"lexicon": None}
    component = TypoTolerance.create(config, storage, resource, context)
    training = TrainingData([tokenised(text) for text in TRAINING])
    component.train(training)
    assert component.process_training_data(training) is training

    loaded = TypoTolerance.load(config, storage, resource, context)
    message = tokenised("coment activer mon compet ?")
    loaded.process([message])
    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])] == ["comment", "activer", "mon", "compte"]
    assert message.get(TEXT) == "coment activer mon compet ?"


def test_without_training_nothing_changes(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]
    component = TypoTolerance.load({"lexicon": None}, storage, Resource("never-trained"), context)
    message = tokenised("coment activer")
    component.process([message])
    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])] == ["coment", "activer"]


def test_spacy_s_french_lexicon_tells_words_from_slips() -> None:
    real = french_lexicon("fr_core_news_md")
    for word in ("saisi", "affectée", "foyers", "dites", "suis", "savoir"):
        assert real(word), word
    for slip in ("educonnetc", "commment", "poour", "compet", "rentrre"):
        assert not real(slip), slip
    component = TypoTolerance({"lexicon": "fr_core_news_md"}, None, Resource("x"), None)  # type: ignore[arg-type]
    assert component.real_words() is real
    spell = speller(real)
    assert spell.correct("saisi") is None
    assert spell.correct("educonnetc") == "educonnect"


def test_the_lexicon_reads_the_tables_of_the_shared_pipeline_s_lemmatizer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from spacy.lookups import Lookups

    tables = Lookups()
    tables.add_table("lemma_index", {"noun": ["cartable"]})
    tables.add_table("lemma_exc", {"noun": {"yeux": ["oeil"]}})
    tables.add_table("lemma_rules", {"noun": [["s", ""]]})

    class Pipeline:
        def get_pipe(self, name: str) -> object:
            assert name == "lemmatizer"
            return type("Lemmatizer", (), {"lookups": tables})()

    monkeypatch.setattr("bot.nlu_typos.french_pipeline", lambda model: Pipeline())
    known = french_lexicon.__wrapped__("fr_core_news_md")
    assert [known(w) for w in ("cartable", "cartables", "yeux", "cartabel")] == [True, True, True, False]
