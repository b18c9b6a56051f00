"""Readable titles of the answers, for the "Vouliez-vous dire ..." buttons."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

TITLES_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def load_titles() -> dict[str, str]:
    """All titles, merged from every YAML file of this folder."""
    titles: dict[str, str] = {}
    for path in sorted(TITLES_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        titles.update({str(k): str(v) for k, v in data.items()})
    return titles


def answer_title(key: str) -> str | None:
    """Title of a faq answer key."""
    return load_titles().get(key)


def intent_title(intent: str) -> str | None:
    """Title of a non-faq intent."""
    return load_titles().get(f"intent:{intent}")
