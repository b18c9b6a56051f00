"""GET /health: each part of the assistant, ok or down, quickly, with no personal data.

    {"status": "ok" | "degraded" | "down",
     "parts": {"rasa": "ok", "actions": "ok", "ent_database": "ok", "conversation_store": "ok"}}

HTTP 200 when the assistant can answer (status ok or degraded: guide answers work even with
the action server or the ENT database down), 503 when Rasa is down. No version, no URL,
no error text: for the supervisor and a load balancer.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from functools import lru_cache

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from bot.conversation_store import TABLE, sqlite_path

OK, DEGRADED, DOWN = "ok", "degraded", "down"
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=1.5)
BLOCKING_TIMEOUT = 2.0


async def http_part(session: aiohttp.ClientSession, url: str) -> str:
    """The state of an HTTP part: ok when `url` answers 200 quickly; degraded on another status; down when unreachable."""
    try:
        async with session.get(url, timeout=HTTP_TIMEOUT, allow_redirects=False) as response:
            return OK if response.status == 200 else DEGRADED
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return DOWN


async def blocking_part(check: Callable[[], object]) -> str:
    """The state of a blocking part: ok when the blocking `check` returns within the time limit, down otherwise."""
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(loop.run_in_executor(None, check), BLOCKING_TIMEOUT)
    except Exception:  # noqa: BLE001 - any failure means the part is down; nothing is echoed
        return DOWN
    return OK


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    """An engine for a server database, with a short connect timeout and no pool."""
    args = {"connect_timeout": 1} if url.startswith(("postgresql", "mysql")) else {}
    return create_engine(url, future=True, poolclass=NullPool, connect_args=args)


def check_store(url: str | None) -> None:
    """Raise unless Rasa's events table can be read (never creates an SQLite file)."""
    if not url:
        raise LookupError("no SQL conversation store")
    path = sqlite_path(url)
    if path is not None:
        with sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=1) as connection:
            connection.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchall()  # a constant table name
        return
    with _engine(url).connect() as connection:
        connection.execute(text(f"SELECT 1 FROM {TABLE} LIMIT 1")).fetchall()  # a constant table name


def overall(parts: dict[str, str]) -> str:
    """The overall state: down without Rasa; degraded when another part is not ok; ok otherwise."""
    if parts["rasa"] != OK:
        return DOWN
    return OK if all(state == OK for state in parts.values()) else DEGRADED


async def report(
    session: aiohttp.ClientSession,
    rasa_url: str,
    actions_url: str,
    ent_check: Callable[[], object],
    store_url: str | None,
) -> dict:
    """Check every part at once; the whole report within about two seconds."""
    names = ("rasa", "actions", "ent_database", "conversation_store")
    states = await asyncio.gather(
        http_part(session, f"{rasa_url.rstrip('/')}/"),
        http_part(session, f"{actions_url.rstrip('/')}/health"),
        blocking_part(ent_check),
        blocking_part(lambda: check_store(store_url)),
    )
    parts = dict(zip(names, states, strict=True))
    return {"status": overall(parts), "parts": parts}
