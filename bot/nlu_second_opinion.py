"""NLU component: the assistant's answer is what two different models read together.

DIET and the ResponseSelector learn dense representations; their confidence says little
about whether an answer is right (right answers at 0.15, wrong ones at 0.9). A TF-IDF
model over words and character n-grams with a logistic regression, trained on the same
examples with one label per answer (`faq/<key>`, `hors_champ/<key>`) or intent, errs on
other questions. Averaging the two readings is more often right than either, and their
agreement says how far to trust it. So, after the fallbacks, for a message the classifier
reads as an answer (a guide answer, a neighbouring topic, out of scope, a live question
in `also_for`) or could not read:

- **blend**: each label's probability is `weight` × the first model's (intent confidence,
  times the selector's confidence for an answer) + (1 - `weight`) × the second model's;
  the declines (neighbouring topics, out of scope) count together against any one answer;
- **answer**: the blend's first label is said when its probability reaches
  `answer_when_agree` if both models also put it first, else `answer_when_disagree`;
  with `answer_when_second_sure` (off unless set; config.yml sets it, docs/measuring.md),
  a guide answer the second model puts first with that much is said although they disagree,
  unless the first model reads the message as not our field;
  a message of fewer than `min_words` words needs both, and one the first model could not
  read stays a question back (« compte », « code »);
- otherwise **"Vouliez-vous dire"**, whose buttons follow the blend's ranking.

A conversation intent the classifier gives `sure_above` or more (thanks, a name in a form) is
left as read; one it doubts is decided like the rest (« j'ai demandé 3 fois le SMS » read as
a director closing a request at 0.42, « quels livres acheter pour le CE2 » as a name in a
form at 0.57).
The thresholds were chosen on the held-out set (docs/measuring.md). The second model reads
the tokens after the typo tolerance, accent-folded and lower-cased, and, with `lemmas`, their
lemmas by spaCy's French tagger and lemmatizer (« supprimés » and « je supprime » share
« supprimer », « les favoris » and « un favori » share « favori »), from the pipeline
`bot.nlu_french` shares with the names.
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
from bot.nlu_french import french_pipeline, lemmas
from bot.nlu_guard import restrict_selector, unanswerable
from bot.text import fold

MODEL_FILE = "second_opinion.joblib"
NEIGHBOURS = "hors_champ"
OUT_OF_SCOPE = "out_of_scope"
DECLINES = (NEIGHBOURS, OUT_OF_SCOPE)
RETRIEVAL_INTENTS = (RETRIEVAL_INTENT, NEIGHBOURS)


def message_text(message: Message) -> str:
    """The words the featurizers read (typos corrected), else the text as typed."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join(token.text for token in tokens) if tokens else str(message.get(TEXT) or "")


def words(document: tuple[str, str]) -> str:
    """A document's words, folded: (words, lemmas) -> words."""
    return fold(document[0])


def lemmas_of(document: tuple[str, str]) -> str:
    """A document's lemmas, folded: (words, lemmas) -> lemmas."""
    return fold(document[1])


def build_model(seed: int, c: float, with_lemmas: bool) -> Any:
    """TF-IDF on the folded words (1-2) and letters (2-5), and on the lemmas if asked, then a logistic regression.

    It reads (words, lemmas) pairs; `c` is the regression's inverse regularisation.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, preprocessor=words),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=words),
    ]
    if with_lemmas:
        features.append(TfidfVectorizer(sublinear_tf=True, preprocessor=lemmas_of))
    return make_pipeline(make_union(*features), LogisticRegression(C=c, max_iter=3000, random_state=seed))


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


def is_decline(label: str) -> bool:
    """A neighbouring topic's answer or out of scope: "not my field"."""
    return group(label) in DECLINES


