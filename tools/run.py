"""Start the assistant on loopback: action server, Rasa server and the demo portal, supervised.

Stays in the foreground; Ctrl-C or SIGTERM stops every process it started. A process
that stops is restarted (tools/supervisor.py); the rest keeps serving meanwhile (guide
answers need no action server). Everything runs with umask 077: var/ is private and the
files created there (databases, secrets, logs in var/log/) are readable by this user only.
Ports: RASA_PORT (5005), ACTIONS_PORT (5055), PORTAL_PORT (8080).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
from collections.abc import Callable

from bot.local_secrets import ACTIONS_TOKEN_ENV, API_TOKEN_FILE, actions_token, api_token
from bot.paths import MODEL, ROOT, VAR, portal_python, private_dir
from tools.processes import child_env
from tools.supervisor import Child, Job, Supervisor

HOST = "127.0.0.1"
LOG_DIR = VAR / "log"
RETENTION_MODULE = "tools.retention"
DAY = 24 * 3600

__all__ = ["API_TOKEN_FILE", "api_token", "commands", "environment", "main", "ports"]


def ports() -> dict[str, int]:
    """The ports to listen on, from the environment."""
    return {
        "rasa": int(os.environ.get("RASA_PORT", "5005")),
        "actions": int(os.environ.get("ACTIONS_PORT", "5055")),
        "portal": int(os.environ.get("PORTAL_PORT", "8080")),
    }


def environment(port: dict[str, int]) -> dict[str, str]:
    """Environment shared by the child processes: quiet, offline, loopback only."""
    env = child_env(
        SANIC_HOST=HOST,  # rasa_sdk has no interface option: keep the action server on loopback
        ACTIONS_PORT=str(port["actions"]),
    )
    env[ACTIONS_TOKEN_ENV] = actions_token()  # environment, not command line: not shown by `ps`
    return env


def commands(port: dict[str, int]) -> dict[str, list[str]]:
    """The processes to start, by name (no secret on any command line)."""
    python = sys.executable
    return {
        "actions": [
            python,
            "-m",
            "bot.action_server",
            "--actions",
            "actions",
            "--port",
            str(port["actions"]),
        ],
        "rasa": [
            python,
            "-m",
            "bot.rasa_quiet",  # `rasa`, with bounded waits, clean logs, the token read from a file
            "run",
            "--model",
            str(MODEL),
            "--interface",
            HOST,
            "--port",
            str(port["rasa"]),
            "--enable-api",
            "--auth-token-file",
            str(API_TOKEN_FILE),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
            "--cors",
            f"http://{HOST}:{port['portal']}",
            "--cors",
            f"http://localhost:{port['portal']}",
        ],
        # The demo portal page and its chat widget (development mode: demo identity switcher).
        "portal": [
            portal_python(),  # .venv-portal: a current aiohttp (docs/security.md)
            "-m",
            "portal.server",
            "--port",
            str(port["portal"]),
            "--rasa-url",
            f"http://{HOST}:{port['rasa']}",
            "--dev",
        ],
    }


def health_urls(port: dict[str, int]) -> dict[str, str]:
    """Where each child says it is up."""
    return {
        "actions": f"http://{HOST}:{port['actions']}/health",
        "rasa": f"http://{HOST}:{port['rasa']}/",
        "portal": f"http://{HOST}:{port['portal']}/",
    }


def retention_job(env: dict[str, str], say: Callable[[str], None]) -> list[Job]:
    """The daily purge of old conversations, when tools.retention exists."""
    if importlib.util.find_spec(RETENTION_MODULE) is None:
        return []

    def report(output: str, code: int) -> None:
        lines = [line for line in output.splitlines() if line.strip()]
        last = lines[-1] if lines else "aucune sortie"
        say(f"Purge des conversations{'' if code == 0 else f' en échec (code {code})'} : {last}")

    return [Job("purge", [sys.executable, "-m", RETENTION_MODULE], DAY, on_output=report, env=env)]


def tighten_var() -> None:
    """var/ private (700) and the files already in it readable by this user only (600)."""
    private_dir(VAR)
    for path in VAR.rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(0o600)
        elif path.is_dir() and not path.is_symlink():
            path.chmod(0o700)


def build(port: dict[str, int], say: Callable[[str], None] | None = None) -> Supervisor:
    """The supervisor of `make run`'s processes."""
    env = environment(port)
    urls = health_urls(port)
    children = [
        Child(name, command, env=env, cwd=ROOT, health_url=urls[name])
        for name, command in commands(port).items()
    ]
    supervisor = Supervisor(children, log_dir=LOG_DIR, say=say)
    supervisor.jobs = retention_job(env, supervisor.say)
    return supervisor


def main() -> int:
    """Start the assistant (`make run`) and supervise it until interrupted."""
    os.umask(0o077)
    if not MODEL.exists():
        print("Aucun modèle : lancez `make run`, qui l'entraîne.", file=sys.stderr)
        return 1
    tighten_var()
    api_token()  # created before the children start (mode 600)
    port = ports()
    supervisor = build(port)

    def on_signal(signum: int, _frame: object) -> None:
        supervisor.stop_event.set()  # the loops below see it and return; children stopped in `finally`

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)  # also when started in the background (SIGINT ignored)
    try:
        supervisor.start()
        print(
            f"==> Démarrage (30 à 60 s) : actions sur {HOST}:{port['actions']}, Rasa sur {HOST}:{port['rasa']}"
            f" ; journaux dans {LOG_DIR.relative_to(ROOT)}/",
            flush=True,
        )
        ready = supervisor.wait_ready("rasa", timeout=300)
        if not ready and not supervisor.stop_event.is_set():
            print("Le serveur Rasa n'a pas démarré (voir var/log/rasa.log).", file=sys.stderr)
            return 1
        if ready:
            print_help(port)
            supervisor.run_forever()
        print("\n==> Arrêt de l'assistant.", flush=True)
        return 0
    finally:
        supervisor.stop()


def print_help(port: dict[str, int]) -> None:
    """How to chat, once everything answers."""
    url = f"http://{HOST}:{port['rasa']}/webhooks/rest/webhook"
    print(
        "\n==> L'assistant est prêt.\n"
        f"    Portail  : http://{HOST}:{port['portal']} (page de démonstration avec le widget)\n"
        f"    Terminal : make shell\n"
        f'    REST     : curl -s {url} -d \'{{"sender":"moi","message":"comment activer mon compte educonnect ?"}}\'\n'
        f'    Connecté : ajoutez "metadata": {{"ent_token": "$(make -s token LOGIN=directeur.papillons)"}}\n'
        "    Un processus qui s'arrête est redémarré ; Ctrl-C pour tout arrêter.\n",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
