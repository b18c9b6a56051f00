"""Launchers and hygiene without a model: logs, secrets, input checks, bounded action calls."""

from __future__ import annotations

import asyncio
import logging
import stat
from pathlib import Path
from typing import ClassVar

import pytest

from bot import local_secrets, resilience
from bot.action_server import SharedSecretPlugin
from bot.channels import clean_text, valid_payload
from bot.log_hygiene import MASK, ScrubFilter, scrub_line, structlog_redactor
from bot.rasa_quiet import expand_auth_token_file
from tests.action_helper import domain_responses, said
from tools.run import commands, ports

TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkaXJlY3RldXIifQ.aGVsbG8td29ybGQtc2lnbmF0dXJl"


# --- logs ---------------------------------------------------------------------------
def test_structlog_fields_with_words_or_ids_are_blanked() -> None:
    event = structlog_redactor(
        None,
        "error",
        {"event": "rest.message.received.failure", "text": "je suis Mme Dupont", "sender_id": "abc", "n": 3},
    )
    assert event == {"event": "rest.message.received.failure", "text": MASK, "sender_id": MASK, "n": 3}


def test_tokens_and_sql_parameters_are_masked_in_standard_records() -> None:
    error = (
        "(sqlite3.OperationalError) no such table: events\n[SQL: INSERT INTO events VALUES (?, ?)]\n"
        "[parameters: ('sender-42', 'je suis Mme Dupont')]\n(Background on this error at: https://sqlalche.me)"
    )
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed: %s with %s", (error, TOKEN), None)
    ScrubFilter().filter(record)
    message = record.getMessage()
    assert "Dupont" not in message and "sender-42" not in message and TOKEN[:20] not in message
    assert "no such table: events" in message


def test_a_raw_line_loses_tokens_and_api_tokens_in_urls() -> None:
    line = scrub_line(f'GET /conversations/x/tracker?token=s3cret&a=1 {{"ent_token": "{TOKEN}"}}')
    assert "s3cret" not in line and TOKEN[:20] not in line and "a=1" in line


# --- secrets and command lines -----------------------------------------------------------
def test_secrets_are_created_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret"
    first = local_secrets.read_or_create(path)
    assert len(first) >= 32 and local_secrets.read_or_create(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_no_secret_on_any_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIONS_TOKEN", "the-actions-secret")
    api = local_secrets.api_token()
    for command in commands(ports()).values():
        assert api not in command and "the-actions-secret" not in command
        assert "--auth-token" not in command


def test_the_launcher_reads_the_api_token_from_its_file(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("tok-123\n")
    assert expand_auth_token_file(["run", "--auth-token-file", str(path), "--port", "1"]) == [
        "run",
        "--auth-token",
        "tok-123",
        "--port",
        "1",
    ]
    assert expand_auth_token_file([f"--auth-token-file={path}"]) == ["--auth-token", "tok-123"]


def test_the_action_server_wants_the_shared_secret() -> None:
    plugin = SharedSecretPlugin("s3cret")
    assert plugin.allowed("/health", None)
    assert plugin.allowed("/webhook", "s3cret")
    assert not plugin.allowed("/webhook", None)
    assert not plugin.allowed("/webhook", "s3cre")
    assert not plugin.allowed("/actions", "wrong")
    with pytest.raises(ValueError):
        SharedSecretPlugin("")


# --- REST input ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  bonjour  ", "bonjour"),
        ("bon\u202ejour\u202c", "bonjour"),
        ("\x00\x1b[31mrouge\x7f", "[31mrouge"),
        ("\u2066isolé\u2069", "isolé"),
        ("e\u0301le\u0300ve", "élève"),
        ("ligne 1\nligne 2\tfin", "ligne 1\nligne 2 fin"),
        ("a\ud800b", "ab"),
    ],
)
def test_control_and_bidi_characters_are_removed(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("payload", "allowed"),
    [
        ('/inform_role{"role":"parent"}', True),
        ("/greet", True),
        ("/faq", False),  # retrieval intent: Rasa's retrieval action raises KeyError
        ("/unknown_intent", False),
        ('/greet{"bad json', False),
        ('/greet{"a": {"b": 1}}', False),
        ("/greet[1]", False),
        ("/", False),
    ],
)
def test_only_known_simple_intent_payloads_pass(payload: str, allowed: bool) -> None:
    assert valid_payload(payload, {"greet", "inform_role", "faq"}, {"faq"}) is allowed


