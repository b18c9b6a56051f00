"""PNG plots of `make eval` and `make bench` (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import yaml

from tools.measure.scoring import FALLBACK, Prediction, f1_by_label

COLOURS = {"ours": "#1f77b4", "default": "#ff7f0e", "tfidf": "#7f7f7f"}


def short(label: str) -> str:
    """An answer key without its retrieval intent ('faq/key' -> 'key')."""
    return label.split("/", 1)[1] if "/" in label else label


def thresholds(config: Path) -> dict[str, float]:
    """The fallback thresholds of a Rasa config, to draw on the histograms."""
    out = {}
    for component in yaml.safe_load(config.read_text(encoding="utf-8")).get("pipeline") or []:
        if component["name"] == "FallbackClassifier":
            out["intent fallback"] = float(component.get("threshold", 0.3))
        elif component["name"].endswith("AnswerConfidenceGuard"):
            out["answer guard"] = float(component.get("threshold", 0.5))
    return out


def confusion(predictions: list[Prediction], path: Path, title: str) -> Path:
    """Answers confusion matrix: rows the right answer, columns what the assistant did."""
    import numpy as np

    rows = sorted({p.gold_label for p in predictions})
    extra = sorted({p.label for p in predictions} - set(rows), key=lambda x: (x != FALLBACK, x))
    columns = rows + extra
    index = {label: i for i, label in enumerate(columns)}
    matrix = np.zeros((len(rows), len(columns)), dtype=int)
    for p in predictions:
        matrix[index[p.gold_label], index[p.label]] += 1
    totals = matrix.sum(axis=1, keepdims=True).clip(min=1)
    size = max(6.0, 0.24 * len(columns) + 3)
    fig, ax = plt.subplots(figsize=(size, size * len(rows) / len(columns) + 1))
    ax.imshow(matrix / totals, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(
                j,
                i,
                str(count),
                ha="center",
                va="center",
                fontsize=6,
                color="white" if matrix[i, j] / totals[i, 0] > 0.6 else "black",
            )
    ax.set_xticks(range(len(columns)), [short(c) for c in columns], rotation=90, fontsize=7)
    ax.set_yticks(range(len(rows)), [short(r) for r in rows], fontsize=7)
    ax.set_xlabel("what the assistant did (answer given, fallback, other intent)")
    ax.set_ylabel("right answer")
    ax.set_title(title)
    return _save(fig, path)


def f1_bars(by_pipeline: dict[str, list[Prediction]], path: Path, title: str) -> Path:
    """F1 of each answer, one bar per pipeline, worst answers of ours at the top."""
    f1 = {name: f1_by_label(predictions) for name, predictions in by_pipeline.items()}
    labels = sorted(f1["ours"], key=lambda label: (-f1["ours"][label], label))
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(labels) + 1.5))
    height = 0.8 / len(f1)
    for k, (name, values) in enumerate(f1.items()):
        ax.barh(
            [i + k * height for i in range(len(labels))],
            [values.get(label, 0) for label in labels],
            height=height,
            label=name,
            color=COLOURS.get(name),
        )
    ax.set_yticks(
        [i + 0.4 - height / 2 for i in range(len(labels))], [short(label) for label in labels], fontsize=7
    )
    ax.set_xlim(0, 1)
    ax.set_xlabel("F1")
    ax.set_title(title)
    ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def confidence_histogram(
    predictions: list[Prediction], path: Path, title: str, marks: dict[str, float]
) -> Path:
    """Confidence of correct vs wrong predictions: the intent, and the answer of guide questions."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    faq = [p for p in predictions if p.gold_answer]
    panels = [
        (
            "intent (classifier's best)",
            [(p.intent_confidence, p.classifier_intent == p.gold_intent) for p in predictions],
            {k: v for k, v in marks.items() if k == "intent fallback"},
        ),
        (
            "answer (selector's best), guide questions",
            [(p.confidence, p.answer == p.gold_answer) for p in faq],
            {k: v for k, v in marks.items() if k == "answer guard"},
        ),
    ]
    bins = [i / 20 for i in range(21)]
    for ax, (name, pairs, panel_marks) in zip(axes, panels, strict=True):
        ax.hist([c for c, ok in pairs if ok], bins=bins, alpha=0.7, label="correct", color="#2ca02c")
        ax.hist([c for c, ok in pairs if not ok], bins=bins, alpha=0.7, label="wrong", color="#d62728")
        for mark, value in panel_marks.items():
            ax.axvline(value, linestyle="--", color="black", linewidth=1)
            ax.text(value, ax.get_ylim()[1] * 0.7, f" {mark} {value:g}", fontsize=8)
        ax.set_yscale("log")
        ax.set_xlabel(f"confidence of the {name}")
        ax.set_ylabel("questions (log scale)")
        ax.legend(loc="upper left")
    fig.suptitle(title)
    return _save(fig, path)


