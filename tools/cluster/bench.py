"""`make bench-cluster`: one Rasa replica vs the cluster behind haproxy, side by side in one run.

One cluster is started (2 replicas, 2 action servers, Redis, PostgreSQL, haproxy: all on this
machine). The load is the project's bench client (tools/measure/load.py `Load`): REST
conversations of 5 turns, one message in 5 a live question with a signed token. First straight
at replica r1 alone (the other one idle), then at haproxy; 8, 32 and 64 concurrent
conversations, each level bounded in messages and seconds. For each level: throughput,
p50/p95/p99, errors, and the CPU time each part used (where the ceiling is).
Writes results/cluster-bench.json and results/cluster-bench.png (logs: var/cluster-bench-logs/).
Never fails on a figure.
Usage: python -m tools.cluster.bench [--quick] [--replicas 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.identity import mint_token
from bot.paths import RESULTS, VAR
from tools.cluster.config import Layout, Ports
from tools.cluster.launcher import Cluster
from tools.measure.common import free_port, now, process_tree, progress, rss_mb, write_json
from tools.measure.load import LIVE_EVERY, LIVE_LOGIN, LIVE_ROLE, TURNS_PER_CONVERSATION, Load

LEVELS = (8, 32, 64)
FULL = {"level_messages": 800, "level_seconds": 45}
QUICK = {"level_messages": 120, "level_seconds": 15}
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int | None, tree: bool = True) -> float:
    """User + system CPU seconds of a process and (tree) its descendants (0 if gone)."""
    if pid is None:
        return 0.0
    total = 0
    for member in process_tree(pid) if tree else [pid]:
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / TICK


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK


def groups(cluster: Cluster) -> dict[str, list[int | None]]:
    """The cluster's processes by part."""
    services = cluster.services
    return {
        "rasa": [s.pid for n, s in services.items() if n.startswith("rasa-")],
        "actions": [s.pid for n, s in services.items() if n.startswith("actions-")],
        "postgres": [services["postgres"].pid],
        "redis": [services["redis"].pid],
        "haproxy": [services["haproxy"].pid],
    }


def cpu_snapshot(cluster: Cluster) -> dict[str, float]:
    """CPU seconds used so far by each part of the cluster, the load client and the machine."""
    snapshot = {part: sum(cpu_seconds(pid) for pid in pids) for part, pids in groups(cluster).items()}
    snapshot["load_client"] = cpu_seconds(os.getpid(), tree=False)  # its children are the cluster
    snapshot["machine"] = machine_busy_seconds()
    return snapshot


def memory(cluster: Cluster) -> dict[str, Any]:
    """Resident memory in MB of each part (Rasa per replica)."""
    services = cluster.services
    return {
        "rasa_per_replica_mb": [round(rss_mb(s.pid)) for n, s in services.items() if n.startswith("rasa-")],
        "actions_per_server_mb": [
            round(rss_mb(s.pid)) for n, s in services.items() if n.startswith("actions-")
        ],
        "postgres_mb": round(rss_mb(services["postgres"].pid)),
        "redis_mb": round(rss_mb(services["redis"].pid)),
        "haproxy_mb": round(rss_mb(services["haproxy"].pid)),
    }


def run_level(cluster: Cluster, load: Load, level: int, limits: dict[str, int], bar: Any) -> dict[str, Any]:
    """One concurrency level, with the CPU each part used meanwhile."""
    before = cpu_snapshot(cluster)
    result = asyncio.run(load.concurrent(level, limits["level_messages"], limits["level_seconds"], bar))
    after = cpu_snapshot(cluster)
    seconds = result["seconds"] or 1
    used = {part: round((after[part] - before[part]) / seconds, 2) for part in before}
    ours = sum(v for k, v in used.items() if k != "machine")
    used["others_on_machine"] = round(max(0.0, used["machine"] - ours), 2)
    result["cpu_cores_used"] = used
    # throughput_per_s counts every request; a failed one is not an answer
    result["answered_per_s"] = round((result["messages"] - result["errors"]) / seconds, 1)
    return result


