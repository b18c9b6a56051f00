"""The conversation history as the staff page and `make report` read it: turns, outcomes, similar questions.

One user message of Rasa's stored events becomes a `Turn` (intent, chosen answer, confidence,
the actions that followed); `group_similar` groups the questions people ask in different words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.nlu import RETRIEVAL_INTENT, chosen_answer
from bot.text import fold

FALLBACK_INTENTS = {"nlu_fallback"}
OUT_OF_SCOPE_INTENTS = {"out_of_scope"}
FALLBACK_ACTIONS = {"action_default_fallback", "action_did_you_mean"}
SIMILARITY = 0.5  # cosine of character n-grams above which two questions are "the same"


@dataclass
class Turn:
    """One user message and what the assistant did with it."""

    sender: str
    timestamp: float
    text: str
    intent: str
    intent_confidence: float
    answer: str | None = None  # faq answer key chosen
    answer_confidence: float | None = None
    actions: list[str] = field(default_factory=list)

    @property
    def typed(self) -> bool:
        """Typed by a person (not a button payload like /greet, not empty)."""
        return bool(self.text.strip()) and not self.text.startswith("/")

    @property
    def outcome(self) -> str:
        """'fallback', 'out of scope' or 'answered'."""
        if self.intent in OUT_OF_SCOPE_INTENTS:
            return "out of scope"
        if self.intent in FALLBACK_INTENTS or FALLBACK_ACTIONS & set(self.actions):
            return "fallback"
        return "answered"

    @property
    def label(self) -> str:
        """The label as scored: 'faq/key' for guide answers, else the intent."""
        return (
            f"{self.intent}/{self.answer}" if self.intent == RETRIEVAL_INTENT and self.answer else self.intent
        )

    @property
    def confidence(self) -> float:
        """The confidence of what was answered: the answer's for a guide question, else the intent's."""
        if self.intent == RETRIEVAL_INTENT and self.answer_confidence is not None:
            return self.answer_confidence
        return self.intent_confidence


def turn_from_event(sender: str, timestamp: float, data: dict[str, Any]) -> Turn:
    """One user turn, read from a stored `user` event."""
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") not in FALLBACK_INTENTS]
    answer, answer_confidence = chosen_answer(parse)
    return Turn(
        sender=sender,
        timestamp=timestamp or 0.0,
        text=str(data.get("text") or ""),
        intent=intent.get("name") or "",
        intent_confidence=float((ranking[0] if ranking else intent).get("confidence") or 0.0),
        answer=answer,
        answer_confidence=answer_confidence,
    )


def group_similar(texts: list[str], threshold: float = SIMILARITY) -> list[list[str]]:
    """Group questions by similarity of their character n-grams (deterministic), biggest first.

    Identical questions (ignoring case, accents and punctuation) always share a group; a
    question joins the group of the most similar earlier one when the cosine similarity
    of their TF-IDF character 2-4-grams reaches `threshold`.
    """
    if not texts:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    def key(text: str) -> str:
        return " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())

    counts = Counter(key(t) for t in texts)
    distinct = sorted(counts, key=lambda k: (-counts[k], k))
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(distinct)
    leader: dict[int, int] = {}  # distinct question -> the question leading its group
    leaders: list[int] = []
    for i in range(len(distinct)):
        if leaders:
            similarity = (vectors[leaders] @ vectors[i].T).toarray().ravel()
            best = int(similarity.argmax())  # the first of the most similar, in order
            if similarity[best] >= threshold:
                leader[i] = leaders[best]
                continue
        leader[i] = i
        leaders.append(i)
    groups: dict[int, list[str]] = {}
    by_key: dict[str, list[str]] = {}
    for text in texts:
        by_key.setdefault(key(text), []).append(text)
    for i, k in enumerate(distinct):
        groups.setdefault(leader[i], []).extend(by_key[k])
    return sorted(groups.values(), key=lambda g: (-len(g), key(g[0])))
