"""`make report`: what the assistant fails to answer, for the maintainers' weekly read.

From the conversation history (Rasa's SQL tracker store, var/conversations.db by
default) and the 👍/👎 votes (table ent_feedback of the ENT database):
  1. the questions that fell to the fallback or out of scope, grouped by similarity
     and counted (these are the training examples to add);
  2. the answers with the most 👎;
  3. the least confident answers given.
Names, e-mail addresses and phone numbers are masked before anything is written.
Writes results/report.md. Never fails on a figure; an empty history gives an empty report.

Usage: python -m tools.measure.report [--tracker var/conversations.db | URL] [--ent-db URL]
                                    [--days N] [--out results/report.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot import privacy
from bot.history import (
    Turn,
    group_similar,
    turn_from_event,
)
from bot.nlu import RETRIEVAL_INTENT
from bot.paths import RESULTS, VAR
from bot.privacy import mask
from tools.measure.common import pct, progress, table

TOP = 15


# --- reading -------------------------------------------------------------------------------
def database_url(value: str) -> str:
    """A path or a SQLAlchemy URL -> a SQLAlchemy URL."""
    return value if "://" in value else f"sqlite:///{Path(value).resolve()}"


def default_tracker() -> str:
    """The conversation store of endpoints.yml (as Rasa and the portal read it), else var/conversations.db."""
    from bot.conversation_store import NoSQLStore, store_url

    try:
        return store_url()
    except (NoSQLStore, OSError, KeyError, TypeError, ValueError):  # no SQL store configured
        return str(VAR / "conversations.db")


def read_turns(url: str, since: float = 0.0) -> list[Turn]:
    """User messages from Rasa's SQL tracker store (table `events`), with the actions that followed."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        if "events" not in inspect(engine).get_table_names():
            return []
        query = text(
            "SELECT sender_id, type_name, timestamp, action_name, data FROM events "
            "WHERE type_name IN ('user', 'action') AND (timestamp IS NULL OR timestamp >= :since) "
            "ORDER BY sender_id, id"
        )
        with engine.connect() as connection:
            rows = connection.execute(query, {"since": since}).fetchall()
    finally:
        engine.dispose()
    turns: list[Turn] = []
    last: dict[str, Turn] = {}
    for sender, kind, timestamp, action, data in progress(rows, desc="conversation events", unit="event"):
        if kind == "user":
            last[sender] = turn_from_event(sender, timestamp, json.loads(data or "{}"))
            turns.append(last[sender])
        elif sender in last and action and action != "action_listen":
            last[sender].actions.append(action)
    return turns


def read_feedback(url: str, since: float = 0.0) -> list[dict[str, Any]] | None:
    """The votes of table ent_feedback (None when there is no such table)."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        if "ent_feedback" not in inspect(engine).get_table_names():
            return None
        since_dt = datetime.fromtimestamp(since, timezone.utc).replace(tzinfo=None)
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT answer_key, vote, question FROM ent_feedback WHERE created_at >= :since ORDER BY id"
                ),
                {"since": since_dt},
            ).fetchall()
    finally:
        engine.dispose()
    return [{"answer_key": key, "vote": vote, "question": question} for key, vote, question in rows]


def known_names(url: str) -> set[str]:
    """First and last names of the people of the ENT database, to mask them wherever they appear."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        if "ent_people" not in inspect(engine).get_table_names():
            return set()
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT first_name, last_name FROM ent_people")).fetchall()
    finally:
        engine.dispose()
    return {part for row in rows for name in row for part in str(name or "").replace("-", " ").split()}


def assistant_vocabulary() -> set[str]:
    """Every word of the training data, held-out set, answers and titles: not names."""
    return set(privacy.assistant_vocabulary())


