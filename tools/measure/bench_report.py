"""The bench's results: the figures compared, the goals, results/bench.md."""

from __future__ import annotations

from typing import Any

from bot.paths import RESULTS
from tools.measure import turns
from tools.measure.common import DEFAULT, OURS, table
from tools.measure.load import CONCURRENCY, LIVE_EVERY, LIVE_LOGIN, LIVE_QUESTION, TURNS_PER_CONVERSATION

# Our figures before the turn-cost work (role read by the action server on every
# message, whole sessions loaded), measured by this bench: shown beside today's.
PREVIOUS = RESULTS / "bench-previous.json"


def flat_figures(entry: dict[str, Any]) -> dict[str, float | None]:
    """The figures compared between pipelines, by name (lower is better for all of them but throughput)."""
    serve = entry.get("serve") or {}
    latency = serve.get("latency") or {}
    figures = {
        "training_seconds": entry["train"].get("seconds"),
        "training_peak_memory_mb": entry["train"].get("peak_memory_mb"),
        "start_to_status_seconds": serve.get("start_to_status_seconds"),
        "memory_after_warmup_mb": serve.get("memory_after_warmup_mb"),
        "memory_after_messages_mb": serve.get("memory_after_messages_mb"),
        "memory_growth": serve.get("memory_growth"),
    }
    cost = serve.get("turn_cost") or {}
    cpu, growth = cost.get("cpu") or {}, cost.get("growth") or {}
    figures["rasa_cpu_ms_per_message"] = cpu.get("rasa_cpu_ms_per_message")
    figures["actions_cpu_ms_per_message"] = cpu.get("actions_cpu_ms_per_message")
    for checkpoint in turns.CHECKPOINTS:
        figures[f"turn_{checkpoint}_ms"] = growth.get(f"turn_{checkpoint}_ms")
    figures["turn_growth_ratio"] = growth.get("growth_ratio")
    for kind in ("faq", "live"):
        for key in ("p50_ms", "p95_ms", "p99_ms"):
            figures[f"{kind}_{key}"] = (latency.get(kind) or {}).get(key)
    for level, figures_at in (serve.get("concurrency") or {}).items():
        figures[f"throughput_{level}_per_s"] = figures_at.get("throughput_per_s")
        figures[f"errors_{level}"] = figures_at.get("errors")
        figures[f"p95_{level}_ms"] = figures_at.get("p95_ms")
    return figures


def goals(result: dict[str, Any]) -> dict[str, bool | None]:
    """Whether each goal is met (None when its figure is missing)."""
    ours = result["figures"].get(OURS) or {}
    ratios = result.get("ratios") or {}

    def ok(value: float | None, test: Any) -> bool | None:
        return None if value is None else bool(test(value))

    return {
        "faq_p95_at_most_1_5x_default": ok(ratios.get("faq_p95_ms"), lambda r: r <= 1.5),
        # judged only on a full-epoch training: a shortened one says nothing about it
        "training_under_10_min": (
            ok(ours.get("training_seconds"), lambda s: s < 600)
            if (result.get("settings") or {}).get("epochs_scale", 1.0) == 1.0
            else None
        ),
        "server_memory_under_1_5_gb": ok(ours.get("memory_after_messages_mb"), lambda mb: mb < 1536),
        "memory_growth_under_5_percent": ok(ours.get("memory_growth"), lambda g: g < 0.05),
        "throughput_8_at_least_40_per_s": ok(ours.get("throughput_8_per_s"), lambda t: t >= 40),
        "faq_p50_at_most_35_ms": ok(ours.get("faq_p50_ms"), lambda ms: ms <= 35),
        "turn_200_at_most_1_5x_turn_10": ok(ours.get("turn_growth_ratio"), lambda r: r <= 1.5),
    }


def fmt(value: Any, unit: str = "") -> str:
    """A figure for the Markdown table ('–' when missing)."""
    if value is None:
        return "–"
    if isinstance(value, float) and unit == "%":
        return f"{100 * value:+.1f} %"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


