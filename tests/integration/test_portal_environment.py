"""The portal's own environment (.venv-portal, `make portal-deps`) runs the portal on a current aiohttp."""

from __future__ import annotations

import os
import subprocess

import pytest

from bot.paths import PORTAL_VENV, ROOT, portal_python

MIN_AIOHTTP = (3, 13, 3)  # the advisories listed in docs/security.md are fixed from there on


def test_the_portal_environment_imports_the_portal_with_a_current_aiohttp():
    if not (PORTAL_VENV / "bin" / "python").exists():
        if os.environ.get("CI"):
            pytest.fail("the portal's environment is missing: `make portal-deps` builds it")
        pytest.skip("no .venv-portal: run `make portal-deps`")
    result = subprocess.run(
        [portal_python(), "-c", "import aiohttp, portal.server; print(aiohttp.__version__)"],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    version = tuple(int(part) for part in result.stdout.strip().split(".")[:3])
    assert version >= MIN_AIOHTTP


def test_requirements_portal_pins_every_package():
    lines = [
        line.strip()
        for line in (ROOT / "requirements-portal.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines and all("==" in line for line in lines)
    assert any(line.startswith("aiohttp==3.14.") for line in lines)
