"""A small process supervisor: named children restarted with back-off, periodic jobs.

Used by `make run` (tools/run.py); meant to be reused for other sets of processes:

    sup = Supervisor([Child("actions", [...], env=env, health_url="http://.../health")],
                     log_dir=VAR / "log")
    sup.start()
    sup.wait_ready("actions", timeout=60)
    sup.run_forever()          # until stop_event is set (or KeyboardInterrupt)
    sup.stop()

- A child that exits is restarted after a back-off (1, 2, 5, 10, 30 s...), with a line
  saying so. A child that stops `crash_loop_count` times within `crash_loop_seconds` is
  reported as crash-looping and retried slowly (every `slow_retry_seconds`), never
  given up on: the assistant heals by itself once the cause is gone.
- A child with a `health_url` that stops answering `health_failures` checks in a row
  once it was ready (hung, or stopped with SIGSTOP) is killed and restarted.
- Each child's output goes, line by line and scrubbed of tokens (bot/log_hygiene.py),
  to var/log/<name>.log (mode 600) and to the terminal, prefixed by its name.
- Periodic jobs (a command every `every_seconds`, the first at start) run in a thread,
  never blocking the supervision; `on_output` receives what they printed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.log_hygiene import scrub_line
from tools.processes import answers

BACKOFF_SECONDS = (1, 2, 5, 10, 30)


@dataclass
class Child:
    """A process to keep running."""

    name: str
    command: list[str]
    env: dict[str, str] | None = None
    cwd: Path | None = None
    health_url: str | None = None  # answers 2xx when the child is up
    # state, managed by the supervisor
    process: subprocess.Popen | None = field(default=None, repr=False)
    started_at: float = 0.0
    ready: bool = False
    restart_at: float | None = None
    crashes: deque = field(default_factory=lambda: deque(maxlen=50), repr=False)
    health_failures: int = 0
    next_health_check: float = 0.0
    starts: int = 0

    @property
    def running(self) -> bool:
        """Whether the process is running."""
        return self.process is not None and self.process.poll() is None


@dataclass
class Job:
    """A command run at start, then every `every_seconds`, in a background thread."""

    name: str
    command: list[str]
    every_seconds: float
    on_output: Callable[[str, int], None] | None = None  # (stdout, return code)
    env: dict[str, str] | None = None
    timeout: float = 600
    next_run: float = 0.0
    thread: threading.Thread | None = field(default=None, repr=False)


def _healthy(url: str, timeout: float = 3.0) -> bool:
    return answers(url, timeout)


class Supervisor:
    """Keep named children running; see the module docstring."""

    def __init__(
        self,
        children: list[Child],
        *,
        jobs: list[Job] | None = None,
        log_dir: Path | None = None,
        echo: bool = True,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
        crash_loop_count: int = 5,
        crash_loop_seconds: float = 120.0,
        slow_retry_seconds: float = 300.0,
        health_interval: float = 10.0,
        health_failures: int = 3,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.children = {child.name: child for child in children}
        self.jobs = list(jobs or [])
        self.log_dir = log_dir
        self.echo = echo
        self.backoff = backoff
        self.crash_loop_count = crash_loop_count
        self.crash_loop_seconds = crash_loop_seconds
        self.slow_retry_seconds = slow_retry_seconds
        self.health_interval = health_interval
        self.max_health_failures = health_failures
        self.stop_event = threading.Event()
        self._say = say or (lambda line: print(line, file=sys.stderr, flush=True))
        self._lock = threading.Lock()

    # --- messages ------------------------------------------------------------------
    def say(self, line: str) -> None:
        """One supervisor line, timestamped."""
        self._say(f"{time.strftime('%H:%M:%S')} [superviseur] {line}")

    # --- children ------------------------------------------------------------------
    def start(self) -> None:
        """Start every child (and schedule the jobs' first run now)."""
        if self.log_dir is not None:
            self.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for child in self.children.values():
            self._spawn(child)
        for job in self.jobs:
            job.next_run = time.monotonic()

    def _spawn(self, child: Child) -> None:
        log = self._open_log(child.name)
        child.process = subprocess.Popen(
            child.command,
            cwd=child.cwd,
            env=child.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        child.started_at = time.monotonic()
        child.ready = False
        child.restart_at = None
        child.health_failures = 0
        child.next_health_check = 0.0
        child.starts += 1
        threading.Thread(target=self._pump, args=(child.name, child.process.stdout, log), daemon=True).start()

    def _open_log(self, name: str) -> IO[str] | None:
        if self.log_dir is None:
            return None
        path = self.log_dir / f"{name}.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding="utf-8", buffering=1)

    def _pump(self, name: str, stream: IO[bytes] | None, log: IO[str] | None) -> None:
        """Copy a child's output, scrubbed, to its log file and the terminal."""
        if stream is None:
            return
        try:
            for raw in iter(stream.readline, b""):
                line = scrub_line(raw.decode("utf-8", "replace").rstrip("\n"))
                if log is not None:
                    log.write(line + "\n")
                if self.echo:
                    print(f"[{name}] {line}", flush=True)
        except (OSError, ValueError):
            pass
        finally:
            if log is not None:
                log.close()

    def wait_ready(self, name: str, timeout: float) -> bool:
        """Wait until `name` answers its health URL (False on timeout or stop)."""
        child = self.children[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stop_event.is_set():
            self.poll()
            if child.ready:
                return True
            time.sleep(0.5)
        return child.ready

    def poll(self) -> None:
        """One supervision step: exits, restarts, health checks, jobs."""
        now = time.monotonic()
        with self._lock:
            for child in self.children.values():
                self._check_child(child, now)
            for job in self.jobs:
                self._check_job(job, now)

    def _check_child(self, child: Child, now: float) -> None:
        if child.process is None:
            return
        code = child.process.poll()
        if code is None:
            self._check_health(child, now)
            return
        if child.restart_at is None:  # it just stopped
            child.crashes.append(now)
            recent = [t for t in child.crashes if now - t <= self.crash_loop_seconds]
            if len(recent) >= self.crash_loop_count:
                delay = self.slow_retry_seconds
                self.say(
                    f"ATTENTION : « {child.name} » redémarre en boucle ({len(recent)} arrêts en "
                    f"{int(self.crash_loop_seconds)} s, dernier code {code}). Voir var/log/{child.name}.log ; "
                    f"nouvel essai dans {int(delay)} s."
                )
            else:
                delay = self.backoff[min(len(recent), len(self.backoff)) - 1]
                self.say(f"« {child.name} » s'est arrêté (code {code}) : redémarrage dans {delay:g} s.")
            child.restart_at = now + delay
        elif now >= child.restart_at:
            self.say(f"Redémarrage de « {child.name} ».")
            self._spawn(child)

    def _check_health(self, child: Child, now: float) -> None:
        if child.health_url is None:
            child.ready = True
            return
        if not child.ready:
            if now >= child.next_health_check:
                child.next_health_check = now + 1.0
                if _healthy(child.health_url):
                    child.ready = True
                    child.next_health_check = now + self.health_interval
                    if child.starts > 1:
                        self.say(f"« {child.name} » répond de nouveau.")
            return
        if now < child.next_health_check:
            return
        child.next_health_check = now + self.health_interval
        if _healthy(child.health_url):
            child.health_failures = 0
            return
        child.health_failures += 1
        if child.health_failures >= self.max_health_failures:
            self.say(
                f"« {child.name} » ne répond plus ({child.health_failures} contrôles manqués) : "
                "arrêt forcé puis redémarrage."
            )
            self._kill(child, signal.SIGKILL)

    # --- jobs ------------------------------------------------------------------------
    def _check_job(self, job: Job, now: float) -> None:
        if now < job.next_run or (job.thread is not None and job.thread.is_alive()):
            return
        job.next_run = now + job.every_seconds
        job.thread = threading.Thread(target=self._run_job, args=(job,), daemon=True)
        job.thread.start()

    def _run_job(self, job: Job) -> None:
        try:
            done = subprocess.run(
                job.command,
                env=job.env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=job.timeout,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            self.say(f"Tâche « {job.name} » impossible : {type(error).__name__}.")
            return
        if job.on_output is not None:
            job.on_output(done.stdout, done.returncode)
        elif done.returncode != 0:
            self.say(f"Tâche « {job.name} » en échec (code {done.returncode}).")

    # --- running and stopping ------------------------------------------------------
    def run_forever(self, interval: float = 0.5) -> None:
        """Supervise until stop_event is set (a signal handler may set it)."""
        while not self.stop_event.is_set():
            time.sleep(interval)  # not Event.wait: a signal handler may run meanwhile
            if not self.stop_event.is_set():
                self.poll()

    def _kill(self, child: Child, sig: int) -> None:
        if child.process is not None and child.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.process.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every child process group, politely then firmly."""
        self.stop_event.set()
        with self._lock:
            for child in self.children.values():
                child.restart_at = None
                self._kill(child, signal.SIGTERM)
                if child.process is not None:  # a stopped (SIGSTOP) child must wake up to exit
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(child.process.pid, signal.SIGCONT)
            deadline = time.monotonic() + timeout
            for child in self.children.values():
                if child.process is None:
                    continue
                try:
                    child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self._kill(child, signal.SIGKILL)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        child.process.wait(timeout=5)
