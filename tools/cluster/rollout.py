"""Roll a new model out replica by replica, with no failed request.

For each replica: haproxy drains it (its conversations move to the others, which read them
from PostgreSQL), then puts it in maintenance; Rasa loads the new model (`PUT /model`); haproxy
takes it back once its health check passes. Replicas restarted later use the new model too.
Usage (against a running `make cluster`): python -m tools.cluster.rollout models/new.tar.gz
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tools import run
from tools.cluster import haproxy
from tools.cluster.client import get_json
from tools.cluster.config import CLUSTER_DIR, Layout, Ports

DRAIN_TIMEOUT_S = 30
LOAD_TIMEOUT_S = 300


def load_model(base_url: str, model: Path, token: str) -> None:
    """PUT /model: the replica loads the model file (returns once it is loaded)."""
    request = urllib.request.Request(
        f"{base_url}/model?token={token}",
        data=json.dumps({"model_file": str(model)}).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=LOAD_TIMEOUT_S) as response:
        if response.status not in (200, 204):
            raise RuntimeError(f"PUT /model answered {response.status}")


def rollout(layout: Layout, model: Path, token: str) -> list[dict[str, Any]]:
    """Load `model` on every replica in turn; per replica, the seconds each step took."""
    model = model.resolve()
    steps = []
    for index, name in enumerate(layout.names):
        begin = time.monotonic()
        haproxy.set_state(layout, name, "drain")
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while time.monotonic() < deadline and int(haproxy.states(layout)[name].get("scur") or 0) > 0:
            time.sleep(0.2)
        haproxy.set_state(layout, name, "maint")
        drained = time.monotonic()
        base = layout.replica_url(index)
        load_model(base, model, token)
        loaded = time.monotonic()
        served = get_json(f"{base}/status?token={token}").get("model_file", "")
        if Path(served).name != model.name:
            raise RuntimeError(f"{name} serves {served}, not {model.name}")
        haproxy.set_state(layout, name, "ready")
        if haproxy.wait_status(layout, name, "UP", 30) is None:
            raise RuntimeError(f"{name} did not come back up in haproxy")
        steps.append(
            {
                "replica": name,
                "drain_seconds": round(drained - begin, 1),
                "load_seconds": round(loaded - drained, 1),
                "back_up_seconds": round(time.monotonic() - loaded, 1),
            }
        )
    (layout.root / "model").write_text(f"{model}\n")  # replicas restarted later use it too
    return steps


def main(argv: list[str] | None = None) -> int:
    """Roll a new model out to the replicas one at a time."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_file():
        print("Usage : python -m tools.cluster.rollout CHEMIN/DU/MODELE.tar.gz", file=sys.stderr)
        return 2
    ports = json.loads((CLUSTER_DIR / "ports.json").read_text())
    layout = Layout(CLUSTER_DIR, Ports(**ports))
    layout.secrets = json.loads((CLUSTER_DIR / "secrets.json").read_text())
    for step in rollout(layout, Path(args[0]), run.api_token()):
        print(f"{step['replica']} : nouveau modèle chargé en {step['load_seconds']} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
