"""Database access for the mock ENT: engine from ENT_DATABASE_URL, sessions, scope."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

from bot.paths import VAR, private_file

URL_ENV = "ENT_DATABASE_URL"
DEFAULT_URL = f"sqlite:///{VAR / 'ent.db'}"
CONNECT_TIMEOUT_SECONDS = 2

_lock = threading.Lock()
_factories: dict[str, sessionmaker] = {}


def database_url() -> str:
    """The backend's URL: $ENT_DATABASE_URL, else the SQLite file var/ent.db."""
    return os.environ.get(URL_ENV, "").strip() or DEFAULT_URL


def make_engine(url: str | None = None) -> Engine:
    """Build a pooled engine with a short connect timeout for any SQLAlchemy URL."""
    url = url or database_url()
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    options: dict = {"future": True, "pool_pre_ping": True}
    if backend == "sqlite":
        database = parsed.database or ""
        options["connect_args"] = {
            "timeout": CONNECT_TIMEOUT_SECONDS,
            "check_same_thread": False,
        }
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            options["poolclass"] = StaticPool
        else:
            if not database.startswith("file:"):
                private_file(Path(database).absolute())  # mode 600 before SQLite writes to it
            options["poolclass"] = QueuePool
            options["pool_size"] = 5
    elif backend == "postgresql":
        options["connect_args"] = {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": f"-c statement_timeout={CONNECT_TIMEOUT_SECONDS * 1000}",
        }
        options.update(pool_size=5, max_overflow=5, pool_timeout=CONNECT_TIMEOUT_SECONDS)
    elif backend == "mysql":
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    engine = create_engine(url, **options)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    return engine


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    """Make SQLite enforce foreign keys like other databases do."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker:
    """A session factory bound to an engine (SQLAlchemy 2.0 style sessions)."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def session_factory(url: str | None = None) -> sessionmaker:
    """The shared session factory for a URL (one pooled engine per URL)."""
    url = url or database_url()
    with _lock:
        if url not in _factories:
            _factories[url] = make_session_factory(make_engine(url))
        return _factories[url]


@contextmanager
def session_scope(factory: sessionmaker) -> Iterator[Session]:
    """One session for one request: commit on success, rollback on error, close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
