"""Feedback tickets: the portal signs (answer key, question) when it shows an answer.

The widget sends the ticket back with the vote, so a vote can only concern an answer
the assistant really gave, and each answer gets one vote.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict

import jwt

from bot.ent.service import FEEDBACK_TICKET_TTL_SECONDS
from bot.identity import MissingSecret, load_secret

TICKET_TTL_SECONDS = FEEDBACK_TICKET_TTL_SECONDS
MAX_QUESTION = 500
REMEMBERED_VOTES = 10_000


class InvalidTicket(Exception):
    """The ticket is forged, expired or garbled."""


class AlreadyVoted(Exception):
    """This answer already has its vote."""


def ticket_key() -> bytes:
    """A key derived from the ENT signing secret (a random one if there is none)."""
    try:
        secret = load_secret().encode()
    except MissingSecret:
        return secrets.token_bytes(32)
    return hmac.new(secret, b"assistant-ent portal feedback", hashlib.sha256).digest()


class Tickets:
    """Issue and redeem feedback tickets."""

    def __init__(self, key: bytes | None = None) -> None:
        self.key = key or ticket_key()
        self.used: OrderedDict[str, None] = OrderedDict()

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

    def redeem(self, ticket: object) -> tuple[str, str | None]:
        """(answer key, question) of a valid, unused ticket; marks it used."""
        if not isinstance(ticket, str) or len(ticket) > 4096:
            raise InvalidTicket()
        try:
            claims = jwt.decode(
                ticket, self.key, algorithms=["HS256"], options={"require": ["k", "jti", "exp"]}
            )
        except jwt.PyJWTError as error:
            raise InvalidTicket() from error
        if claims["jti"] in self.used:
            raise AlreadyVoted()
        self.used[claims["jti"]] = None
        while len(self.used) > REMEMBERED_VOTES:
            self.used.popitem(last=False)
        return str(claims["k"]), (claims.get("q") or None)

    def forget(self, ticket: str) -> None:
        """Make a redeemed ticket usable again (its vote could not be stored)."""
        try:
            claims = jwt.decode(ticket, self.key, algorithms=["HS256"])
        except jwt.PyJWTError:
            return
        self.used.pop(claims.get("jti"), None)
