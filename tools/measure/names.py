"""Parent names found in live questions never trained on: with and without spaCy's recogniser.

Parses tests/heldout/names/parent_names.yml with the trained model, then asks the live form
which names it would search (`actions.forms.names_in`), once with every entity and once
without the `person` entities of bot.nlu_names.PersonNames (DIET and the capitalised words
only). A name is right when its words, civilities aside, are the expected ones.
Also times the parse of these questions and of guide questions (the recogniser reads only
the former). Writes results/names.json.

Usage: python -m tools.measure.names [--model models/assistant.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker

from actions.forms import names_in
from bot.knowledge_data import heldout_examples
from bot.nlu import PERSON_ENTITY
from bot.paths import MODEL, RESULTS, ROOT
from bot.text import STOP_WORDS, normalize
from tools.measure.common import pct, table, write_json

NAMES = ROOT / "tests" / "heldout" / "names" / "parent_names.yml"


def name_words(name: str) -> list[str]:
    """The words of a name that identify the person (no civility)."""
    return [word for word in normalize(name).split() if word not in STOP_WORDS]


def searched(parse: dict[str, Any], with_people: bool) -> list[str]:
    """The names the live form would search, in order, for this parse."""
    entities = [e for e in parse.get("entities", []) if with_people or e.get("entity") != PERSON_ENTITY]
    message = {**parse, "entities": entities}
    tracker = Tracker("names", {}, message, [], False, None, {}, "action_listen")
    return names_in(tracker)


async def _parse_all(model: Path, texts: list[str]) -> tuple[list[dict[str, Any]], list[float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    parses, times = [], []
    for text in texts:
        start = time.perf_counter()
        parses.append(await agent.parse_message(text))
        times.append((time.perf_counter() - start) * 1000)
    return parses, times


def measure(model: Path) -> dict[str, Any]:
    """Names right at the first search and among the searches, with and without `person`."""
    items = yaml.safe_load(NAMES.read_text(encoding="utf-8"))
    guide = [q for intent, qs in heldout_examples().items() if intent.startswith("faq/") for q in qs][:100]
    texts = [item["text"] for item in items]
    parses, times = asyncio.run(_parse_all(model, texts + guide))
    result: dict[str, Any] = {"questions": len(items), "misses": {}}
    for label, with_people in (("with_recogniser", True), ("without_recogniser", False)):
        first = anywhere = 0
        misses = []
        for item, parse in zip(items, parses, strict=False):
            expected = name_words(item["name"])
            names = searched(parse, with_people)
            first += bool(names) and name_words(names[0]) == expected
            hit = any(name_words(name) == expected for name in names)
            anywhere += hit
            if not hit:
                misses.append({"text": item["text"], "searched": names})
        result[label] = {"first_search": first / len(items), "any_search": anywhere / len(items)}
        result["misses"][label] = misses
    result["parse_ms_median"] = {
        "name_questions": round(statistics.median(times[: len(items)]), 1),
        "guide_questions": round(statistics.median(times[len(items) :]), 1),
    }
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure, print a table and write results/names.json."""
    parser = argparse.ArgumentParser(prog="python -m tools.measure.names", description=__doc__)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--out", type=Path, default=RESULTS / "names.json")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    result = measure(args.model)
    write_json(args.out, result)
    rows = [
        (label.replace("_", " "), pct(result[label]["first_search"]), pct(result[label]["any_search"]))
        for label in ("without_recogniser", "with_recogniser")
    ]
    print(table(("names", "right at the first search", "right in one of the searches"), rows))
    print(f"parse median: {result['parse_ms_median']} ({result['questions']} name questions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
