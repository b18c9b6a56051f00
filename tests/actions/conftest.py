"""Fixtures shared by the live-action tests: one seeded demo backend per module."""

from __future__ import annotations

import pytest

from bot.ent.service import EntService
from tests.helpers.live import demo_service, live_backend


@pytest.fixture(scope="module")
def backend() -> EntService:
    return demo_service()


@pytest.fixture(autouse=True)
def live(backend: EntService):
    with live_backend(backend) as service:
        yield service
