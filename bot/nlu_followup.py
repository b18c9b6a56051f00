"""NLU component: a short reply right after an answer is read in that answer's context.

The models read each message alone. After the SMS-code answer, « toujours pas de code » reads
as the SMS-code question again, « rien reçu » as nothing sure, « et un prof, il active
comment ? » as the parents' activation: the person gets the same answer twice or buttons.
Given the conversation (Rasa passes the tracker to the NLU graph when it serves), this
component, last in the pipeline, turns such a reply into the follow-up intent that
actions/followup.py answers (bot/followup_context.py says which words make which follow-up):

- a failure (« toujours rien », « ça plante », « le blocage ne s'applique pas ») becomes
  `still_failing` when the model fell back, read « non », repeated the answer just given (or
  one with the same next step), or read a guide answer while the person says they did the step;
- « et pour un enseignant ? » becomes `followup_role`, « et si je change d'école ? »
  `followup_school_change`;
- frustration the model did not recognise (« votre robot ne sert à rien ») becomes `complaint`,
  with or without an answer before.

A message parsed alone (`/model/parse`, the NLU evaluation) has no context: only the last rule
applies. Nothing changes while a form asks its questions.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.followup_context import (
    ANSWER_ACTION,
    FOLLOWUP_ACTION,
    MAX_TURNS_BACK,
    context_answer,
    last_action,
    reply_in_context,
)
from bot.nlu_component import StatelessComponent

CURRENT_MESSAGE = {"event": "user"}  # the message being parsed, not yet in the tracker


def recent_events(tracker: DialogueStateTracker, users: int = MAX_TURNS_BACK + 1) -> list[dict[str, Any]]:
    """The events of the last `users` user turns, as dicts, oldest first."""
    tail: list[dict[str, Any]] = []
    for event in reversed(tracker.events):
        tail.append(event.as_dict())
        if isinstance(event, UserUttered):
            users -= 1
            if users == 0:
                break
    tail.reverse()
    return tail


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FollowupInContext(StatelessComponent, IntentClassifier):
    """Turn a short reply after an answer into the follow-up intent it is in that context."""

    def process(self, messages: list[Message], tracker: DialogueStateTracker) -> list[Message]:
        """Read each message in the context of the conversation's last answer."""
        if tracker.active_loop_name:
            return messages
        events = recent_events(tracker)
        context, _ = context_answer([*events, CURRENT_MESSAGE])
        just_answered = last_action(events) in (ANSWER_ACTION, FOLLOWUP_ACTION)
        for message in messages:
            followup = reply_in_context(message.get("text") or "", message, context, just_answered)
            if followup is not None:
                self._read_as(message, followup)
        return messages

    @staticmethod
    def _read_as(message: Message, intent: str) -> None:
        """Make `intent` the message's intent, first of the ranking."""
        ranking = [item for item in message.get("intent_ranking") or [] if item.get("name") != intent]
        chosen = {"name": intent, "confidence": 1.0}
        message.set("intent", chosen, add_to_output=True)
        message.set("intent_ranking", [chosen, *ranking], add_to_output=True)
