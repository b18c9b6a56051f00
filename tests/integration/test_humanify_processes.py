"""humanify gives the same typos in every process (no use of the per-process hash seed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.knowledge_data import heldout_examples
from bot.paths import ROOT
from tools.measure.humanify import humanify

# A few held-out questions, with accents, elisions and final punctuation.
QUESTIONS = [text for _, texts in sorted(heldout_examples().items()) for text in texts][:12]


def test_humanify_is_deterministic_across_processes() -> None:
    """Same output twice, and in processes with different hash seeds (no use of hash())."""
    assert [humanify(q) for q in QUESTIONS] == [humanify(q) for q in QUESTIONS]
    code = "import json,sys; from tools.measure.humanify import humanify; print(json.dumps([humanify(q) for q in sys.argv[1:]]))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, *QUESTIONS],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == [humanify(q) for q in QUESTIONS]
