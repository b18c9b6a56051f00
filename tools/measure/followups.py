"""The held-out follow-up conversations: scored from `rasa test core --e2e`'s failed stories.

tests/heldout/conversations/test_*.yml (never trained on) holds conversations whose last
user message is a follow-up ("toujours rien", "et pour un enseignant ?", "c'est nul").
Rasa replays each one, classifying every user text with the trained model, and writes the
stories where something differs to failed_test_stories.yml, a `# predicted:` comment on
each wrong step. A conversation is right when nothing is wrong from its last user message
on: the follow-up's intent (and answer key for a guide answer) and the actions after it.
A role entity seen where the story names none does not count (the intent is what matters).
A miss earlier in the conversation (the opening question) is reported apart.

Usage: python -m tools.measure.followups   (the trained model, about a minute; no file written)
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.followup_context import FOLLOWUP_INTENTS, reply_in_context
from bot.followup_topics import NEXT_STEP
from bot.nlu import answer_key
from bot.paths import ROOT

HELDOUT = ROOT / "tests" / "heldout" / "conversations"
TARGET = 0.90
PREDICTED = "# predicted:"
STORY = re.compile(r"^- story:\s*(?P<name>.*?)\s*$")
# Rasa appends the file the story came from: "name (tests/.../test_followups.yml)".
SOURCE = re.compile(r"\s+\([^()]*\.ya?ml\)$")
STEP = re.compile(r"^\s*- (?P<kind>intent|action|user|slot_was_set|active_loop|checkpoint)\b")
INTENT_LINE = re.compile(r"^\s*- intent:\s*(?P<gold>\S+)\s+# predicted:\s*(?P<predicted>[^:\s]+):")


@dataclass
class FollowupScore:
    """How many held-out follow-up conversations were right, and which were not."""

    conversations: int
    missed: list[str] = field(default_factory=list)
    context_misread: list[str] = field(default_factory=list)

    @property
    def right(self) -> int:
        """Conversations whose follow-up was understood."""
        return self.conversations - len(self.missed)

    @property
    def rate(self) -> float | None:
        """The share of right conversations (None without any)."""
        return self.right / self.conversations if self.conversations else None

    def as_dict(self) -> dict[str, Any]:
        """The figures for results/eval.json."""
        return {
            "conversations": self.conversations,
            "right": self.right,
            "rate": None if self.rate is None else round(self.rate, 4),
            "missed": self.missed,
            "context_misread": self.context_misread,
        }


def story_files(folder: Path = HELDOUT) -> list[Path]:
    """The conversation test files (Rasa reads only files named test_*.yml as such)."""
    return sorted(folder.glob("test_*.yml"))


def story_names(files: list[Path]) -> list[str]:
    """The names of the held-out conversations, in file order."""
    names: list[str] = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names += [str(story["story"]) for story in data.get("stories") or []]
    return names


def failed_stories(text: str) -> dict[str, list[str]]:
    """failed_test_stories.yml as {story name: its lines}, comments kept (YAML loaders drop them)."""
    stories: dict[str, list[str]] = {}
    lines: list[str] | None = None
    for line in text.splitlines():
        if match := STORY.match(line):
            name = SOURCE.sub("", str(yaml.safe_load(match["name"]))).strip()
            lines = stories.setdefault(name, [])
        elif lines is not None:
            lines.append(line)
    return stories


def is_wrong(line: str) -> bool:
    """A step Rasa marked wrong; an intent line whose predicted intent is the gold one is only an entity."""
    if PREDICTED not in line:
        return False
    intent = INTENT_LINE.match(line)
    return intent is None or intent["gold"] != intent["predicted"]


def followup_missed(lines: list[str]) -> tuple[bool, bool]:
    """(the follow-up is wrong, something before it is wrong) in one failed story's lines."""
    kinds = [(match["kind"], line) for line in lines if (match := STEP.match(line))]
    users = [i for i, (kind, _) in enumerate(kinds) if kind in ("intent", "user")]
    last = users[-1] if users else 0
    steps = [line for _, line in kinds]
    return any(map(is_wrong, steps[last:])), any(map(is_wrong, steps[:last]))


