"""Where the cluster lives and how its parts are configured (ports, secrets, generated files)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.paths import ROOT, VAR
from tools.measure.common import free_port

HOST = "127.0.0.1"
CLUSTER_DIR = VAR / "cluster"
TRACKER_STORE_TYPE = "bot.tracker_store.ScrubbingSQLTrackerStore"
# Rasa's RedisLockStore races between replicas (RasaHQ/rasa#11256): ENT_CLUSTER_LOCK_STORE=redis
# brings the stock one back, to measure the race.
LOCK_STORE_TYPE = "bot.lock_store.AtomicRedisLockStore"
PG_USER = "ent"
RASA_DB, ENT_DB = "rasa", "ent"
LOCK_KEY_PREFIX = "ent"
# Per replica: SQLAlchemy's defaults (50 + 100 overflow) would exceed PostgreSQL's max_connections.
SQL_POOL_SIZE, SQL_MAX_OVERFLOW, PG_MAX_CONNECTIONS = 10, 10, 100
MAXCONN_PER_REPLICA = 16  # requests haproxy sends to one replica at once; the rest wait in its queue
# A replica killed while handling a turn leaves that conversation's ticket in Redis: the next turn
# waits until it expires. Rasa's 60 s default outlasts a client's patience; a turn is bounded well
# below this (the action call's budget is 4 s), so two turns of one conversation never overlap.
LOCK_LIFETIME_SECONDS = 15


@dataclass
class Ports:
    """Every port of one cluster: haproxy's public one, the rest internal (free ports)."""

    public: int
    portal: int | None
    replicas: list[int]
    actions: list[int]
    postgres: int
    redis: int

    @classmethod
    def allocate(cls, public: int, replicas: int, portal: int | None) -> Ports:
        """Free loopback ports for everything but the public (haproxy) and portal ports."""
        taken = {public, portal}

        def pick() -> int:
            while (port := free_port()) in taken:
                pass
            taken.add(port)
            return port

        return cls(
            public=public,
            portal=portal,
            replicas=[pick() for _ in range(replicas)],
            actions=[pick() for _ in range(replicas)],
            postgres=pick(),
            redis=pick(),
        )


@dataclass
class Layout:
    """One cluster's directory (var/cluster, or a temporary one for tests) and its ports."""

    root: Path
    ports: Ports
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def logs(self) -> Path:
        """The folder of the services' logs."""
        return self.root / "logs"

    @property
    def names(self) -> list[str]:
        """Replica names, as haproxy knows them: r1, r2, ..."""
        return [f"r{i + 1}" for i in range(len(self.ports.replicas))]

    def pidfile(self, name: str) -> Path:
        """The pid file of one service."""
        return self.root / f"{name}.pid"

    def prepare(self) -> None:
        """Create the directories, the local secrets (mode 600) and write ports.json."""
        self.logs.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # PostgreSQL runs as its own user when we are root: it must get in
        path = self.root / "secrets.json"
        if path.exists():
            self.secrets = json.loads(path.read_text())
        else:
            self.secrets = {"postgres": secrets.token_urlsafe(24), "redis": secrets.token_urlsafe(24)}
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                json.dump(self.secrets, out)
        (self.root / "ports.json").write_text(json.dumps(asdict(self.ports), indent=2) + "\n")

    def replica_url(self, index: int) -> str:
        """The direct URL of one replica (not through haproxy)."""
        return f"http://{HOST}:{self.ports.replicas[index]}"

    @property
    def public_url(self) -> str:
        """The URL clients use: haproxy's."""
        return f"http://{HOST}:{self.ports.public}"

    def database_url(self, database: str) -> str:
        """SQLAlchemy URL of one of the cluster's PostgreSQL databases."""
        return f"postgresql://{PG_USER}:{self.secrets['postgres']}@{HOST}:{self.ports.postgres}/{database}"


