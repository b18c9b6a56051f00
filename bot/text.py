"""French text helpers shared by the actions, the ENT service and the measurements.

One accent folding, one normalisation for matching, the class levels of French primary
schools, and one set of French words that are never a person's name.
"""

from __future__ import annotations

import re
import unicodedata

LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "’": "'", "‘": "'"})

# Class levels of French primary schools, youngest first.
LEVELS = ("TPS", "PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2")
# The levels a pupil starts school in (no previous class is expected).
FIRST_CLASS_LEVELS = frozenset({"TPS", "PS", "CP"})

# French words that are never a person's name, folded: civilities, family words, articles,
# pronouns and the first words of questions and greetings. A name search skips them; a
# capitalised one is not taken for a name.
STOP_WORDS = frozenset(
    {
        # civilities
        "m",
        "mme",
        "mr",
        "mlle",
        "madame",
        "monsieur",
        "mademoiselle",
        # family and ENT profiles
        "parent",
        "parents",
        "famille",
        "pere",
        "mere",
        "maman",
        "papa",
        "responsable",
        "etablissement",
        # articles, prepositions, pronouns
        "de",
        "du",
        "la",
        "le",
        "les",
        "des",
        "d",
        "l",
        "un",
        "une",
        "par",
        "pour",
        "il",
        "elle",
        "ce",
        "cette",
        "je",
        "mon",
        "ma",
        "mes",
        # questions, greetings, answers
        "comment",
        "quel",
        "quelle",
        "quels",
        "est",
        "pouvez",
        "peux",
        "bonjour",
        "merci",
        "oui",
        "non",
    }
)


def strip_accents(text: str) -> str:
    """'Élève' -> 'Eleve' (and œ -> oe, typographic apostrophes -> ')."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Lower case, without accents: the form words are compared in."""
    return strip_accents(text.lower())


def fold_in_place(text: str) -> str:
    """`fold`, character for character: the result has the length of `text`, so offsets match."""
    folded = []
    for char in text:
        one = fold(char)
        if len(one) != 1:
            one = char.lower() if len(char.lower()) == 1 else char
        folded.append(one)
    return "".join(folded)


def normalize(text: str | None) -> str:
    """Folded, punctuation turned into spaces, spaces collapsed: the form names are matched in."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text or "")).split())
