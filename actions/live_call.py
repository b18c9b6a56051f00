"""How live actions reach the ENT backend: the viewer's identity and a 2-second call."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.ent.errors import BackendUnavailable, NotAllowed
from bot.ent.service import EntService
from bot.identity import Identity, IdentityCheck, check_metadata

logger = logging.getLogger(__name__)
T = TypeVar("T")

TIMEOUT_SECONDS = 2.0
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ent-backend")
_service: EntService | None = None

__all__ = [
    "BackendUnavailable",
    "NotAllowed",
    "call_backend",
    "identity_of",
    "service",
    "set_service",
    "signed_in",
]


def service() -> EntService:
    """The backend service used by the live actions."""
    global _service
    if _service is None:
        _service = EntService()
    return _service


def set_service(new: EntService | None) -> None:
    """Replace the backend service (tests, another backend); None restores the default."""
    global _service
    _service = new


def identity_of(tracker: Tracker) -> IdentityCheck:
    """The signed identity carried by the latest message, if any."""
    return check_metadata(tracker.latest_message.get("metadata"))


def signed_in(tracker: Tracker, dispatcher: CollectingDispatcher) -> Identity | None:
    """The message's verified identity; without one, ask the person to sign in and give None."""
    identity = identity_of(tracker).identity
    if identity is None:
        dispatcher.utter_message(response="utter_live_no_token")
    return identity


async def call_backend(method: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
    """Run a service call in a worker thread; slow or failing backend -> BackendUnavailable."""
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(_executor, functools.partial(method, *args))
    try:
        return await asyncio.wait_for(future, timeout or TIMEOUT_SECONDS)
    except NotAllowed:
        raise
    except asyncio.TimeoutError:
        logger.warning("ENT backend call %s timed out", getattr(method, "__name__", "?"))
        raise BackendUnavailable() from None
    except BackendUnavailable:
        logger.warning("ENT backend unavailable during %s", getattr(method, "__name__", "?"))
        raise
    except Exception as error:  # noqa: BLE001 - any failure is "unavailable" to the person
        logger.error("ENT backend call %s failed: %s", getattr(method, "__name__", "?"), type(error).__name__)
        raise BackendUnavailable() from None