def endpoints(layout: Layout, index: int, base: Path = ROOT / "endpoints.yml") -> dict[str, Any]:
    """The project's endpoints.yml, with this replica's action server, PostgreSQL and Redis.

    Every other key (and any option of the action endpoint) is kept, so that a change to
    endpoints.yml reaches the cluster too.
    """
    data = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    action = dict(data.get("action_endpoint") or {})
    action["url"] = f"http://{HOST}:{layout.ports.actions[index]}/webhook"
    data["action_endpoint"] = action
    store = data.get("tracker_store") or {}
    data["tracker_store"] = {
        "type": store.get("type", TRACKER_STORE_TYPE),
        "dialect": "postgresql",
        "url": HOST,
        "port": layout.ports.postgres,
        "db": RASA_DB,
        "username": PG_USER,
        "password": layout.secrets["postgres"],
    }
    data["lock_store"] = {
        "type": os.environ.get("ENT_CLUSTER_LOCK_STORE", LOCK_STORE_TYPE),
        "url": HOST,
        "port": layout.ports.redis,
        "db": 0,
        "password": layout.secrets["redis"],
        "key_prefix": LOCK_KEY_PREFIX,
        "socket_timeout": 2,
    }
    return data


def write_endpoints(layout: Layout, index: int) -> Path:
    """Write var/cluster/endpoints-rN.yml (mode 600: it holds the local passwords)."""
    path = layout.root / f"endpoints-{layout.names[index]}.yml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# Generated by tools/cluster from endpoints.yml at each start: do not edit.\n")
        yaml.safe_dump(endpoints(layout, index), out, sort_keys=False, allow_unicode=True)
    return path


def haproxy_config(layout: Layout, inter_ms: int = 1000, fall: int = 2) -> str:
    """haproxy.cfg: REST hashed on the conversation id, socket.io sticky, a health check per replica."""
    servers = list(zip(layout.names, layout.ports.replicas, strict=True))
    rest = "\n".join(f"    server {name} {HOST}:{port} check" for name, port in servers)
    sticky = "\n".join(
        f"    server {name} {HOST}:{port} track rest/{name} cookie {name}" for name, port in servers
    )
    return f"""# Generated by tools/cluster at each start: do not edit.
global
    maxconn 4096
    stats socket {layout.root / "haproxy.sock"} mode 600 level admin

defaults
    mode http
    log stderr format short local0 notice
    option httplog
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout http-request 15s
    timeout tunnel 1h
    # A replica that refuses the connection or closes it without a word (killed): try another one.
    # (A replica killed after saving a turn but before answering would see that message twice.)
    retries 3
    retry-on conn-failure empty-response
    option redispatch 1
    # A dead replica refuses the health check at once: down after `fall` checks. A busy one may
    # answer late: `timeout check` keeps it in. `maxconn` queues the excess in haproxy rather
    # than in Rasa's single event loop, which keeps the replica's health check answered.
    timeout check 5s
    timeout queue 60s
    default-server inter {inter_ms}ms fastinter 500ms downinter 1s fall {fall} rise 2 maxconn {MAXCONN_PER_REPLICA}

frontend assistant
    bind {HOST}:{layout.ports.public}
    use_backend socketio if {{ path_beg /socket.io/ }}
    default_backend rest

backend rest
    # Affinity: one conversation, one replica (the open-source Redis lock races, RasaHQ/rasa#11256).
    option http-buffer-request
    http-request set-var(txn.conversation) req.body,json_query('$.sender') if {{ method POST }}
    http-request set-var(txn.conversation) path,field(3,/) if {{ path_beg /conversations/ }}
    balance hash var(txn.conversation)
    hash-type consistent
    option httpchk GET /
    http-check expect status 200
    http-response set-header X-Assistant-Replica %[srv_name]
{rest}

backend socketio
    # socket.io (long-polling then websocket) must stay on one replica: a cookie, else the source.
    balance source
    hash-type consistent
    cookie ENT_REPLICA insert indirect nocache httponly
{sticky}
"""


def redis_config(layout: Layout) -> str:
    """redis.conf: foreground, loopback only, a password, no persistence (locks are short-lived)."""
    return (
        f"bind {HOST}\nport {layout.ports.redis}\nprotected-mode yes\n"
        f"requirepass {layout.secrets['redis']}\n"
        f'save ""\nappendonly no\ndir {layout.root}\ndaemonize no\n'
    )
