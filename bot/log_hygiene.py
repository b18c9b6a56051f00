"""Keep message texts, conversation ids and tokens out of every log line.

Installed by the launchers (bot/rasa_quiet.py, bot/action_server.py) in the processes
they start, and applied once more, line by line, by the supervisor to what it writes
to var/log/. Three layers:
- a structlog processor that blanks the fields Rasa fills with what people typed or
  who they are (`text`, `sender_id`, `metadata`...), and renders tracebacks without
  their local variables (Rasa's JSON logs show them by default);
- a logging filter that masks signed tokens and SQL parameters in standard records;
- `scrub_line`, the same masking for a raw line of output.
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "[masqué]"
# Fields of Rasa's structured log events that hold a person's words, identity or the
# conversation state (superset of rasa.utils.log_utils._anonymizer's list).
SENSITIVE_KEYS = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
        "sender_id",
        "conversation_id",
        "metadata",
        "tracker",
        "events",
        "ent_token",
        "body",
        "request_body",
    }
)
# A JWT (header.payload.signature, base64url), as the portal's `ent_token`.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*")
# SQLAlchemy error messages quote the statement's parameters (message texts, ids).
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(\n|\(Background|$))", re.DOTALL)
# Rasa's HTTP API token travels as ?token=... in URLs.
_URL_TOKEN = re.compile(r"([?&]token=)[^&\s\"']+")


def scrub_text(text: str) -> str:
    """`text` with tokens and SQL parameters masked."""
    text = _JWT.sub(MASK, text)
    text = _SQL_PARAMETERS.sub(f"[parameters: {MASK}]", text)
    return _URL_TOKEN.sub(rf"\1{MASK}", text)


def scrub_line(line: str) -> str:
    """A raw line of a child's output, masked (the supervisor's last line of defence)."""
    return scrub_text(line)


def structlog_redactor(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: blank the sensitive fields, mask tokens in the others."""
    for key in list(event_dict):
        value = event_dict[key]
        if key in SENSITIVE_KEYS and value not in (None, "", [], {}):
            event_dict[key] = MASK
        elif isinstance(value, str):
            event_dict[key] = scrub_text(value)
    return event_dict


class ScrubFilter(logging.Filter):
    """logging filter: mask tokens and SQL parameters in the message and the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message without tokens or personal data; never drop it."""
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is still logged
            message = str(record.msg)
        record.msg, record.args = scrub_text(message), None
        if record.exc_info and record.exc_info[1] is not None:
            formatter = logging.Formatter()
            record.exc_text = scrub_text(formatter.formatException(record.exc_info))
            record.exc_info = None
        return True


def install_logging_filter() -> None:
    """Add the ScrubFilter to the root logger's handlers (and to new ones via the root)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, ScrubFilter) for f in handler.filters):
            handler.addFilter(ScrubFilter())


def install_structlog() -> None:
    """Put the redactor first in structlog's chain and drop local variables from tracebacks."""
    import structlog
    from structlog.processors import ExceptionRenderer
    from structlog.tracebacks import ExceptionDictTransformer

    config = structlog.get_config()
    processors = [p for p in config["processors"] if p is not structlog_redactor]
    out: list[Any] = [structlog_redactor]
    for processor in processors:
        if processor is structlog.processors.dict_tracebacks:
            out.append(ExceptionRenderer(ExceptionDictTransformer(show_locals=False)))
        else:
            if isinstance(processor, structlog.dev.ConsoleRenderer):  # rich tracebacks show locals
                processor._exception_formatter = structlog.dev.plain_traceback

            out.append(processor)
    structlog.configure(processors=out)