def first_reading(message: Message) -> dict[str, float]:
    """The first model's probability of each label: the intent's, times the selector's for an answer."""
    intents = {
        str(item["name"]): float(item.get("confidence") or 0.0)
        for item in message.get("intent_ranking") or []
        if item.get("name") and item.get("name") != FALLBACK_INTENT
    }
    total = sum(intents.values()) or 1.0
    reading = {name: value / total for name, value in intents.items() if name not in RETRIEVAL_INTENTS}
    answers = sum(intents.get(name, 0.0) for name in RETRIEVAL_INTENTS) / total
    for item in selector_prediction(message, RETRIEVAL_INTENT).get("ranking") or []:
        if key := item.get("intent_response_key"):
            reading[str(key)] = answers * float(item.get("confidence") or 0.0)
    return reading


def best_of(reading: dict[str, float]) -> str | None:
    """The most probable label of a reading."""
    return max(reading, key=reading.__getitem__) if reading else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SecondOpinion(GraphComponent, IntentClassifier):
    """Decide the answer from the first model's reading blended with a second, different model's."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The blend's weight and thresholds, the intents it decides, the regression's C, the lemmas' model, the seed.

        `lemmas` names the spaCy model that reads them; none: the second model reads words and letters only.
        `answer_when_second_sure` none: a disagreement is answered from `answer_when_disagree` only.
        """
        return {
            "weight": 0.4,
            "answer_when_agree": 0.2,
            "answer_when_disagree": 0.45,
            "answer_when_second_sure": None,
            "min_words": 3,
            "sure_above": 0.9,
            "also_for": [],
            "regularisation": 50.0,
            "lemmas": None,
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
        self.weight = float(self._config["weight"])
        self.answer_when_agree = float(self._config["answer_when_agree"])
        self.answer_when_disagree = float(self._config["answer_when_disagree"])
        second_sure = self._config.get("answer_when_second_sure")
        self.answer_when_second_sure = float(second_sure) if second_sure is not None else None
        self.min_words = int(self._config["min_words"])
        self.sure_above = float(self._config["sure_above"])
        self.decided = {*RETRIEVAL_INTENTS, OUT_OF_SCOPE, *(self._config.get("also_for") or [])}
        # spaCy's pipeline for the lemmas, loaded with the component (not at the first message).
        self.nlp = french_pipeline(str(self._config["lemmas"])) if self._config.get("lemmas") else None

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
        model = build_model(
            int(self._config["random_seed"]), float(self._config["regularisation"]), self.nlp is not None
        )
        model.fit(
            self.documents([message_text(e) for e in examples]), [e.get_full_intent() for e in examples]
        )
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

    def documents(self, texts: list[str]) -> list[tuple[str, str]]:
        """What the second model reads of each text: its words, and its lemmas (empty without them)."""
        if self.nlp is None:
            return [(text, "") for text in texts]
        return [(text, lemmas(self.nlp, text)) for text in texts]

    def second_reading(self, message: Message) -> dict[str, float]:
        """The second model's probability of each label."""
        probabilities = self.model.predict_proba(self.documents([message_text(message)]))[0]
        return {str(label): float(p) for label, p in zip(self.model.classes_, probabilities, strict=True)}

    def sure_of_other_intent(self, message: Message) -> bool:
        """The classifier reads a conversation intent (thanks, a name in a form) with `sure_above` or more."""
        intent = message.get("intent") or {}
        return (
            intent.get("name") not in self.decided
            and float(intent.get("confidence") or 0.0) >= self.sure_above
        )

    def short(self, message: Message) -> bool:
        """A message of fewer than `min_words` words."""
        return len(str(message.get(TEXT) or "").split()) < self.min_words

    def second_is_sure(self, best: str, first: dict[str, float], second: dict[str, float]) -> bool:
        """The models disagree on which guide answer, and the second puts `best` first, sure enough.

        The first model reading the message as not our field is a disagreement on whether to answer:
        that stays a question back, and so does a live question or a decline.
        """
        first_best = best_of(first)
        return (
            self.answer_when_second_sure is not None
            and group(best) == RETRIEVAL_INTENT
            and best_of(second) == best
            and second[best] >= self.answer_when_second_sure
            and not (first_best is not None and is_decline(first_best))
        )

    def blend(self, first: dict[str, float], second: dict[str, float]) -> dict[str, float]:
        """Each label's probability: `weight` × the first model's + (1 - `weight`) × the second's."""
        return {
            label: self.weight * first.get(label, 0.0) + (1 - self.weight) * second.get(label, 0.0)
            for label in first.keys() | second.keys()
        }

    def process(self, messages: list[Message]) -> list[Message]:
        """Decide each message the classifier read as an answer, or could not read."""
        if self.model is None:
            return messages
        for message in messages:
            if unanswerable(message.get(TEXT)):
                continue
            intent = (message.get("intent") or {}).get("name")
            if intent == FALLBACK_INTENT and self.short(message):
                continue  # « compte », « code »: a word or two the first model doubts is a question back
            if intent == FALLBACK_INTENT or not self.sure_of_other_intent(message):
                self._decide(message)
        return messages

    def _decide(self, message: Message) -> None:
        """Set the intent, its ranking and the selector's from the two models' blended reading."""
        first, second = first_reading(message), self.second_reading(message)
        blended = self.blend(first, second)
        ranked = sorted(blended, key=blended.__getitem__, reverse=True)
        best = ranked[0]
        declines = sum(p for label, p in blended.items() if is_decline(label))
        best_answer = next((label for label in ranked if not is_decline(label)), None)
        if is_decline(best) or (best_answer is not None and declines > blended[best_answer]):
            best, probability = next(label for label in ranked if is_decline(label)), declines
        else:
            probability = blended[best]
        firsts = (best_of(first), best_of(second))
        both_decline = all(is_decline(str(label)) for label in (best, *firsts))
        agree = both_decline or firsts == (best, best)
        threshold = self.answer_when_agree if agree else self.answer_when_disagree
        enough = probability >= threshold or self.second_is_sure(best, first, second)
        if self.short(message):
            enough = agree and probability >= self.answer_when_disagree
        chosen = group(best) if enough else FALLBACK_INTENT
        self._set(message, chosen, probability, blended, ranked, best if enough else None)

    @staticmethod
    def _set(
        message: Message,
        intent: str,
        probability: float,
        blended: dict[str, float],
        ranked: list[str],
        answer: str | None,
    ) -> None:
        """Write the decision: the intent, the intents' ranking, the answers' ranking (the chosen first)."""
        answers = [label for label in ranked if group(label) in RETRIEVAL_INTENTS]
        if answer in answers:
            answers.remove(answer)
            answers.insert(0, answer)
        total = sum(blended[label] for label in answers) or 1.0
        ranking = [{"intent_response_key": label, "confidence": blended[label] / total} for label in answers]
        groups: dict[str, float] = {}
        for label in ranked:
            groups[group(label)] = groups.get(group(label), 0.0) + blended[label]
        intent_ranking = [
            {"name": name, "confidence": value}
            for name, value in sorted(groups.items(), key=lambda item: item[1], reverse=True)
        ]
        if intent == FALLBACK_INTENT:
            intent_ranking.insert(0, {"name": FALLBACK_INTENT, "confidence": probability})
        # The retrieval intents' own predictions are replaced by the blend's, under "default".
        selector = {
            name: value
            for name, value in (message.get("response_selector") or {}).items()
            if name not in RETRIEVAL_INTENTS and name != "default"
        }
        if ranking:
            first = ranking[0]
            key = str(first["intent_response_key"])
            response = {
                "responses": None,
                "confidence": first["confidence"],
                "intent_response_key": key,
                "utter_action": f"utter_{key}",
            }
            selector["default"] = {"response": response, "ranking": ranking[:10]}
        message.set("intent", {"name": intent, "confidence": probability}, add_to_output=True)
        message.set("intent_ranking", intent_ranking[:10], add_to_output=True)
        message.set("response_selector", selector, add_to_output=True)
        if answer and group(answer) == NEIGHBOURS:
            restrict_selector(message, NEIGHBOURS)
