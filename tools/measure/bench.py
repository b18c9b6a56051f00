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
import asyncio
import itertools
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.knowledge_data import heldout_examples
from bot.paths import MODEL, RESULTS, ROOT
from tools.measure import nlu, plots, turns
from tools.measure.common import (
    CONFIGS,
    DEFAULT,
    OURS,
    PIPELINE_NAMES,
    Stopwatch,
    free_port,
    now,
    progress,
    rasa_env,
    ratio,
    rss_mb,
    table,
    write_json,
)
from tools.processes import running, start, stop, wait_until_up

# Our figures before the turn-cost work (role read by the action server on every
# message, whole sessions loaded), measured by this bench: shown beside today's.
PREVIOUS = RESULTS / "bench-previous.json"

HOST = "127.0.0.1"
LIVE_LOGIN, LIVE_ROLE = "directeur.papillons", "directeur"
LIVE_QUESTION = "la classe de CP a-t-elle des élèves ?"
TURNS_PER_CONVERSATION = 5
LIVE_EVERY = 5  # under load, one message in five is a live turn
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
CONCURRENCY = (1, 8, 32)
REQUEST_TIMEOUT = 30
# On 2 cores a full `rasa train` takes 5-7 min (ours) and 16-25 min (Rasa's default):
# with the servers, more than the 25 min this run may take. Both pipelines are therefore
# trained with the same reduced DIET/ResponseSelector epochs (--epochs-scale 1 for full).
EPOCHS_SCALE = 0.3


def rasa() -> str:
    """The venv's `rasa` command."""
    return str(Path(sys.executable).with_name("rasa"))


def faq_questions() -> list[str]:
    """The held-out guide questions (never trained on), in a stable order."""
    return [
        text
        for intent, texts in sorted(heldout_examples().items())
        if intent.startswith("faq/")
        for text in texts
    ]


