"""Runtime vs tools: what Rasa, the action server and the portal import never reaches tools/."""

import ast
from pathlib import Path

from bot.paths import ROOT

RUNTIME = ("bot", "actions", "portal")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_runtime_code_never_imports_tools():
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in imported_modules(path) if n.split(".")[0] == "tools")
        for package in RUNTIME
        for path in sorted((ROOT / package).rglob("*.py"))
        if "node_modules" not in path.parts
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_layout_check_sees_an_import_of_tools(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from tools.measure import report\nimport tools.run\n", encoding="utf-8")
    assert imported_modules(sample) == {"tools.measure", "tools.run"}
