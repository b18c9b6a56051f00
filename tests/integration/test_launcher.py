"""The Rasa launcher (bot/rasa_quiet.py) runs as its own process."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_launcher_module_runs() -> None:
    """`python -m bot.rasa_quiet --version` goes through the launcher without error."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.rasa_quiet", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, ACTIONS_TOKEN="x"),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Rasa Version" in done.stdout
