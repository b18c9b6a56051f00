"""Browser tests: Debian's Chromium driven by Playwright against the portal on free ports.

Two stacks, each started once per test module: `fake_stack` (portal + a scripted fake Rasa,
no model needed) and `real_stack` (portal + Rasa with the trained model + action server).
Without Chromium (or the portal's vendored packages, or the model) the tests are skipped,
loudly; with the environment variable CI set they fail instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from bot.paths import MODEL, ROOT, portal_python
from tests.helpers.ports import free_port
from tools import processes
from tools.measure.staff_history import generate

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VENDOR = ROOT / "portal" / "static" / "vendor" / "markdown-it.min.js"
RASA_API_TOKEN = "browser-tests-rasa-token"
_skipped: list[str] = []


def unavailable(reason: str) -> None:
    """Skip (and say so at the end of the run), or fail when CI is set."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run)")
    if reason not in _skipped:
        _skipped.append(reason)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter) -> None:
    for reason in _skipped:
        terminalreporter.write_sep("!", f"BROWSER TESTS SKIPPED: {reason}", red=True, bold=True)


def start(
    command: list[str], env: dict[str, str], url: str, name: str, timeout: float = 30
) -> subprocess.Popen:
    """Start a server and wait until `url` answers; the test fails with its log if it does not."""
    process = processes.start(command, env, stderr_pipe=True)
    if processes.wait_until_up(url, lambda: processes.running(process), timeout) is None:
        processes.stop(process)
        log = (process.stderr.read() if process.stderr else b"") or b""
        pytest.fail(f"{name} did not start: {log.decode(errors='replace')[-3000:]}")
    return process


stop = processes.stop


class Stack:
    """A portal in front of a Rasa server (real or fake)."""

    def __init__(self, env: dict[str, str], rasa_port: int) -> None:
        self.env = env
        self.rasa_port = rasa_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.processes: dict[str, subprocess.Popen] = {}

    def start_portal(self) -> None:
        # The portal's own environment when installed (`make portal-deps`), as `make run` starts it.
        command = [portal_python(), "-m", "portal.server", "--port", str(self.port), "--dev"]
        command += ["--rasa-url", f"http://127.0.0.1:{self.rasa_port}"]
        self.processes["portal"] = start(command, self.env, self.url, "portal")

    def start_fake_rasa(self) -> None:
        command = [sys.executable, "-m", "tests.helpers.fake_rasa", str(self.rasa_port), RASA_API_TOKEN]
        self.processes["rasa"] = start(command, self.env, f"http://127.0.0.1:{self.rasa_port}/", "fake rasa")

    def stop_rasa(self) -> None:
        stop(self.processes.pop("rasa"))

    def close(self) -> None:
        for process in self.processes.values():
            stop(process)


def stack_env(ent_env: dict[str, str]) -> dict[str, str]:
    if not VENDOR.exists():
        unavailable("portal/static/vendor is empty: run `make portal-deps` (npm ci)")
    # The portal's /staff counts on disk next to the test database, never in the project's var/.
    snapshot = Path(ent_env["ENT_DATABASE_URL"].removeprefix("sqlite:///")).parent / "staff-activity.json"
    return dict(
        os.environ,
        RASA_API_TOKEN=RASA_API_TOKEN,
        PYTHONWARNINGS="ignore",
        PYTHONPATH=str(ROOT),
        STAFF_SNAPSHOT=str(snapshot),
        **ent_env,
    )


@contextmanager
def fake_rasa_stack(env: dict[str, str]) -> Iterator[Stack]:
    """The portal in front of the scripted fake Rasa, stopped on the way out."""
    stack = Stack(env, free_port())
    try:
        stack.start_fake_rasa()
        stack.start_portal()
        yield stack
    finally:
        stack.close()


@pytest.fixture(scope="module")
def fake_stack(ent_env: dict[str, str]) -> Iterator[Stack]:
    """The portal in front of the scripted fake Rasa (can be stopped and restarted)."""
    with fake_rasa_stack(stack_env(ent_env)) as stack:
        yield stack


@pytest.fixture(scope="module")
def staff_stack(ent_env, tmp_path_factory) -> Iterator[Stack]:
    """The portal (development mode, fake Rasa) on a generated history of 2,000 conversations."""
    store = tmp_path_factory.mktemp("staff") / "conversations.db"
    generate(store, 2000)
    with fake_rasa_stack(dict(stack_env(ent_env), CONVERSATION_STORE_URL=f"sqlite:///{store}")) as stack:
        yield stack


@pytest.fixture(scope="module")
def real_stack(ent_env: dict[str, str], tmp_path_factory, request: pytest.FixtureRequest) -> Iterator[Stack]:
    """The portal in front of the real assistant: Rasa (trained model) and the action server."""
    env = stack_env(ent_env)
    if not MODEL.exists():
        unavailable(f"{MODEL} is missing: run `make train` (make test does it)")
    action_server = request.getfixturevalue("action_server")  # tests/conftest.py
    # The project's endpoints (same tracker store), with the test action server and a temporary db.
    endpoints = tmp_path_factory.mktemp("rasa") / "endpoints.yml"
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    config["action_endpoint"]["url"] = action_server
    config["action_endpoint"].pop("headers", None)  # the test action server has no shared secret
    config["tracker_store"]["db"] = str(endpoints.parent / "conversations.db")
    endpoints.write_text(yaml.safe_dump(config))
    # The portal reads the same conversation store (its health check, /staff).
    env = dict(env, CONVERSATION_STORE_URL=f"sqlite:///{endpoints.parent / 'conversations.db'}")
    stack = Stack(env, free_port())
    rasa = str(Path(sys.executable).with_name("rasa"))
    command = [
        rasa, "run", "--model", str(MODEL), "--interface", "127.0.0.1", "--port", str(stack.rasa_port),
        "--enable-api", "--auth-token", RASA_API_TOKEN,
        "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml"),
    ]  # fmt: skip
    try:
        stack.processes["rasa"] = start(
            command,
            dict(env, RASA_TELEMETRY_ENABLED="false"),
            f"http://127.0.0.1:{stack.rasa_port}/",
            "Rasa",
            300,
        )
        stack.start_portal()
        yield stack
    finally:
        stack.close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless (never a browser downloaded by Playwright).

    Module scope: Playwright's sync API keeps an event loop running while it is started,
    which would break the asyncio tests that run after this package.
    """
    if not CHROMIUM.exists():
        unavailable(f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh page (own storage) that records dialogs and script errors."""
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="fr-FR")
    page = context.new_page()
    page.dialogs = []
    page.errors = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.set_default_timeout(20_000)
    yield page
    context.close()
    assert page.errors == [], f"script errors on the page: {page.errors}"
