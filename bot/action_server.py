"""Start the action server (`rasa run actions`) with a shared secret and clean logs.

Usage: python -m bot.action_server --actions actions --port 5055 (rasa_sdk's arguments).
The action server runs any action for whoever calls it, with no trace in the
conversation: every request but `/health` must carry the secret shared with Rasa in
the X-Actions-Token header (ACTIONS_TOKEN, else var/actions-token; Rasa sends it from
endpoints.yml). The check is added through rasa_sdk's own plugin hook
(`attach_sanic_app_extensions`), so rasa_sdk's server is otherwise unchanged.
"""

from __future__ import annotations

import hmac
import logging
import warnings

import pluggy
from sanic import HTTPResponse, Request, Sanic, response

from bot.local_secrets import ACTIONS_TOKEN_HEADER, actions_token

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")
OPEN_PATHS = frozenset({"/health"})


class SharedSecretPlugin:
    """rasa_sdk plugin: refuse requests without the shared secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the action server's shared secret is empty")
        self.secret = secret.encode()

    def allowed(self, path: str, presented: str | None) -> bool:
        """Whether a request to `path` presenting `presented` may go on."""
        if path in OPEN_PATHS:
            return True
        return presented is not None and hmac.compare_digest(presented.encode(), self.secret)

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        """Refuse every request that does not carry the shared secret."""

        @app.middleware("request")
        async def check_secret(request: Request) -> HTTPResponse | None:
            if not self.allowed(request.path, request.headers.get(ACTIONS_TOKEN_HEADER)):
                logger.warning("Action server: request to %s refused (no valid shared secret)", request.path)
                return response.json({"error": "unauthorized"}, status=401)
            return None


def main() -> None:
    """rasa_sdk's `main`, with the shared secret and the log filter installed."""
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_argument_parser, run
    from rasa_sdk.plugin import plugin_manager

    from bot.log_hygiene import install_logging_filter

    args = create_argument_parser().parse_args()
    plugin_manager().register(SharedSecretPlugin(actions_token()))
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    install_logging_filter()  # after the handlers exist
    run(
        args.actions,
        args.port,
        args.cors,
        args.ssl_certificate,
        args.ssl_keyfile,
        args.ssl_password,
        args.auto_reload,
    )


if __name__ == "__main__":
    main()
