"""Data at rest: var/ is 700 and what the code creates there (databases, secrets) is 600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from bot import identity
from bot.ent.db import make_engine
from bot.paths import private_dir, private_file, tighten


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_private_dir_is_created_700_and_an_open_one_is_closed(tmp_path):
    created = private_dir(tmp_path / "var")
    assert mode(created) == 0o700
    os.chmod(created, 0o755)
    private_dir(created)
    assert mode(created) == 0o700


def test_private_file_is_created_600_whatever_the_umask_and_an_open_one_is_closed(tmp_path):
    old = os.umask(0o022)
    try:
        path = private_file(tmp_path / "log.txt")
        assert mode(path) == 0o600
        path.write_text("contenu\n")
        os.chmod(path, 0o644)
        private_file(path)
        assert mode(path) == 0o600 and path.read_text() == "contenu\n"  # kept, only tightened
    finally:
        os.umask(old)


def test_the_ent_sqlite_database_is_created_600(tmp_path):
    old = os.umask(0o022)
    try:
        database = tmp_path / "data" / "ent.db"
        engine = make_engine(f"sqlite:///{database}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        engine.dispose()
        assert mode(database) == 0o600
    finally:
        os.umask(old)


def test_an_existing_open_database_is_tightened_when_opened(tmp_path):
    database = tmp_path / "ent.db"
    database.touch()
    os.chmod(database, 0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600


def test_tighten_closes_sqlite_companion_files(tmp_path):
    database = tmp_path / "conversations.db"
    for path in (database, tmp_path / "conversations.db-journal", tmp_path / "conversations.db-wal"):
        path.touch()
        os.chmod(path, 0o644)
    tighten(database)
    tighten(tmp_path / "absent.db")  # nothing to do, no error
    assert {mode(p) for p in tmp_path.iterdir()} == {0o600}


def test_the_dev_secret_goes_into_a_private_var(monkeypatch, tmp_path):
    var = tmp_path / "var"
    monkeypatch.setattr(identity, "VAR", var)
    old = os.umask(0o022)
    try:
        assert identity.create_dev_secret(var / "ent-jwt-secret") is True
    finally:
        os.umask(old)
    assert mode(var) == 0o700 and mode(var / "ent-jwt-secret") == 0o600
