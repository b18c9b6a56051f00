"""Shared fixtures: a test ENT database and JWT secret, the action server, the trained model."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ent.db import make_engine
from bot.ent.seed import reset_db
from bot.paths import MODEL
from tests.helpers.chat import Chat
from tests.helpers.ports import free_port
from tests.helpers.secret import TEST_SECRET
from tools import processes


@pytest.fixture(scope="session")
def ent_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A seeded demo ENT database and a JWT secret, for this test session only."""
    db = tmp_path_factory.mktemp("ent") / "ent.db"
    env = {"ENT_DATABASE_URL": f"sqlite:///{db}", "ENT_JWT_SECRET": TEST_SECRET}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    engine = make_engine(env["ENT_DATABASE_URL"])
    reset_db(engine)  # what `python -m tools.cli db reset` does, in this process
    engine.dispose()
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def action_server(ent_env: dict[str, str]) -> Iterator[str]:
    """The project's action server on a free loopback port."""
    port = free_port()
    env = dict(os.environ, SANIC_HOST="127.0.0.1", PYTHONWARNINGS="ignore", **ent_env)
    rasa = str(Path(sys.executable).with_name("rasa"))
    command = [rasa, "run", "actions", "--actions", "actions", "--port", str(port)]
    process = processes.start(command, env, stderr_pipe=True)
    url = f"http://127.0.0.1:{port}"
    if processes.wait_until_up(f"{url}/health", lambda: processes.running(process), 90) is None:
        processes.stop(process)
        pytest.fail("action server did not start: " + (process.stderr.read() or b"").decode()[-2000:])
    yield f"{url}/webhook"
    processes.stop(process)


@pytest.fixture(scope="session")
def agent(action_server: str):
    """The trained model, loaded once, talking to the test action server."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it)")
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    return Agent.load(str(MODEL), action_endpoint=EndpointConfig(action_server))


@pytest.fixture
def chat(agent) -> Chat:
    return Chat(agent)
