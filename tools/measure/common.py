"""Small helpers shared by the measurements: progress bars, files, tables, processes."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bot.paths import ROOT
from tools.processes import child_env

SEED = 42
OURS, DEFAULT, TFIDF = "ours", "default", "tfidf"
PIPELINE_NAMES = {
    OURS: "notre pipeline (config.yml)",
    DEFAULT: "pipeline par défaut de Rasa (configs/rasa-default.yml)",
    TFIDF: "TF-IDF + régression logistique (plancher)",
}
CONFIGS = {OURS: ROOT / "config.yml", DEFAULT: ROOT / "configs" / "rasa-default.yml"}


def progress(iterable: Iterable | None = None, **options: Any) -> tqdm:
    """A progress bar on stderr, readable in a log file too."""
    options.setdefault("file", sys.stderr)
    options.setdefault("dynamic_ncols", True)
    options.setdefault("mininterval", 1.0)
    return tqdm(iterable, **options)


def now() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def write_json(path: Path, data: Any) -> None:
    """Write `data` as indented UTF-8 JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def shown_path(path: Path) -> str:
    """A path as reported in results: relative to the project when inside it, else as given."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def pct(value: float | None, digits: int = 1) -> str:
    """0.9712 -> '97.1 %'; None -> '–'."""
    return "–" if value is None else f"{100 * value:.{digits}f} %"


def ratio(ours: float | None, default: float | None) -> float | None:
    """The ratio ours / default, or None when it cannot be computed."""
    if ours is None or not default:
        return None
    return ours / default


def rasa_env(**extra: str) -> dict[str, str]:
    """Environment for Rasa child processes: quiet, offline, no shared training cache."""
    # Measured trainings start from scratch and leave the project's cache alone.
    return child_env(**{"LOG_LEVEL": "WARNING", "RASA_MAX_CACHE_SIZE": "0", **extra})


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(child) for child in (task / "children").read_text().split()]
    return found


def rss_mb(pid: int | None) -> float:
    """Resident memory of a process and its descendants, in MB (0 if gone)."""
    if pid is None:
        return 0.0
    total_kb = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass
    return total_kb / 1024


class Stopwatch:
    """Wall time of a block: `with Stopwatch() as watch: ...; watch.seconds`."""

    def __enter__(self) -> Stopwatch:
        self.start = time.monotonic()
        self.seconds = 0.0
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.monotonic() - self.start
