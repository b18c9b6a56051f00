"""Off-topic questions never trained on: how many the assistant declines, asks back, or answers wrongly.

Parses tests/heldout/offtopic/*.yml with the trained model: everyday questions that use our
words for another service (a bank's SMS code, a phone's storage), and school questions outside
the ENT and EduConnect (the canteen, a class trip). Each is right when declined; a "Vouliez-vous
dire" is not wrong; anything else (a guide answer, a live question, a conversation intent) is a
confident wrong answer, as in `make eval`. Writes results/offtopic.json.

Usage: python -m tools.measure.offtopic [--model models/assistant.tar.gz]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.nlu import FALLBACK_INTENT
from bot.paths import MODEL, RESULTS, ROOT
from tools.measure import nlu
from tools.measure.common import pct, table, write_json
from tools.measure.scoring import OUT_OF_SCOPE, Prediction, predict

OFFTOPIC = ROOT / "tests" / "heldout" / "offtopic"


def questions(path: Path) -> list[dict[str, str]]:
    """A set's questions: their text and their kind (everyday or school)."""
    return [
        {"text": str(q["text"]), "kind": str(q["kind"])}
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    ]


def tally(items: list[dict[str, str]], predictions: list[Prediction]) -> dict[str, Any]:
    """Declined, asked back and confident wrong, by kind, with what was wrongly said."""
    kinds: dict[str, dict[str, int]] = {}
    wrong = []
    for item, prediction in zip(items, predictions, strict=True):
        counts = kinds.setdefault(item["kind"], {"questions": 0, "declined": 0, "asked_back": 0, "wrong": 0})
        counts["questions"] += 1
        if prediction.declined:
            counts["declined"] += 1
        elif prediction.intent == FALLBACK_INTENT:
            counts["asked_back"] += 1
        else:
            counts["wrong"] += 1
            wrong.append({"kind": item["kind"], "text": item["text"], "said": prediction.label})
    return {"kinds": kinds, "confident_wrong": wrong}


def measure(model: str, folder: Path = OFFTOPIC) -> dict[str, Any]:
    """Each set's tally, the model's parses taken in a child process."""
    sets = {path.stem: questions(path) for path in sorted(folder.glob("*.yml"))}
    texts = [item["text"] for items in sets.values() for item in items]
    parses = iter(nlu.isolated(nlu.parse_texts, model, texts))
    result = {}
    for name, items in sets.items():
        predictions = [predict(next(parses), item["text"], OUT_OF_SCOPE) for item in items]
        result[name] = tally(items, predictions)
    return result


def markdown(result: dict[str, Any]) -> str:
    """One row per set and kind: declined, asked back, confidently wrong."""
    rows = []
    for name, figures in result.items():
        for kind, counts in figures["kinds"].items():
            n = counts["questions"]
            rows.append(
                [f"{name}, {kind}", str(n)]
                + [f"{counts[key]} ({pct(counts[key] / n)})" for key in ("declined", "asked_back", "wrong")]
            )
    return table(["set", "questions", "declined", "asked back", "confident wrong"], rows)


def main(argv: list[str] | None = None) -> int:
    """Measure, write results/offtopic.json, print the table and what was wrongly said."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODEL))
    args = parser.parse_args(argv)
    result = measure(args.model)
    write_json(RESULTS / "offtopic.json", result)
    print(markdown(result))
    for name, figures in result.items():
        for item in figures["confident_wrong"]:
            print(f"- {name} ({item['kind']}): {item['text']} -> {item['said']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
