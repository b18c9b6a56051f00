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