# --- analysis ------------------------------------------------------------------------------
def votes_by_answer(feedback: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per answer key: 👎, 👍, share of 👎, sorted by most 👎."""
    table_: dict[str, dict[str, Any]] = {}
    for vote in feedback:
        entry = table_.setdefault(
            vote["answer_key"], {"answer": vote["answer_key"], "down": 0, "up": 0, "questions": []}
        )
        entry[vote["vote"]] = entry.get(vote["vote"], 0) + 1
        if vote["vote"] == "down" and vote.get("question"):
            entry["questions"].append(vote["question"])
    for entry in table_.values():
        entry["down_share"] = entry["down"] / ((entry["down"] + entry["up"]) or 1)
    return sorted(table_.values(), key=lambda e: (-e["down"], -e["down_share"], e["answer"]))


# --- writing -------------------------------------------------------------------------------
def title_of(label: str) -> str:
    """The readable title of a label, with its key."""
    from bot.titles import answer_title, intent_title

    if label.startswith(f"{RETRIEVAL_INTENT}/"):
        key = label.split("/", 1)[1]
        return f"{answer_title(key) or key} (`{key}`)"
    return f"{intent_title(label) or label} (`{label}`)"


def quote(text: str, limit: int = 140) -> str:
    """A message on one line, cut at `limit`, in French quotes."""
    text = " ".join(text.split()).replace("|", "/")
    return f"« {text[:limit]}{'…' if len(text) > limit else ''} »"


def build(
    turns: list[Turn],
    feedback: list[dict[str, Any]] | None,
    masker: Any,
    source: dict[str, str],
    days: int | None,
) -> str:
    """The Markdown report."""
    typed = [t for t in turns if t.typed]
    missed = [t for t in typed if t.outcome != "answered"]
    answered = [t for t in typed if t.outcome == "answered"]
    period = "all the history" if not days else f"the last {days} days"
    lines = [
        f"# What the assistant fails to answer ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {period})",
        "",
    ]
    if typed:
        first = datetime.fromtimestamp(min(t.timestamp for t in typed), timezone.utc)
        last = datetime.fromtimestamp(max(t.timestamp for t in typed), timezone.utc)
        n = len(typed)
        lines += [
            f"{len({t.sender for t in typed})} conversations, {n} typed messages from {first:%Y-%m-%d} to "
            f"{last:%Y-%m-%d}: {sum(t.outcome == 'fallback' for t in typed)} fell to the fallback "
            f"({pct(sum(t.outcome == 'fallback' for t in typed) / n)}), "
            f"{sum(t.outcome == 'out of scope' for t in typed)} were out of scope "
            f"({pct(sum(t.outcome == 'out of scope' for t in typed) / n)}).",
        ]
    else:
        lines += ["No conversation in the history yet."]
    lines += [
        "",
        f"Sources: conversations {source['tracker']}; votes {source['feedback']}. "
        "Names, e-mail addresses and phone numbers are masked.",
        "",
    ]

    lines += [
        "## 1. Questions that fell to the fallback or out of scope, grouped",
        "",
        "Each group is a candidate for new training examples (or for a new answer).",
        "",
    ]
    groups = group_similar([t.text for t in missed])
    outcome_of: dict[str, Counter[str]] = {}
    for t in missed:
        outcome_of.setdefault(t.text, Counter())[t.outcome] += 1
    rows = []
    for rank, group in enumerate(groups[:30], start=1):
        outcomes: Counter[str] = sum((outcome_of[text] for text in set(group)), Counter())
        examples = list(dict.fromkeys(masker(text) for text in group))
        rows.append(
            [
                rank,
                len(group),
                quote(examples[0]),
                "<br>".join(quote(e, 80) for e in examples[1:4]) or "–",
                ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())),
            ]
        )
    lines += [
        table(["#", "times", "question", "similar questions", "outcome"], rows) if rows else "None.",
        "",
    ]
    if len(groups) > 30:
        lines += [f"…and {len(groups) - 30} smaller groups.", ""]

    lines += ["## 2. Answers with the most 👎", ""]
    if feedback is None:
        lines += ["No feedback table (ent_feedback) in the ENT database.", ""]
    else:
        votes = [v for v in votes_by_answer(feedback) if v["down"]][:TOP]
        rows = [
            [
                title_of(f"{RETRIEVAL_INTENT}/{v['answer']}" if "/" not in v["answer"] else v["answer"]),
                v["down"],
                v["up"],
                pct(v["down_share"], 0),
                "<br>".join(quote(masker(q), 80) for q in list(dict.fromkeys(v["questions"]))[:2]) or "–",
            ]
            for v in votes
        ]
        lines += [
            f"{len(feedback)} votes, {sum(v['vote'] == 'down' for v in feedback)} 👎.",
            "",
            table(["answer", "👎", "👍", "share of 👎", "questions voted down"], rows) if rows else "No 👎.",
            "",
        ]

    lines += [
        "## 3. Least confident answers given",
        "",
        "The answers the assistant gave while unsure (the chosen answer's confidence for a guide "
        "question, the intent's otherwise): check that they were right.",
        "",
    ]
    least = sorted(answered, key=lambda t: (t.confidence, t.text))[:TOP]
    rows = [[f"{t.confidence:.2f}", quote(masker(t.text)), title_of(t.label)] for t in least]
    lines += [table(["confidence", "question", "answer given"], rows) if rows else "None.", ""]
    by_answer = Counter(t.label for t in answered if t.confidence < 0.6)
    if by_answer:
        lines += [
            "Answers most often given with a confidence below 0.6: "
            + ", ".join(f"{title_of(label)} ×{count}" for label, count in by_answer.most_common(5))
            + ".",
            "",
        ]
    lines += ["How to read this: docs/measuring.md.", ""]
    return "\n".join(lines)


def safe_url(url: str) -> str:
    """The URL with its password hidden."""
    from bot.conversation_store import safe

    return safe(url)


def main(argv: list[str] | None = None) -> int:
    """Write the report on the stored conversations."""
    from bot.ent.db import database_url as ent_database_url

    parser = argparse.ArgumentParser(
        prog="python -m tools.measure.report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--tracker", default=default_tracker(), help="tracker store: a SQLite path or a SQLAlchemy URL"
    )
    parser.add_argument(
        "--ent-db",
        default=None,
        help="ENT database (feedback votes, names to mask); default $ENT_DATABASE_URL or var/ent.db",
    )
    parser.add_argument("--days", type=int, default=None, help="only the last N days (default: all)")
    parser.add_argument("--out", type=Path, default=RESULTS / "report.md")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    since = datetime.now(timezone.utc).timestamp() - args.days * 86400 if args.days else 0.0
    tracker = database_url(args.tracker)
    ent = database_url(args.ent_db) if args.ent_db else ent_database_url()
    missing = [url for url in (tracker, ent) if url.startswith("sqlite:///") and not Path(url[10:]).exists()]
    turns = [] if tracker in missing else read_turns(tracker, since)
    feedback = None if ent in missing else read_feedback(ent, since)
    names = set() if ent in missing else known_names(ent)
    vocabulary = assistant_vocabulary()

    def masker(text: str) -> str:
        return mask(text, vocabulary=vocabulary, names=names)

    report = build(
        turns, feedback, masker, {"tracker": safe_url(tracker), "feedback": safe_url(ent)}, args.days
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    print(f"Written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
