"""Read the project's training data, held-out set, answers and titles (for tests and reports)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.paths import ROOT

NLU_DIR = ROOT / "data" / "nlu"
RESPONSES_DIR = NLU_DIR / "responses"
HELDOUT_DIR = ROOT / "tests" / "heldout"
DOMAIN = ROOT / "domain.yml"


def _examples(block: dict[str, Any]) -> list[str]:
    """The examples of one NLU block, without Rasa's entity annotations markup."""
    lines = (block.get("examples") or "").splitlines()
    return [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]


def read_nlu(paths: list[Path]) -> dict[str, list[str]]:
    """Examples by intent (full retrieval intent name, e.g. `faq/liberer_espace`)."""
    by_intent: dict[str, list[str]] = {}
    for path in paths:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in block:
                by_intent.setdefault(block["intent"], []).extend(_examples(block))
    return by_intent


@lru_cache(maxsize=1)
def training_examples() -> dict[str, list[str]]:
    """Training examples by intent."""
    return read_nlu(sorted(NLU_DIR.glob("*.yml")))


@lru_cache(maxsize=1)
def heldout_examples() -> dict[str, list[str]]:
    """Held-out examples (never trained on) by intent."""
    return read_nlu(sorted(HELDOUT_DIR.glob("*.yml")))


@lru_cache(maxsize=1)
def answers() -> dict[str, list[dict[str, Any]]]:
    """The guide's answers: variations by key (`utter_faq/<key>` -> `<key>`)."""
    return _responses("utter_faq/")


@lru_cache(maxsize=1)
def neighbours() -> dict[str, list[dict[str, Any]]]:
    """The neighbouring topics' answers (`utter_hors_champ/<key>` -> `<key>`)."""
    return _responses("utter_hors_champ/")


def _responses(prefix: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(RESPONSES_DIR.glob("*.yml")):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses", {})
        for name, variations in responses.items():
            if name.startswith(prefix):
                out[name[len(prefix) :]] = variations
    return out


@lru_cache(maxsize=1)
def domain_intents() -> tuple[str, ...]:
    """The intents of domain.yml, in its order."""
    listed = (yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}).get("intents") or []
    return tuple(next(iter(i)) if isinstance(i, dict) else str(i) for i in listed)
