"""One child process of the cluster: started in its own group, logged to a file, pid in a file."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.paths import ROOT
from tools.processes import wait_until_up


@dataclass
class Service:
    """A named command; `start` again after it died restarts it (same command, same log)."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    pidfile: Path
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    held: bool = False  # stopped on purpose: the supervisor leaves it down
    history: list[float] = field(default_factory=list)  # monotonic times of the (re)starts

    def start(self) -> None:
        """Start the command (output appended to the log), write the pid file."""
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.started_at = time.monotonic()
        self.history.append(self.started_at)
        self.pidfile.write_text(f"{self.process.pid}\n")
        self.held = False

    @property
    def pid(self) -> int | None:
        """The process id while it has been started, else None."""
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        """Whether the process is running."""
        return self.process is not None and self.process.poll() is None

    def send(self, signum: int) -> None:
        """Send a signal to the process group (nothing if it is gone)."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15) -> None:
        """Stop it (signum, then SIGKILL after `timeout` s) and leave it down."""
        self.held = True
        process = self.process
        if process is None or process.poll() is not None:
            return
        self.send(signum)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)
            process.wait(timeout=10)
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()


def wait_for(url: str, service: Service | None, timeout: float) -> float | None:
    """Seconds until `url` answers, or None if the service dies or `timeout` passes."""
    return wait_until_up(url, service.alive if service is not None else lambda: True, timeout)
