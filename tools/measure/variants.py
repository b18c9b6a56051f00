"""Compare NLU pipeline variants (spaCy's French model, decided by measurement).

Each config is trained on data/nlu (NLU only, the same data and seeds), then, in the same
fresh process: the memory of that process after loading the model (RSS), the latency of
one parse (median and p95 over the held-out questions, one at a time) and the held-out
figures of tools.measure.scoring. Writes results/variants.json and prints a table.

Usage: python -m tools.measure.variants config.yml configs/spacy-lemmas.yml configs/spacy-vectors.yml
(heavy: one NLU training per config; run it under the shared CPU lock).
The RSS after loading is only meaningful in a fresh process: a process that has just
trained keeps its training memory. For the server's memory, measure a trained model in
a fresh process: python -m tools.measure.variants --model models/assistant.tar.gz
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.paths import RESULTS
from tools.measure import nlu
from tools.measure.common import now, pct, shown_path, table, write_json
from tools.measure.eval_sets import predictions, test_sets
from tools.measure.scoring import score

FIGURES = (
    "answer_accuracy",
    "answer_in_candidates",
    "confident_wrong_rate",
    "declined_rate",
    "intent_accuracy",
    "fallback_rate",
)


def rss_mb() -> float:
    """Resident memory of this process, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def train_and_measure(
    config: str, data: str, workdir: str, texts_by_set: dict[str, list[str]]
) -> dict[str, Any]:
    """Train `config` on `data`, load it, and measure memory, latency and parses (child process)."""
    import asyncio

    from rasa.core.agent import Agent

    model, train_seconds = nlu.train_quietly(config, data, workdir)

    async def run() -> dict[str, Any]:
        before = rss_mb()
        load_start = time.monotonic()
        agent = Agent.load(model)
        load_seconds = time.monotonic() - load_start
        await agent.parse_message("bonjour")  # warm-up
        loaded = rss_mb()
        parses: dict[str, list[dict[str, Any]]] = {}
        latencies: list[float] = []
        for name, texts in texts_by_set.items():
            parses[name] = []
            for text in texts:
                tick = time.perf_counter()
                parse = await agent.parse_message(text)
                latencies.append((time.perf_counter() - tick) * 1000)
                parses[name].append(nlu._trim(parse))
        latencies.sort()
        return {
            "parses": parses,
            "rss_mb_before_load": round(before, 1),
            "rss_mb_loaded": round(loaded, 1),
            "load_seconds": round(load_seconds, 1),
            "parse_ms_median": round(statistics.median(latencies), 1),
            "parse_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        }

    out = asyncio.run(run())
    out["train_seconds"] = round(train_seconds, 1)
    return out


def load_and_measure(model: str, texts: list[str]) -> dict[str, Any]:
    """In a fresh process: RSS before and after loading a trained model, and parse latency."""
    nlu._quiet_rasa()
    import asyncio

    from rasa.core.agent import Agent

    async def run() -> dict[str, Any]:
        before = rss_mb()
        agent = Agent.load(model)
        await agent.parse_message("bonjour")
        loaded = rss_mb()
        latencies = []
        for text in texts:
            tick = time.perf_counter()
            await agent.parse_message(text)
            latencies.append((time.perf_counter() - tick) * 1000)
        latencies.sort()
        return {
            "model": model,
            "rss_mb_before_load": round(before, 1),
            "rss_mb_loaded": round(loaded, 1),
            "parse_ms_median": round(statistics.median(latencies), 1),
            "parse_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            "parses": len(latencies),
        }

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    """Measure each config (or one trained model with --model); print and write the figures."""
    parser = argparse.ArgumentParser(prog="python -m tools.measure.variants", description=__doc__)
    parser.add_argument("configs", nargs="*", type=Path)
    parser.add_argument("--model", type=Path, help="measure this trained model's memory and latency only")
    parser.add_argument("--out", type=Path, default=RESULTS / "variants.json")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    sets = test_sets()
    texts = {name: t for name, (t, _) in sets.items()}
    if args.model:
        print(nlu.isolated(load_and_measure, str(args.model.resolve()), texts["heldout"]))
        return 0
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="variants-") as tmp:
        data = nlu.write_training_data(Path(tmp) / "data", nlu.load_examples())
        for index, config in enumerate(args.configs):
            print(f"==> {config}: training (NLU only) and measuring...", flush=True)
            try:
                out = nlu.isolated(
                    train_and_measure, str(config.resolve()), str(data), f"{tmp}/m{index}", texts
                )
            except Exception as error:  # noqa: BLE001 - one failing variant must not lose the others' figures
                print(f"{config}: failed ({type(error).__name__}: {error})", flush=True)
                continue
            entry = {k: v for k, v in out.items() if k != "parses"}
            for name, (set_texts, golds) in sets.items():
                scores = asdict(score(predictions(out["parses"][name], set_texts, golds)))
                entry[name] = {k: round(scores[k], 4) for k in FIGURES}
            results[shown_path(config.resolve())] = entry
            print(entry, flush=True)
    write_json(args.out, {"generated_at": now(), "variants": results})
    rows = [
        [name]
        + [pct(v["heldout"][k]) for k in FIGURES]
        + [pct(v["heldout_humanified"]["answer_accuracy"])]
        + [
            f"{v['train_seconds']:.0f} s",
            f"{v['rss_mb_loaded']:.0f} MB",
            f"{v['parse_ms_median']} / {v['parse_ms_p95']} ms",
        ]
        for name, v in results.items()
    ]
    headers = [
        "config",
        *FIGURES,
        "answer acc. humanified",
        "NLU training",
        "RSS loaded",
        "parse median / p95",
    ]
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
