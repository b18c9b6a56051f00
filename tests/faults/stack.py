"""The assistant as `make run` starts it (same launchers, same supervisor), on free loopback ports."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.identity import mint_token
from bot.paths import ROOT
from tests.helpers.ports import free_port
from tests.helpers.secret import TEST_SECRET
from tools.processes import child_env
from tools.run import commands
from tools.supervisor import Child, Supervisor

HOST = "127.0.0.1"


def director_metadata() -> dict[str, str]:
    """Signed metadata of the demo director (valid for the test secret)."""
    return {"ent_token": mint_token("directeur.papillons", "directeur", secret=TEST_SECRET)}


@dataclass
class Reply:
    status: int
    messages: list
    seconds: float

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages if isinstance(m, dict))


class Stack:
    """Action server + Rasa server under a Supervisor, logs in `workdir`."""

    def __init__(self, workdir: Path, ent_env: dict[str, str]) -> None:
        self.workdir = workdir
        self.rasa_port = free_port()
        self.actions_port = free_port()
        self.log_dir = workdir / "log"
        self.conversations = workdir / "conversations.db"
        self.api_token_file = workdir / "rasa-api-token"
        self.api_token_file.write_text("test-api-token\n")
        self.api_token_file.chmod(0o600)
        endpoints = workdir / "endpoints.yml"
        # The project's tracker store, as `make run` uses it, on a temporary file.
        endpoints.write_text(
            "action_endpoint:\n"
            f"  url: http://{HOST}:${{ACTIONS_PORT}}/webhook\n"
            "  headers:\n"
            "    X-Actions-Token: ${ACTIONS_TOKEN}\n"
            "tracker_store:\n"
            "  type: bot.tracker_store.ScrubbingSQLTrackerStore\n"
            "  dialect: sqlite\n"
            f"  db: {self.conversations}\n"
        )
        self.env = child_env(
            **ent_env,
            ACTIONS_PORT=str(self.actions_port),
            ACTIONS_TOKEN="test-actions-secret",
            SANIC_HOST=HOST,
        )
        # The commands of `make run` (tools/run.py), on this stack's ports, token file and endpoints.
        command = commands({"rasa": self.rasa_port, "actions": self.actions_port, "portal": free_port()})
        rasa = with_options(
            command["rasa"], {"--auth-token-file": self.api_token_file, "--endpoints": endpoints}
        )
        actions = command["actions"]
        self.supervisor = Supervisor(
            [
                Child("actions", actions, env=self.env, cwd=ROOT, health_url=self.url_actions("/health")),
                Child("rasa", rasa, env=self.env, cwd=ROOT, health_url=f"http://{HOST}:{self.rasa_port}/"),
            ],
            log_dir=self.log_dir,
            echo=False,
            backoff=(1,),
            health_interval=2.0,
            health_failures=3,
            say=self._say,
        )
        self.said: list[str] = []

    def _say(self, line: str) -> None:
        self.said.append(line)
        fd = os.open(self.log_dir / "supervisor.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(line + "\n")

    def url_actions(self, path: str) -> str:
        return f"http://{HOST}:{self.actions_port}{path}"

    def start(self) -> None:
        self.supervisor.start()
        for name, timeout in (("actions", 120), ("rasa", 400)):
            if not self.supervisor.wait_ready(name, timeout):
                raise RuntimeError(f"{name} did not start:\n{self.log(name)[-3000:]}")

    def stop(self) -> None:
        self.supervisor.stop()

    def pid(self, name: str) -> int:
        return self.supervisor.children[name].process.pid

    def log(self, name: str = "rasa") -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def poll_until(self, condition, timeout: float, step: float = 0.5) -> bool:
        """Keep the supervisor working until `condition()` holds (bounded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.supervisor.poll()
            if condition():
                return True
            time.sleep(step)
        return False

    def post(self, body: bytes | str | dict, timeout: float = 60) -> Reply:
        """POST to the REST webhook; the reply's status, messages and duration."""
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        request = urllib.request.Request(
            f"http://{HOST}:{self.rasa_port}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        start = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                status, raw = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        seconds = time.monotonic() - start
        try:
            messages = json.loads(raw)
        except ValueError:
            messages = raw.decode("utf-8", "replace")
        return Reply(status, messages, seconds)

    def say(self, sender: str, message: str, metadata: dict | None = None) -> Reply:
        body: dict = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        return self.post(body)


def with_options(command: list[str], values: dict[str, Path]) -> list[str]:
    """`command` with the value after each given option replaced."""
    out = list(command)
    for option, value in values.items():
        out[out.index(option) + 1] = str(value)
    return out
