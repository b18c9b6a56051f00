"""Feedback tickets: the portal signs (answer key, question) when it shows an answer.

The widget sends the ticket back with the vote, so a vote can only concern an answer
the assistant really gave. The question is the text of the request that produced the
answer (never read back from the conversation). Each ticket counts once: its id is
stored with the vote, under a unique constraint (EntService.record_feedback), so a
replay is refused even after a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import jwt

from bot.ent.feedback import FEEDBACK_TICKET_TTL_SECONDS
from bot.identity import MissingSecret, load_secret

TICKET_TTL_SECONDS = FEEDBACK_TICKET_TTL_SECONDS
MAX_QUESTION = 500


class InvalidTicket(Exception):
    """The ticket is forged, expired or garbled."""


@dataclass(frozen=True)
class Ticket:
    """What a valid ticket vouches for."""

    ticket_id: str
    answer_key: str
    question: str | None


def portal_key(purpose: bytes) -> bytes:
    """A key derived from the ENT signing secret for one purpose (a random one if there is none)."""
    try:
        secret = load_secret().encode()
    except MissingSecret:
        return secrets.token_bytes(32)
    return hmac.new(secret, b"assistant-ent portal " + purpose, hashlib.sha256).digest()


def ticket_key() -> bytes:
    """The key that signs feedback tickets."""
    return portal_key(b"feedback")


class Tickets:
    """Issue and read feedback tickets (their single use is enforced by the database)."""

    def __init__(self, key: bytes | None = None) -> None:
        self.key = key or ticket_key()

    def issue(self, answer_key: str, question: str | None) -> str:
        """A signed ticket for one answer."""
        now = int(time.time())
        claims = {
            "k": answer_key,
            "q": (question or "")[:MAX_QUESTION],
            "jti": secrets.token_urlsafe(12),
            "exp": now + TICKET_TTL_SECONDS,
        }
        return jwt.encode(claims, self.key, algorithm="HS256")

    def read(self, ticket: object) -> Ticket:
        """The content of a valid ticket (InvalidTicket otherwise)."""
        if not isinstance(ticket, str) or len(ticket) > 4096:
            raise InvalidTicket()
        try:
            claims = jwt.decode(
                ticket, self.key, algorithms=["HS256"], options={"require": ["k", "jti", "exp"]}
            )
        except jwt.PyJWTError as error:
            raise InvalidTicket() from error
        if not all(isinstance(claims.get(k), str) for k in ("k", "jti")):
            raise InvalidTicket()
        question = claims.get("q")
        return Ticket(
            claims["jti"], claims["k"], question if isinstance(question, str) and question else None
        )
