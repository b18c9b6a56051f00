"""Where the project keeps its files (all relative to the repository root), private to its user."""

import contextlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"  # local state, kept out of git: databases, secrets, logs (700, files 600)
MODELS = ROOT / "models"
MODEL = MODELS / "assistant.tar.gz"
RESULTS = ROOT / "results"
RASA_API_TOKEN_FILE = VAR / "rasa-api-token"
PORTAL_VENV = ROOT / ".venv-portal"  # the portal's own environment (current aiohttp), `make portal-deps`
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def portal_python() -> str:
    """The Python that runs the portal: .venv-portal's when installed, else this one."""
    candidate = PORTAL_VENV / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def private_dir(path: Path = VAR) -> Path:
    """Create `path` (mode 700) if needed and make it private to this user."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # not ours: leave it to its owner
        os.chmod(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty (mode 600, its directory 700) if absent; make it private either way."""
    if path.parent == VAR:
        private_dir(VAR)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    with contextlib.suppress(PermissionError):
        os.chmod(path, PRIVATE_FILE)
    return path


def tighten(path: Path) -> None:
    """Make an existing file private (mode 600), with SQLite's companion files; absent: nothing."""
    for candidate in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            os.chmod(candidate, PRIVATE_FILE)
