"""The signed identity: valid, forged, expired, garbled and missing tokens."""

from __future__ import annotations

import logging
import os
import stat
import time

import jwt
import pytest

from bot import identity
from bot.identity import (
    Identity,
    MissingSecret,
    check_metadata,
    create_dev_secret,
    load_secret,
    mint_token,
    role_for_profile,
)
from tests.helpers.secret import TEST_SECRET


def test_valid_token_gives_login_and_role():
    token = mint_token("directeur.papillons", "directeur", secret=TEST_SECRET)
    check = check_metadata({"ent_token": token}, secret=TEST_SECRET)
    assert check.problem is None
    assert check.identity == Identity("directeur.papillons", "directeur")


def test_token_claims_are_sub_role_iat_exp_hs256():
    token = mint_token("parent.papillons", "parent", ttl_seconds=60, secret=TEST_SECRET)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, TEST_SECRET, algorithms=["HS256"])
    assert set(claims) == {"sub", "role", "iat", "exp"}
    assert claims["exp"] - claims["iat"] == 60


@pytest.mark.parametrize("metadata", [None, {}, {"ent_token": ""}, {"ent_token": "   "}, "not a dict"])
def test_missing_token(metadata):
    check = check_metadata(metadata, secret=TEST_SECRET)
    assert check.identity is None and check.problem == "missing"


def test_forged_token_signed_with_another_secret_is_invalid(caplog):
    token = mint_token("directeur.papillons", "directeur", secret="another-secret-" + "z" * 32)
    with caplog.at_level(logging.WARNING):
        check = check_metadata({"ent_token": token}, secret=TEST_SECRET)
    assert check.identity is None and check.problem == "invalid"
    assert token not in caplog.text and "directeur.papillons" not in caplog.text


def test_role_changed_in_payload_breaks_signature():
    token = mint_token("parent.papillons", "parent", secret=TEST_SECRET)
    header, payload, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"parent"', b'"directeur"')
    ).decode()
    check = check_metadata({"ent_token": f"{header}.{forged_payload}.{signature}"}, secret=TEST_SECRET)
    assert check.identity is None and check.problem == "invalid"


def test_unsigned_alg_none_token_is_invalid():
    token = jwt.encode({"sub": "x", "role": "directeur", "iat": 1, "exp": 2**40}, key=None, algorithm="none")
    assert check_metadata({"ent_token": token}, secret=TEST_SECRET).problem == "invalid"


def test_expired_token(caplog):
    now = int(time.time())
    token = jwt.encode(
        {"sub": "parent.papillons", "role": "parent", "iat": now - 100, "exp": now - 10},
        TEST_SECRET,
        algorithm="HS256",
    )
    with caplog.at_level(logging.WARNING):
        check = check_metadata({"ent_token": token}, secret=TEST_SECRET)
    assert check.identity is None and check.problem == "expired"
    assert token not in caplog.text


@pytest.mark.parametrize("garbled", ["abc", "a.b.c", "x" * 5000, 12345, {"nested": "dict"}, "<script>.x.y"])
def test_garbled_token_is_invalid_and_not_logged(garbled, caplog):
    with caplog.at_level(logging.DEBUG):
        check = check_metadata({"ent_token": garbled}, secret=TEST_SECRET)
    assert check.identity is None and check.problem == "invalid"
    if isinstance(garbled, str) and len(garbled) > 3:
        assert garbled not in caplog.text


@pytest.mark.parametrize(
    "claims",
    [
        {"role": "directeur"},  # no sub
        {"sub": "a"},  # no role
        {"sub": "a", "role": "admin"},  # unknown role
        {"sub": "", "role": "parent"},  # empty login
    ],
)
def test_token_with_bad_claims_is_invalid(claims):
    now = int(time.time())
    token = jwt.encode({"iat": now, "exp": now + 60, **claims}, TEST_SECRET, algorithm="HS256")
    assert check_metadata({"ent_token": token}, secret=TEST_SECRET).problem == "invalid"


def test_mint_refuses_unknown_role():
    with pytest.raises(ValueError):
        mint_token("x", "superadmin", secret=TEST_SECRET)


def test_profiles_map_to_roles_in_one_place():
    assert role_for_profile("directeur") == "directeur"
    assert role_for_profile("enseignant") == "enseignant"
    for profile in ("parent", "representant_legal", "famille_accueil", "legal_representative"):
        assert role_for_profile(profile) == "parent"
    for profile in ("eleve", "personnel", "invite", None, "", "n'importe quoi"):
        assert role_for_profile(profile) == "autre"


def test_secret_from_environment_first(monkeypatch, tmp_path):
    monkeypatch.setattr(identity, "SECRET_FILE", tmp_path / "secret")
    monkeypatch.setenv("ENT_JWT_SECRET", "from-env")
    (tmp_path / "secret").write_text("from-file\n")
    assert load_secret() == "from-env"
    monkeypatch.delenv("ENT_JWT_SECRET")
    assert load_secret() == "from-file"


def test_dev_secret_is_created_once_with_mode_600(monkeypatch, tmp_path):
    path = tmp_path / "var" / "ent-jwt-secret"
    monkeypatch.setattr(identity, "SECRET_FILE", path)
    monkeypatch.delenv("ENT_JWT_SECRET", raising=False)
    with pytest.raises(MissingSecret):
        load_secret()
    assert create_dev_secret() is True
    first = path.read_text()
    assert create_dev_secret() is False and path.read_text() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(load_secret()) >= 40


def test_token_without_configured_secret_is_invalid(monkeypatch, tmp_path):
    monkeypatch.setattr(identity, "SECRET_FILE", tmp_path / "absent")
    monkeypatch.delenv("ENT_JWT_SECRET", raising=False)
    token = mint_token("a", "parent", secret=TEST_SECRET)
    assert check_metadata({"ent_token": token}).problem == "invalid"


# --- lifetime: 15 minutes at most, issued in the past ---------------------------------
def _signed(iat: float, exp: float) -> str:
    return jwt.encode(
        {"sub": "directeur.papillons", "role": "directeur", "iat": iat, "exp": exp}, TEST_SECRET
    )


@pytest.mark.parametrize(
    "iat_offset, lifetime",
    [
        (0, 10 * 365 * 24 * 3600),  # the ten-year token of the issue
        (0, 8 * 3600),  # the former default lifetime
        (-60, 15 * 60 + 1),  # one second over the cap
        (3600, 600),  # issued an hour in the future
    ],
)
def test_tokens_living_longer_than_the_cap_or_issued_in_the_future_are_invalid(iat_offset, lifetime, caplog):
    now = int(time.time())
    token = _signed(now + iat_offset, now + iat_offset + lifetime)
    with caplog.at_level(logging.WARNING):
        check = check_metadata({"ent_token": token}, secret=TEST_SECRET)
    assert check.identity is None and check.problem == "invalid"
    assert token not in caplog.text


def test_a_token_of_exactly_fifteen_minutes_with_a_little_clock_skew_is_valid():
    now = int(time.time())
    assert (
        check_metadata({"ent_token": _signed(now + 10, now + 10 + 900)}, secret=TEST_SECRET).problem is None
    )


def test_tokens_are_minted_for_fifteen_minutes_at_most():
    claims = jwt.decode(mint_token("a", "parent", secret=TEST_SECRET), TEST_SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == identity.MAX_TOKEN_TTL_SECONDS == 900
    with pytest.raises(ValueError):
        mint_token("a", "parent", ttl_seconds=8 * 3600, secret=TEST_SECRET)
