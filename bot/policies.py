"""Dialogue policies: TED skips its TensorFlow call when a rule already decides the next action.

Rasa runs every policy at every prediction (two a turn) and keeps the most confident, ties going
to the higher priority. A rule that applies predicts with confidence 1.0 at RulePolicy's priority
(6, TED's is 1), so TED's answer cannot be chosen then: its inference (about a quarter of a guide
answer's CPU here) is wasted. `DecidingRulePolicy` notes, for the tracker it has just seen,
whether a rule decided; `RuleAwareTEDPolicy` then returns an empty prediction instead of running
its model. When TED happens to run first, or no rule applies, TED predicts as usual. The
choice of the next action is the same as with the stock policies.
"""

from __future__ import annotations

import weakref
from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

DECISIVE = 1.0  # a rule that applies predicts with certainty


class _Decision:
    """The last rule decision: for which tracker (weakly held) at which length."""

    tracker: weakref.ReferenceType[DialogueStateTracker] | None = None
    events = -1

    @classmethod
    def note(cls, tracker: DialogueStateTracker, decided: bool) -> None:
        cls.tracker = weakref.ref(tracker) if decided else None
        cls.events = len(tracker.events)

    @classmethod
    def taken_for(cls, tracker: DialogueStateTracker) -> bool:
        """True once if a rule decided for this very tracker in its current state."""
        same = cls.events == len(tracker.events) and cls.tracker is not None and cls.tracker() is tracker
        cls.tracker = None
        return same


def rule_decides(prediction: PolicyPrediction) -> bool:
    """A rule (not the core fallback) gave the next action with certainty."""
    return prediction.max_confidence >= DECISIVE and not prediction.is_end_to_end_prediction


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class DecidingRulePolicy(RulePolicy):
    """RulePolicy that notes when a rule decides the next action."""

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """RulePolicy's prediction, noted."""
        prediction = super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)
        _Decision.note(tracker, rule_decides(prediction))
        return prediction


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True)
class RuleAwareTEDPolicy(TEDPolicy):
    """TEDPolicy that does not run its model when a rule has decided."""

    skipped = 0  # predictions saved, for the measurements

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """An empty prediction when a rule decided for this tracker, else TED's."""
        if _Decision.taken_for(tracker):
            type(self).skipped += 1
            return self._prediction(self._default_predictions(domain))
        return super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)
