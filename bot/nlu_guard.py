"""NLU component: send to "Vouliez-vous dire ..." what the model is not sure of.

Rasa's FallbackClassifier only looks at the intent's confidence. A question can be
confidently a `faq` while the ResponseSelector hesitates between answers
(RasaHQ/rasa#9751): this component turns such a message into `nlu_fallback` too.
It also sends there what no answer fits: messages with no letter at all (empty,
emoji, punctuation), far longer than a question (a pasted document), or made of
"words" no language has (a key held down).

One ResponseSelector ranks the guide's answers and the neighbouring topics' together.
When the intent is the neighbouring topics' (`neighbours_intent`) but the
selector prefers a guide answer, the guide answer is kept only when the selector is
fairly sure of it (`neighbours_keep_guide_above`); otherwise the best neighbouring topic
is put under that intent's key, which Rasa's `utter_hors_champ` reads first. Chosen on
the held-out set: this keeps more right answers than always declining, and declines
more than never doing it.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import FALLBACK_INTENT, RETRIEVAL_INTENT, selector_prediction


def selector_confidence(message: Message, retrieval_intent: str) -> float | None:
    """Confidence of the answer chosen for `retrieval_intent`, if any."""
    confidence = (selector_prediction(message, retrieval_intent).get("response") or {}).get("confidence")
    return None if confidence is None else float(confidence)


def restrict_selector(message: Message, retrieval_intent: str, keep_other_above: float = 1.0) -> None:
    """Put the best answer of `retrieval_intent` under its own key, unless the first choice is sure.

    The selector's first choice (another intent's answer) is kept when its confidence is at
    least `keep_other_above`.
    """
    selector = dict(message.get("response_selector") or {})
    prediction = selector.get("default") or {}
    first = (prediction.get("ranking") or [{}])[0]
    if float(first.get("confidence") or 0.0) >= keep_other_above:
        return
    ranking = [
        item
        for item in prediction.get("ranking") or []
        if str(item.get("intent_response_key") or "").startswith(f"{retrieval_intent}/")
    ]
    if not ranking:
        return
    best = ranking[0]
    key = str(best["intent_response_key"])
    response = {
        "responses": None,
        "confidence": float(best.get("confidence") or 0.0),
        "intent_response_key": key,
        "utter_action": f"utter_{key}",
    }
    selector[retrieval_intent] = {"response": response, "ranking": ranking}
    message.set("response_selector", selector, add_to_output=True)


# A question, even with its context, is far shorter; and no French word is this long.
MAX_MESSAGE_CHARS = 1000
MAX_WORD_CHARS = 30


def has_letters(text: str | None) -> bool:
    """Whether a message holds at least one letter (in any alphabet)."""
    return any(char.isalpha() for char in text or "")


def unanswerable(text: str | None) -> bool:
    """Whether a message cannot be a question: no letter, too long, or gibberish words."""
    text = text or ""
    if not has_letters(text) or len(text) > MAX_MESSAGE_CHARS:
        return True
    words = [w for w in text.split() if "://" not in w]
    return any(len(w) > MAX_WORD_CHARS for w in words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AnswerConfidenceGuard(GraphComponent, IntentClassifier):
    """Predict `nlu_fallback` when the chosen answer, not only the intent, is uncertain."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The retrieval intent guarded, the threshold below which it falls back, the neighbours."""
        return {
            "retrieval_intent": RETRIEVAL_INTENT,
            "threshold": 0.5,
            "neighbours_intent": None,
            "neighbours_keep_guide_above": 0.5,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.retrieval_intent = config["retrieval_intent"]
        self.threshold = float(config["threshold"])
        self.neighbours_intent = config.get("neighbours_intent")
        self.keep_guide_above = float(config.get("neighbours_keep_guide_above", 0.5))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AnswerConfidenceGuard:
        """Build the component from its config (Rasa's graph API)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Send unanswerable or unsure guide answers to the fallback."""
        for message in messages:
            intent = message.get("intent") or {}
            if unanswerable(message.get("text")):
                self._fall_back(message, 1.0)
            elif intent.get("name") == self.retrieval_intent:
                confidence = selector_confidence(message, self.retrieval_intent)
                if confidence is not None and confidence < self.threshold:
                    self._fall_back(message, confidence)
            elif self.neighbours_intent and intent.get("name") == self.neighbours_intent:
                restrict_selector(message, self.neighbours_intent, self.keep_guide_above)
        return messages

    @staticmethod
    def _fall_back(message: Message, confidence: float) -> None:
        """Replace the intent with nlu_fallback, keeping the ranking for the candidates."""
        message.set("intent", {"name": FALLBACK_INTENT, "confidence": confidence}, add_to_output=True)
