"""The data of `make eval`: the held-out sets, the folds, predictions and their figures."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.knowledge_data import heldout_examples
from tools.measure import nlu
from tools.measure.common import DEFAULT, OURS, SEED, TFIDF
from tools.measure.humanify import humanify_examples
from tools.measure.scoring import Prediction, Scores, predict

PIPELINES = (OURS, DEFAULT, TFIDF)
SETS = ("heldout", "heldout_humanified")


def flatten(examples: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(texts, gold intents) in a stable order."""
    pairs = [(text, gold) for gold, texts in sorted(examples.items()) for text in texts]
    return [text for text, _ in pairs], [gold for _, gold in pairs]


def test_sets() -> dict[str, tuple[list[str], list[str]]]:
    """The held-out questions, as written and humanified."""
    return {
        "heldout": flatten(heldout_examples()),
        "heldout_humanified": flatten(humanify_examples(heldout_examples())),
    }


def folds(examples: list[nlu.Example], k: int) -> list[tuple[list[nlu.Example], list[nlu.Example]]]:
    """Stratified k-fold split of the training examples (fixed seed): [(train, test), ...]."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED)
    labels = [e.label for e in examples]
    return [
        ([examples[i] for i in train], [examples[i] for i in test])
        for train, test in splitter.split(labels, labels)
    ]


def predictions(parses: list[dict], texts: list[str], golds: list[str]) -> list[Prediction]:
    """One prediction per held-out example."""
    return [predict(parse, text, gold) for parse, text, gold in zip(parses, texts, golds, strict=True)]


def figures(scores: Scores, keep_errors: bool = True) -> dict[str, Any]:
    """Scores as a dict; errors kept (capped) only where asked."""
    out = asdict(scores)
    errors = out.pop("errors")
    out["error_count"] = len(errors)
    if keep_errors:
        out["errors"] = errors[:100]
    return out
