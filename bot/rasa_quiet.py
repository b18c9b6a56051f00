"""Run the `rasa` command quietly, safely and with bounded waits (the launcher of `make run`).

Usage: python -m bot.rasa_quiet run ... (same arguments as `rasa`), plus:
  --auth-token-file PATH  read the HTTP API token from PATH (mode 600) instead of
                          `--auth-token TOKEN`, which every local user sees in `ps`.
Before Rasa starts, it:
- puts "ignore" back in front of the DeprecationWarning filters (Sanic's import
  installs a filter that shows each one once, overriding PYTHONWARNINGS);
- bounds the calls to the action server and answers politely when they fail, and
  notices conversation store failures (bot/resilience.py);
- checks the action server's replies with a validator built once (bot/action_results.py);
- keeps message texts, sender ids and tokens out of the logs (bot/log_hygiene.py);
- gives Rasa the action server's shared secret (ACTIONS_TOKEN, read by endpoints.yml;
  taken from var/actions-token when not in the environment);
- answers `/` without Rasa's version and hides `/version`.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

import sanic  # (imported first so that its warning filter can be overridden)

from bot.local_secrets import ACTIONS_TOKEN_ENV, actions_token

AUTH_TOKEN_FILE_OPTION = "--auth-token-file"
MAX_REQUEST_BYTES = 1024 * 1024  # Sanic's default is 100 MB; the REST channel takes 64 KB


def expand_auth_token_file(argv: list[str]) -> list[str]:
    """`--auth-token-file PATH` becomes `--auth-token TOKEN`, in this process only."""
    out: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == AUTH_TOKEN_FILE_OPTION or arg.startswith(AUTH_TOKEN_FILE_OPTION + "="):
            path = arg.split("=", 1)[1] if "=" in arg else next(args, "")
            token = Path(path).read_text().strip()
            if not token:
                raise SystemExit(f"{path} est vide : aucun jeton pour l'API de Rasa.")
            out += ["--auth-token", token]
        else:
            out.append(arg)
    return out


def hide_version() -> None:
    """Rasa's `/` says its version and `/version` details it: answer neither."""
    from rasa import server

    if getattr(server.create_app, "_hides_version", False):
        return
    create_app = server.create_app

    def create_app_without_version(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)

        @app.middleware("request")
        async def no_version(request: sanic.Request) -> sanic.HTTPResponse | None:
            if request.path == "/version":
                return sanic.response.json({"error": "not found"}, status=404)
            if request.path == "/" and request.method == "GET":
                return sanic.response.text("ok")
            return None

        return app

    create_app_without_version._hides_version = True  # type: ignore[attr-defined]
    server.create_app = create_app_without_version


def quiet_logs() -> None:
    """Install the log hygiene right after Rasa configures its logging."""
    import rasa.__main__ as rasa_main

    from bot.log_hygiene import install_logging_filter, install_structlog

    configure = rasa_main.configure_structlog

    def configure_then_scrub(*args: Any, **kwargs: Any) -> None:
        configure(*args, **kwargs)
        install_structlog()
        install_logging_filter()

    rasa_main.configure_structlog = configure_then_scrub
    install_logging_filter()


def main() -> None:
    """Run Rasa's command line with the hardening and the log hygiene installed."""
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
    warnings.filterwarnings("ignore", module=r"matplotlib\.")  # pyparsing API renames
    argv = expand_auth_token_file(sys.argv[1:])
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES))
    if not os.environ.get(ACTIONS_TOKEN_ENV):
        os.environ[ACTIONS_TOKEN_ENV] = actions_token()
    from rasa.__main__ import main as rasa_main

    from bot import action_results, resilience

    resilience.install()
    action_results.install()
    hide_version()
    quiet_logs()
    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
