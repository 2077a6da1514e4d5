"""Architecture rules that code review alone would let slip.

- ``briefings/`` (the domain core) never imports ``discord`` or ``bot`` and never reads the
  clock: time is always passed in. The CLI (``briefings/cli/``) is an entry point on top of
  the core, not part of it: it may read the clock and print, and the core never imports it.
- Every module of the project has a docstring saying what it is for.
- Nothing outside the CLI and scripts calls ``print``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "briefings" / "cli"
# The CLI and ``python -m briefings`` (briefings/__main__.py, which only runs it) are entry points.
CLI_MODULES = [*sorted(CLI.rglob("*.py")), ROOT / "briefings" / "__main__.py"]
CORE = sorted(set((ROOT / "briefings").rglob("*.py")) - set(CLI_MODULES))
ADAPTER = sorted((ROOT / "bot").rglob("*.py"))
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_modules(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_never_imports_discord_or_the_adapter(path: Path) -> None:
    for module in _imported_modules(_tree(path)):
        top = module.split(".")[0]
        assert top not in {"discord", "bot", "apscheduler", "sqlalchemy", "aiohttp"}, (
            f"{path} imports {module}"
        )
        assert module != "briefings.cli" and not module.startswith("briefings.cli."), (
            f"{path} imports the CLI ({module}): the core is below it"
        )


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_never_reads_the_clock(path: Path) -> None:
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if node.func.attr in CLOCK_CALLS and owner_name in {"datetime", "date", "time"}:
                pytest.fail(f"{path}:{node.lineno} reads the clock ({owner_name}.{node.func.attr})")


def test_the_rule_itself_catches_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import discord.ext\nfrom datetime import datetime\n", encoding="utf-8")
    assert "discord.ext" in _imported_modules(_tree(sample))


@pytest.mark.parametrize(
    "path", CORE + CLI_MODULES + ADAPTER, ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_module_has_a_docstring(path: Path) -> None:
    tree = _tree(path)
    if path.name == "__init__.py" and not tree.body:
        return
    assert ast.get_docstring(tree), f"{path} has no module docstring"


@pytest.mark.parametrize("path", CORE + ADAPTER, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_print_outside_the_cli(path: Path) -> None:
    for node in ast.walk(_tree(path)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "print"
        ):
            pytest.fail(f"{path}:{node.lineno} calls print")
