"""haproxy (Debian's) accepts the cluster's generated haproxy.cfg (`haproxy -c`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tools.cluster.config import Layout, Ports, haproxy_config

pytestmark = pytest.mark.skipif(shutil.which("haproxy") is None, reason="needs haproxy")


def test_haproxy_accepts_the_generated_config(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "cluster", Ports.allocate(15005, 2, None))
    layout.prepare()
    path = layout.root / "haproxy.cfg"
    path.write_text(haproxy_config(layout))
    check = subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
