"""The README's figures are the committed results' (tools.measure.readme), never typed by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bot.paths import RESULTS
from tools.measure import readme


def copied_results(tmp_path: Path) -> Path:
    """A copy of the committed results the README's figures are written from."""
    results = tmp_path / "results"
    results.mkdir()
    for name in ("eval-baseline.json", "cluster.json", "cluster-bench.json"):
        shutil.copy(RESULTS / name, results / name)
    return results


def test_readme_figures_match_the_committed_results() -> None:
    section = readme.current_section(readme.README.read_text(encoding="utf-8"))
    assert section is not None, "README.md has lost its figures section"
    assert section == readme.render(), "README.md figures are stale: run python -m tools.measure.readme"


def test_a_new_result_changes_the_readme(tmp_path: Path) -> None:
    results = copied_results(tmp_path)
    baseline = json.loads((results / "eval-baseline.json").read_text(encoding="utf-8"))
    baseline["intent_accuracy"] = 0.5
    (results / "eval-baseline.json").write_text(json.dumps(baseline), encoding="utf-8")
    copy = tmp_path / "README.md"
    copy.write_text(readme.README.read_text(encoding="utf-8"), encoding="utf-8")

    assert readme.update(copy, results) is True
    assert "| modèle livré | 50,0 % |" in copy.read_text(encoding="utf-8")
    assert readme.update(copy, results) is False  # written once, then up to date


def test_the_follow_up_figure_and_its_gate_when_the_baseline_records_them(tmp_path: Path) -> None:
    results = copied_results(tmp_path)
    baseline = json.loads((results / "eval-baseline.json").read_text(encoding="utf-8"))
    baseline.pop("followup_rate", None)
    (results / "eval-baseline.json").write_text(json.dumps(baseline), encoding="utf-8")
    assert "conversations de suivi" not in readme.render(results)
    baseline["followup_rate"] = 0.9343
    baseline["tolerances"] = {**baseline.get("tolerances", {}), "followup_rate": 0.03}
    (results / "eval-baseline.json").write_text(json.dumps(baseline), encoding="utf-8")
    text = readme.render(results)
    assert "93,4 % comprises" in text and "sous 93,4 % moins 3,0 points" in text
