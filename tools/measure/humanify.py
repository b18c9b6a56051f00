"""Turn a well-written question into one typed in a hurry, deterministically.

"Où trouver l'aide d'EduConnect ?" -> "ou trouver l'aide d'educonnetc": accents
stripped, lower case, final punctuation removed, and exactly one typo (two letters
swapped, a letter dropped, doubled or replaced by its AZERTY neighbour) in a word of
four letters or more, never on its first letter. The same question always gives the
same result (the typo is drawn from a checksum of the text, not from Python's hash).
"""

from __future__ import annotations

import random
import re
import zlib

from bot.text import strip_accents

FINAL_PUNCTUATION = " \t\n?!.…;:,"
# Neighbours on a French AZERTY keyboard (same row), for "replace" typos.
AZERTY_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn")
TYPOS = ("swap", "drop", "double", "neighbour")


def neighbour(char: str) -> str:
    """A key next to `char` on the same AZERTY row (the key itself if none)."""
    for row in AZERTY_ROWS:
        index = row.find(char)
        if index >= 0:
            return row[index + 1] if index + 1 < len(row) else row[index - 1]
    return char


def typo(word: str, rng: random.Random) -> str:
    """One typo in `word` (at least 2 letters), never on its first letter."""
    i = rng.randrange(1, len(word))
    kind = rng.choice(TYPOS)
    if kind == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "neighbour" and neighbour(word[i]) != word[i]:
        return word[:i] + neighbour(word[i]) + word[i + 1 :]
    return word[:i] + word[i + 1 :]  # drop (also the fallback of the others)


def humanify(text: str) -> str:
    """The question as typed in a hurry (see the module's docstring)."""
    plain = strip_accents(text.strip().rstrip(FINAL_PUNCTUATION).lower())
    words = list(re.finditer(r"[a-z]{4,}", plain)) or list(re.finditer(r"[a-z]{2,}", plain))
    if not words:
        return plain
    rng = random.Random(zlib.crc32(plain.encode("utf-8")))
    match = rng.choice(words)
    return plain[: match.start()] + typo(match.group(), rng) + plain[match.end() :]


def humanify_examples(examples: dict[str, list[str]]) -> dict[str, list[str]]:
    """The same examples by intent, each humanified."""
    return {intent: [humanify(text) for text in texts] for intent, texts in examples.items()}
