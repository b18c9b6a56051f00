"""tools.measure.variants: how a variant's config is named in the results."""

from pathlib import Path

from bot.paths import ROOT
from tools.measure.variants import shown


def test_a_config_of_the_project_is_named_by_its_relative_path() -> None:
    assert shown(ROOT / "configs" / "rasa-default.yml") == "configs/rasa-default.yml"


def test_a_config_outside_the_project_keeps_its_absolute_path(tmp_path: Path) -> None:
    config = tmp_path / "trial.yml"
    assert shown(config) == str(config.resolve())
