"""Rasa's Redis lock store with atomic ticket updates (RasaHQ/rasa#11256).

Rasa 3.6's `RedisLockStore` changes a conversation's lock with a GET then a SET: two replicas
receiving a message of the same conversation at the same instant can both be issued ticket 1,
both handle their turn at once, and one turn is lost from the history (measured by
`make test-cluster`: 3 trials in 6). Here each read-modify-write of the lock is a Redis
transaction (WATCH / MULTI / EXEC, retried on conflict), so tickets are unique and served in order.
When Redis cannot be reached, a turn takes this replica's own in-memory lock instead of failing
(Rasa would answer nothing): haproxy keeps a conversation on one replica, so that lock still
serialises it; the cross-replica guarantee comes back with Redis.
A waiting turn renews its ticket, so that only a dead holder's ticket expires (after
`TICKET_LOCK_LIFETIME`).
Endpoints: `lock_store: {type: bot.lock_store.AtomicRedisLockStore, url: ..., port: ...}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable
from typing import Any, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
logger = logging.getLogger(__name__)
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)
MAX_ATTEMPTS = 100  # conflicting transactions on one conversation before giving up


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes are Redis transactions."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)
        self.fallback = InMemoryLockStore()  # this replica's own locks, while Redis is away

    def _transact(self, conversation_id: str, change: Callable[[TicketLock], T], create: bool) -> T | None:
        """Apply `change` to the stored lock atomically; delete the lock once it holds no ticket."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for _ in range(MAX_ATTEMPTS):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    if raw is None and not create:
                        pipe.unwatch()
                        return None
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
                    result = change(lock)
                    pipe.multi()
                    if lock.tickets:
                        pipe.set(key, lock.dumps())
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
        raise LockError(f"Too much contention on the lock of a conversation ({MAX_ATTEMPTS} attempts).")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket, unique even when several replicas ask at once."""
        try:
            ticket = self._transact(
                conversation_id, lambda lock: lock.issue_ticket(lock_lifetime), create=True
            )
        except LockError:
            raise
        except Exception as error:  # Rasa expects a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        if ticket is None:  # create=True always yields a lock: never, but typed
            raise LockError("Error while acquiring lock: no lock was created.")
        return ticket

    def renew(self, conversation_id: str, ticket_number: int, lock_lifetime: float) -> TicketLock | None:
        """Drop expired tickets and give this live waiter's ticket a full lifetime again."""

        def change(lock: TicketLock) -> TicketLock:
            lock.remove_expired_tickets()
            for ticket in lock.tickets:
                if ticket.number == ticket_number:
                    ticket.expires = time.time() + lock_lifetime
            return lock

        return self._transact(conversation_id, change, create=False)

    async def _wait_for_turn(
        self, conversation_id: str, ticket_number: int, lock_lifetime: float, wait_time_in_seconds: float
    ) -> TicketLock:
        """Wait until this ticket is served, renewing it meanwhile.

        Rasa's `_acquire_lock` lets a waiting ticket age: behind the ticket of a replica that died
        mid-turn, the waiter's own ticket expires at about the same poll as the dead one and the
        turn fails with a LockError. Only a holder that stops renewing (a dead process) expires.
        """
        while True:
            lock = self.renew(conversation_id, ticket_number, lock_lifetime)
            if lock is None or all(ticket.number != ticket_number for ticket in lock.tickets):
                raise LockError(f"The ticket of a turn expired while it waited ({lock_lifetime} s).")
            if not lock.is_locked(ticket_number):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (atomically)."""
        self._transact(conversation_id, lambda lock: lock.remove_expired_tickets(), create=False)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove this ticket (atomically); the lock goes once it is empty."""
        self._transact(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number), create=False)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish serving; an empty lock is deleted in the same transaction."""
        self.finish_serving(conversation_id, ticket_number)

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        """The conversation's Redis lock; this replica's own lock while Redis is unreachable."""
        try:
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
        except LockError as error:
            if not isinstance(error.__cause__, UNREACHABLE):
                raise
            logger.warning("Redis lock store unreachable: this replica's own lock serves the turn.")
            async with self.fallback.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
                yield lock
            return
        try:
            yield await self._wait_for_turn(conversation_id, ticket, lock_lifetime, wait_time_in_seconds)
        finally:
            try:
                self.cleanup(conversation_id, ticket)
            except UNREACHABLE:  # the ticket expires after lock_lifetime; the answer still goes out
                logger.warning("Redis lock store unreachable: a ticket is left to expire.")
