"""The plumbing of EntService: one session and one transaction per request, storage errors hidden."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.ent import models as m
from bot.ent import reads
from bot.ent.db import session_factory, session_scope
from bot.ent.errors import AlreadyRecorded, BackendUnavailable, NotAllowed
from bot.identity import role_for_profile

T = TypeVar("T")
S = TypeVar("S", bound="ServiceCore")


class ServiceCore:
    """Runs each request in its own transaction; the health check and the development tooling."""

    def __init__(self, factory: sessionmaker | None = None) -> None:
        self._factory = factory

    @classmethod
    def from_url(cls: type[S], url: str) -> S:
        """A service on a given database URL."""
        return cls(session_factory(url))

    # --- plumbing ---------------------------------------------------------
    def _run(self, work: Callable[[Session], T]) -> T:
        """Run one request in its own session; storage errors become BackendUnavailable."""
        try:
            factory = self._factory or session_factory()
            with session_scope(factory) as session:
                return work(session)
        except (NotAllowed, AlreadyRecorded):
            raise
        except (SQLAlchemyError, OSError) as error:
            raise BackendUnavailable() from error

    # --- tooling ----------------------------------------------------------
    def ping(self) -> None:
        """Raise BackendUnavailable unless the database answers with its tables (health check)."""
        self._run(lambda session: session.execute(select(m.School.id).limit(1)).all())

    def known_names(self) -> set[str]:
        """First and last names of the people of the ENT: masked wherever they appear in a text."""
        return self._run(reads.known_names)

    def role_of(self, login: str) -> str | None:
        """The assistant role of a login (development tooling), None if unknown."""

        def work(session: Session) -> str | None:
            profile = session.execute(
                select(m.Person.profile)
                .join(m.Account, m.Account.person_id == m.Person.id)
                .where(m.Account.login == login)
            ).scalar()
            return role_for_profile(profile) if profile else None

        return self._run(work)
