"""`make eval`: how well the assistant understands, against two baselines.

Three pipelines, same data, same split, same run:
  ours     config.yml (held-out: the trained model models/assistant.tar.gz itself)
  default  Rasa's default pipeline, configs/rasa-default.yml
  tfidf    TF-IDF + logistic regression (scikit-learn), the floor
on the held-out set (tests/heldout, never trained on), on a "humanified" copy of it,
and by stratified k-fold cross-validation of data/nlu (seed 42). Then the test
conversations (`rasa test core`). Writes results/eval.json, eval.md and PNG plots.

Usage:
  python -m tools.measure.eval [--quick] [--folds 5] [--cv-epochs-scale 0.15]
  python -m tools.measure.eval --check            # the gate: fails below results/eval-baseline.json
  python -m tools.measure.eval --write-baseline   # record the current model's figure as the baseline

Only --check ever exits with a failure because of a figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge_data import heldout_examples
from bot.paths import MODEL, RESULTS, ROOT
from tools.measure import nlu, plots
from tools.measure.common import (
    CONFIGS,
    DEFAULT,
    OURS,
    PIPELINE_NAMES,
    SEED,
    TFIDF,
    Stopwatch,
    now,
    pct,
    progress,
    rasa_env,
    table,
    write_json,
)
from tools.measure.humanify import humanify_examples
from tools.measure.scoring import Prediction, Scores, f1_by_label, predict, score

BASELINE = RESULTS / "eval-baseline.json"
PIPELINES = (OURS, DEFAULT, TFIDF)
SETS = ("heldout", "heldout_humanified")
QUICK = {"folds": 2, "epochs_scale": 0.05}
# On 2 cores one NLU training takes about 6 min (ours) and 14 min (Rasa's default): 5 folds
# at full epochs would take 80 min. Cross-validation therefore trains both Rasa pipelines
# with the same reduced epochs; the held-out comparison keeps the full epochs.
CV_EPOCHS_SCALE = 0.15


# --- data -----------------------------------------------------------------------------
def flatten(examples: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(texts, gold intents) in a stable order."""
    pairs = [(text, gold) for gold, texts in sorted(examples.items()) for text in texts]
    return [text for text, _ in pairs], [gold for _, gold in pairs]


def test_sets() -> dict[str, tuple[list[str], list[str]]]:
    """The held-out questions, as written and humanified."""
    return {
        "heldout": flatten(heldout_examples()),
        "heldout_humanified": flatten(humanify_examples(heldout_examples())),
    }


def folds(examples: list[nlu.Example], k: int) -> list[tuple[list[nlu.Example], list[nlu.Example]]]:
    """Stratified k-fold split of the training examples (fixed seed): [(train, test), ...]."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED)
    labels = [e.label for e in examples]
    return [
        ([examples[i] for i in train], [examples[i] for i in test])
        for train, test in splitter.split(labels, labels)
    ]


def predictions(parses: list[dict], texts: list[str], golds: list[str]) -> list[Prediction]:
    """One prediction per held-out example."""
    return [predict(parse, text, gold) for parse, text, gold in zip(parses, texts, golds, strict=True)]


def figures(scores: Scores, keep_errors: bool = True) -> dict[str, Any]:
    """Scores as a dict; errors kept (capped) only where asked."""
    out = asdict(scores)
    errors = out.pop("errors")
    out["error_count"] = len(errors)
    if keep_errors:
        out["errors"] = errors[:100]
    return out


# --- the runs ---------------------------------------------------------------------------
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
        command = [
            str(Path(sys.executable).with_name("rasa")),
            "test",
            "core",
            "--model",
            str(MODEL),
            "--stories",
            "tests/conversations",
            "--out",
            str(out),
            "--quiet",
        ]
        with progress(total=1, desc="test conversations", unit="run") as bar, Stopwatch() as watch:
            process = subprocess.run(command, cwd=ROOT, env=rasa_env(), capture_output=True, text=True)
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

    # --- results -----------------------------------------------------------------------
    def result(self, conversations: dict[str, Any], plot_files: list[str]) -> dict[str, Any]:
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
            "goals": goals(ours, default, human),
            "timings_seconds": {name: round(seconds, 1) for name, seconds in self.timings.items()},
            "plots": plot_files,
        }


GOALS = {
    "answer_accuracy_at_least_93": "right answer at once ≥ 93 % (held-out guide questions)",
    "answer_in_candidates_at_least_97": "right answer at once or in the buttons ≥ 97 %",
    "confident_wrong_at_most_2": "confident wrong answers ≤ 2 % (all held-out questions)",
    "neighbours_declined_at_least_90": "neighbouring topics declined ≥ 90 %",
    "humanified_within_3_points": "humanified answer accuracy within 3 points of the clean one",
    "answer_accuracy_5_points_above_default": "answer accuracy ≥ 5 points above Rasa's default pipeline",
}


def goals(ours: dict[str, Any], default: dict[str, Any], human: dict[str, Any]) -> dict[str, bool]:
    """Issue 8's targets on the held-out set (the follow-ups are measured by the tests)."""
    return {
        "answer_accuracy_at_least_93": ours["answer_accuracy"] >= 0.93,
        "answer_in_candidates_at_least_97": ours["answer_in_candidates"] >= 0.97,
        "confident_wrong_at_most_2": ours["confident_wrong_rate"] <= 0.02,
        "neighbours_declined_at_least_90": ours["declined_rate"] >= 0.90,
        "humanified_within_3_points": ours["answer_accuracy"] - human["answer_accuracy"] <= 0.03,
        "answer_accuracy_5_points_above_default": ours["answer_accuracy"] - default["answer_accuracy"]
        >= 0.05,
    }


