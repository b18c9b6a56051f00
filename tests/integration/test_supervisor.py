"""The supervisor: restarts with back-off, crash loops reported, hung children replaced, jobs."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from tests.helpers.ports import free_port
from tools.supervisor import Child, Job, Supervisor

PY = sys.executable


def until(supervisor: Supervisor, condition, timeout: float = 20.0) -> bool:
    """Run supervision steps until `condition()` holds (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.poll()
        if condition():
            return True
        time.sleep(0.05)
    return False


def make(children: list[Child], lines: list[str], tmp_path: Path, **options) -> Supervisor:
    return Supervisor(children, log_dir=tmp_path / "log", echo=False, say=lines.append, **options)


def test_a_child_that_exits_is_restarted_with_a_line(tmp_path: Path) -> None:
    lines: list[str] = []
    child = Child("short", [PY, "-c", "import time; time.sleep(0.2)"])
    sup = make([child], lines, tmp_path, backoff=(0.1,))
    sup.start()
    try:
        assert until(sup, lambda: child.starts >= 3)
    finally:
        sup.stop()
    assert any("« short » s'est arrêté (code 0) : redémarrage" in line for line in lines)
    assert any("Redémarrage de « short »" in line for line in lines)


def test_a_crash_loop_is_reported_and_retried_slowly(tmp_path: Path) -> None:
    lines: list[str] = []
    child = Child("broken", [PY, "-c", "raise SystemExit(3)"])
    sup = make([child], lines, tmp_path, backoff=(0.05,), crash_loop_count=3, slow_retry_seconds=60)
    sup.start()
    try:
        assert until(sup, lambda: any("redémarre en boucle" in line for line in lines))
        starts = child.starts
        for _ in range(20):  # no fast restart once it is known to crash-loop
            sup.poll()
            time.sleep(0.05)
        assert child.starts == starts == 3
    finally:
        sup.stop()
    report = next(line for line in lines if "redémarre en boucle" in line)
    assert "« broken »" in report and "code 3" in report and "60 s" in report


def test_a_hung_child_is_killed_and_restarted(tmp_path: Path) -> None:
    lines: list[str] = []
    port = free_port()
    server = [PY, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp_path)]
    child = Child("web", server, health_url=f"http://127.0.0.1:{port}/")
    sup = make([child], lines, tmp_path, health_interval=0.2, health_failures=2, backoff=(0.1,))
    sup.start()
    try:
        assert sup.wait_ready("web", timeout=30)
        os.killpg(child.process.pid, signal.SIGSTOP)
        assert until(sup, lambda: child.starts == 2 and child.ready, timeout=40)
    finally:
        sup.stop()
    assert any("ne répond plus" in line for line in lines)


def test_output_goes_to_a_private_log_without_tokens(tmp_path: Path) -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    child = Child("talker", [PY, "-c", f"print('jeton {token} fin', flush=True)"])
    sup = make([child], [], tmp_path, backoff=(30,))
    sup.start()
    log = tmp_path / "log" / "talker.log"
    try:
        assert until(sup, lambda: log.exists() and "fin" in log.read_text())
    finally:
        sup.stop()
    assert token[:12] not in log.read_text() and "[masqué]" in log.read_text()
    assert log.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "log").stat().st_mode & 0o777 == 0o700


def test_jobs_run_at_start_in_the_background(tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []
    job = Job("count", [PY, "-c", "import time; time.sleep(0.3); print('12 conversations')"], 3600)
    job.on_output = lambda out, code: seen.append((out.strip(), code))
    child = Child("idle", [PY, "-c", "import time; time.sleep(30)"])
    sup = make([child], [], tmp_path)
    sup.jobs = [job]
    sup.start()
    try:
        began = time.monotonic()
        sup.poll()
        assert time.monotonic() - began < 0.3, "the job must not block the supervisor"
        assert until(sup, lambda: seen == [("12 conversations", 0)])
        for _ in range(5):
            sup.poll()
        assert len(seen) == 1, "run once a day, not at every step"
    finally:
        sup.stop()


def test_stop_ends_even_a_stopped_child(tmp_path: Path) -> None:
    child = Child("sleeper", [PY, "-c", "import time; time.sleep(60)"])
    sup = make([child], [], tmp_path)
    sup.start()
    os.killpg(child.process.pid, signal.SIGSTOP)
    sup.stop(timeout=5)
    assert child.process.poll() is not None


def test_a_signal_ends_the_supervision_loop_cleanly(tmp_path: Path) -> None:
    """`make run`'s Ctrl-C / SIGTERM: the handler sets stop_event, run_forever returns."""
    import threading

    child = Child("sleeper", [PY, "-c", "import time; time.sleep(60)"])
    sup = make([child], [], tmp_path)
    previous = signal.signal(signal.SIGUSR1, lambda *_: sup.stop_event.set())
    try:
        sup.start()
        threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGUSR1)).start()
        began = time.monotonic()
        sup.run_forever(interval=0.05)
        assert time.monotonic() - began < 10
    finally:
        signal.signal(signal.SIGUSR1, previous)
        sup.stop(timeout=5)
    assert child.process.poll() is not None
