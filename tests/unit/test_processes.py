"""The process helper's waiting rules, without starting any process."""

from __future__ import annotations

from tests.helpers.ports import free_port
from tools import processes


def test_nothing_answers_on_a_closed_port() -> None:
    assert processes.answers(f"http://127.0.0.1:{free_port()}/health", timeout=1) is False


def test_waiting_stops_as_soon_as_the_process_is_gone() -> None:
    checks: list[int] = []
    url = f"http://127.0.0.1:{free_port()}/health"
    assert processes.wait_until_up(url, lambda: not checks.append(1) and len(checks) < 3, 30, 0.01) is None
    assert len(checks) == 3  # two waits, then the process was found dead


def test_waiting_is_bounded_in_time() -> None:
    url = f"http://127.0.0.1:{free_port()}/health"
    assert processes.wait_until_up(url, lambda: True, timeout=0.2, interval=0.05) is None


def test_stopping_nothing_is_harmless() -> None:
    processes.stop(None)
    assert processes.running(None) is False


def test_child_env_is_quiet_and_keeps_extras() -> None:
    env = processes.child_env(SANIC_HOST="127.0.0.1")
    assert env["RASA_TELEMETRY_ENABLED"] == "false" and env["SANIC_HOST"] == "127.0.0.1"
