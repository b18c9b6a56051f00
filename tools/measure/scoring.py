"""How one held-out question was answered, and the scores of a set of them: the one scorer.

`make eval` and `make eval-check` (tools/measure/eval*.py), `tools.measure.variants` and the
plots all score through `predict` and `score`, so that every figure is computed the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bot.nlu import FALLBACK_INTENT as FALLBACK
from bot.nlu import RETRIEVAL_INTENT

OUT_OF_SCOPE = "out_of_scope"
# Neighbouring topics: one ResponseSelector ranks their answers with the guide's,
# and Rasa's retrieval actions say the selector's first choice, whichever of the two
# retrieval intents was predicted.
NEIGHBOURS = "hors_champ"
RETRIEVAL_INTENTS = (RETRIEVAL_INTENT, NEIGHBOURS)
# Gold intents whose right outcome is a decline (a neighbouring-topic or out-of-scope answer).
DECLINE = (NEIGHBOURS, OUT_OF_SCOPE)


@dataclass
class Prediction:
    """What the model made of one held-out question."""

    text: str
    gold_intent: str
    gold_answer: str | None
    intent: str  # the final intent, `nlu_fallback` included
    classifier_intent: str  # the best intent before any fallback
    answer: str | None  # the answer key the selector chose
    candidates: list[str] = field(default_factory=list)  # best guide answer keys, best first
    answer_group: str = RETRIEVAL_INTENT  # the retrieval intent of `answer` (faq or hors_champ)
    confidence: float = 0.0  # the selector's confidence in `answer`
    intent_confidence: float = 0.0  # the classifier's confidence in `classifier_intent`

    @property
    def gold_label(self) -> str:
        """What the right answer is: `faq/<key>` for a guide question, else the intent."""
        return f"{self.gold_intent}/{self.gold_answer}" if self.gold_answer else self.gold_intent

    @property
    def gives_answer(self) -> bool:
        """Whether the assistant says the selector's first choice (a retrieval intent was predicted)."""
        return self.intent in RETRIEVAL_INTENTS and bool(self.answer)

    @property
    def declined(self) -> bool:
        """The assistant said "not my field": a neighbouring-topic answer or the out-of-scope one."""
        return self.intent == OUT_OF_SCOPE or (self.gives_answer and self.answer_group == NEIGHBOURS)

    @property
    def label(self) -> str:
        """What the assistant did: `faq/<key>`, `hors_champ` (a neighbouring topic) or the intent."""
        if self.gives_answer and self.answer_group == NEIGHBOURS:
            return NEIGHBOURS
        if self.gives_answer:
            return f"{RETRIEVAL_INTENT}/{self.answer}"
        return self.intent

    @property
    def right(self) -> bool:
        """The right outcome: the right guide answer, a right decline, else the right intent."""
        if self.gold_intent in DECLINE:
            return self.declined
        if self.gold_answer:
            return (
                self.gives_answer
                and self.answer_group == RETRIEVAL_INTENT
                and self.answer == self.gold_answer
            )
        return self.intent == self.gold_intent

    @property
    def confident_wrong(self) -> bool:
        """Neither the right outcome nor a "Vouliez-vous dire" (the worst case)."""
        return not self.right and self.intent != FALLBACK

    @property
    def correct(self) -> bool:
        """The assistant gave the right answer (or the right non-guide intent)."""
        return self.label == self.gold_label


@dataclass
class Scores:
    """Held-out figures (fractions between 0 and 1)."""

    examples: int
    intent_accuracy: float  # final intent == gold (a fallback counts as wrong)
    classifier_intent_accuracy: float  # best intent before fallback == gold
    answer_accuracy: float  # faq questions: the answer given directly is the right one
    answer_selection_accuracy: float  # faq questions: the selector's first choice is right
    answer_in_candidates: float  # faq questions: right answer given or offered as a button
    fallback_rate: float
    out_of_scope_rate: float = 0.0  # predicted out_of_scope (wrongly, for a guide question)
    confident_wrong_rate: float = 0.0  # all questions: neither right nor a fallback
    right_rate: float = 0.0  # all questions: right answer, right decline or right intent
    neighbours: int = 0  # neighbouring-topic questions (gold hors_champ)
    declined_rate: float = 0.0  # neighbouring-topic questions declined
    guide_declined_rate: float = 0.0  # guide questions wrongly declined
    intent_macro_f1: float = 0.0  # macro-F1 over the gold intents (faq counts as one intent)
    macro_f1: float = 0.0  # macro-F1 over the gold labels: each faq answer, each other intent
    errors: list[dict] = field(default_factory=list)


