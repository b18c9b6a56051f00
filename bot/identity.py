"""Signed identity of the person chatting: a short HS256 token from the ENT portal."""

from __future__ import annotations

import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import jwt

from bot.paths import VAR, private_dir

logger = logging.getLogger(__name__)

SECRET_ENV = "ENT_JWT_SECRET"
SECRET_FILE = VAR / "ent-jwt-secret"
ALGORITHM = "HS256"
METADATA_KEY = "ent_token"
MAX_TOKEN_LENGTH = 4096
# A token lives 15 minutes at most (the portal refreshes it); a longer one is refused as invalid.
MAX_TOKEN_TTL_SECONDS = 15 * 60
CLOCK_SKEW_SECONDS = 30  # an `iat` this far in the future is tolerated (clocks of two servers)
ROLES = ("parent", "enseignant", "directeur", "erun", "autre")
# Roles a person may give in words ("je suis ..."); "autre" only comes from a token.
SETTABLE_ROLES = ("parent", "enseignant", "directeur")

# The one place where an ENT profile becomes a role of the assistant.
ROLE_BY_PROFILE = {
    "directeur": "directeur",
    "director": "directeur",
    "enseignant": "enseignant",
    "teacher": "enseignant",
    "parent": "parent",
    "representant_legal": "parent",
    "legal_representative": "parent",
    "famille_accueil": "parent",
    "foster_family": "parent",
    "erun": "erun",
}


@dataclass(frozen=True)
class Identity:
    """Who is chatting, as vouched for by the portal's signed token."""

    login: str
    role: str  # 'parent' | 'enseignant' | 'directeur' | 'erun' | 'autre'


@dataclass(frozen=True)
class IdentityCheck:
    """Outcome of reading the token: an identity, or the problem met."""

    identity: Identity | None
    problem: str | None  # None | 'missing' | 'invalid' | 'expired'


class MissingSecret(RuntimeError):
    """No signing secret is configured (environment or local file)."""


def role_for_profile(profile: str | None) -> str:
    """Map an ENT profile to the assistant's role ('autre' when unknown)."""
    return ROLE_BY_PROFILE.get((profile or "").strip().lower(), "autre")


def create_dev_secret(path: Path | None = None) -> bool:
    """Write a random development secret (mode 600) if absent; True if created."""
    path = path or SECRET_FILE
    if path.exists():
        return False
    if path.parent == VAR:
        private_dir(VAR)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    os.chmod(path, 0o600)
    return True


def load_secret() -> str:
    """Return the signing secret: $ENT_JWT_SECRET, else var/ent-jwt-secret."""
    value = os.environ.get(SECRET_ENV, "").strip()
    if value:
        return value
    if SECRET_FILE.exists():
        value = SECRET_FILE.read_text(encoding="utf-8").strip()
        if value:
            return value
    raise MissingSecret(f"No ENT signing secret: set {SECRET_ENV} or run `python -m tools.cli secrets`.")


def mint_token(
    login: str, role: str, ttl_seconds: int = MAX_TOKEN_TTL_SECONDS, secret: str | None = None
) -> str:
    """Sign a token for a login and a role (HS256; claims sub, role, iat, exp), 15 min at most."""
    if role not in ROLES:
        raise ValueError(f"unknown role: {role!r}")
    if not 0 < ttl_seconds <= MAX_TOKEN_TTL_SECONDS:
        raise ValueError(f"a token lives at most {MAX_TOKEN_TTL_SECONDS} s")
    now = int(time.time())
    claims = {"sub": login, "role": role, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret or load_secret(), algorithm=ALGORITHM)


def check_metadata(metadata: dict | None, secret: str | None = None) -> IdentityCheck:
    """Read and verify metadata['ent_token']; never logs the token itself."""
    token = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if token is None or (isinstance(token, str) and not token.strip()):
        return IdentityCheck(None, "missing")
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return _rejected("invalid")
    try:
        key = secret or load_secret()
    except MissingSecret:
        logger.error("ENT token received but no signing secret is configured")
        return IdentityCheck(None, "invalid")
    try:
        claims = jwt.decode(
            token.strip(),
            key,
            algorithms=[ALGORITHM],
            # iat is checked by _lifetime_ok, with a little clock skew; exp without any.
            options={"require": ["sub", "role", "iat", "exp"], "verify_iat": False},
        )
    except jwt.ExpiredSignatureError:
        return _rejected("expired")
    except jwt.PyJWTError:
        return _rejected("invalid")
    if not _lifetime_ok(claims):
        return _rejected("invalid")
    login, role = claims.get("sub"), claims.get("role")
    if not isinstance(login, str) or not login.strip() or role not in ROLES:
        return _rejected("invalid")
    return IdentityCheck(Identity(login=login.strip(), role=role), None)


def _lifetime_ok(claims: dict) -> bool:
    """Issued in the past (give or take clock skew) for 15 minutes at most."""
    issued, expires = claims.get("iat"), claims.get("exp")
    if not isinstance(issued, int | float) or not isinstance(expires, int | float):
        return False
    if isinstance(issued, bool) or isinstance(expires, bool):
        return False
    if issued > time.time() + CLOCK_SKEW_SECONDS:
        return False
    return 0 < expires - issued <= MAX_TOKEN_TTL_SECONDS


def _rejected(problem: str) -> IdentityCheck:
    """Log a rejected token (its kind only, never its content) and say why."""
    logger.warning("ENT token rejected (%s); treated as no token", problem)
    return IdentityCheck(None, problem)
