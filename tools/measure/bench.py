"""`make bench`: how fast and how big, our pipeline next to Rasa's default one.

For each pipeline (config.yml, configs/rasa-default.yml), in one run on this machine:
  1. `rasa train` from scratch (no cache): wall time and peak memory;
  2. `rasa run` on a free loopback port (its own action server, ENT database, JWT
     secret and SQLite tracker store, all temporary): time until /status answers;
  3. server memory after a warm-up;
  4. sequential REST latency (p50/p95/p99) of FAQ turns and of live turns (a live turn
     carries metadata.ent_token for directeur.papillons and reads the ENT backend);
  5. throughput, latency and errors with 1, 8 and 32 concurrent conversations
     (each level bounded in messages and seconds);
  6. more conversations until the server has had 5,000 messages, then its memory again.
Ratios ours/default for each figure. Writes results/bench.json, bench.md, bench-latency.png.

Usage: python -m tools.measure.bench [--quick] [--messages 5000] [--epochs-scale 1.0]
Never fails on a figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.paths import MODEL, RESULTS, ROOT
from tools.measure import plots
from tools.measure.bench_report import PREVIOUS, flat_figures, goals, markdown
from tools.measure.bench_runs import ActionServer, serve_and_load, train
from tools.measure.common import CONFIGS, DEFAULT, OURS, PIPELINE_NAMES, Stopwatch, now, ratio, write_json
from tools.measure.load import CONCURRENCY, LIVE_EVERY, TURNS_PER_CONVERSATION
from tools.processes import stop

FULL = {
    "faq_turns": 200,
    "live_turns": 100,
    "level_messages": 600,
    "level_seconds": 60,
    "messages": 5000,
    "cpu_messages": 200,
    "growth_turns": 210,
}
QUICK = {
    "faq_turns": 30,
    "live_turns": 15,
    "level_messages": 60,
    "level_seconds": 15,
    "messages": 400,
    "cpu_messages": 40,
    "growth_turns": 110,
}
# On 2 cores a full `rasa train` takes 5-7 min (ours) and 16-25 min (Rasa's default):
# with the servers, more than the 25 min this run may take. Both pipelines are therefore
# trained with the same reduced DIET/ResponseSelector epochs (--epochs-scale 1 for full).
EPOCHS_SCALE = 0.3


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line of `python -m tools.measure.bench`."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.measure.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="for development: tiny epochs, few messages")
    parser.add_argument(
        "--epochs-scale",
        type=float,
        default=None,
        help=f"multiply DIET/ResponseSelector epochs by this, for both pipelines (default {EPOCHS_SCALE})",
    )
    parser.add_argument("--messages", type=int, default=None, help="messages per server (default 5000)")
    parser.add_argument(
        "--serve-only",
        action="store_true",
        help=f"no training: serve {MODEL.relative_to(ROOT)} as ours (the default pipeline is not measured)",
    )
    parser.add_argument("--pipelines", default=f"{OURS},{DEFAULT}")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.limits = dict(QUICK if args.quick else FULL)
    if args.messages:
        args.limits["messages"] = args.messages
    if args.epochs_scale is None:
        args.epochs_scale = 0.1 if args.quick else EPOCHS_SCALE
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its results."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    pipelines = [p for p in args.pipelines.split(",") if p in CONFIGS]
    notes = ["QUICK run (development): tiny epochs and few messages."] if args.quick else []
    result: dict[str, Any] = {
        "schema_version": 1,
        "generated_at": now(),
        "mode": "quick" if args.quick else "full",
        "pipelines": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, Stopwatch() as total:
        workdir = Path(tmp)
        if args.serve_only:
            pipelines = [OURS]
            notes.append(f"Served {MODEL.relative_to(ROOT)} as it is (--serve-only): no training measured.")
        for pipeline in pipelines:
            result["pipelines"][pipeline] = {
                "description": PIPELINE_NAMES[pipeline],
                "train": (
                    {"ok": MODEL.exists(), "model": str(MODEL)}
                    if args.serve_only
                    else train(pipeline, args.epochs_scale, workdir)
                ),
            }
        actions = ActionServer(workdir)
        try:
            for pipeline in pipelines:
                entry = result["pipelines"][pipeline]
                if entry["train"]["ok"]:
                    entry["serve"] = serve_and_load(
                        pipeline, entry["train"]["model"], actions, args.limits, workdir
                    )
                else:
                    notes.append(f"{pipeline}: training failed, nothing served.")
        finally:
            stop(actions.process)
    result["settings"] = {
        **args.limits,
        "epochs_scale": args.epochs_scale,
        "serve_only": args.serve_only,
        "concurrency": list(CONCURRENCY),
        "turns_per_conversation": TURNS_PER_CONVERSATION,
        "live_every": LIVE_EVERY,
        "cpus": os.cpu_count(),
        "notes": notes,
    }
    result["figures"] = {p: flat_figures(e) for p, e in result["pipelines"].items()}
    ours, default = result["figures"].get(OURS) or {}, result["figures"].get(DEFAULT) or {}
    result["ratios"] = {
        key: (round(r, 3) if (r := ratio(ours.get(key), default.get(key))) is not None else None)
        for key in ours
        if key != "memory_growth" and not key.startswith("errors_")  # a ratio of these means nothing
    }
    result["goals"] = goals(result)
    if PREVIOUS.exists():
        result["previous"] = json.loads(PREVIOUS.read_text(encoding="utf-8"))
    if args.epochs_scale != 1.0 and not args.serve_only:
        notes.append(
            f"Both pipelines trained with DIET/ResponseSelector epochs × {args.epochs_scale:g} to fit the time "
            "budget: training times are shorter than a full `make train`, so the 10-minute goal is not judged here."
        )
    result["wall_seconds"] = round(total.seconds, 1)
    for entry in result["pipelines"].values():  # temporary paths mean nothing once the run is over
        entry["train"].pop("model", None)
        entry["train"].pop("log", None)
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "bench.json", result)
    plots.latency_plot(result, args.out / "bench-latency.png")
    (args.out / "bench.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    print(
        f"Written: {args.out / 'bench.json'}, {args.out / 'bench.md'}, {args.out / 'bench-latency.png'} "
        f"({total.seconds / 60:.1f} min)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
