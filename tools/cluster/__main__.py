"""`make cluster`: the assistant on 127.0.0.1 as a cluster, in the foreground; Ctrl-C stops it all.

RASA_REPLICAS (2) replicas and as many action servers, Redis, PostgreSQL and haproxy on RASA_PORT
(5005), the portal on PORTAL_PORT (8080). Data, pids and logs under var/cluster/.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import time

from bot.paths import MODEL
from tools.cluster.config import CLUSTER_DIR, Layout, Ports
from tools.cluster.launcher import Cluster, missing_packages, print_help


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line of `python -m tools.cluster`."""
    parser = argparse.ArgumentParser(prog="python -m tools.cluster", description=__doc__)
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("RASA_REPLICAS", "2")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    parser.add_argument("--portal-port", type=int, default=int(os.environ.get("PORTAL_PORT", "8080")))
    parser.add_argument("--no-portal", action="store_true")
    return parser.parse_args(argv)


def port_taken(port: int) -> bool:
    """True if something already listens on 127.0.0.1:port (a `make run`, another cluster)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    """Start the cluster and supervise it until interrupted."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not MODEL.exists():
        print("Aucun modèle : lancez `make train`.", file=sys.stderr)
        return 1
    if missing := missing_packages():
        print(f"Paquets manquants : {', '.join(missing)} (make cluster-packages).", file=sys.stderr)
        return 1
    taken = [p for p in (args.port, None if args.no_portal else args.portal_port) if p and port_taken(p)]
    if taken:
        print(f"Port(s) déjà utilisé(s) : {taken} (un `make run` tourne-t-il ?).", file=sys.stderr)
        return 1
    layout = Layout(
        CLUSTER_DIR, Ports.allocate(args.port, args.replicas, None if args.no_portal else args.portal_port)
    )
    (CLUSTER_DIR / "model").unlink(missing_ok=True)  # each start serves models/assistant.tar.gz
    cluster = Cluster(layout)

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        print(
            f"==> Démarrage du cluster ({args.replicas} répliques, 1 à 2 min) ; journaux dans {layout.logs}/"
        )
        cluster.start()
        print_help(layout)
        while True:
            cluster.supervise()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\n==> Arrêt du cluster.")
        return 0
    except RuntimeError as error:
        print(f"Le cluster n'a pas démarré : {error}", file=sys.stderr)
        return 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main())