def eval_plots(heldout: dict[str, dict[str, list[Prediction]]], out: Path, config: Path) -> list[Path]:
    """The three plots of `make eval`, from the held-out predictions."""
    ours = heldout["ours"]["heldout"]
    n = len(ours)
    return [
        confusion(ours, out / "eval-confusion.png", f"Our pipeline on the held-out set ({n} questions)"),
        f1_bars(
            {name: sets["heldout"] for name, sets in heldout.items()},
            out / "eval-f1-by-answer.png",
            f"F1 by answer on the held-out set ({n} questions)",
        ),
        confidence_histogram(
            ours,
            out / "eval-confidence.png",
            f"Our pipeline on the held-out set: confidence, correct vs wrong ({n} questions)",
            thresholds(config),
        ),
    ]


def latency_plot(bench: dict[str, Any], path: Path) -> Path:
    """Latency percentiles by kind of turn and concurrency, our pipeline next to the default one."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    pipelines = [name for name in ("ours", "default") if name in bench["pipelines"]]
    width = 0.8 / max(1, len(pipelines))
    sequential = [("faq", "FAQ turns"), ("live", "live turns")]
    percentiles = ("p50_ms", "p95_ms", "p99_ms")
    for k, name in enumerate(pipelines):
        serve = bench["pipelines"][name].get("serve") or {}
        latency = serve.get("latency") or {}
        xs, ys = [], []
        for i, (kind, _) in enumerate(sequential):
            for j, key in enumerate(percentiles):
                xs.append(i * 4 + j + k * width)
                ys.append((latency.get(kind) or {}).get(key) or 0)
        axes[0].bar(xs, ys, width=width, label=name, color=COLOURS.get(name))
        levels = serve.get("concurrency") or {}
        axes[1].plot(
            [int(c) for c in levels],
            [levels[c].get("p95_ms") or 0 for c in levels],
            marker="o",
            label=f"{name} p95",
            color=COLOURS.get(name),
        )
        axes[1].plot(
            [int(c) for c in levels],
            [levels[c].get("p50_ms") or 0 for c in levels],
            marker=".",
            linestyle="--",
            label=f"{name} p50",
            color=COLOURS.get(name),
        )
    axes[0].set_xticks(
        [i * 4 + j + 0.4 - width / 2 for i in range(len(sequential)) for j in range(3)],
        [f"{label}\n{key[:3]}" for _, label in sequential for key in percentiles],
        fontsize=8,
    )
    axes[0].set_ylabel("ms")
    axes[0].set_title("Sequential REST turns")
    axes[0].legend()
    axes[1].set_xscale("log", base=2)
    axes[1].set_xlabel("concurrent conversations")
    axes[1].set_ylabel("ms")
    axes[1].set_title("Latency under load")
    axes[1].legend(fontsize=8)
    fig.suptitle("make bench: REST latency on loopback")
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
