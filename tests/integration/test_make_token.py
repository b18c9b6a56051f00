"""`make token` prints a valid token and nothing else (README: TOKEN=$(make -s token LOGIN=...))."""

from __future__ import annotations

import subprocess

from bot.identity import check_metadata
from bot.paths import ROOT
from tests.helpers.secret import TEST_SECRET


def test_make_token_prints_only_a_valid_token(ent_env: dict[str, str]) -> None:
    result = subprocess.run(
        ["make", "-s", "token", "LOGIN=directeur.papillons"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    token = result.stdout.strip()
    assert "\n" not in token and token.count(".") == 2
    check = check_metadata({"ent_token": token}, secret=TEST_SECRET)
    assert check.identity is not None and check.identity.login == "directeur.papillons"
    assert check.identity.role == "directeur"
