"""For the live questions: a seeded in-memory ENT, the live actions on it, signed metadata."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from actions import live_call
from bot.ent.db import make_engine, make_session_factory
from bot.ent.seed import init_db
from bot.ent.service import EntService
from bot.identity import Identity, mint_token
from tests.helpers.secret import TEST_SECRET


def demo_service() -> EntService:
    """A new service on a freshly seeded in-memory database."""
    engine = make_engine("sqlite://")
    init_db(engine)
    return EntService(make_session_factory(engine))


@contextmanager
def live_backend(service: EntService) -> Iterator[EntService]:
    """While inside, the live actions use this backend and trust the test secret."""
    saved = os.environ.get("ENT_JWT_SECRET")
    previous = live_call._service
    os.environ["ENT_JWT_SECRET"] = TEST_SECRET
    live_call.set_service(service)
    try:
        yield service
    finally:
        live_call.set_service(previous)
        if saved is None:
            os.environ.pop("ENT_JWT_SECRET", None)
        else:
            os.environ["ENT_JWT_SECRET"] = saved


def metadata_for(login: str, role: str, ttl: int = 900) -> dict[str, str]:
    """Message metadata carrying a valid token for a login."""
    return {"ent_token": mint_token(login, role, ttl_seconds=ttl, secret=TEST_SECRET)}


def who(login: str, role: str) -> Identity:
    """An identity as the token would give it."""
    return Identity(login=login, role=role)
