"""The cluster's generated files: endpoints per replica, haproxy.cfg, redis.conf."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tools.cluster.config import (
    LOCK_STORE_TYPE,
    TRACKER_STORE_TYPE,
    Layout,
    Ports,
    endpoints,
    haproxy_config,
    redis_config,
)


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    layout = Layout(tmp_path / "cluster", Ports.allocate(15005, 2, None))
    layout.prepare()
    return layout


def test_endpoints_keep_the_project_keys_and_point_each_replica_at_its_own_action_server(
    layout: Layout, tmp_path: Path
) -> None:
    base = tmp_path / "endpoints.yml"
    base.write_text(
        "action_endpoint:\n  url: http://127.0.0.1:${ACTIONS_PORT}/webhook\n  timeout: 5\n"
        "tracker_store:\n  type: bot.tracker_store.ScrubbingSQLTrackerStore\n  dialect: sqlite\n"
        "event_broker:\n  type: pika\n"
    )
    first, second = endpoints(layout, 0, base), endpoints(layout, 1, base)
    assert first["action_endpoint"] == {
        "url": f"http://127.0.0.1:{layout.ports.actions[0]}/webhook",
        "timeout": 5,
    }
    assert second["action_endpoint"]["url"].endswith(f":{layout.ports.actions[1]}/webhook")
    assert first["event_broker"] == {"type": "pika"}
    store = first["tracker_store"]
    assert store["type"] == TRACKER_STORE_TYPE and store["dialect"] == "postgresql"
    assert store["port"] == layout.ports.postgres and store["password"] == layout.secrets["postgres"]
    assert (
        first["lock_store"]["type"] == LOCK_STORE_TYPE and first["lock_store"]["port"] == layout.ports.redis
    )


def test_the_project_endpoints_file_gives_the_scrubbing_store(layout: Layout) -> None:
    data = endpoints(layout, 0)
    assert data["tracker_store"]["type"] == TRACKER_STORE_TYPE
    assert yaml.safe_load(yaml.safe_dump(data)) == data


def test_secrets_are_private_and_stable(layout: Layout) -> None:
    path = layout.root / "secrets.json"
    assert path.stat().st_mode & 0o077 == 0
    again = Layout(layout.root, layout.ports)
    again.prepare()
    assert again.secrets == layout.secrets


def test_haproxy_hashes_rest_on_the_sender_and_checks_every_replica(layout: Layout) -> None:
    config = haproxy_config(layout)
    assert "json_query('$.sender')" in config and "hash-type consistent" in config
    assert f"bind 127.0.0.1:{layout.ports.public}" in config
    for name, port in zip(layout.names, layout.ports.replicas, strict=True):
        assert f"server {name} 127.0.0.1:{port} check" in config
    assert "inter 1000ms" in config and "fall 2" in config  # down within about 2 s


def test_redis_listens_on_loopback_with_a_password_and_keeps_nothing(layout: Layout) -> None:
    config = redis_config(layout)
    assert "bind 127.0.0.1\n" in config and f"requirepass {layout.secrets['redis']}" in config
    assert 'save ""' in config and "appendonly no" in config