def percentiles(latencies_ms: list[float]) -> dict[str, float | None]:
    """p50/p95/p99 and mean of latencies in ms (None when there are none)."""
    if not latencies_ms:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    ordered = sorted(latencies_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


def train(pipeline: str, scale: float, workdir: Path) -> dict[str, Any]:
    """`rasa train` (NLU and dialogue) from scratch: wall time, peak memory of the process tree."""
    config = CONFIGS[pipeline] if scale == 1.0 else nlu.scaled_config(CONFIGS[pipeline], scale, workdir)
    command = [
        rasa(),
        "train",
        "--config",
        str(config),
        "--out",
        str(workdir / "models"),
        "--fixed-model-name",
        f"bench-{pipeline}",
        "--force",
    ]
    log = workdir / f"train-{pipeline}.log"
    peak = 0.0
    with (
        progress(desc=f"train {pipeline}", bar_format="{desc}: {elapsed} {postfix}") as bar,
        Stopwatch() as watch,
    ):
        process = start(command, rasa_env(RASA_CACHE_DIRECTORY=str(workdir / "cache")), log)
        while process.poll() is None:
            peak = max(peak, rss_mb(process.pid))
            bar.set_postfix_str(f"peak {peak:.0f} MB")
            time.sleep(1)
    model = workdir / "models" / f"bench-{pipeline}.tar.gz"
    return {
        "ok": process.returncode == 0 and model.exists(),
        "seconds": round(watch.seconds, 1),
        "peak_memory_mb": round(peak),
        "model": str(model),
        "config": str(config.relative_to(ROOT)) if config.is_relative_to(ROOT) else str(config),
        "log": str(log),
    }


class ActionServer:
    """The project's action server with a temporary ENT database and JWT secret."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.secret = secrets.token_urlsafe(32)
        database = f"sqlite:///{workdir / 'ent.db'}"
        self.env = rasa_env(
            ENT_DATABASE_URL=database,
            ENT_JWT_SECRET=self.secret,
            SANIC_HOST=HOST,
            ACTIONS_PORT=str(self.port),
            ACTIONS_TOKEN=secrets.token_urlsafe(32),
        )
        subprocess.run(
            [sys.executable, "-m", "tools.cli", "db", "reset"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        # As `make run` serves it: the project's launcher, with the secret shared with Rasa.
        self.process = start(
            [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", str(self.port)],
            self.env,
            workdir / "actions.log",
        )
        process = self.process
        if wait_until_up(f"http://{HOST}:{self.port}/health", lambda: running(process), 120, 0.25) is None:
            raise RuntimeError(f"the action server did not start (see {workdir / 'actions.log'})")

    def token(self) -> str:
        """A live token for the benchmark's demo login."""
        from bot.identity import mint_token

        return mint_token(LIVE_LOGIN, LIVE_ROLE, secret=self.secret)


# --- the load ------------------------------------------------------------------------------
class Load:
    """REST conversations against one Rasa server; counts every message it sends."""

    def __init__(self, port: int, token: str) -> None:
        self.url = f"http://{HOST}:{port}/webhooks/rest/webhook"
        self.token = token
        self.sent = 0
        self.questions = itertools.cycle(faq_questions())
        self.samples: dict[str, str] = {}

    def conversation_ids(self, prefix: str) -> Iterator[str]:
        """A new sender id every TURNS_PER_CONVERSATION messages."""
        while True:
            sender = f"bench-{prefix}-{uuid.uuid4().hex[:12]}"
            for _ in range(TURNS_PER_CONVERSATION):
                yield sender

    async def turn(self, session: Any, sender: str, live: bool) -> tuple[float, bool]:
        """One message: (latency in ms, ok)."""
        body: dict[str, Any] = {"sender": sender, "message": LIVE_QUESTION if live else next(self.questions)}
        if live:
            body["metadata"] = {"ent_token": self.token}
        self.sent += 1
        begin = time.perf_counter()
        try:
            async with session.post(self.url, json=body) as response:
                replies = await response.json() if response.status == 200 else None
        except Exception:  # noqa: BLE001 - a failed request is counted, not raised
            replies = None
        latency = (time.perf_counter() - begin) * 1000
        ok = bool(replies)  # an error or an empty answer
        if replies:
            self.samples.setdefault("live" if live else "faq", (replies[0].get("text") or "")[:160])
        return latency, ok

    async def sequential(self, turns: int, live: bool, bar: Any) -> dict[str, Any]:
        """Send `turns` messages one after another; latencies and errors."""
        import aiohttp

        latencies, errors = [], 0
        senders = self.conversation_ids("live" if live else "faq")
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)) as session:
            for _ in range(turns):
                latency, ok = await self.turn(session, next(senders), live)
                latencies.append(latency)
                errors += not ok
                bar.update()
        return {"turns": turns, "errors": errors, **percentiles(latencies)}

    async def concurrent(
        self, conversations: int, max_messages: int, max_seconds: float, bar: Any
    ) -> dict[str, Any]:
        """`conversations` clients in parallel, until max_messages are sent or max_seconds pass."""
        import aiohttp

        latencies: list[float] = []
        errors = 0
        budget = iter(range(max_messages))
        deadline = time.monotonic() + max_seconds
        connector = aiohttp.TCPConnector(limit=conversations)

        async def client(index: int) -> None:
            nonlocal errors
            senders = self.conversation_ids(f"c{conversations}-{index}")
            for count in itertools.count(index):
                if time.monotonic() > deadline or next(budget, None) is None:
                    return
                latency, ok = await self.turn(session, next(senders), live=count % LIVE_EVERY == 0)
                latencies.append(latency)
                errors += not ok
                bar.update()

        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        ) as session:
            begin = time.monotonic()
            await asyncio.gather(*(client(i) for i in range(conversations)))
            seconds = time.monotonic() - begin
        return {
            "conversations": conversations,
            "messages": len(latencies),
            "seconds": round(seconds, 1),
            "throughput_per_s": round(len(latencies) / seconds, 1) if seconds else None,
            "errors": errors,
            **percentiles(latencies),
        }


