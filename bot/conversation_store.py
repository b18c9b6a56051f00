"""Where Rasa keeps the conversations: the SQL tracker store of endpoints.yml, as a URL.

Read by the retention purge (tools/retention.py) and by the portal's health check. The
`tracker_store` section is read the way Rasa reads it: `url` (a host, or a whole URL),
`dialect`, `db`, `port`, `username`, `password`, `query`; ${VARS} are expanded. The
environment variable CONVERSATION_STORE_URL, when set, wins.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from sqlalchemy.engine import URL, make_url

from bot.paths import ROOT

URL_ENV = "CONVERSATION_STORE_URL"
ENDPOINTS = ROOT / "endpoints.yml"
TABLE = "events"  # Rasa's SQLTrackerStore: one row per event (sender_id, timestamp, ...)


class NoSQLStore(ValueError):
    """endpoints.yml has no SQL tracker store (nothing is kept on disk by Rasa)."""


def _is_sql(kind: object) -> bool:
    """Rasa's SQL store ("sql") or a subclass of it named by its module path."""
    name = str(kind or "").strip()
    return name.lower() == "sql" or name.endswith("SQLTrackerStore")


def store_url(endpoints: Path = ENDPOINTS) -> str:
    """The SQLAlchemy URL of the conversation store (NoSQLStore if there is none)."""
    override = os.environ.get(URL_ENV, "").strip()
    if override:
        return override
    text = os.path.expandvars(endpoints.read_text(encoding="utf-8"))
    config = (yaml.safe_load(text) or {}).get("tracker_store") or {}
    if not _is_sql(config.get("type")):
        raise NoSQLStore("endpoints.yml: tracker_store is not an SQL store")
    dialect = str(config.get("dialect") or "sqlite")
    host = config.get("url")
    if host and "://" in str(host):
        return str(host)
    database = str(config.get("db") or "rasa.db")
    if dialect == "sqlite":
        path = Path(database)
        return f"sqlite:///{path if path.is_absolute() else ROOT / path}"
    port: str | None
    if host and ":" in str(host):
        host, port = str(host).rsplit(":", 1)
    else:
        port = config.get("port")
    url = URL.create(
        dialect,
        username=config.get("username"),
        password=config.get("password"),
        host=host,
        port=int(port) if port else None,
        database=database,
        query=config.get("query") or {},
    )
    return url.render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def safe(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)
