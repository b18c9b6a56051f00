"""`rasa test` whose end-to-end conversations read each user text in its conversation, as served.

When Rasa serves, it parses a message with the conversation's tracker (the NLU graph's
`__tracker__` input: bot/nlu_followup.py reads a reply in the context of the last answer).
`rasa test core --e2e` (Rasa 3.6, rasa/core/test.py) parses each test text with an empty tracker
instead, so a conversation test would measure replies out of context. This launcher gives the
parse the conversation so far, as the test story states it (its events before that message),
then runs Rasa's own command line unchanged.

Usage: python -m tools.measure.rasa_in_context test core --model ... --stories ... --e2e
"""

from __future__ import annotations

import sys
from typing import Any

import rasa.core.test as rasa_test
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

_predict_tracker_actions = rasa_test._predict_tracker_actions


class StoryContext:
    """The events of one test story; `before(text)` gives the tracker up to its next message `text`."""

    def __init__(self, story: DialogueStateTracker, agent: Agent) -> None:
        self.story = story
        self.events: list[Event] = list(story.events)
        self.slots = agent.domain.slots if agent.domain is not None else []
        self.cursor = 0

    def before(self, text: str | None) -> DialogueStateTracker | None:
        """The conversation before the story's next user message with this text (None: not found)."""
        for index in range(self.cursor, len(self.events)):
            event = self.events[index]
            if isinstance(event, UserUttered) and event.text == text:
                self.cursor = index + 1
                return DialogueStateTracker.from_events(self.story.sender_id, self.events[:index], self.slots)
        return None


async def predict_in_context(tracker: DialogueStateTracker, agent: Agent, *args: Any, **kwargs: Any) -> Any:
    """Rasa's prediction of one test story, each text parsed with the conversation before it."""
    processor = agent.processor
    if processor is None:
        return await _predict_tracker_actions(tracker, agent, *args, **kwargs)
    context = StoryContext(tracker, agent)
    parse = processor.parse_message

    async def parse_in_context(
        message: UserMessage, tracker: DialogueStateTracker | None = None, **more: Any
    ) -> Any:
        return await parse(message, tracker or context.before(message.text), **more)

    processor.parse_message = parse_in_context
    try:
        return await _predict_tracker_actions(tracker, agent, *args, **kwargs)
    finally:
        del processor.parse_message  # back to the class's method


def main() -> None:
    """Rasa's command line, its conversation tests reading texts in context."""
    from rasa.__main__ import main as rasa_main

    rasa_test._predict_tracker_actions = predict_in_context
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