def serve_and_load(
    pipeline: str, model: str, actions: ActionServer, limits: dict[str, int], workdir: Path
) -> dict[str, Any]:
    """Start a Rasa server on the model, measure it, stop it."""
    port = free_port()
    endpoints = workdir / f"endpoints-{pipeline}.yml"
    # The project's tracker store (as `make run`), on a temporary SQLite file.
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://{HOST}:{actions.port}/webhook"\n'
        "  headers:\n    X-Actions-Token: ${ACTIONS_TOKEN}\n"
        f"tracker_store:\n  type: bot.tracker_store.ScrubbingSQLTrackerStore\n"
        f'  dialect: "sqlite"\n  db: "{workdir / f"conversations-{pipeline}.db"}"\n'
    )
    token = secrets.token_urlsafe(16)
    # `make run`'s launcher of Rasa (bot/rasa_quiet.py): the same patches as in production.
    command = [
        sys.executable,
        "-m",
        "bot.rasa_quiet",
        "run",
        "--model",
        model,
        "--interface",
        HOST,
        "--port",
        str(port),
        "--enable-api",
        "--auth-token",
        token,
        "--endpoints",
        str(endpoints),
        "--credentials",
        "credentials.yml",
    ]
    # The Rasa process reads the signed token itself: it needs the same secret.
    server = start(
        command,
        rasa_env(ENT_JWT_SECRET=actions.secret, ACTIONS_TOKEN=actions.env["ACTIONS_TOKEN"]),
        workdir / f"server-{pipeline}.log",
    )
    out: dict[str, Any] = {}
    try:
        with progress(desc=f"start {pipeline}", bar_format="{desc}: {elapsed}") as bar:
            url = f"http://{HOST}:{port}/status?token={token}"
            seconds = wait_until_up(url, lambda: running(server), 300, 0.25, bar.refresh)
        out["start_to_status_seconds"] = None if seconds is None else round(seconds, 1)
        if seconds is None:
            out["error"] = (
                f"the Rasa server did not answer /status (see {workdir / f'server-{pipeline}.log'})"
            )
            return out
        load = Load(port, actions.token())
        total = limits["messages"]
        with progress(total=total, desc=f"load {pipeline}", unit="msg") as bar:
            warm = asyncio.run(load.sequential(20, live=False, bar=bar))
            warm_live = asyncio.run(load.sequential(5, live=True, bar=bar))
            out["warmup_errors"] = warm["errors"] + warm_live["errors"]
            out["memory_after_warmup_mb"] = round(rss_mb(server.pid))
            questions = faq_questions()
            out["turn_cost"] = {
                "cpu": asyncio.run(
                    turns.cpu_per_message(
                        load.url, questions, server.pid, actions.process.pid, limits["cpu_messages"]
                    )
                ),
                "growth": asyncio.run(turns.growth(load.url, questions, limits["growth_turns"], None)),
            }
            bar.update(limits["cpu_messages"] + limits["growth_turns"])
            out["latency"] = {
                "faq": asyncio.run(load.sequential(limits["faq_turns"], live=False, bar=bar)),
                "live": asyncio.run(load.sequential(limits["live_turns"], live=True, bar=bar)),
            }
            out["concurrency"] = {}
            for level in CONCURRENCY:
                bar.set_postfix_str(f"{level} concurrent")
                out["concurrency"][str(level)] = asyncio.run(
                    load.concurrent(level, limits["level_messages"], limits["level_seconds"], bar)
                )
            bar.set_postfix_str(f"up to {total} messages")
            while load.sent < total:
                asyncio.run(load.concurrent(8, total - load.sent, 600, bar))
        out["messages_sent"] = load.sent
        out[f"memory_after_{total}_messages_mb"] = out["memory_after_messages_mb"] = round(rss_mb(server.pid))
        out["memory_growth"] = round(out["memory_after_messages_mb"] / out["memory_after_warmup_mb"] - 1, 4)
        out["action_server_memory_mb"] = round(rss_mb(actions.process.pid))
        out["sample_replies"] = load.samples
        return out
    finally:
        stop(server)


