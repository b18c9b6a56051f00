"""Delete whole conversations inactive for CONVERSATION_RETENTION_DAYS (default 90).

    python -m tools.retention [--days N] [--dry-run]      (make purge; run daily by `make run`)

A conversation is all the events of one sender_id in Rasa's SQL tracker store (SQLite or
PostgreSQL, located by bot/conversation_store.py). It is deleted whole when its last
event is older than the retention period; events are never removed from the middle of a
conversation still in use (Rasa appends by count: that would corrupt it). Prints one
line with the count, never an id. Also forgets the used feedback tickets that have
expired, and keeps the SQLite file private (mode 600).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta

from sqlalchemy import column, create_engine, delete, func, inspect, select, table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.conversation_store import TABLE, NoSQLStore, safe, sqlite_path, store_url
from bot.paths import tighten

DAYS_ENV = "CONVERSATION_RETENTION_DAYS"
DEFAULT_DAYS = 90
BATCH = 500
EVENTS = table(TABLE, column("sender_id"), column("timestamp"))


def retention_days() -> int:
    """$CONVERSATION_RETENTION_DAYS, else 90 (a positive whole number of days)."""
    value = os.environ.get(DAYS_ENV, "").strip()
    days = int(value) if value else DEFAULT_DAYS
    if days < 1:
        raise ValueError(f"{DAYS_ENV} must be at least 1")
    return days


def purge(url: str, days: int, now: float | None = None, dry_run: bool = False) -> int:
    """Delete (or only count) the conversations whose last event is older than `days`; the count."""
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = (time.time() if now is None else now) - days * 86400
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return 0  # no conversation yet (and no empty file created)
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        if not inspect(engine).has_table(TABLE):
            return 0
        stale = (
            select(EVENTS.c.sender_id)
            .group_by(EVENTS.c.sender_id)
            .having(func.max(EVENTS.c.timestamp) < cutoff)
        )
        # Checked again inside the DELETE: a conversation that came back meanwhile is kept whole.
        active = select(EVENTS.c.sender_id).where(EVENTS.c.timestamp >= cutoff)
        with engine.begin() as connection:
            senders = list(connection.execute(stale).scalars())
            if dry_run:
                return len(senders)
            deleted = 0
            for start in range(0, len(senders), BATCH):
                chunk = senders[start : start + BATCH]
                connection.execute(
                    delete(EVENTS).where(EVENTS.c.sender_id.in_(chunk), EVENTS.c.sender_id.not_in(active))
                )
                deleted += len(chunk)
            return deleted
    finally:
        engine.dispose()
        if path is not None:
            tighten(path)


def forget_expired_tickets() -> int | None:
    """Forget used feedback tickets past their lifetime (None if the ENT database is unavailable)."""
    from bot.ent.db import database_url
    from bot.ent.errors import BackendUnavailable
    from bot.ent.feedback import FEEDBACK_TICKET_TTL_SECONDS
    from bot.ent.service import EntService

    path = sqlite_path(database_url())
    if path is not None and not path.exists():
        return None  # no ENT database yet: nothing to forget, and no empty file created
    before = datetime.utcnow() - timedelta(seconds=FEEDBACK_TICKET_TTL_SECONDS + 86400)
    try:
        return EntService().forget_used_tickets(before)
    except BackendUnavailable:
        return None


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, purge, print one line."""
    parser = argparse.ArgumentParser(prog="python -m tools.retention", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, help=f"retention in days (default ${DAYS_ENV} or {DEFAULT_DAYS})")
    parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    args = parser.parse_args(argv)
    try:
        days = args.days if args.days is not None else retention_days()
        if days < 1:
            raise ValueError("--days must be at least 1")
    except ValueError as error:
        print(f"Rétention : {error}", file=sys.stderr)
        return 2
    try:
        url = store_url()
    except (NoSQLStore, OSError) as error:
        print(f"Rétention : aucun stockage SQL des conversations ({type(error).__name__}).", file=sys.stderr)
        return 2
    try:
        count = purge(url, days, dry_run=args.dry_run)
    except SQLAlchemyError as error:
        print(f"Rétention : stockage {safe(url)} indisponible ({type(error).__name__}).", file=sys.stderr)
        return 2
    verb = "à supprimer" if args.dry_run else "supprimée(s)"
    line = f"Rétention : {count} conversation(s) inactive(s) depuis plus de {days} jours {verb}"
    if not args.dry_run:
        tickets = forget_expired_tickets()
        if tickets:
            line += f" ; {tickets} ticket(s) d'avis expiré(s) oublié(s)"
    print(line + ".", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