def markdown(result: dict[str, Any]) -> str:
    """results/eval.md: the table a person reads in ten seconds, then the details."""
    p = result["pipelines"]
    s = result["settings"]

    def row(label: str, part: str, key: str) -> list[str]:
        return [label] + [pct((p[name].get(part) or {}).get(key)) for name in PIPELINES]

    rows = [
        row("**Intent accuracy, held-out**", "heldout", "intent_accuracy"),
        row("Answer accuracy, held-out (right answer given)", "heldout", "answer_accuracy"),
        row("Answer selection, held-out (selector's 1st choice)", "heldout", "answer_selection_accuracy"),
        row("Macro-F1 over answers and intents, held-out", "heldout", "macro_f1"),
        row("Right answer at once or in the buttons, held-out", "heldout", "answer_in_candidates"),
        row("**Confident wrong (neither right nor fallback), held-out**", "heldout", "confident_wrong_rate"),
        row("**Neighbouring topics declined, held-out**", "heldout", "declined_rate"),
        row("Guide questions wrongly declined, held-out", "heldout", "guide_declined_rate"),
        row("Fallback rate, held-out", "heldout", "fallback_rate"),
        row("Out-of-scope rate, held-out", "heldout", "out_of_scope_rate"),
        row("Intent accuracy, humanified held-out", "heldout_humanified", "intent_accuracy"),
        row("Answer accuracy, humanified held-out", "heldout_humanified", "answer_accuracy"),
        row("Confident wrong, humanified held-out", "heldout_humanified", "confident_wrong_rate"),
        row("Neighbouring topics declined, humanified", "heldout_humanified", "declined_rate"),
    ]
    if s["folds"]:
        rows += [
            row(
                f"Intent accuracy, {s['folds']}-fold cross-validation", "cross_validation", "intent_accuracy"
            ),
            row(
                "Intent accuracy before fallback, cross-validation",
                "cross_validation",
                "classifier_intent_accuracy",
            ),
            row("Intent macro-F1, cross-validation", "cross_validation", "intent_macro_f1"),
            row(
                "Answer selection (before fallback), cross-validation",
                "cross_validation",
                "answer_selection_accuracy",
            ),
            row("Macro-F1 over answers and intents, cross-validation", "cross_validation", "macro_f1"),
            row("Fallback rate, cross-validation", "cross_validation", "fallback_rate"),
        ]
    conv = result["conversations"]
    reached = result["goals"]
    mark = {True: "✅", False: "❌"}
    lines = [
        f"# NLU evaluation ({result['mode']} run, {result['generated_at']})",
        "",
        f"Held-out: {s['heldout_questions']} questions never trained on (tests/heldout). "
        f"Cross-validation: {s['folds']} stratified folds of {s['training_examples']} training examples, "
        f"seed {s['seed']}, the same folds for every pipeline.",
        "",
        table(["", "ours (config.yml)", "Rasa default", "TF-IDF + LR"], rows),
        "",
        "Test conversations (`rasa test core`, tests/conversations): "
        + (
            f"**{conv['passed']}/{conv['stories']} passed ({pct(conv['pass_rate'])})**"
            if conv.get("stories")
            else f"not run ({conv.get('error', 'no report')})"
        )
        + (f"; failed: {', '.join(conv['failed'])}" if conv.get("failed") else ""),
        "",
        "Goals (the targets, not tests):",
        *[f"- {mark[bool(ok)]} {GOALS[name]}" for name, ok in reached.items() if name in GOALS],
        "",
        "Settings: "
        + "; ".join(
            f"{name} {', '.join(f'{c} {e} epochs' for c, e in epochs.items())}"
            for name, epochs in s["epochs"].items()
        )
        + f". Epochs × {s['heldout_epochs_scale']:g} on the held-out run, × {s['cv_epochs_scale']:g} "
        "in cross-validation (the same factor for both Rasa pipelines). "
        + (
            f"Our held-out figures are those of the trained model, {s['model']}."
            if s["heldout_epochs_scale"] == 1.0
            else "On the held-out run our pipeline too was retrained with that factor (not the trained model)."
        )
        + (
            " Shortened training lowers confidences, so cross-validation sends more to the fallback: "
            "compare the pipelines there, and read the 'before fallback' rows."
            if s["folds"] and s["cv_epochs_scale"] < 1.0
            else ""
        ),
    ]
    lines += [f"- {note}" for note in s["notes"]]
    lines += ["", "Plots: " + ", ".join(f"[{Path(f).name}]({Path(f).name})" for f in result["plots"]), ""]
    timings = ", ".join(
        f"{name} {seconds / 60:.1f} min" for name, seconds in result["timings_seconds"].items()
    )
    lines += [f"Wall time: {timings}.", "", "How to read this: docs/measuring.md.", ""]
    return "\n".join(lines)


