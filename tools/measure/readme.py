"""Write the README's figures from the committed results, never by hand.

`python -m tools.measure.readme` rewrites the section of README.md between the two markers
below from results/eval-baseline.json, results/cluster.json and results/cluster-bench.json;
`--check` only says whether README.md is up to date (exit 1 if not). A unit test runs the
check, so a README that disagrees with the results fails `make test`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.paths import RESULTS, ROOT

README = ROOT / "README.md"
START = (
    "<!-- figures: written by `python -m tools.measure.readme` from results/*.json; do not edit by hand -->"
)
END = "<!-- /figures -->"


def load(name: str, results: Path = RESULTS) -> dict[str, Any]:
    """One committed results file."""
    return json.loads((results / name).read_text(encoding="utf-8"))


def pct(value: float | None) -> str:
    """0.9228 -> '92,3 %' (French notation); '–' when not recorded."""
    return "–" if value is None else f"{100 * value:.1f} %".replace(".", ",")


def num(value: float, digits: int = 1) -> str:
    """1.36 -> '1,4' (French notation)."""
    return f"{value:.{digits}f}".replace(".", ",")


def points(fraction: float) -> str:
    """0.015 -> '1,5 point' (plural from 2 in French)."""
    value = 100 * fraction
    return f"{num(value)} point{'s' if value >= 2 else ''}"


def tolerances(baseline: dict[str, Any]) -> dict[str, float]:
    """The gate's tolerance per figure, as recorded with the baseline (tools.measure.eval_gate)."""
    return {"answer_accuracy": 0.0, "confident_wrong_rate": 0.0, **(baseline.get("tolerances") or {})}


def followup_lines(baseline: dict[str, Any]) -> list[str]:
    """The follow-up conversations' figure and its gate, when the baseline records them."""
    if baseline.get("followup_rate") is None:
        return []
    rate = baseline["followup_rate"]
    return [
        f"Réponses courtes qui suivent une réponse (« toujours rien », « et pour un enseignant ? »), "
        f"sur les conversations de suivi jamais apprises (`tests/heldout/conversations/`) : {pct(rate)} "
        f"comprises ; `make eval-check` échoue sous {pct(rate)} moins "
        f"{points(tolerances(baseline).get('followup_rate', 0.0))}.",
        "",
    ]


def day(stamp: str | None) -> str:
    """The date of an ISO timestamp ('?' when unknown)."""
    return (stamp or "?")[:10]


def render(results: Path = RESULTS) -> str:
    """The README's figures section, markers included."""
    baseline = load("eval-baseline.json", results)
    cluster = load("cluster.json", results)
    bench = load("cluster-bench.json", results)
    kill = cluster["replica_kill"]["other_conversations_meanwhile"]
    rollout = cluster["model_rollout"]
    throughput = bench["throughput_ratio_cluster_over_one_replica"]
    p95 = bench["p95_ratio_one_replica_over_cluster"]
    levels = sorted(throughput, key=int)
    lines = [
        START,
        f"Sur le jeu de test indépendant (`tests/heldout/`, {baseline['heldout_questions']} questions "
        "jamais apprises), mesuré par `make eval-check` (référence `results/eval-baseline.json`, "
        f"enregistrée le {day(baseline.get('recorded_at'))}) :",
        "",
        "| | intention | bonne réponse d'emblée | réponse fausse affirmée | sujets voisins déclinés |",
        "|---|---|---|---|---|",
        f"| modèle livré | {pct(baseline['intent_accuracy'])} | {pct(baseline['answer_accuracy'])} "
        f"| {pct(baseline.get('confident_wrong_rate'))} | {pct(baseline.get('declined_rate'))} |",
        "",
        f"`make eval-check` échoue si l'intention tombe sous {pct(baseline['intent_accuracy'])} "
        f"moins {points(baseline['tolerance'])}, la bonne réponse d'emblée sous "
        f"{pct(baseline['answer_accuracy'])} moins {points(tolerances(baseline)['answer_accuracy'])}, "
        f"ou si les réponses fausses affirmées dépassent {pct(baseline.get('confident_wrong_rate'))} "
        f"plus {points(tolerances(baseline)['confident_wrong_rate'])}.",
        "",
        *followup_lines(baseline),
        f"En grappe ({cluster['replicas']} répliques sur {cluster['cpus']} cœurs, `make test-cluster`, "
        f"`results/cluster.json` du {day(cluster.get('generated_at'))}) : une réplique tuée, "
        f"{kill['polite']} réponses correctes sur {kill['sent']} pour les autres conversations ; "
        f"nouveau modèle déployé pendant {rollout['requests']} requêtes, "
        f"{rollout['failed_requests']} en échec.",
        "",
        f"Débit de la grappe rapporté à une seule réplique (`make bench-cluster`, "
        f"`results/cluster-bench.json` du {day(bench.get('generated_at'))}) : "
        + ", ".join(f"× {num(throughput[level], 2)} à {level} conversations" for level in levels)
        + " ; p95 d'une seule réplique rapporté à la grappe : "
        + ", ".join(f"× {num(p95[level], 2)}" for level in levels)
        + ".",
        END,
    ]
    return "\n".join(lines)


def current_section(text: str) -> str | None:
    """The figures section of a README text, markers included (None when it has none)."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start : end + len(END)]


def update(readme: Path = README, results: Path = RESULTS) -> bool:
    """Rewrite the section; whether README.md changed."""
    text = readme.read_text(encoding="utf-8")
    section = current_section(text)
    if section is None:
        raise ValueError(f"{readme.name}: no figures section ({START})")
    new = text.replace(section, render(results))
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    """Write (or, with --check, only compare) the README's figures section."""
    parser = argparse.ArgumentParser(prog="python -m tools.measure.readme", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when README.md disagrees with results/")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.check:
        ok = current_section(README.read_text(encoding="utf-8")) == render()
        print(
            "README.md figures: up to date"
            if ok
            else "README.md figures: stale, run python -m tools.measure.readme"
        )
        return 0 if ok else 1
    print("README.md figures: rewritten" if update() else "README.md figures: already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
