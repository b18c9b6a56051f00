"""The /staff page's daily counts kept on disk, so that a restarted portal does not reread the history.

One JSON file (mode 600; var/staff-activity.json unless $STAFF_SNAPSHOT names another path, or
is empty: no file). It holds, for each of the last days, the number of messages and of
fallbacks and the conversation ids seen that day (to count each conversation once when it goes
on), and the id of the last event read. No message text: the unanswered questions are read
again from the conversation store, newest first. The file is used only for the store it was
written from, and only while that store still holds the last event read (a store that was
reset or replaced is read from the start).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.paths import VAR, private_dir

ENV = "STAFF_SNAPSHOT"
VERSION = 1
logger = logging.getLogger("portal")


@dataclass(frozen=True)
class Day:
    """One day as kept on disk."""

    messages: int
    fallbacks: int
    conversations: frozenset[str]


@dataclass(frozen=True)
class Snapshot:
    """What a portal had read: up to which event, and the counts per day."""

    last_id: int
    days: dict[date, Day]


def default_path() -> Path | None:
    """$STAFF_SNAPSHOT (empty: none), else var/staff-activity.json."""
    value = os.environ.get(ENV)
    if value is None:
        return VAR / "staff-activity.json"
    return Path(value) if value.strip() else None


def store_key(url: str) -> str:
    """Which store the file was written from (a digest: no password in the file)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]


def save(path: Path, url: str, snapshot: Snapshot) -> None:
    """Write the file atomically, readable by this user only (a failure is logged, never raised)."""
    document = {
        "version": VERSION,
        "store": store_key(url),
        "last_id": snapshot.last_id,
        "days": {
            day.isoformat(): {
                "messages": d.messages,
                "fallbacks": d.fallbacks,
                "conversations": sorted(d.conversations),
            }
            for day, d in sorted(snapshot.days.items())
        },
    }
    try:
        if path.parent == VAR:
            private_dir(VAR)  # mode 700, as everything under var/
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".staff-", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:  # mkstemp: mode 600
                json.dump(document, out, separators=(",", ":"))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as problem:
        logger.warning("staff page: counts not saved (%s)", type(problem).__name__)


def load(path: Path, url: str) -> Snapshot | None:
    """The counts saved for this store; None when there is no usable file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("version") != VERSION or document.get("store") != store_key(url):
            return None
        days = {
            date.fromisoformat(day): Day(
                int(d["messages"]), int(d["fallbacks"]), frozenset(d["conversations"])
            )
            for day, d in document["days"].items()
        }
        return Snapshot(int(document["last_id"]), days)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as problem:
        logger.warning(
            "staff page: saved counts unreadable, the history is read again (%s)", type(problem).__name__
        )
        return None