def split_gold(intent: str) -> tuple[str, str | None]:
    """Split a gold label 'faq/key' into its intent and its answer key."""
    base, _, key = intent.partition("/")
    return base, key or None


def predict(parse: dict, text: str, gold: str) -> Prediction:
    """Turn Rasa's parse result into a Prediction."""
    gold_intent, gold_answer = split_gold(gold)
    intent = (parse.get("intent") or {}).get("name") or ""
    ranking = [r["name"] for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK]
    selectors = parse.get("response_selector") or {}
    # What Rasa's retrieval action reads: the predicted retrieval intent's key, else "default".
    own = selectors.get(intent) if intent in RETRIEVAL_INTENTS else None
    selector = own or selectors.get(RETRIEVAL_INTENT) or selectors.get("default") or {}
    full_keys = [str(r["intent_response_key"]) for r in selector.get("ranking") or []]
    keys = [k.split("/", 1)[1] for k in full_keys]
    guide_keys = [k.split("/", 1)[1] for k in full_keys if k.startswith(f"{RETRIEVAL_INTENT}/")]
    response = selector.get("response") or {}
    ranking_confidences = [
        float(r.get("confidence") or 0.0)
        for r in parse.get("intent_ranking") or []
        if r.get("name") != FALLBACK
    ]
    return Prediction(
        text=text,
        gold_intent=gold_intent,
        gold_answer=gold_answer,
        intent=intent,
        classifier_intent=ranking[0] if ranking else intent,
        answer=keys[0] if keys else None,
        candidates=guide_keys[:3],
        answer_group=full_keys[0].split("/", 1)[0] if full_keys else RETRIEVAL_INTENT,
        confidence=float(response.get("confidence") or 0.0),
        intent_confidence=ranking_confidences[0] if ranking_confidences else 0.0,
    )


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    """Macro-averaged F1 over the gold labels (a label never predicted scores 0)."""
    from sklearn.metrics import f1_score

    if not gold:
        return 0.0
    return float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0))


def f1_by_label(predictions: list[Prediction]) -> dict[str, float]:
    """F1 of each gold label (`faq/<key>` or intent), for the per-answer bars."""
    from sklearn.metrics import f1_score

    gold = [p.gold_label for p in predictions]
    labels = sorted(set(gold))
    if not labels:
        return {}
    values = f1_score(gold, [p.label for p in predictions], labels=labels, average=None, zero_division=0)
    return {label: float(value) for label, value in zip(labels, values, strict=True)}


def score(predictions: list[Prediction]) -> Scores:
    """Aggregate predictions into the held-out figures."""
    n = len(predictions) or 1
    faq = [p for p in predictions if p.gold_answer]
    m = len(faq) or 1
    direct = [p for p in faq if p.right]
    neighbours = [p for p in predictions if p.gold_intent == NEIGHBOURS]
    errors = [
        asdict(p) | {"label": p.label, "right": p.right}
        for p in predictions
        if not p.right or p.intent != p.gold_intent
    ]
    return Scores(
        examples=len(predictions),
        intent_accuracy=sum(p.intent == p.gold_intent for p in predictions) / n,
        classifier_intent_accuracy=sum(p.classifier_intent == p.gold_intent for p in predictions) / n,
        answer_accuracy=len(direct) / m,
        answer_selection_accuracy=sum(
            p.answer == p.gold_answer and p.answer_group == RETRIEVAL_INTENT for p in faq
        )
        / m,
        answer_in_candidates=sum(
            p.right or (p.intent == FALLBACK and p.gold_answer in p.candidates) for p in faq
        )
        / m,
        fallback_rate=sum(p.intent == FALLBACK for p in predictions) / n,
        out_of_scope_rate=sum(p.intent == OUT_OF_SCOPE for p in predictions) / n,
        confident_wrong_rate=sum(p.confident_wrong for p in predictions) / n,
        right_rate=sum(p.right for p in predictions) / n,
        neighbours=len(neighbours),
        declined_rate=sum(p.declined for p in neighbours) / (len(neighbours) or 1),
        guide_declined_rate=sum(p.declined for p in faq) / m,
        intent_macro_f1=macro_f1([p.gold_intent for p in predictions], [p.intent for p in predictions]),
        macro_f1=macro_f1([p.gold_label for p in predictions], [p.label for p in predictions]),
        errors=errors,
    )
