"""The cost of a turn: CPU per message, and latency as one conversation grows.

Used by `make bench` on each served pipeline:
  - CPU time of the Rasa server and of the action server per message, over fresh
    conversations of guide questions (sequential, so that nothing else is counted);
  - latency of the turns of one single long conversation, read around turns 10, 100
    and 200 (median of the 11 turns around each).
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

CHECKPOINTS = (10, 100, 200)
AROUND = 5  # turns on each side of a checkpoint


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 if gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (1-based, man proc).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _post(session: Any, url: str, body: dict[str, Any]) -> tuple[float, bool]:
    begin = time.perf_counter()
    try:
        async with session.post(url, json=body) as response:
            replies = await response.json() if response.status == 200 else None
    except Exception:  # noqa: BLE001 - a failed request is counted, not raised
        replies = None
    return (time.perf_counter() - begin) * 1000, bool(replies)


async def cpu_per_message(
    url: str, questions: list[str], rasa_pid: int, actions_pid: int, messages: int
) -> dict[str, Any]:
    """CPU ms per guide question, for each server, over conversations of 5 questions."""
    import aiohttp

    rasa_before, actions_before = cpu_seconds(rasa_pid), cpu_seconds(actions_pid)
    errors = 0
    begin = time.perf_counter()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        sender = ""
        for index in range(messages):
            if index % 5 == 0:
                sender = f"cpu-{uuid.uuid4().hex[:12]}"
            question = questions[index % len(questions)]
            _, ok = await _post(session, url, {"sender": sender, "message": question})
            errors += not ok
    wall = time.perf_counter() - begin
    rasa_ms = (cpu_seconds(rasa_pid) - rasa_before) * 1000 / messages
    actions_ms = (cpu_seconds(actions_pid) - actions_before) * 1000 / messages
    return {
        "messages": messages,
        "errors": errors,
        "rasa_cpu_ms_per_message": round(rasa_ms, 1),
        "actions_cpu_ms_per_message": round(actions_ms, 1),
        "wall_ms_per_message": round(wall * 1000 / messages, 1),
    }


async def growth(
    url: str, questions: list[str], turns: int, metadata: dict[str, Any] | None
) -> dict[str, Any]:
    """Latency of each turn of one conversation; medians around the checkpoints."""
    import aiohttp

    sender = f"long-{uuid.uuid4().hex[:12]}"
    latencies: list[float] = []
    errors = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for index in range(turns):
            body: dict[str, Any] = {"sender": sender, "message": questions[index % len(questions)]}
            if metadata:
                body["metadata"] = metadata
            latency, ok = await _post(session, url, body)
            latencies.append(latency)
            errors += not ok
    out: dict[str, Any] = {"turns": turns, "errors": errors}
    for checkpoint in CHECKPOINTS:
        window = latencies[max(0, checkpoint - 1 - AROUND) : checkpoint + AROUND]
        if checkpoint <= turns and window:
            out[f"turn_{checkpoint}_ms"] = round(statistics.median(window), 1)
    first, last = out.get(f"turn_{CHECKPOINTS[0]}_ms"), out.get(f"turn_{CHECKPOINTS[-1]}_ms")
    out["growth_ratio"] = round(last / first, 2) if first and last else None
    return out
