"""The atomic Redis lock store, against a real redis-server (Debian's) on a free port."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore
from tests.helpers.ports import free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


@pytest.fixture(scope="module")
def redis_port() -> Iterator[int]:
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def store(port: int) -> AtomicRedisLockStore:
    config = EndpointConfig(type="bot.lock_store.AtomicRedisLockStore", url="127.0.0.1", port=port)
    created = LockStore.create(config)
    assert isinstance(created, AtomicRedisLockStore)
    return created


def test_two_replicas_asking_at_once_get_different_tickets(redis_port: int) -> None:
    replicas = [store(redis_port), store(redis_port)]
    tickets: list[int] = []
    barrier = threading.Barrier(2)

    def ask(replica: AtomicRedisLockStore) -> None:
        barrier.wait(timeout=5)
        for _ in range(50):
            tickets.append(replica.issue_ticket("same-conversation"))

    threads = [threading.Thread(target=ask, args=(r,)) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(tickets) == 100 and len(set(tickets)) == 100
    replicas[0].red.delete(replicas[0].key_prefix + "same-conversation")


async def test_two_turns_of_one_conversation_never_overlap_and_leave_no_lock(redis_port: int) -> None:
    replicas = [store(redis_port), store(redis_port)]
    inside: list[str] = []
    overlaps = 0

    async def turn(replica: AtomicRedisLockStore, name: str) -> None:
        nonlocal overlaps
        async with replica.lock("turns", wait_time_in_seconds=0.02):
            overlaps += bool(inside)
            inside.append(name)
            await asyncio.sleep(0.05)
            inside.remove(name)

    await asyncio.gather(*(turn(replicas[i % 2], f"t{i}") for i in range(6)))
    assert overlaps == 0
    assert replicas[0].red.exists(replicas[0].key_prefix + "turns") == 0


async def test_without_redis_a_turn_takes_the_replica_own_lock_and_turns_stay_in_order() -> None:
    unreachable = AtomicRedisLockStore(host="127.0.0.1", port=free_port(), socket_timeout=0.5)
    inside: list[str] = []
    overlaps = 0

    async def turn(name: str) -> None:
        nonlocal overlaps
        async with unreachable.lock("outage", wait_time_in_seconds=0.02):
            overlaps += bool(inside)
            inside.append(name)
            await asyncio.sleep(0.05)
            inside.remove(name)

    await asyncio.gather(*(turn(f"t{i}") for i in range(3)))
    assert overlaps == 0
    assert unreachable.fallback.get_lock("outage") is None  # released


async def test_a_dead_holder_blocks_a_waiting_turn_only_until_its_ticket_expires(redis_port: int) -> None:
    dead, alive = store(redis_port), store(redis_port)
    dead.issue_ticket("dead-holder", lock_lifetime=0.6)  # its turn never finishes: no release
    begin = time.monotonic()
    async with alive.lock("dead-holder", lock_lifetime=0.6, wait_time_in_seconds=0.05) as lock:
        waited = time.monotonic() - begin
        served = lock.now_serving
    assert waited >= 0.5  # it did wait for the dead ticket...
    assert served == 1  # ...then got its own turn, although it waited longer than its lifetime
    assert alive.red.exists(alive.key_prefix + "dead-holder") == 0
