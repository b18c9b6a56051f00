"""Train the Rasa model only when the data, the domain or the config changed.

Usage: python -m tools.training [--force]
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from bot.paths import MODEL, MODELS, ROOT

FINGERPRINT = MODELS / "assistant.fingerprint"


def training_inputs() -> list[Path]:
    """Every file that changes what `rasa train` produces."""
    files = [ROOT / "config.yml", ROOT / "domain.yml"]
    files += sorted((ROOT / "data").rglob("*.yml"))
    files += sorted((ROOT / "bot").glob("nlu_*.py"))  # custom NLU components
    files.append(ROOT / "bot" / "policies.py")  # custom policies
    return files


def fingerprint() -> str:
    """A digest of the training inputs' names and contents."""
    digest = hashlib.sha256()
    for path in training_inputs():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def up_to_date() -> bool:
    """Whether the current model was trained from the current inputs."""
    return MODEL.exists() and FINGERPRINT.exists() and FINGERPRINT.read_text().strip() == fingerprint()


def train() -> None:
    """Run `rasa train` and record the fingerprint of what it was trained on."""
    MODELS.mkdir(exist_ok=True)
    print("==> Entraînement du modèle (quelques minutes)...", flush=True)
    start = time.monotonic()
    inputs = fingerprint()  # of what this training reads, even if a file changes meanwhile
    rasa = Path(sys.executable).with_name("rasa")
    command = [str(rasa), "train", "--fixed-model-name", "assistant", "--out", str(MODELS)]
    subprocess.run(command, cwd=ROOT, check=True)
    FINGERPRINT.write_text(inputs + "\n")
    print(f"==> Modèle entraîné en {time.monotonic() - start:.0f} s : {MODEL.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    """Train unless the model is up to date (`--force`: always)."""
    if "--force" not in argv and up_to_date():
        print("==> Modèle à jour : pas de réentraînement.")
        return 0
    train()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