def markdown(result: dict[str, Any]) -> str:
    """The benchmark's results as a Markdown report."""
    figures, ratios = result["figures"], result["ratios"]
    messages = result["settings"]["messages"]
    rows_spec = [
        ("Training wall time (`rasa train`, no cache)", "training_seconds", " s"),
        ("Training peak memory", "training_peak_memory_mb", " MB"),
        ("Start until /status answers", "start_to_status_seconds", " s"),
        ("FAQ turn latency p50", "faq_p50_ms", " ms"),
        ("**FAQ turn latency p95**", "faq_p95_ms", " ms"),
        ("FAQ turn latency p99", "faq_p99_ms", " ms"),
        ("Live turn latency p50", "live_p50_ms", " ms"),
        ("Live turn latency p95", "live_p95_ms", " ms"),
        ("Live turn latency p99", "live_p99_ms", " ms"),
    ]
    for level in CONCURRENCY:
        rows_spec += [
            (
                f"Throughput, {level} concurrent conversation{'s' * (level > 1)}",
                f"throughput_{level}_per_s",
                " msg/s",
            ),
            (f"Latency p95, {level} concurrent", f"p95_{level}_ms", " ms"),
            (f"Errors, {level} concurrent", f"errors_{level}", ""),
        ]
    rows_spec += [
        ("Rasa server CPU per guide question", "rasa_cpu_ms_per_message", " ms"),
        ("Action server CPU per guide question", "actions_cpu_ms_per_message", " ms"),
        *[(f"Latency at turn {c} of one conversation", f"turn_{c}_ms", " ms") for c in turns.CHECKPOINTS],
        (f"Turn {turns.CHECKPOINTS[-1]} / turn {turns.CHECKPOINTS[0]}", "turn_growth_ratio", ""),
        ("Server memory after warm-up", "memory_after_warmup_mb", " MB"),
        (f"Server memory after {messages} messages", "memory_after_messages_mb", " MB"),
        (f"Memory growth over {messages} messages", "memory_growth", "%"),
    ]
    previous = result.get("previous") or {}
    rows = []
    for label, key, unit in rows_spec:
        r = ratios.get(key)
        rows.append(
            [
                label,
                fmt((figures.get(OURS) or {}).get(key), unit),
                fmt(previous.get(key), unit),
                fmt((figures.get(DEFAULT) or {}).get(key), unit),
                "–" if r is None else f"{r:.2f}",
            ]
        )
    mark = {True: "✅", False: "❌", None: "–"}
    g = result["goals"]
    s = result["settings"]
    lines = [
        f"# Benchmark ({result['mode']} run, {result['generated_at']})",
        "",
        f"One machine ({s['cpus']} CPUs), loopback only, one pipeline at a time. REST channel with the SQL "
        "tracker store (SQLite) and the action server, as `make run` serves it.",
        "",
        table(["", "ours (config.yml)", "ours, previous", "Rasa default", "ratio ours/default"], rows),
        "",
        "Goals (targets, not tests):",
        f"- {mark[g['faq_p95_at_most_1_5x_default']]} FAQ-turn p95 latency ≤ 1.5 × the default pipeline's",
        f"- {mark[g['training_under_10_min']]} training under 10 minutes on this machine",
        f"- {mark[g['server_memory_under_1_5_gb']]} server memory under 1.5 GB",
        f"- {mark[g['memory_growth_under_5_percent']]} memory growth under 5 % over {messages} messages",
        f"- {mark[g['throughput_8_at_least_40_per_s']]} at least 40 messages/s with 8 concurrent conversations",
        f"- {mark[g['faq_p50_at_most_35_ms']]} guide answer median at most 35 ms (one client)",
        f"- {mark[g['turn_200_at_most_1_5x_turn_10']]} turn 200 of a conversation at most 1.5 × turn 10",
        "",
        f"Sequential latency: {s['faq_turns']} FAQ turns (held-out questions) and {s['live_turns']} live turns "
        f'("{LIVE_QUESTION}", token of {LIVE_LOGIN}), conversations of {TURNS_PER_CONVERSATION} turns. '
        f"Under load one message in {LIVE_EVERY} is a live turn; each level stops after {s['level_messages']} "
        f"messages or {s['level_seconds']} s. An error is a failed request, a non-200 status or an empty answer. "
        + ("" if s.get("serve_only") else f"Epochs × {s['epochs_scale']:g} for both pipelines."),
    ]
    lines += [
        f"CPU per question: {s['cpu_messages']} guide questions, one at a time, CPU time of each server "
        f"(/proc) divided by the questions. Growth: one conversation of {s['growth_turns']} guide questions, "
        f"median latency of the {2 * turns.AROUND + 1} turns around turns "
        f'{", ".join(map(str, turns.CHECKPOINTS))}. "ours, previous": {PREVIOUS.name} '
        f"({previous.get('_what', 'not recorded')}).",
    ]
    lines += [f"- {note}" for note in s["notes"]]
    lines += ["", "Plot: [bench-latency.png](bench-latency.png). How to read this: docs/measuring.md.", ""]
    return "\n".join(lines)
