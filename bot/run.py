"""Start the assistant on loopback: action server, Rasa server (and the demo portal).

Stays in the foreground; Ctrl-C or SIGTERM stops every process it started.
Ports: RASA_PORT (5005), ACTIONS_PORT (5055), PORTAL_PORT (8080).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request

from bot.paths import MODEL, ROOT, VAR

HOST = "127.0.0.1"
API_TOKEN_FILE = VAR / "rasa-api-token"


def api_token() -> str:
    """The Rasa HTTP API token, generated locally on first run (never committed)."""
    VAR.mkdir(exist_ok=True)
    if not API_TOKEN_FILE.exists():
        API_TOKEN_FILE.write_text(secrets.token_urlsafe(32) + "\n")
        API_TOKEN_FILE.chmod(0o600)
    return API_TOKEN_FILE.read_text().strip()


def ports() -> dict[str, int]:
    """The ports to listen on, from the environment."""
    return {
        "rasa": int(os.environ.get("RASA_PORT", "5005")),
        "actions": int(os.environ.get("ACTIONS_PORT", "5055")),
        "portal": int(os.environ.get("PORTAL_PORT", "8080")),
    }


def environment(port: dict[str, int]) -> dict[str, str]:
    """Environment shared by the child processes: quiet, offline, loopback only."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONWARNINGS="ignore",
        SANIC_HOST=HOST,  # rasa_sdk has no interface option: keep the action server on loopback
        ACTIONS_PORT=str(port["actions"]),
        PYTHONPATH=str(ROOT),
    )
    return env


def commands(port: dict[str, int]) -> dict[str, list[str]]:
    """The processes to start, by name."""
    rasa = [sys.executable, "-m", "bot.rasa_quiet"]  # `rasa`, minus the start-up deprecation noise
    return {
        "actions": [*rasa, "run", "actions", "--actions", "actions", "--port", str(port["actions"])],
        "rasa": [
            *rasa,
            "run",
            "--model",
            str(MODEL),
            "--interface",
            HOST,
            "--port",
            str(port["rasa"]),
            "--enable-api",
            "--auth-token",
            api_token(),
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
            sys.executable,
            "-m",
            "portal.server",
            "--port",
            str(port["portal"]),
            "--rasa-url",
            f"http://{HOST}:{port['rasa']}",
            "--dev",
        ],
    }


def wait_for(url: str, processes: dict[str, subprocess.Popen], timeout: float = 240) -> bool:
    """Wait until `url` answers, or a process dies, or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes.values()):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(1)
    return False


def stop(processes: dict[str, subprocess.Popen]) -> None:
    """Stop every child process group, politely then firmly."""
    for process in processes.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    if not MODEL.exists():
        print("Aucun modèle : lancez `make run`, qui l'entraîne.", file=sys.stderr)
        return 1
    port = ports()
    env = environment(port)
    processes: dict[str, subprocess.Popen] = {}

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)  # also when started in the background (SIGINT ignored)
    try:
        for name, command in commands(port).items():
            processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        print(
            f"==> Démarrage (30 à 60 s) : actions sur {HOST}:{port['actions']}, Rasa sur {HOST}:{port['rasa']}"
        )
        if not wait_for(f"http://{HOST}:{port['rasa']}/", processes):
            print("Le serveur Rasa n'a pas démarré (voir les messages ci-dessus).", file=sys.stderr)
            return 1
        print_help(port)
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        dead = [name for name, p in processes.items() if p.poll() is not None]
        print(f"Processus arrêté : {', '.join(dead)}. Arrêt de l'assistant.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n==> Arrêt de l'assistant.")
        return 0
    finally:
        stop(processes)


def print_help(port: dict[str, int]) -> None:
    """How to chat, once everything answers."""
    url = f"http://{HOST}:{port['rasa']}/webhooks/rest/webhook"
    print(
        "\n==> L'assistant est prêt.\n"
        f"    Portail  : http://{HOST}:{port['portal']} (page de démonstration avec le widget)\n"
        f"    Terminal : make shell\n"
        f'    REST     : curl -s {url} -d \'{{"sender":"moi","message":"comment activer mon compte educonnect ?"}}\'\n'
        f'    Connecté : ajoutez "metadata": {{"ent_token": "$(make -s token LOGIN=directeur.papillons)"}}\n'
        "    Ctrl-C pour arrêter.\n",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
