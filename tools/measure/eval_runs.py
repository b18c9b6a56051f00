"""The runs of `make eval`: held-out, cross-validation and the test conversations, then the result."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.paths import MODEL, ROOT
from tools.measure import followups, nlu
from tools.measure.common import (
    CONFIGS,
    DEFAULT,
    OURS,
    PIPELINE_NAMES,
    SEED,
    TFIDF,
    Stopwatch,
    now,
    progress,
    rasa_env,
)
from tools.measure.eval_report import goals
from tools.measure.eval_sets import PIPELINES, SETS, figures, folds, predictions, test_sets
from tools.measure.scoring import Prediction, f1_by_label, score


def rasa_test_core(stories: str, out: Path, e2e: bool = False) -> subprocess.CompletedProcess:
    """`rasa test core` with the trained model; with `e2e`, the user texts are classified too.

    Run through tools/measure/rasa_in_context.py: each text is read in its conversation, as served.
    """
    command = [sys.executable, "-m", "tools.measure.rasa_in_context", "test", "core", "--model", str(MODEL)]
    command += ["--stories", stories, "--out", str(out), "--quiet"] + (["--e2e"] if e2e else [])
    return subprocess.run(command, cwd=ROOT, env=rasa_env(), capture_output=True, text=True)


class Evaluation:
    """One `make eval` run: each step fills its predictions; `result()` turns them into figures."""

    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.examples = nlu.load_examples()
        self.sets = test_sets()
        self.heldout: dict[str, dict[str, list[Prediction]]] = {p: {} for p in PIPELINES}
        self.cv: dict[str, list[Prediction]] = {p: [] for p in PIPELINES}
        self.cv_fold_accuracy: dict[str, list[float]] = {p: [] for p in PIPELINES}
        self.train_seconds: dict[str, dict[str, Any]] = {p: {} for p in PIPELINES}
        self.timings: dict[str, float] = {}
        self.notes: list[str] = []
        self.taken_for_followups: dict[str, Any] | None = None

    def config(self, pipeline: str, scale: float) -> Path:
        """The config of a pipeline, with its epochs scaled when `scale` is not 1."""
        if scale == 1.0:
            return CONFIGS[pipeline]
        return nlu.scaled_config(CONFIGS[pipeline], scale, self.workdir / "configs")

    def run_heldout(self) -> None:
        """Held-out and humanified held-out, for the three pipelines trained on all of data/nlu."""
        sets = {name: texts for name, (texts, _) in self.sets.items()}
        scale = self.args.heldout_epochs_scale
        with progress(total=3, desc="held-out", unit="pipeline") as bar, Stopwatch() as watch:
            bar.set_postfix_str(f"{OURS}: parsing with {MODEL.relative_to(ROOT)}")
            if scale == 1.0:
                flat = sets["heldout"] + sets["heldout_humanified"]
                parses = nlu.isolated(nlu.parse_texts, str(MODEL), flat, tick=bar.refresh)
                split = len(sets["heldout"])
                self._keep_heldout(OURS, {"heldout": parses[:split], "heldout_humanified": parses[split:]})
                texts, golds = self.sets["heldout"]
                self.taken_for_followups = followups.taken_after_other_answers(texts, golds, parses[:split])
            else:  # --quick: our pipeline too is retrained with fewer epochs, like the others
                self._train_heldout(OURS, scale, sets, bar)
            bar.update()
            bar.set_postfix_str(f"{DEFAULT}: training on data/nlu")
            self._train_heldout(DEFAULT, scale, sets, bar)
            bar.update()
            floor = nlu.TfidfBaseline(SEED).fit(self.examples)
            self._keep_heldout(TFIDF, {name: floor.parse(texts) for name, texts in sets.items()})
            bar.update()
        self.timings["heldout"] = watch.seconds

    def _train_heldout(self, pipeline: str, scale: float, sets: dict[str, list[str]], bar: Any) -> None:
        data = nlu.write_training_data(self.workdir / "data-all", self.examples)
        out = nlu.isolated(
            nlu.train_and_parse,
            str(self.config(pipeline, scale)),
            str(data),
            str(self.workdir / f"model-{pipeline}"),
            sets,
            tick=bar.refresh,
        )
        self.train_seconds[pipeline]["all_data"] = round(out["train_seconds"], 1)
        self._keep_heldout(pipeline, out["parses"])

    def _keep_heldout(self, pipeline: str, parses: dict[str, list[dict]]) -> None:
        for name, (texts, golds) in self.sets.items():
            self.heldout[pipeline][name] = predictions(parses[name], texts, golds)

    def run_cross_validation(self) -> None:
        """k-fold cross-validation of data/nlu, the same folds for the three pipelines."""
        k, scale = self.args.folds, self.args.cv_epochs_scale
        splits = folds(self.examples, k)
        with progress(total=k * 3, desc="cross-validation", unit="run") as bar, Stopwatch() as watch:
            for index, (train, test) in enumerate(splits, start=1):
                texts, golds = [e.text for e in test], [e.label for e in test]
                data = nlu.write_training_data(self.workdir / f"fold-{index}", train)
                for pipeline in (OURS, DEFAULT):
                    bar.set_postfix_str(f"fold {index}/{k}: {pipeline}")
                    out = nlu.isolated(
                        nlu.train_and_parse,
                        str(self.config(pipeline, scale)),
                        str(data),
                        str(self.workdir / f"fold-{index}-{pipeline}"),
                        {"test": texts},
                        tick=bar.refresh,
                    )
                    self.train_seconds[pipeline].setdefault("folds", []).append(
                        round(out["train_seconds"], 1)
                    )
                    self._keep_fold(pipeline, predictions(out["parses"]["test"], texts, golds))
                    bar.update()
                floor = nlu.TfidfBaseline(SEED).fit(train)
                self._keep_fold(TFIDF, predictions(floor.parse(texts), texts, golds))
                bar.update()
        self.timings["cross_validation"] = watch.seconds

    def _keep_fold(self, pipeline: str, fold_predictions: list[Prediction]) -> None:
        self.cv[pipeline] += fold_predictions
        self.cv_fold_accuracy[pipeline].append(round(score(fold_predictions).intent_accuracy, 4))

    def run_conversations(self) -> dict[str, Any]:
        """`rasa test core` on tests/conversations with the trained model: the pass rate."""
        out = self.workdir / "conversations"
        with progress(total=1, desc="test conversations", unit="run") as bar, Stopwatch() as watch:
            process = rasa_test_core("tests/conversations", out)
            bar.update()
        self.timings["conversations"] = watch.seconds
        report = out / "story_report.json"
        if not report.exists():
            tail = (process.stderr or process.stdout).strip().splitlines()[-3:]
            return {"stories": None, "passed": None, "pass_rate": None, "failed": [], "error": " ".join(tail)}
        accuracy = json.loads(report.read_text()).get("conversation_accuracy") or {}
        failed_file = out / "failed_test_stories.yml"
        failed = []
        if failed_file.exists():
            failed = [
                s.get("story") for s in (yaml.safe_load(failed_file.read_text()) or {}).get("stories", [])
            ]
        return {
            "stories": accuracy.get("total"),
            "passed": accuracy.get("correct"),
            "pass_rate": accuracy.get("accuracy"),
            "failed": failed,
        }

    def run_followups(self) -> dict[str, Any]:
        """The held-out follow-up conversations (tests/heldout/conversations), texts read by the model."""
        with progress(total=1, desc="follow-up conversations", unit="run") as bar, Stopwatch() as watch:
            figures = followups.measure(self.workdir / "followups", rasa_test_core)
            bar.update()
        self.timings["followups"] = watch.seconds
        return figures

    # --- results -----------------------------------------------------------------------
    def result(
        self, conversations: dict[str, Any], plot_files: list[str], follow: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The JSON result of the whole evaluation."""
        pipelines: dict[str, Any] = {}
        for pipeline in PIPELINES:
            entry: dict[str, Any] = {"description": PIPELINE_NAMES[pipeline]}
            if pipeline in CONFIGS:
                entry["config"] = str(CONFIGS[pipeline].relative_to(ROOT))
            for name in SETS:
                entry[name] = figures(score(self.heldout[pipeline][name]))
            if self.cv[pipeline]:
                entry["cross_validation"] = figures(score(self.cv[pipeline]), keep_errors=False)
                entry["cross_validation"]["intent_accuracy_by_fold"] = self.cv_fold_accuracy[pipeline]
            entry["train_seconds"] = self.train_seconds[pipeline]
            pipelines[pipeline] = entry
        ours, default = pipelines[OURS]["heldout"], pipelines[DEFAULT]["heldout"]
        human = pipelines[OURS]["heldout_humanified"]
        return {
            "schema_version": 1,
            "generated_at": now(),
            "mode": "quick" if self.args.quick else "full",
            "settings": {
                "seed": SEED,
                "folds": self.args.folds if not self.args.no_cv else 0,
                "heldout_epochs_scale": self.args.heldout_epochs_scale,
                "cv_epochs_scale": self.args.cv_epochs_scale,
                "epochs": {p: nlu.nlu_epochs(CONFIGS[p]) for p in CONFIGS},
                "training_examples": len(self.examples),
                "heldout_questions": len(self.sets["heldout"][0]),
                "model": str(MODEL.relative_to(ROOT)),
                "notes": self.notes,
            },
            "pipelines": pipelines,
            "f1_by_answer": {p: f1_by_label(self.heldout[p]["heldout"]) for p in PIPELINES},
            "conversations": conversations,
            "followups": follow or {"conversations": 0, "error": "skipped"},
            "taken_for_followups": self.taken_for_followups,
            "goals": goals(ours, default, human, follow),
            "timings_seconds": {name: round(seconds, 1) for name, seconds in self.timings.items()},
            "plots": plot_files,
        }