# --- results -------------------------------------------------------------------------------
def flat_figures(entry: dict[str, Any]) -> dict[str, float | None]:
    """The figures compared between pipelines, by name (lower is better for all of them but throughput)."""
    serve = entry.get("serve") or {}
    latency = serve.get("latency") or {}
    figures = {
        "training_seconds": entry["train"].get("seconds"),
        "training_peak_memory_mb": entry["train"].get("peak_memory_mb"),
        "start_to_status_seconds": serve.get("start_to_status_seconds"),
        "memory_after_warmup_mb": serve.get("memory_after_warmup_mb"),
        "memory_after_messages_mb": serve.get("memory_after_messages_mb"),
        "memory_growth": serve.get("memory_growth"),
    }
    cost = serve.get("turn_cost") or {}
    cpu, growth = cost.get("cpu") or {}, cost.get("growth") or {}
    figures["rasa_cpu_ms_per_message"] = cpu.get("rasa_cpu_ms_per_message")
    figures["actions_cpu_ms_per_message"] = cpu.get("actions_cpu_ms_per_message")
    for checkpoint in turns.CHECKPOINTS:
        figures[f"turn_{checkpoint}_ms"] = growth.get(f"turn_{checkpoint}_ms")
    figures["turn_growth_ratio"] = growth.get("growth_ratio")
    for kind in ("faq", "live"):
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            figures[f"{kind}_{key}"] = (latency.get(kind) or {}).get(key)
    for level, figures_at in (serve.get("concurrency") or {}).items():
        figures[f"throughput_{level}_per_s"] = figures_at.get("throughput_per_s")
        figures[f"errors_{level}"] = figures_at.get("errors")
        figures[f"p95_{level}_ms"] = figures_at.get("p95_ms")
    return figures


def goals(result: dict[str, Any]) -> dict[str, bool | None]:
    """Whether each goal is met (None when its figure is missing)."""
    ours = result["figures"].get(OURS) or {}
    ratios = result.get("ratios") or {}

    def ok(value: float | None, test: Any) -> bool | None:
        return None if value is None else bool(test(value))

    return {
        "faq_p95_at_most_1_5x_default": ok(ratios.get("faq_p95_ms"), lambda r: r <= 1.5),
        # judged only on a full-epoch training: a shortened one says nothing about it
        "training_under_10_min": (
            ok(ours.get("training_seconds"), lambda s: s < 600)
            if (result.get("settings") or {}).get("epochs_scale", 1.0) == 1.0
            else None
        ),
        "server_memory_under_1_5_gb": ok(ours.get("memory_after_messages_mb"), lambda mb: mb < 1536),
        "memory_growth_under_5_percent": ok(ours.get("memory_growth"), lambda g: g < 0.05),
        "throughput_8_at_least_40_per_s": ok(ours.get("throughput_8_per_s"), lambda t: t >= 40),
        "faq_p50_at_most_35_ms": ok(ours.get("faq_p50_ms"), lambda ms: ms <= 35),
        "turn_200_at_most_1_5x_turn_10": ok(ours.get("turn_growth_ratio"), lambda r: r <= 1.5),
    }


def fmt(value: Any, unit: str = "") -> str:
    """A figure for the Markdown table ('–' when missing)."""
    if value is None:
        return "–"
    if isinstance(value, float) and unit == "%":
        return f"{100 * value:+.1f} %"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


