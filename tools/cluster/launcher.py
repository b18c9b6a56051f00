"""Start, supervise and stop the cluster: Redis, PostgreSQL, N action servers, N Rasa replicas, haproxy.

The Rasa replicas and action servers start with the same launcher and arguments as `make run`
(tools/run.py's `commands()` and `environment()`), with a generated endpoints file per replica.
A replica or server that dies is started again (back-off 1, 2, 4 ... 30 s when it keeps dying).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.paths import MODEL, ROOT
from tools import run
from tools.cluster import haproxy, postgres
from tools.cluster.config import (
    ENT_DB,
    HOST,
    LOCK_LIFETIME_SECONDS,
    SQL_MAX_OVERFLOW,
    SQL_POOL_SIZE,
    Layout,
    haproxy_config,
    redis_config,
    write_endpoints,
)
from tools.cluster.process import Service, wait_for

STOP_ORDER = ("portal", "haproxy", "rasa", "actions", "redis", "postgres")
BINARIES = {"redis-server": "redis-server", "haproxy": "haproxy"}
STABLE_AFTER_S = 60  # a process up this long is healthy again: its back-off starts over
MAX_BACKOFF_S = 30


def missing_packages() -> list[str]:
    """Debian packages the cluster needs and this machine lacks."""
    missing = [package for binary, package in BINARIES.items() if shutil.which(binary) is None]
    if not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")):
        missing.append("postgresql")
    return missing


class Cluster:
    """One cluster described by a Layout; `start()`, then `supervise()` regularly, then `stop()`."""

    def __init__(self, layout: Layout, model: Path = MODEL, extra_env: dict[str, str] | None = None) -> None:
        self.layout = layout
        self.extra_env = extra_env or {}
        self.services: dict[str, Service] = {}
        self._due: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        self.layout.prepare()
        self.model_file = layout.root / "model"
        if not self.model_file.exists():
            self.model_file.write_text(f"{model}\n")

    # --- configuration -------------------------------------------------------------------
    @property
    def model(self) -> str:
        """The model the replicas (re)start with: a rollout changes it (tools/cluster/rollout.py)."""
        return self.model_file.read_text().strip()

    def port_map(self, index: int) -> dict[str, int]:
        """tools/run.py's port dictionary for replica `index`."""
        ports = self.layout.ports
        return {
            "rasa": ports.replicas[index],
            "actions": ports.actions[index],
            "portal": ports.portal or ports.public,
        }

    def env(self, index: int) -> dict[str, str]:
        """tools/run.py's environment for replica `index`, plus the cluster's databases."""
        env = run.environment(self.port_map(index))
        env.update(
            ENT_DATABASE_URL=self.layout.database_url(ENT_DB),
            SQL_POOL_SIZE=str(SQL_POOL_SIZE),
            SQL_MAX_OVERFLOW=str(SQL_MAX_OVERFLOW),
            TICKET_LOCK_LIFETIME=str(LOCK_LIFETIME_SECONDS),
        )
        env.update(self.extra_env)
        return env

    def replica_command(self, index: int) -> list[str]:
        """tools/run.py's Rasa command, on this replica's port, endpoints file and current model."""
        command = list(run.commands(self.port_map(index))["rasa"])
        endpoints = str(write_endpoints(self.layout, index))
        for option, value in (("--endpoints", endpoints), ("--model", self.model)):
            if option in command:
                command[command.index(option) + 1] = value
            else:
                command += [option, value]
        return command

    def _service(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Service:
        service = Service(
            name=name,
            command=command,
            env=env or self.env(0),
            log=self.layout.logs / f"{name}.log",
            pidfile=self.layout.pidfile(name),
        )
        self.services[name] = service
        return service

    def build(self) -> None:
        """Write the generated files and describe every process (nothing started yet)."""
        root = self.layout.root
        conf = root / "redis.conf"
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(redis_config(self.layout))
        (root / "haproxy.cfg").write_text(haproxy_config(self.layout))
        postgres.initdb(self.layout)
        self._service("redis", ["redis-server", str(conf)])
        self._service("postgres", postgres.command(self.layout))
        for index, name in enumerate(self.layout.names):
            command = run.commands(self.port_map(index))["actions"]
            self._service(f"actions-{name}", command, self.env(index))
        for index, name in enumerate(self.layout.names):
            self._service(f"rasa-{name}", self.replica_command(index), self.env(index))
        self._service("haproxy", ["haproxy", "-f", str(root / "haproxy.cfg"), "-db"])
        if self.layout.ports.portal:
            port = self.port_map(0) | {"rasa": self.layout.ports.public}
            self._service("portal", run.commands(port)["portal"])

    # --- life cycle ----------------------------------------------------------------------
    def start(self, timeout: float = 420) -> None:
        """Start everything; return once every replica answers through haproxy."""
        self.build()
        self.services["redis"].start()
        self.services["postgres"].start()
        if not postgres.wait_ready(self.layout):
            raise RuntimeError(f"PostgreSQL did not start (see {self.layout.logs / 'postgres.log'})")
        postgres.create_databases(self.layout)
        subprocess.run(
            [sys.executable, "-m", "tools.cli", "db", "init"], cwd=ROOT, env=self.env(0), check=True
        )
        for name, service in self.services.items():
            if name not in ("redis", "postgres"):
                service.start()
        for index, name in enumerate(self.layout.names):
            url = f"{self.layout.replica_url(index)}/"
            if wait_for(url, self.services[f"rasa-{name}"], timeout) is None:
                raise RuntimeError(f"Replica {name} did not start (see {self.layout.logs}/rasa-{name}.log)")
        for name in self.layout.names:
            if haproxy.wait_status(self.layout, name, "UP", 30) is None:
                raise RuntimeError(f"haproxy does not see replica {name} up")

    def replicas(self) -> list[Service]:
        """The Rasa replicas, in haproxy's order."""
        return [self.services[f"rasa-{name}"] for name in self.layout.names]

    def supervise(self) -> list[str]:
        """Start again what died and was not stopped on purpose; the names restarted now."""
        restarted = []
        now = time.monotonic()
        for name, service in self.services.items():
            if service.held or service.alive() or service.process is None:
                self._due.pop(name, None)
                continue
            if name not in self._due:
                quick = now - service.started_at < STABLE_AFTER_S
                self._failures[name] = self._failures.get(name, 0) + 1 if quick else 0
                delay = min(MAX_BACKOFF_S, 2 ** self._failures[name]) if self._failures[name] else 0
                self._due[name] = now + delay
                print(f"==> {name} s'est arrêté : redémarrage dans {delay} s.", file=sys.stderr, flush=True)
            if now >= self._due[name]:
                if name.startswith("rasa-"):
                    service.command = self.replica_command(self.layout.names.index(name[5:]))
                service.start()
                service.restarts += 1
                self._due.pop(name)
                restarted.append(name)
        return restarted

    def stop(self) -> None:
        """Stop every process, front first, PostgreSQL last (fast shutdown)."""
        for prefix in STOP_ORDER:
            for name, service in self.services.items():
                if name.startswith(prefix):
                    service.stop(signal.SIGINT if prefix == "postgres" else signal.SIGTERM)


def print_help(layout: Layout) -> None:
    """How to reach the cluster once it answers."""
    url = f"{layout.public_url}/webhooks/rest/webhook"
    portal = f"http://{HOST}:{layout.ports.portal}" if layout.ports.portal else "(désactivé)"
    print(
        f"\n==> Le cluster est prêt : {len(layout.names)} répliques Rasa derrière haproxy.\n"
        f"    Portail  : {portal}\n"
        f'    REST     : curl -s {url} -d \'{{"sender":"moi","message":"comment activer mon compte educonnect ?"}}\'\n'
        f"    État     : python -m tools.cluster.haproxy (ports : {layout.root / 'ports.json'})\n"
        f"    Journaux : {layout.logs}/   pids : {layout.root}/*.pid\n"
        "    Ctrl-C pour tout arrêter.\n",
        flush=True,
    )
