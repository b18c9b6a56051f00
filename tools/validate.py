"""`rasa data validate`, minus the warnings about responses that the actions send (`make validate`).

Rasa's validator counts a response as used only when a rule or a story runs it, so each
response an action sends (`dispatcher.utter_message(response=...)`) or bot/resilience.py
says would warn "is not used in any story or rule". Those names are read from the code
(tests/unit/test_responses.py checks them against the domain); the warning stays for any
other response, and every other warning is Rasa's own.

Usage: python -m tools.validate [rasa data validate options]
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from pathlib import Path
from typing import Any

from bot.paths import ROOT

# Where a response is sent from: the actions, and bot/ (resilience.py, in the Rasa process).
SENDERS = ("actions", "bot")
RESPONSE_NAME = re.compile(r"utter_[a-z0-9_]+")
# Strings shaped like a response name that are not one: the bot event's metadata key.
NOT_RESPONSES = {"utter_action"}


def names_in_code(path: Path) -> set[str]:
    """Every string constant of a Python file that is a whole response name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and RESPONSE_NAME.fullmatch(node.value)
        and node.value not in NOT_RESPONSES
    }


def names_sent_by_code(root: Path = ROOT) -> dict[str, set[str]]:
    """Response names written in the actions and bot/, by file."""
    return {
        str(path.relative_to(root)): names
        for folder in SENDERS
        for path in sorted((root / folder).rglob("*.py"))
        if (names := names_in_code(path))
    }


def ignore_unused_warnings(names: set[str]) -> None:
    """Drop the validator's "not used in any story or rule" warning for these responses."""
    for name in sorted(names):
        warnings.filterwarnings(
            "ignore",
            message=rf"The utterance '{re.escape(name)}' is not used in any story or rule\.",
            category=UserWarning,
        )


def main(argv: list[str]) -> None:
    """Run Rasa's `data validate` with those warnings filtered (after Rasa sets its own filters)."""
    import rasa.__main__ as rasa_main

    sent = set().union(*names_sent_by_code().values())
    configure = rasa_main.configure_logging_and_warnings

    def configure_then_filter(*args: Any, **kwargs: Any) -> None:
        configure(*args, **kwargs)
        ignore_unused_warnings(sent)

    rasa_main.configure_logging_and_warnings = configure_then_filter
    sys.argv = ["rasa", "data", "validate", *argv]
    rasa_main.main()


if __name__ == "__main__":
    main(sys.argv[1:])
