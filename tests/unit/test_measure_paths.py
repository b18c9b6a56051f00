"""How the measures name a file in their results (tools.measure.common.shown_path)."""

from pathlib import Path

from bot.paths import ROOT
from tools.measure.common import shown_path


def test_a_file_of_the_project_is_named_by_its_relative_path() -> None:
    assert shown_path(ROOT / "configs" / "rasa-default.yml") == "configs/rasa-default.yml"


def test_a_file_outside_the_project_keeps_its_absolute_path(tmp_path: Path) -> None:
    config = tmp_path / "trial.yml"
    assert shown_path(config) == str(config)