def markdown(result: dict[str, Any]) -> str:
    """The benchmark's results as a Markdown report."""
    figures, ratios = result["figures"], result["ratios"]
    messages = result["settings"]["messages"]
    rows_spec = [
        ("Training wall time (`rasa train`, no cache)", "training_seconds", " s"),
        ("Training peak memory", "training_peak_memory_mb", " MB"),
        ("Start until /status answers", "start_to_status_seconds", " s"),
        ("FAQ turn latency p50", "faq_p50_ms", " ms"),
        ("**FAQ turn latency p95**", "faq_p95_ms", " ms"),
        ("FAQ turn latency p99", "faq_p99_ms", " ms"),
        ("Live turn latency p50", "live_p50_ms", " ms"),
        ("Live turn latency p95", "live_p95_ms", " ms"),
        ("Live turn latency p99", "live_p99_ms", " ms"),
    ]
    for level in CONCURRENCY:
        rows_spec += [
            (
                f"Throughput, {level} concurrent conversation{'s' * (level > 1)}",
                f"throughput_{level}_per_s",
                " msg/s",
            ),
            (f"Latency p95, {level} concurrent", f"p95_{level}_ms", " ms"),
            (f"Errors, {level} concurrent", f"errors_{level}", ""),
        ]
    rows_spec += [
        ("Rasa server CPU per guide question", "rasa_cpu_ms_per_message", " ms"),
        ("Action server CPU per guide question", "actions_cpu_ms_per_message", " ms"),
        *[(f"Latency at turn {c} of one conversation", f"turn_{c}_ms", " ms") for c in turns.CHECKPOINTS],
        (f"Turn {turns.CHECKPOINTS[-1]} / turn {turns.CHECKPOINTS[0]}", "turn_growth_ratio", ""),
        ("Server memory after warm-up", "memory_after_warmup_mb", " MB"),
        (f"Server memory after {messages} messages", "memory_after_messages_mb", " MB"),
        (f"Memory growth over {messages} messages", "memory_growth", "%"),
    ]
    previous = result.get("previous") or {}
    rows = []
    for label, key, unit in rows_spec:
        r = ratios.get(key)
        rows.append(
            [
                label,
                fmt((figures.get(OURS) or {}).get(key), unit),
                fmt(previous.get(key), unit),
                fmt((figures.get(DEFAULT) or {}).get(key), unit),
                "–" if r is None else f"{r:.2f}",
            ]
        )
    mark = {True: "✅", False: "❌", None: "–"}
    g = result["goals"]
    s = result["settings"]
    lines = [
        f"# Benchmark ({result['mode']} run, {result['generated_at']})",
        "",
        f"One machine ({s['cpus']} CPUs), loopback only, one pipeline at a time. REST channel with the SQL "
        "tracker store (SQLite) and the action server, as `make run` serves it.",
        "",
        table(["", "ours (config.yml)", "ours, previous", "Rasa default", "ratio ours/default"], rows),
        "",
        "Goals (targets, not tests):",
        f"- {mark[g['faq_p95_at_most_1_5x_default']]} FAQ-turn p95 latency ≤ 1.5 × the default pipeline's",
        f"- {mark[g['training_under_10_min']]} training under 10 minutes on this machine",
        f"- {mark[g['server_memory_under_1_5_gb']]} server memory under 1.5 GB",
        f"- {mark[g['memory_growth_under_5_percent']]} memory growth under 5 % over {messages} messages",
        f"- {mark[g['throughput_8_at_least_40_per_s']]} at least 40 messages/s with 8 concurrent conversations",
        f"- {mark[g['faq_p50_at_most_35_ms']]} guide answer median at most 35 ms (one client)",
        f"- {mark[g['turn_200_at_most_1_5x_turn_10']]} turn 200 of a conversation at most 1.5 × turn 10",
        "",
        f"Sequential latency: {s['faq_turns']} FAQ turns (held-out questions) and {s['live_turns']} live turns "
        f'("{LIVE_QUESTION}", token of {LIVE_LOGIN}), conversations of {TURNS_PER_CONVERSATION} turns. '
        f"Under load one message in {LIVE_EVERY} is a live turn; each level stops after {s['level_messages']} "
        f"messages or {s['level_seconds']} s. An error is a failed request, a non-200 status or an empty answer. "
        + ("" if s.get("serve_only") else f"Epochs × {s['epochs_scale']:g} for both pipelines."),
    ]
    lines += [
        f"CPU per question: {s['cpu_messages']} guide questions, one at a time, CPU time of each server "
        f"(/proc) divided by the questions. Growth: one conversation of {s['growth_turns']} guide questions, "
        f"median latency of the {2 * turns.AROUND + 1} turns around turns "
        f'{", ".join(map(str, turns.CHECKPOINTS))}. "ours, previous": {PREVIOUS.name} '
        f"({previous.get('_what', 'not recorded')}).",
    ]
    lines += [f"- {note}" for note in s["notes"]]
    lines += ["", "Plot: [bench-latency.png](bench-latency.png). How to read this: docs/measuring.md.", ""]
    return "\n".join(lines)


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
