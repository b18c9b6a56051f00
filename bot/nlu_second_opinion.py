"""NLU component: a second, different model checks the first one's answer.

DIET and the ResponseSelector learn dense representations; their confidence says little
about whether an answer is right (right answers at 0.15, wrong ones at 0.9). A TF-IDF
model over words and character n-grams with a logistic regression, trained on the same
examples with one label per answer (`faq/<key>`, `hors_champ/<key>`) or intent, errs on
other questions. When the two agree, the answer is far more likely right; when they
disagree, far more likely wrong. So, after the fallbacks:

- **rescue**: a message of at least `rescue_min_words` words sent to "Vouliez-vous dire"
  whose best answer is also the second model's first choice gets that answer (a word or two,
  « compte », stays a question back: both models can agree on a guess);
- **veto**: an answer (or a live question) given with a confidence below `veto_below`
  becomes "Vouliez-vous dire" when the second model prefers another label with a
  probability of at least `veto_probability`. Two declines (a neighbouring topic, out of
  scope) never veto each other.

Both thresholds were chosen on the held-out set (docs/measuring.md). The second model
reads the tokens after the typo tolerance, accent-folded and lower-cased.
"""

from __future__ import annotations

from typing import Any

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import FALLBACK_INTENT, RETRIEVAL_INTENT, selector_prediction
from bot.nlu_guard import restrict_selector, unanswerable
from bot.text import fold

MODEL_FILE = "second_opinion.joblib"
NEIGHBOURS = "hors_champ"
OUT_OF_SCOPE = "out_of_scope"
DECLINES = (NEIGHBOURS, OUT_OF_SCOPE)


def message_text(message: Message) -> str:
    """The words the featurizers read (typos corrected), else the text as typed."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join(token.text for token in tokens) if tokens else str(message.get(TEXT) or "")


def build_model(seed: int) -> Any:
    """Word (1-2) and character (2-5) TF-IDF on folded text, then a logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, preprocessor=fold),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=fold),
    )
    return make_pipeline(features, LogisticRegression(C=20.0, max_iter=3000, random_state=seed))


def ready(model: Any) -> Any:
    """Store the regression's weights column-major, so that one message takes 1 ms, not 5.

    scikit-learn multiplies by the transposed weights, which it copies at every call when
    they are row-major.
    """
    import numpy as np

    regression = model[-1]
    regression.coef_ = np.asfortranarray(regression.coef_)
    return model


def group(label: str) -> str:
    """'faq/key' -> 'faq'; an intent is its own group."""
    return label.split("/", 1)[0]


def our_label(message: Message) -> tuple[str, float] | None:
    """What the assistant is about to say (`faq/<key>`, `hors_champ/<key>` or the intent), and how sure."""
    intent = message.get("intent") or {}
    name = str(intent.get("name") or "")
    if name in (RETRIEVAL_INTENT, NEIGHBOURS):
        own = (message.get("response_selector") or {}).get(name)
        response = (own or selector_prediction(message, RETRIEVAL_INTENT)).get("response") or {}
        key = response.get("intent_response_key")
        return (str(key), float(response.get("confidence") or 0.0)) if key else None
    return name, float(intent.get("confidence") or 0.0)


def best_answer(message: Message) -> str | None:
    """The ResponseSelector's first choice over all answers (`faq/<key>` or `hors_champ/<key>`)."""
    ranking = selector_prediction(message, RETRIEVAL_INTENT).get("ranking") or []
    return str(ranking[0].get("intent_response_key") or "") or None if ranking else None


def classifier_intent(message: Message) -> str | None:
    """The classifier's best intent before any fallback."""
    for item in message.get("intent_ranking") or []:
        if item.get("name") != FALLBACK_INTENT:
            return str(item.get("name"))
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SecondOpinion(GraphComponent, IntentClassifier):
    """Rescue the fallbacks and veto the doubtful answers on which a second model disagrees."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Thresholds, the intents checked besides the answers, and the seed."""
        return {
            "veto_probability": 0.2,
            "veto_below": 0.6,
            "rescue_min_words": 3,
            "also_for": [],
            "random_seed": 42,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """scikit-learn's TF-IDF and logistic regression."""
        return ["sklearn"]

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, model: Any = None
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.veto_probability = float(self._config["veto_probability"])
        self.veto_below = float(self._config["veto_below"])
        self.rescue_min_words = int(self._config["rescue_min_words"])
        self.also_for = set(self._config.get("also_for") or [])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SecondOpinion:
        """A component with no model yet (Rasa's graph API)."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the second model on the training examples, one label per answer or intent."""
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get_full_intent()]
        model = build_model(int(self._config["random_seed"]))
        model.fit([message_text(e) for e in examples], [e.get_full_intent() for e in examples])
        self.model = ready(model)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SecondOpinion:
        """The component with the model saved at training (none: it changes nothing)."""
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            model = None
        return cls(config, model_storage, resource, ready(model) if model is not None else None)

    def opinion(self, message: Message) -> tuple[str, float]:
        """The second model's first label and its probability."""
        probabilities = self.model.predict_proba([message_text(message)])[0]
        best = int(probabilities.argmax())
        return str(self.model.classes_[best]), float(probabilities[best])

    def process(self, messages: list[Message]) -> list[Message]:
        """Rescue or veto each message where the second model's opinion says so."""
        if self.model is None:
            return messages
        for message in messages:
            if unanswerable(message.get(TEXT)):
                continue
            intent = (message.get("intent") or {}).get("name")
            if intent == FALLBACK_INTENT:
                self._rescue(message)
            elif intent in (RETRIEVAL_INTENT, NEIGHBOURS) or intent in self.also_for:
                self._veto(message)
        return messages

    def _rescue(self, message: Message) -> None:
        """Give the selector's best answer when the second model's first choice is the same."""
        answer = best_answer(message)
        if not answer or classifier_intent(message) not in (RETRIEVAL_INTENT, NEIGHBOURS):
            return
        if len(str(message.get(TEXT) or "").split()) < self.rescue_min_words:
            return
        label, _ = self.opinion(message)
        if label != answer:
            return
        ranking = message.get("intent_ranking") or []
        confidence = next(
            (float(r.get("confidence") or 0) for r in ranking if r.get("name") != FALLBACK_INTENT), 0
        )
        message.set("intent", {"name": group(answer), "confidence": confidence}, add_to_output=True)
        if group(answer) == NEIGHBOURS:
            restrict_selector(message, NEIGHBOURS)

    def _veto(self, message: Message) -> None:
        """Send to "Vouliez-vous dire" a doubtful answer the second model does not share."""
        ours = our_label(message)
        if ours is None:
            return
        label, confidence = ours
        if confidence >= self.veto_below:
            return
        theirs, probability = self.opinion(message)
        if theirs == label or probability < self.veto_probability:
            return
        if group(theirs) in DECLINES and group(label) in DECLINES:
            return
        message.set("intent", {"name": FALLBACK_INTENT, "confidence": confidence}, add_to_output=True)
