"""Where the project keeps its files (all relative to the repository root)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"  # local state, kept out of git: databases, secrets
MODELS = ROOT / "models"
MODEL = MODELS / "assistant.tar.gz"
RESULTS = ROOT / "results"
