"""Secrets generated locally under var/ (mode 600, directory 700), never on a command line."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from bot.paths import RASA_API_TOKEN_FILE, VAR, private_dir

API_TOKEN_FILE = RASA_API_TOKEN_FILE  # Rasa's HTTP API (the portal reads trackers with it)
ACTIONS_TOKEN_FILE = VAR / "actions-token"  # shared by Rasa and the action server
ACTIONS_TOKEN_ENV = "ACTIONS_TOKEN"
ACTIONS_TOKEN_HEADER = "X-Actions-Token"


def read_or_create(path: Path) -> str:
    """The secret kept in `path`, created (random, mode 600) on first use."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
    path.chmod(0o600)
    for _ in range(20):  # another process may be writing it right now
        value = path.read_text().strip()
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError(f"{path} is empty")


def api_token() -> str:
    """The Rasa HTTP API token."""
    return read_or_create(API_TOKEN_FILE)


def actions_token() -> str:
    """The action server's shared secret: ACTIONS_TOKEN, else var/actions-token."""
    return os.environ.get(ACTIONS_TOKEN_ENV) or read_or_create(ACTIONS_TOKEN_FILE)
