"""The bench's load: REST conversations against one Rasa server, and their latency figures.

`make bench` (tools/measure/bench.py) and `make bench-cluster` (tools/cluster/bench.py) send it.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any

from bot.knowledge_data import heldout_examples

HOST = "127.0.0.1"
LIVE_LOGIN, LIVE_ROLE = "directeur.papillons", "directeur"
LIVE_QUESTION = "la classe de CP a-t-elle des élèves ?"
TURNS_PER_CONVERSATION = 5
LIVE_EVERY = 5  # under load, one message in five is a live turn
CONCURRENCY = (1, 8, 32)
REQUEST_TIMEOUT = 30


def faq_questions() -> list[str]:
    """The held-out guide questions (never trained on), in a stable order."""
    return [
        text
        for intent, texts in sorted(heldout_examples().items())
        if intent.startswith("faq/")
        for text in texts
    ]


def percentiles(latencies_ms: list[float]) -> dict[str, float | None]:
    """p50/p95/p99 and mean of latencies in ms (None when there are none)."""
    if not latencies_ms:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    ordered = sorted(latencies_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


class Load:
    """REST conversations against one Rasa server; counts every message it sends."""

    def __init__(self, port: int, token: str) -> None:
        self.url = f"http://{HOST}:{port}/webhooks/rest/webhook"
        self.token = token
        self.sent = 0
        self.questions = itertools.cycle(faq_questions())
        self.samples: dict[str, str] = {}

    def conversation_ids(self, prefix: str) -> Iterator[str]:
        """A new sender id every TURNS_PER_CONVERSATION messages."""
        while True:
            sender = f"bench-{prefix}-{uuid.uuid4().hex[:12]}"
            for _ in range(TURNS_PER_CONVERSATION):
                yield sender

    async def turn(self, session: Any, sender: str, live: bool) -> tuple[float, bool]:
        """One message: (latency in ms, ok)."""
        body: dict[str, Any] = {"sender": sender, "message": LIVE_QUESTION if live else next(self.questions)}
        if live:
            body["metadata"] = {"ent_token": self.token}
        self.sent += 1
        begin = time.perf_counter()
        try:
            async with session.post(self.url, json=body) as response:
                replies = await response.json() if response.status == 200 else None
        except Exception:  # noqa: BLE001 - a failed request is counted, not raised
            replies = None
        latency = (time.perf_counter() - begin) * 1000
        ok = bool(replies)  # an error or an empty answer
        if replies:
            self.samples.setdefault("live" if live else "faq", (replies[0].get("text") or "")[:160])
        return latency, ok

    async def sequential(self, turns: int, live: bool, bar: Any) -> dict[str, Any]:
        """Send `turns` messages one after another; latencies and errors."""
        import aiohttp

        latencies, errors = [], 0
        senders = self.conversation_ids("live" if live else "faq")
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)) as session:
            for _ in range(turns):
                latency, ok = await self.turn(session, next(senders), live)
                latencies.append(latency)
                errors += not ok
                bar.update()
        return {"turns": turns, "errors": errors, **percentiles(latencies)}

    async def concurrent(
        self, conversations: int, max_messages: int, max_seconds: float, bar: Any
    ) -> dict[str, Any]:
        """`conversations` clients in parallel, until max_messages are sent or max_seconds pass."""
        import aiohttp

        latencies: list[float] = []
        errors = 0
        budget = iter(range(max_messages))
        deadline = time.monotonic() + max_seconds
        connector = aiohttp.TCPConnector(limit=conversations)

        async def client(index: int) -> None:
            nonlocal errors
            senders = self.conversation_ids(f"c{conversations}-{index}")
            for count in itertools.count(index):
                if time.monotonic() > deadline or next(budget, None) is None:
                    return
                latency, ok = await self.turn(session, next(senders), live=count % LIVE_EVERY == 0)
                latencies.append(latency)
                errors += not ok
                bar.update()

        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        ) as session:
            begin = time.monotonic()
            await asyncio.gather(*(client(i) for i in range(conversations)))
            seconds = time.monotonic() - begin
        return {
            "conversations": conversations,
            "messages": len(latencies),
            "seconds": round(seconds, 1),
            "throughput_per_s": round(len(latencies) / seconds, 1) if seconds else None,
            "errors": errors,
            **percentiles(latencies),
        }
