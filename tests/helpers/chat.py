"""One conversation with the loaded model, as a person in the portal would have it."""

from __future__ import annotations

import uuid


class Chat:
    """One conversation with the assistant, as a person in the portal would have it."""

    def __init__(self, agent, metadata: dict | None = None) -> None:
        self.agent = agent
        self.sender = f"test-{uuid.uuid4().hex[:12]}"
        self.metadata = metadata

    async def say(self, text: str, metadata: dict | None = None) -> list[dict]:
        """Send a message; return the assistant's messages (text, buttons, ...)."""
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        channel = CollectingOutputChannel()
        message = UserMessage(text, channel, self.sender, metadata=metadata or self.metadata)
        await self.agent.handle_message(message)
        return channel.messages

    async def text(self, text: str, metadata: dict | None = None) -> str:
        """Send a message; return all the assistant's texts joined."""
        return "\n".join(m.get("text") or "" for m in await self.say(text, metadata))

    async def tracker(self):
        return await self.agent.tracker_store.retrieve(self.sender)
