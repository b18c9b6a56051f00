"""The errors of the mock ENT backend: what a caller may be told, never why in detail."""

from __future__ import annotations


class NotAllowed(Exception):
    """The viewer may not see this (carries no detail on purpose)."""

    def __init__(self) -> None:
        super().__init__("")


class AccountRefused(NotAllowed):
    """The account may not be used now: never activated, or its access blocked in bulk."""


class AlreadyRecorded(Exception):
    """This feedback ticket was already used (a vote is stored once)."""


class TooManyOpen(NotAllowed):
    """The person already has the most open hand-off requests allowed (5)."""


class BackendUnavailable(Exception):
    """The backend could not be reached or failed (carries no detail)."""

    def __init__(self) -> None:
        super().__init__("")