# --- the gate ---------------------------------------------------------------------------
# The same data and seeds give a few questions' difference from one machine to another
# (TensorFlow's CPU kernels): 92.28 % here against 93.21 % on the machine that wrote the
# first baseline. The gate allows that much, about 5 of the 324 held-out questions.
TOLERANCE = 0.015
# The same allowance, per figure gated: about 6 of the ~300 guide questions for
# the answer accuracy, about 4 of the ~400 questions for the confident-wrong rate.
TOLERANCES = {"intent_accuracy": TOLERANCE, "answer_accuracy": 0.02, "confident_wrong_rate": 0.01}
# Figures where lower is better.
LOWER_IS_BETTER = {"confident_wrong_rate"}


def check_figure(name: str, value: float, baseline: dict[str, Any]) -> tuple[bool, str]:
    """Whether one held-out figure holds against the baseline (within its tolerance), and why."""
    tolerances = baseline.get("tolerances") or {"intent_accuracy": baseline.get("tolerance", 0.0)}
    tolerance = float(tolerances.get(name, TOLERANCES.get(name, 0.0)))
    recorded = float(baseline[name])
    # The baseline file keeps 4 decimals: compare at that precision, or the very model
    # that wrote the baseline would fail its own gate.
    if name in LOWER_IS_BETTER:
        limit = recorded + tolerance
        holds = round(value, 4) <= round(limit, 4)
        bound = "ceiling"
    else:
        limit = recorded - tolerance
        holds = round(value, 4) >= round(limit, 4)
        bound = "floor"
    verdict = "OK" if holds else "REGRESSION"
    label = name.replace("_", " ")
    message = (
        f"{verdict}: held-out {label} {pct(value, 2)} (baseline {pct(recorded, 2)}, {bound} {pct(limit, 2)})"
    )
    return holds, message


def check(intent_accuracy: float, baseline: dict[str, Any]) -> tuple[bool, str]:
    """Whether the held-out intent accuracy holds against the baseline, and why."""
    return check_figure("intent_accuracy", intent_accuracy, baseline)


def check_all(scores: Scores, baseline: dict[str, Any]) -> tuple[bool, list[str]]:
    """Every gated figure the baseline records: all must hold."""
    results = [
        check_figure(name, float(getattr(scores, name)), baseline) for name in TOLERANCES if name in baseline
    ]
    return all(ok for ok, _ in results), [message for _, message in results]


def heldout_now() -> Scores:
    """Held-out scores of the trained model, as it is now."""
    texts, golds = test_sets()["heldout"]
    with progress(total=1, desc=f"held-out with {MODEL.relative_to(ROOT)}", unit="model") as bar:
        parses = nlu.isolated(nlu.parse_texts, str(MODEL), texts, tick=bar.refresh)
        bar.update()
    return score(predictions(parses, texts, golds))


