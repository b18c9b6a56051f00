"""Fixtures of the portal's unit tests: the scripted fake Rasa, in this process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from tests.helpers.fake_rasa import RASA_TOKEN
from tests.helpers.fake_rasa import make_app as make_fake_rasa


@pytest.fixture
async def fake_rasa() -> AsyncIterator[TestServer]:
    """The fake Rasa server on a free loopback port, answering to RASA_TOKEN."""
    server = TestServer(make_fake_rasa(RASA_TOKEN))
    await server.start_server()
    yield server
    await server.close()
