"""Mask personal data in what people typed: names, e-mail addresses, phone numbers.

One masking for the whole project: the portal's feedback is masked with it before it is
stored (EntService.record_feedback), and `make report` masks with it again before any
question is written to results/report.md.
Names are the hard part; a word is masked as a name when
- it is a known name (e.g. the people of the ENT database), or
- it follows a cue ("je m'appelle", "Mme", "mon fils", "l'élève" ...) and is not an
  ordinary word, or
- it is capitalised in the middle of a sentence and is not a word of the assistant's
  vocabulary nor a product name (ENT, EduConnect, ONDE ...), or
- it is a surname that is also a word of the vocabulary ("Martin", "Petit", "Blanc"):
  capitalised, right after a title or a cue ("Mme Petit", "M. Blanc") or after a name
  ("Lucas Martin"), and not a grammatical word ("mon fils Ne voit pas").
It masks too much rather than too little.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from functools import lru_cache

from bot.text import STOP_WORDS, fold

# Annotated entities in training data: "[Claire Lefebvre](parent_name)" or "[CE1]{...}".
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
EMAIL_MASK, PHONE_MASK, NUMBER_MASK, NAME_MASK = "[e-mail]", "[téléphone]", "[numéro]", "[nom]"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# French numbers: 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033 6...
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?33\s?\(?0?\)?[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
# Other long numbers (foreign phones, INE, account numbers): 8 digits or more.
NUMBER = re.compile(r"(?<![\w\[])\+?\d(?:[\s.-]?\d){7,}[A-Za-z]{0,2}(?!\w)")
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'-]*")
CUES = re.compile(
    r"\b(?:je m[' ]?appelle|je me nomme|mon nom est|mon nom c'est|moi c'est|"
    r"m\.|mr|mme|mlle|monsieur|madame|mademoiselle|"
    r"mon fils|ma fille|mon enfant|mon garçon|mon garcon|mon petit|ma petite|"
    r"l'élève|l'eleve|élève|eleve|la maîtresse|la maitresse|le maître|le maitre)\s+$",
    re.IGNORECASE,
)
# Grammatical words that may be capitalised after a name or a cue ("mon fils Ne voit pas"):
# with bot.text.STOP_WORDS (civilities, articles...), never taken for a surname.
GRAMMAR = frozenset(
    [
        "ne",
        "n",
        "pas",
        "plus",
        "se",
        "s",
        "sa",
        "son",
        "ses",
        "sur",
        "sous",
        "dans",
        "en",
        "et",
        "ou",
        "au",
        "aux",
        "a",
        "y",
        "on",
        "nous",
        "vous",
        "ils",
        "elles",
        "qui",
        "que",
        "qu",
        "quand",
        "mais",
        "donc",
        "car",
        "ni",
        "avec",
        "sans",
        "chez",
        "leur",
        "leurs",
        "notre",
        "votre",
        "nos",
        "vos",
        "ca",
        "cela",
        "ceci",
        "tout",
        "tous",
        "toute",
    ]
)
# Proper nouns of the domain that are not personal data (with bot.text.STOP_WORDS: never names).
PRODUCT_NAMES = {
    "ent",
    "educonnect",
    "franceconnect",
    "onde",
    "eduline",
    "pronote",
    "one",
    "pocket",
    "hauts-de-france",
    "hauts",
    "france",
    "lsu",
    "erun",
    "gar",
    "resp-affect-gar",
    "ine",
    "pes",
    "ape",
    "sms",
    "cp",
    "ce1",
    "ce2",
    "cm1",
    "cm2",
    "gs",
    "ms",
    "ps",
    "tps",
    "dasen",
    "ia-dasen",
    "education",
    "nationale",
    "lille",
    "amiens",
    "google",
    "android",
    "iphone",
    "apple",
    "gmail",
    "orange",
    "sfr",
    "bouygues",
    "free",
    "septembre",
    "juillet",
    "août",
    "aout",
    "juin",
    "janvier",
}


def vocabulary_of(texts: Iterable[str]) -> set[str]:
    """The folded words of some texts (e.g. the training examples and the answers)."""
    return {fold(match.group()) for text in texts for match in WORD.finditer(text)}


def mask(text: str, vocabulary: Iterable[str] = (), names: Iterable[str] = ()) -> str:
    """`text` with e-mails, phone numbers, long numbers and names masked."""
    text = EMAIL.sub(EMAIL_MASK, text or "")
    text = PHONE.sub(PHONE_MASK, text)
    text = NUMBER.sub(NUMBER_MASK, text)
    common = _common_words(vocabulary) if isinstance(vocabulary, frozenset) else _fold_all(vocabulary)
    known = {fold(name) for name in names if len(name) >= 3} - common
    words = list(WORD.finditer(text))
    out, last, previous_masked = [], 0, False
    for index, match in enumerate(words):
        following = words[index + 1].group() if index + 1 < len(words) else ""
        adjacent = previous_masked and not text[last : match.start()].strip(" -")
        # "jean dupont"; "Lucas Martin": capitalised, a surname even if it is also a word
        surname = adjacent and (fold(match.group()) not in common or _could_be_surname(match.group()))
        previous_masked = surname or _is_name(match.group(), text[: match.start()], following, common, known)
        if previous_masked:
            out += [text[last : match.start()], NAME_MASK]
            last = match.end()
    out.append(text[last:])
    return re.sub(r"\[nom\](?:[\s-]+\[nom\])+", NAME_MASK, "".join(out))  # "[nom] [nom]" -> "[nom]"


def _fold_all(vocabulary: Iterable[str]) -> set[str]:
    """The vocabulary folded, with the product names: words that are not names."""
    return {fold(word) for word in vocabulary} | PRODUCT_NAMES | STOP_WORDS


@lru_cache(maxsize=4)
def _common_words(vocabulary: frozenset[str]) -> frozenset[str]:
    """_fold_all, computed once per vocabulary (the assistant's is a frozenset of ~25,000 words)."""
    return frozenset(_fold_all(vocabulary))


def _is_name(
    word: str, before: str, following: str, common: AbstractSet[str], known: AbstractSet[str]
) -> bool:
    """Whether `word`, between `before` and the `following` word, looks like someone's name."""
    folded = fold(word)
    if folded in known:
        return True
    if len(word) < 2:
        return False
    if folded in common:  # a word, unless capitalised right after a cue: "Mme Martin", "ma fille Rose"
        return _could_be_surname(word) and bool(CUES.search(before))
    if CUES.search(before):
        return True
    if not word[0].isupper():
        return False
    sentence_start = not before.strip() or before.rstrip()[-1] in ".!?:;\n"
    if not sentence_start:
        return True
    # At the start of a sentence, "Lucas Martin ne voit pas..." : an unknown capitalised word, then
    # another capitalised word, unknown or one that is also a surname ("Martin", "Petit").
    return following[:1].isupper() and (fold(following) not in common or _could_be_surname(following))


def _could_be_surname(word: str) -> bool:
    """Capitalised and neither a grammatical word, a title nor a product name ("Martin", not "Mme")."""
    folded = fold(word)
    return (
        word[:1].isupper()
        and folded not in STOP_WORDS
        and folded not in GRAMMAR
        and folded not in PRODUCT_NAMES
    )


@lru_cache(maxsize=1)
def assistant_vocabulary() -> frozenset[str]:
    """Every word of the training data, held-out set, answers and titles: not names.

    Annotated entities ("[Claire Lefebvre](parent_name)") are left out: they are names.
    Unreadable data gives an empty vocabulary (more words are then masked, never fewer).
    """
    try:
        from bot.knowledge_data import answers, heldout_examples, neighbours, training_examples
        from bot.titles import load_titles

        texts = [
            ENTITY_MARKUP.sub(" ", t)
            for examples in (training_examples(), heldout_examples())
            for ts in examples.values()
            for t in ts
        ]
        texts += [str(v.get("text") or "") for variations in answers().values() for v in variations]
        texts += [str(v.get("text") or "") for variations in neighbours().values() for v in variations]
        texts += list(load_titles().values())
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()
    return frozenset(vocabulary_of(texts))


def mask_question(text: str | None, names: Iterable[str] = (), limit: int = 500) -> str | None:
    """A question as it may be stored: masked with the assistant's vocabulary, capped, or None."""
    if not text or not text.strip():
        return None
    return mask(text, assistant_vocabulary(), names).strip()[:limit] or None
