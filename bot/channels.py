"""Rasa's REST channel, made to answer every request with at least one polite message.

Declared in credentials.yml (`bot.channels.SafeRestInput`); same path
(`/webhooks/rest/webhook`), same request (`{"sender", "message", "metadata"}`) and same
reply (a JSON list of `{"recipient_id", "text", "buttons"...}`) as Rasa's `rest` channel.
What it adds:
- the request is checked before Rasa sees it: a body that is not a JSON object, a
  `message` or `sender` that is not a string get a 400 with a polite message; `metadata`
  that is not an object is ignored; control and bidirectional-override characters are
  removed; an empty message is answered without a turn; a message longer than
  MAX_MESSAGE_CHARS is answered with a request to shorten it;
- an intent payload (`/intent{...}`) goes through only for a known intent that is not a
  retrieval intent, with a JSON object of entities; anything else is read as text;
- a turn that fails or says nothing still answers a polite message (recorded in the
  conversation, so that the portal sees it), and the failure is logged without the
  message, the sender or a traceback (the traceback goes to DEBUG);
- when the conversation store failed during the turn, the person is told.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot import resilience

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128

BAD_REQUEST = "Je n'ai pas pu lire votre message. Pouvez-vous réécrire votre question, s'il vous plaît ?"
TOO_LONG = (
    "Votre message est trop long pour que je le traite. Pouvez-vous poser votre question "
    "en quelques phrases ?"
)
EMPTY = "Je n'ai reçu aucun texte. Quelle est votre question ?"
FAILED = (
    "Je n'ai pas réussi à traiter votre message. Pouvez-vous reformuler votre question ? "
    "Si le problème continue, réessayez dans quelques instants."
)
STORE_DOWN = (
    "Attention : je ne peux pas enregistrer notre conversation pour le moment. Je vous réponds, "
    "mais il se peut que j'oublie ce que vous m'avez dit plus tôt."
)

# C0/C1 controls (but newline and tab), the bidirectional embedding/override/isolate marks
# and lone surrogates (JSON allows "\ud800", which no database can store).
_UNWANTED = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_PAYLOAD = re.compile(r"^/([A-Za-z0-9_]+)(\{.*\})?$", re.DOTALL)


def clean_text(text: str) -> str:
    """The message without control or bidi characters, NFC, trimmed."""
    return unicodedata.normalize("NFC", _UNWANTED.sub("", text.replace("\t", " "))).strip()


def valid_payload(text: str, intents: set[str] | None, retrieval: set[str]) -> bool:
    """Whether `/intent{json}` names a known, non-retrieval intent with simple entities."""
    match = _PAYLOAD.match(text)
    if not match:
        return False
    intent, entities = match.group(1), match.group(2)
    if intent in retrieval or (intents is not None and intent not in intents):
        return False
    if entities:
        try:
            parsed = json.loads(entities)
        except ValueError:
            return False
        if not isinstance(parsed, dict) or not all(
            isinstance(v, (str, int, float, bool)) for v in parsed.values()
        ):
            return False
    return True


def _reply(sender: Any, text: str, status: int = 200) -> response.HTTPResponse:
    return response.json([{"recipient_id": sender, "text": text}], status=status)


class SafeRestInput(RestInput):
    """REST channel that validates input and never answers an empty list."""

    @classmethod
    def name(cls) -> str:
        """The channel's name: Rasa's REST path, so clients need no change."""
        return "rest"  # same path as Rasa's channel: /webhooks/rest/webhook

    def blueprint(self, on_new_message: Any) -> Blueprint:
        """The webhook routes: health check and message endpoint."""
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            return await self.handle(request, on_new_message)

        return webhook

    async def handle(self, request: Request, on_new_message: Any) -> response.HTTPResponse:
        """Check the request, run the turn, make sure something polite comes back."""
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            logger.warning("REST request refused: body of %d bytes", len(body))
            return _reply(None, TOO_LONG, 413)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            logger.warning("REST request refused: body is not JSON")
            return _reply(None, BAD_REQUEST, 400)
        if not isinstance(data, dict):
            logger.warning("REST request refused: body is not a JSON object")
            return _reply(None, BAD_REQUEST, 400)
        sender, message = data.get("sender"), data.get("message")
        if sender is not None and (
            not isinstance(sender, str)
            or not 0 < len(sender) <= MAX_SENDER_CHARS
            or clean_text(sender) != sender
        ):
            logger.warning("REST request refused: invalid sender")
            return _reply(None, BAD_REQUEST, 400)
        if not isinstance(message, str):
            logger.warning("REST request refused: message of type %s", type(message).__name__)
            return _reply(sender, BAD_REQUEST, 400)
        metadata = data.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            logger.warning("REST request: metadata of type %s ignored", type(metadata).__name__)
            metadata = None
        text = clean_text(message)
        if not text:
            return _reply(sender, EMPTY)
        if len(text) > MAX_MESSAGE_CHARS:
            logger.warning("REST request: message of %d characters not processed", len(text))
            return _reply(sender, TOO_LONG)
        if text.startswith("/") and not self._payload_allowed(request, text):
            text = text.lstrip("/").strip() or EMPTY  # read as words, not as an intent
        input_channel = data.get("input_channel") if isinstance(data.get("input_channel"), str) else None
        return response.json(
            await self.run_turn(request, on_new_message, text, sender, metadata, input_channel)
        )

    @staticmethod
    def _payload_allowed(request: Request, text: str) -> bool:
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        intents = set(domain.intents) if domain is not None else None
        retrieval = set(getattr(domain, "retrieval_intents", []) or []) if domain is not None else set()
        return valid_payload(text, intents, retrieval)

    async def run_turn(
        self,
        request: Request,
        on_new_message: Any,
        text: str,
        sender: str | None,
        metadata: dict | None,
        input_channel: str | None,
    ) -> list[dict[str, Any]]:
        """Process one message; add a polite message if it failed or said nothing."""
        collector = CollectingOutputChannel()
        turn = resilience.start_turn()
        message = UserMessage(
            text, collector, sender, input_channel=input_channel or self.name(), metadata=metadata
        )
        failed = False
        try:
            await on_new_message(message)
        except Exception as error:  # the person still gets an answer
            failed = True
            logger.error("Turn failed (%s); a polite message is sent instead", type(error).__name__)
            logger.debug("Turn failure details", exc_info=True)
        extra: list[str] = []
        if failed or not collector.messages:
            if not failed:
                logger.warning("Turn produced no message; a polite message is sent instead")
            extra.append(FAILED)
        if turn.store_failed:
            extra.append(STORE_DOWN)
        for line in extra:
            await collector.send_text_message(message.sender_id, line)
        if extra and not turn.store_failed:
            await self._record(request, message.sender_id, extra)
        return collector.messages

    @staticmethod
    async def _record(request: Request, sender_id: str, texts: list[str]) -> None:
        """Write the channel's own messages into the conversation (the portal reads it)."""
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.processor is None:
            return
        from rasa.shared.core.events import BotUttered

        try:
            async with agent.lock_store.lock(sender_id):
                tracker = await agent.processor.get_tracker(sender_id)
                for text in texts:
                    tracker.update(BotUttered(text, metadata={"channel_fallback": True}))
                await agent.processor.save_tracker(tracker)
        except Exception as error:  # noqa: BLE001 - the reply itself is already on its way
            logger.warning("Could not record the fallback message (%s)", type(error).__name__)