def score(names: list[str], failed_text: str) -> FollowupScore:
    """Score each held-out conversation on its follow-up from Rasa's failed stories."""
    failed = failed_stories(failed_text)
    result = FollowupScore(conversations=len(names))
    for name in names:
        if name not in failed:
            continue
        missed, before = followup_missed(failed[name])
        if missed:
            result.missed.append(name)
        if before:
            result.context_misread.append(name)
    return result


def line(figures: dict[str, Any] | None) -> str:
    """The line of results/eval.md."""
    if not figures or not figures.get("conversations"):
        error = (figures or {}).get("error", "not run")
        return f"Follow-up conversations, held-out: not run ({error})"
    rate = figures["rate"] * 100
    text = (
        f"Follow-up conversations, held-out: **{figures['right']}/{figures['conversations']} right "
        f"({rate:.1f} %)** (tests/heldout/conversations, scored on the last message)"
    )
    if figures.get("missed"):
        text += "; missed: " + ", ".join(figures["missed"])
    if figures.get("context_misread"):
        text += "; opening misread (not scored): " + ", ".join(figures["context_misread"])
    return text


def measure(out: Path, run: Any) -> dict[str, Any]:
    """Run the held-out conversations with `run(stories, out, e2e=True)` and score them."""
    files = story_files()
    names = story_names(files)
    if not names:
        return {"conversations": 0, "error": f"no test_*.yml in {HELDOUT.relative_to(ROOT)}"}
    process = run(str(HELDOUT.relative_to(ROOT)), out, e2e=True)
    report = out / "story_report.json"
    if not report.exists():
        tail = (process.stderr or process.stdout).strip().splitlines()[-3:]
        return {"conversations": 0, "error": " ".join(tail)}
    total = (json.loads(report.read_text()).get("conversation_accuracy") or {}).get("total")
    if total != len(names):
        return {"conversations": 0, "error": f"Rasa tested {total} of {len(names)} conversations"}
    failed = out / "failed_test_stories.yml"
    return score(names, failed.read_text(encoding="utf-8") if failed.exists() else "").as_dict()


def taken_after_other_answers(
    texts: list[str], golds: list[str], parses: list[dict[str, Any]]
) -> dict[str, Any]:
    """How often a held-out question asked right after another topic's answer is taken for a follow-up.

    The price of reading replies in context (bot/followup_context.py), from the parses of the
    questions alone (as `make eval` has them); the rate is per (question, previous answer) pair.
    """
    pairs = taken = 0
    questions: set[str] = set()
    for text, gold, parse in zip(texts, golds, parses, strict=True):
        if gold.split("/")[0] in FOLLOWUP_INTENTS:
            continue
        for context in sorted(NEXT_STEP):
            if context == answer_key(gold):
                continue  # the same question again right after its answer: a follow-up may be right
            pairs += 1
            if reply_in_context(text, parse, context, just_answered=True):
                taken += 1
                questions.add(text)
    return {
        "pairs": pairs,
        "taken": taken,
        "rate": round(taken / pairs, 4) if pairs else None,
        "questions": sorted(questions),
    }


def taken_line(figures: dict[str, Any] | None) -> str:
    """The line of results/eval.md on questions taken for follow-ups after another answer."""
    if not figures or not figures.get("pairs"):
        return "Held-out questions taken for a follow-up after another answer: not measured"
    return (
        f"Held-out questions taken for a follow-up right after another topic's answer: "
        f"**{figures['rate'] * 100:.1f} %** of {figures['pairs']} (question, previous answer) pairs, "
        f"{len(figures['questions'])} distinct questions"
        + (f": {'; '.join(figures['questions'][:10])}" if figures["questions"] else "")
    )


def measure_now() -> dict[str, Any]:
    """The trained model's figures on the held-out follow-up conversations (no file kept)."""
    from tools.measure.eval_runs import rasa_test_core

    with tempfile.TemporaryDirectory(prefix="followups-") as tmp:
        return measure(Path(tmp), rasa_test_core)


def main() -> int:
    """Score the trained model on the held-out follow-up conversations and print the line."""
    figures = measure_now()
    print(line(figures))
    return 0 if figures.get("conversations") else 1


if __name__ == "__main__":
    sys.exit(main())
