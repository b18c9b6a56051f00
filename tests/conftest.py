"""Shared fixtures: a test ENT database and JWT secret, the action server, the trained model."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.paths import MODEL, ROOT
from tools import processes

TEST_SECRET = "test-secret-for-pytest-only-" + "x" * 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def ent_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A seeded demo ENT database and a JWT secret, for this test session only."""
    db = tmp_path_factory.mktemp("ent") / "ent.db"
    env = {"ENT_DATABASE_URL": f"sqlite:///{db}", "ENT_JWT_SECRET": TEST_SECRET}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "tools.cli", "db", "reset"], cwd=ROOT, check=True, env=os.environ)
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


class Chat:
    """One conversation with the assistant, as a person in the portal would have it."""

    def __init__(self, agent, metadata: dict | None = None) -> None:
        self.agent = agent
        self.sender = f"test-{uuid.uuid4().hex[:12]}"
        self.metadata = metadata

    async def say(self, text: str, metadata: dict | None = None) -> list[dict]:
        """Send a message; return the assistant's messages (text, buttons, ...)."""
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        channel = CollectingOutputChannel()
        message = UserMessage(text, channel, self.sender, metadata=metadata or self.metadata)
        await self.agent.handle_message(message)
        return channel.messages

    async def text(self, text: str, metadata: dict | None = None) -> str:
        """Send a message; return all the assistant's texts joined."""
        return "\n".join(m.get("text") or "" for m in await self.say(text, metadata))

    async def tracker(self):
        return await self.agent.tracker_store.retrieve(self.sender)


@pytest.fixture
def chat(agent) -> Chat:
    return Chat(agent)
