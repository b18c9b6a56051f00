"""Command line: `python -m tools.cli db init|seed|reset`, `secrets`, `token LOGIN`."""

from __future__ import annotations

import argparse
import sys

from bot.ent.db import database_url, make_engine, make_session_factory, session_scope
from bot.ent.errors import BackendUnavailable
from bot.ent.models import Base
from bot.ent.seed import init_db, is_empty, reset_db, seed
from bot.ent.service import EntService
from bot.identity import MAX_TOKEN_TTL_SECONDS, SECRET_FILE, create_dev_secret, load_secret, mint_token


def _safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_db(action: str) -> int:
    """Create and seed (init), seed an empty database (seed), or start again (reset)."""
    url = database_url()
    engine = make_engine(url)
    try:
        if action == "init":
            seeded = init_db(engine)
            print(f"ENT backend ready ({'created and seeded' if seeded else 'already there'}).")
        elif action == "seed":
            Base.metadata.create_all(engine)
            with session_scope(make_session_factory(engine)) as session:
                if not is_empty(session):
                    print("The database already holds data: use `db reset` to start again.")
                    return 1
                seed(session)
            print("ENT backend seeded.")
        elif action == "reset":
            reset_db(engine)
            print("ENT backend reset and seeded.")
    except Exception as error:  # noqa: BLE001 - a clear message, not a traceback
        print(f"Database {_safe_url(url)} unavailable: {type(error).__name__}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


def cmd_secrets() -> int:
    """Create the development signing secret if there is none."""
    created = create_dev_secret()
    print(f"Development secret {'created' if created else 'already present'}: {SECRET_FILE}")
    return 0


def cmd_token(login: str, ttl: int) -> int:
    """Print a valid token for a seeded login (development only)."""
    print("Development only: a token signed with the local secret.", file=sys.stderr)
    try:
        role = EntService().role_of(login)
    except BackendUnavailable:
        print("The ENT backend is unavailable: run `python -m tools.cli db init`.", file=sys.stderr)
        return 2
    if role is None:
        print(f"Unknown login: {login} (see docs/demo-logins.md).", file=sys.stderr)
        return 1
    create_dev_secret()
    print(mint_token(login, role, ttl_seconds=ttl, secret=load_secret()))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m tools.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    db = commands.add_parser("db", help="create, seed or reset the mock ENT database")
    db.add_argument("action", choices=("init", "seed", "reset"))
    commands.add_parser("secrets", help="create the development signing secret if absent")
    token = commands.add_parser("token", help="print a token for a demo login (development)")
    token.add_argument("login")
    token.add_argument(
        "--ttl",
        type=int,
        default=MAX_TOKEN_TTL_SECONDS,
        choices=range(1, MAX_TOKEN_TTL_SECONDS + 1),
        metavar=f"1..{MAX_TOKEN_TTL_SECONDS}",
        help="lifetime in seconds (15 minutes at most)",
    )
    args = parser.parse_args(argv)
    if args.command == "db":
        return cmd_db(args.action)
    if args.command == "secrets":
        return cmd_secrets()
    return cmd_token(args.login, args.ttl)


if __name__ == "__main__":
    sys.exit(main())
