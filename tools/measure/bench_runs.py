"""The bench's servers: `rasa train` of a pipeline, the action server, one Rasa server under load."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bot.paths import ROOT
from tools.measure import nlu, turns
from tools.measure.common import CONFIGS, Stopwatch, free_port, progress, rasa_env, rss_mb, shown_path
from tools.measure.load import CONCURRENCY, HOST, LIVE_LOGIN, LIVE_ROLE, Load, faq_questions
from tools.processes import running, start, stop, wait_until_up


def rasa() -> str:
    """The venv's `rasa` command."""
    return str(Path(sys.executable).with_name("rasa"))


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
        "config": shown_path(config),
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
