"""The endpoints `make run` uses: the action server's port comes from ACTIONS_PORT."""

from __future__ import annotations

import pytest
from rasa.core.utils import read_endpoints_from_path

from bot.paths import ROOT


def test_action_server_url_follows_actions_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIONS_PORT", "5123")
    monkeypatch.setenv("ACTIONS_TOKEN", "shared-secret")
    endpoints = read_endpoints_from_path(ROOT / "endpoints.yml")
    assert endpoints.action.url == "http://127.0.0.1:5123/webhook"


def test_rasa_sends_the_action_servers_shared_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIONS_PORT", "5055")
    monkeypatch.setenv("ACTIONS_TOKEN", "shared-secret")
    endpoints = read_endpoints_from_path(ROOT / "endpoints.yml")
    assert endpoints.action.headers == {"X-Actions-Token": "shared-secret"}


def test_tracker_store_keeps_history_without_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIONS_PORT", "5055")
    monkeypatch.setenv("ACTIONS_TOKEN", "shared-secret")
    store = read_endpoints_from_path(ROOT / "endpoints.yml").tracker_store
    assert store.type == "bot.tracker_store.ScrubbingSQLTrackerStore"
    assert store.kwargs["db"] == "var/conversations.db"


def test_tracker_store_loads_long_sessions_in_part(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain

    from bot.tracker_store import ScrubbingSQLTrackerStore

    monkeypatch.setenv("ACTIONS_PORT", "5055")
    monkeypatch.setenv("ACTIONS_TOKEN", "shared-secret")
    config = read_endpoints_from_path(ROOT / "endpoints.yml").tracker_store
    config.kwargs["db"] = str(tmp_path / "conversations.db")
    store = TrackerStore.create(config, Domain.empty())
    inner = getattr(store, "_tracker_store", store)  # Rasa wraps it to catch its failures
    inner = getattr(inner, "_tracker_store", inner)
    assert isinstance(inner, ScrubbingSQLTrackerStore)
    assert inner.window_events == 60
