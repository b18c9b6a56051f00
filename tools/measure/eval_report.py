"""results/eval.md: the goals of `make eval` and the report a person reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tools.measure import followups
from tools.measure.common import pct, table
from tools.measure.eval_sets import PIPELINES

GOALS = {
    "answer_accuracy_at_least_93": "right answer at once ≥ 93 % (held-out guide questions)",
    "answer_in_candidates_at_least_97": "right answer at once or in the buttons ≥ 97 %",
    "confident_wrong_at_most_2": "confident wrong answers ≤ 2 % (all held-out questions)",
    "neighbours_declined_at_least_90": "neighbouring topics declined ≥ 90 %",
    "humanified_within_3_points": "humanified answer accuracy within 3 points of the clean one",
    "answer_accuracy_5_points_above_default": "answer accuracy ≥ 5 points above Rasa's default pipeline",
    "followups_at_least_90": "follow-ups ≥ 90 % (held-out follow-up conversations)",
}

# Rates are counts divided by a set's size: 342/360 - 324/360 is 0.04999999999999993 in floating
# point, though exactly 5 points. A goal is reached up to this rounding.
ROUNDING = 1e-9


def goals(
    ours: dict[str, Any],
    default: dict[str, Any],
    human: dict[str, Any],
    follow: dict[str, Any] | None = None,
) -> dict[str, bool]:
    """Whether the held-out figures reach their targets (the follow-ups' only when they were run)."""
    reached = {
        "answer_accuracy_at_least_93": ours["answer_accuracy"] >= 0.93 - ROUNDING,
        "answer_in_candidates_at_least_97": ours["answer_in_candidates"] >= 0.97 - ROUNDING,
        "confident_wrong_at_most_2": ours["confident_wrong_rate"] <= 0.02 + ROUNDING,
        "neighbours_declined_at_least_90": ours["declined_rate"] >= 0.90 - ROUNDING,
        "humanified_within_3_points": ours["answer_accuracy"] - human["answer_accuracy"] <= 0.03 + ROUNDING,
        "answer_accuracy_5_points_above_default": ours["answer_accuracy"] - default["answer_accuracy"]
        >= 0.05 - ROUNDING,
    }
    if follow and follow.get("rate") is not None:
        reached["followups_at_least_90"] = follow["rate"] >= followups.TARGET
    return reached


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
        followups.line(result.get("followups")),
        "",
        followups.taken_line(result.get("taken_for_followups")),
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