def run_check(baseline_path: Path) -> int:
    """Compare the held-out figures now with the committed baseline; 1 if worse."""
    if not baseline_path.exists():
        print(
            f"No baseline at {baseline_path}: record one with `python -m tools.measure.eval --write-baseline`."
        )
        return 2
    baseline = json.loads(baseline_path.read_text(encoding="utf-8"))
    ok, messages = check_all(heldout_now(), baseline)
    print("\n".join(messages))
    return 0 if ok else 1


def write_baseline(baseline_path: Path) -> int:
    """Record the current held-out figures as the baseline."""
    from tools.training import fingerprint

    scores = heldout_now()
    write_json(
        baseline_path,
        {
            "metric": "held-out intent accuracy, answer accuracy and confident-wrong rate of our pipeline "
            "(models/assistant.tar.gz on tests/heldout)",
            "intent_accuracy": round(scores.intent_accuracy, 4),
            "tolerance": TOLERANCE,
            "answer_accuracy": round(scores.answer_accuracy, 4),
            "confident_wrong_rate": round(scores.confident_wrong_rate, 4),
            "tolerances": TOLERANCES,
            "declined_rate": round(scores.declined_rate, 4),
            "heldout_questions": scores.examples,
            "recorded_at": now(),
            "training_fingerprint": fingerprint(),
            "how": "`make eval-check` fails when a gated figure is worse than its baseline by more than "
            "its tolerance (accuracies below, the confident-wrong rate above); "
            "after an accepted change, record a new one with `python -m tools.measure.eval --write-baseline`.",
        },
    )
    print(
        f"Baseline written to {baseline_path}: intent accuracy {pct(scores.intent_accuracy, 2)}, "
        f"answer accuracy {pct(scores.answer_accuracy, 2)}, "
        f"confident wrong {pct(scores.confident_wrong_rate, 2)}"
    )
    return 0


# --- command line -----------------------------------------------------------------------
def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line of `python -m tools.measure.eval`."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.measure.eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"for development: {QUICK['folds']} folds, epochs x {QUICK['epochs_scale']}",
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--cv-epochs-scale",
        type=float,
        default=CV_EPOCHS_SCALE,
        help="multiply DIET and ResponseSelector epochs by this in cross-validation (both pipelines)",
    )
    parser.add_argument(
        "--heldout-epochs-scale",
        type=float,
        default=1.0,
        help="the same for the held-out run (below 1, our pipeline is retrained too)",
    )
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--no-conversations", action="store_true", help="skip `rasa test core`")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--check", action="store_true", help="the gate: compare with the baseline and exit 1 if below"
    )
    parser.add_argument("--write-baseline", action="store_true", help="record the current model's figure")
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    args = parser.parse_args(argv)
    if args.quick:
        args.folds = min(args.folds, QUICK["folds"])
        args.cv_epochs_scale = min(args.cv_epochs_scale, QUICK["epochs_scale"])
        args.heldout_epochs_scale = min(args.heldout_epochs_scale, QUICK["epochs_scale"])
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation (or the check) and write its results."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.disable(logging.WARNING)
    if not MODEL.exists():
        print("No trained model: run `make train` first.", file=sys.stderr)
        return 2
    if args.check:
        return run_check(args.baseline)
    if args.write_baseline:
        return write_baseline(args.baseline)
    from tools.training import up_to_date

    with tempfile.TemporaryDirectory(prefix="eval-") as tmp, Stopwatch() as total:
        run = Evaluation(args, Path(tmp))
        if not up_to_date():
            run.notes.append("models/assistant.tar.gz was NOT trained from the current data and config.")
        if args.quick:
            run.notes.append(
                "QUICK run (development): fewer folds and epochs; not comparable with a full run."
            )
        run.run_heldout()
        if not args.no_cv:
            run.run_cross_validation()
        conversations: dict[str, Any]
        conversations = {"stories": None, "passed": None, "pass_rate": None, "failed": [], "error": "skipped"}
        if not args.no_conversations:
            conversations = run.run_conversations()
        args.out.mkdir(parents=True, exist_ok=True)
        plot_files = plots.eval_plots(run.heldout, args.out, config=CONFIGS[OURS])
        result = run.result(
            conversations,
            [str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f) for f in plot_files],
        )
    result["timings_seconds"]["total"] = round(total.seconds, 1)
    write_json(args.out / "eval.json", result)
    (args.out / "eval.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    print(f"Written: {args.out / 'eval.json'}, {args.out / 'eval.md'} and {len(plot_files)} plots.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
