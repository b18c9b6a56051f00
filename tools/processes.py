"""Start a server process, wait until its URL answers, stop it: one helper for the bench, the cluster and the tests.

`make run` itself goes through tools.supervisor (restarts, health checks, jobs), which uses
`answers` for its checks too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bot.paths import ROOT

# Child processes quiet and offline: no telemetry, no TensorFlow chatter, no deprecation noise.
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONWARNINGS": "ignore",
    "PYTHONPATH": str(ROOT),
}


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this one's, made quiet and offline, plus `extra`."""
    return {**os.environ, **QUIET_ENV, **extra}


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether GET `url` answers with a 2xx status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (OSError, ValueError):
        return False


def start(
    command: list[str],
    env: dict[str, str],
    log: Path | None = None,
    stderr_pipe: bool = False,
    cwd: Path = ROOT,
) -> subprocess.Popen:
    """Start `command` in its own process group; output to `log` (or nowhere, stderr kept if asked)."""
    if log is not None:
        with log.open("w") as out:
            return subprocess.Popen(
                command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
    errors = subprocess.PIPE if stderr_pipe else subprocess.DEVNULL
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
    )


def running(process: subprocess.Popen | None) -> bool:
    """Whether a process we started is still running."""
    return process is not None and process.poll() is None


def wait_until_up(
    url: str,
    alive: Callable[[], bool],
    timeout: float,
    interval: float = 0.5,
    tick: Callable[[], object] | None = None,
) -> float | None:
    """Seconds until `url` answers (2xx); None if `alive()` turns false or `timeout` passes."""
    begin = time.monotonic()
    while time.monotonic() - begin < timeout:
        if not alive():
            return None
        if answers(url):
            return time.monotonic() - begin
        if tick is not None:
            tick()
        time.sleep(interval)
    return None


def stop(process: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """Stop a process group we started: SIGTERM, then SIGKILL after `timeout` s."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