# --- bounded calls to the action server ----------------------------------------------------
class _Domain:
    slots: ClassVar[list] = []
    responses: ClassVar[dict] = domain_responses()


def test_fallback_texts_by_kind_of_action() -> None:
    class Slot:
        mappings: ClassVar[list] = [{"type": "custom", "action": "action_identify"}]

    domain = _Domain()
    domain.slots = [Slot()]
    assert resilience.fallback_response("action_identify", domain) is None
    assert resilience.fallback_response("action_live_gar_group", domain) == "utter_live_unavailable"
    assert resilience.fallback_response("validate_live_class_form", domain) == "utter_live_unavailable"
    assert resilience.fallback_response("action_did_you_mean", domain) == "utter_not_understood"
    generic = resilience.fallback_response("action_set_role", domain)
    assert "pour le moment" in (resilience.response_text(domain, generic or "") or "")


def test_a_failed_action_says_its_text_once_a_turn_then_listens() -> None:
    from rasa.shared.core.events import BotUttered, FollowupAction

    turn = resilience.Turn(deadline=0.0)
    first = resilience.failure_events("action_live_gar_group", _Domain(), turn)
    assert [type(e) for e in first] == [BotUttered, FollowupAction]
    assert first[0].text == said("utter_live_unavailable") and first[1].action_name == "action_listen"
    again = resilience.failure_events("action_live_class_pupils", _Domain(), turn)
    assert [type(e) for e in again] == [FollowupAction], "the same polite text is not said twice in a turn"
    fallback = resilience.failure_events("action_default_fallback", _Domain(), turn)
    assert fallback[0].text == said("utter_not_understood") and fallback[-1].action_name == "action_listen"


def test_a_failed_form_validation_ends_the_form() -> None:
    from rasa.shared.core.events import BotUttered, SlotSet

    events = resilience.failure_events("validate_live_class_form", _Domain(), resilience.Turn(deadline=0.0))
    assert isinstance(events[0], BotUttered) and events[0].text == said("utter_live_unavailable")
    assert events[1:] == [SlotSet("requested_slot", None)]


def test_the_polite_text_is_the_actions_own() -> None:
    """The Rasa process says the very responses the actions send (one text in domain.yml)."""
    from actions.live import PROBLEM_TEXTS

    assert resilience.UNAVAILABLE == PROBLEM_TEXTS["unavailable"] == "utter_live_unavailable"
    assert "Je n'arrive pas à consulter l'ENT" in said(resilience.UNAVAILABLE)
    assert said(resilience.REPHRASE) == "Je n'ai pas bien compris. Pouvez-vous reformuler votre question ?"


def test_a_response_missing_from_the_domain_says_nothing_but_listens() -> None:
    class Empty:
        slots: ClassVar[list] = []
        responses: ClassVar[dict] = {}

    events = resilience.failure_events("action_live_gar_group", Empty(), None)
    assert [e.action_name for e in events] == ["action_listen"]


def test_a_hung_action_server_costs_one_bounded_wait_then_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """RemoteAction.run, bounded: the first call times out, the next ones are skipped at once."""
    import time

    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import BotUttered

    monkeypatch.setenv(resilience.ACTIONS_TIMEOUT_ENV, "0.3")
    monkeypatch.setattr(resilience, "breaker", resilience.Breaker(seconds=5))
    calls: list[str] = []

    async def hang(self, *args):
        calls.append(self.name())
        await asyncio.sleep(30)

    monkeypatch.setattr(RemoteAction, "run", hang)
    resilience.install()

    class Tracker:
        sender_id = "s"

    async def scenario() -> tuple[list, list, float]:
        started = time.monotonic()
        first = await RemoteAction("action_live_gar_group", None).run(None, None, Tracker(), _Domain())
        second = await RemoteAction("action_live_cleanup", None).run(None, None, Tracker(), _Domain())
        return first, second, time.monotonic() - started

    first, second, seconds = asyncio.run(scenario())
    assert calls == ["action_live_gar_group"], "the breaker skips the second call"
    assert isinstance(first[0], BotUttered) and first[0].text == said("utter_live_unavailable")
    assert second[0].text == said("utter_live_unavailable")
    assert seconds < 5