def plot(result: dict[str, Any], path: Path) -> Path:
    """Throughput and p95 latency against concurrency, one replica vs the cluster."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for target, style in (("one_replica", "o--"), ("cluster", "s-")):
        levels = result["targets"][target]["levels"]
        xs = [int(k) for k in levels]
        label = (
            "1 réplique" if target == "one_replica" else f"cluster ({result['replicas']} répliques, haproxy)"
        )
        left.plot(xs, [levels[k]["answered_per_s"] for k in levels], style, label=label)
        for x, k in zip(xs, levels, strict=True):
            if levels[k]["errors"]:
                left.annotate(f"{levels[k]['errors']} erreurs", (x, levels[k]["answered_per_s"]), fontsize=8)
        right.plot(xs, [levels[k]["p95_ms"] for k in levels], style, label=label)
    left.set(xlabel="conversations simultanées", ylabel="réponses / s", title="Débit (réponses non vides)")
    right.set(xlabel="conversations simultanées", ylabel="ms", title="Latence p95")
    for axis in (left, right):
        axis.set_xticks(LEVELS)
        axis.grid(alpha=0.3)
        axis.legend()
    fig.suptitle(f"Rasa : une réplique contre le cluster ({result['cpus']} cœurs partagés)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the replica-vs-cluster benchmark and write its results."""
    parser = argparse.ArgumentParser(prog="python -m tools.cluster.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="for development: few messages per level")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    limits = QUICK if args.quick else FULL
    secret = secrets.token_urlsafe(32)
    root = Path(tempfile.mkdtemp(prefix="ent-cluster-bench-"))
    layout = Layout(root, Ports.allocate(free_port(), args.replicas, None))
    cluster = Cluster(layout, extra_env={"ENT_JWT_SECRET": secret})
    result: dict[str, Any] = {
        "generated_at": now(),
        "mode": "quick" if args.quick else "full",
        "replicas": args.replicas,
        "cpus": os.cpu_count(),
        "load_average_before": list(os.getloadavg()),
        "settings": {
            **limits,
            "levels": list(LEVELS),
            "turns_per_conversation": TURNS_PER_CONVERSATION,
            "live_every": LIVE_EVERY,
        },
        "targets": {},
    }
    begin = time.monotonic()
    try:
        cluster.start()
        result["start_seconds"] = round(time.monotonic() - begin, 1)
        token = mint_token(LIVE_LOGIN, LIVE_ROLE, secret=secret)
        targets = {"one_replica": layout.ports.replicas[0], "cluster": layout.ports.public}
        total = 2 * len(LEVELS) * limits["level_messages"] + 40
        with progress(total=total, desc="bench-cluster", unit="msg") as bar:
            for index in range(args.replicas):  # warm-up: every replica answers FAQ and live turns
                warm = Load(layout.ports.replicas[index], token)
                asyncio.run(warm.sequential(10, live=False, bar=bar))
                asyncio.run(warm.sequential(5, live=True, bar=bar))
            result["memory_after_warmup"] = memory(cluster)
            for target, port in targets.items():
                load = Load(port, token)
                levels = {}
                for level in LEVELS:
                    bar.set_postfix_str(f"{target}, {level} concurrent")
                    levels[str(level)] = run_level(cluster, load, level, limits, bar)
                result["targets"][target] = {
                    "port_kind": "replica r1" if target == "one_replica" else "haproxy",
                    "levels": levels,
                    "sample_replies": load.samples,
                }
            result["memory_after_load"] = memory(cluster)
    finally:
        cluster.stop()
        shutil.copytree(layout.logs, VAR / "cluster-bench-logs", dirs_exist_ok=True)  # for a look afterwards
        shutil.rmtree(root, ignore_errors=True)
    result["load_average_after"] = list(os.getloadavg())
    one = result["targets"]["one_replica"]["levels"]
    many = result["targets"]["cluster"]["levels"]
    result["p95_ratio_one_replica_over_cluster"] = {
        k: round(one[k]["p95_ms"] / many[k]["p95_ms"], 2) if many[k]["p95_ms"] else None for k in one
    }
    result["throughput_ratio_cluster_over_one_replica"] = {
        k: round(many[k]["answered_per_s"] / one[k]["answered_per_s"], 2)
        if one[k]["answered_per_s"]
        else None
        for k in one
    }
    result["wall_seconds"] = round(time.monotonic() - begin, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "cluster-bench.json", result)
    plot(result, args.out / "cluster-bench.png")
    for target in ("one_replica", "cluster"):
        for level, figures in result["targets"][target]["levels"].items():
            print(
                f"{target:12} {level:>3} conv.: {figures['answered_per_s']} answers/s, p50 {figures['p50_ms']} ms, "
                f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, errors {figures['errors']}, "
                f"CPU {figures['cpu_cores_used']}"
            )
    print(f"Written: {args.out / 'cluster-bench.json'}, {args.out / 'cluster-bench.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
