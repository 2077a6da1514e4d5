"""Architecture rules that code review alone would let slip.

- ``briefings/`` (the domain core) never imports ``discord`` or ``bot`` and never reads the
  clock: time is always passed in. The CLI (``briefings/cli/``) is an entry point on top of
  the core, not part of it: it may read the clock and print, and the core never imports it.
- Every module of the project has a docstring saying what it is for.
- Nothing outside the CLI and scripts calls ``print``.
- The import graph of ``briefings/`` and ``bot/`` has no cycle, and no module uses another
  module's private names (see the tests below for exactly what counts).
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


# --- the import graph -------------------------------------------------------------------------
#
# What counts as an import: every ``import``/``from … import`` statement anywhere in a module
# (at the top, inside functions, and under ``if TYPE_CHECKING:``). Imports only for type
# checkers count too: they never run, but two modules that name each other's types are one
# unit split in two files, which is the design smell the rule is about. An import names the
# module it reads from: ``from a.b import c`` is an edge to ``a.b.c`` when that is a module,
# else to ``a.b``. Importing ``a.b.c`` also runs ``a/__init__`` and ``a/b/__init__``; those
# implicit edges are not counted (a package whose ``__init__`` re-exports its modules would
# otherwise be a cycle with each of them), as in import-linter and grimp.

PROJECT = ("briefings", "bot")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules(root: Path) -> dict[str, Path]:
    return {
        _module_name(path, root): path
        for package in PROJECT
        for path in sorted((root / package).rglob("*.py"))
    }


def _from_base(node: ast.ImportFrom, module: str, path: Path) -> str:
    """The absolute module name of ``from X import …`` (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """``name`` or its longest prefix that is a project module."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def _imports(module: str, modules: dict[str, Path]) -> list[tuple[int, str, str | None]]:
    """``(line, target module, imported name or None)`` for every project import of ``module``."""
    path = modules[module]
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name, modules)
                if target is not None:
                    found.append((node.lineno, target, None))
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(node, module, path)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    found.append((node.lineno, submodule, None))
                elif (target := _known(base, modules)) is not None:
                    found.append((node.lineno, target, alias.name))
    return found


def _graph(root: Path) -> dict[str, set[str]]:
    modules = _project_modules(root)
    return {
        module: {target for _, target, _ in _imports(module, modules) if target != module}
        for module in modules
    }


def _find_cycle(graph: dict[str, set[str]], within: str) -> list[str] | None:
    """A cycle among the modules of package ``within`` (``[a, b, …, a]``), or ``None``."""
    inside = {m for m in graph if m == within or m.startswith(within + ".")}
    done: set[str] = set()
    for start in sorted(inside):
        if start in done:
            continue
        path: list[str] = [start]
        on_path = {start}
        stack = [iter(sorted(graph[start] & inside))]
        while stack:
            following = next(stack[-1], None)
            if following is None:
                stack.pop()
                done.add(on_path_last := path.pop())
                on_path.discard(on_path_last)
            elif following in on_path:
                return [*path[path.index(following) :], following]
            elif following not in done:
                path.append(following)
                on_path.add(following)
                stack.append(iter(sorted(graph[following] & inside)))
    return None


def _cycles(graph: dict[str, set[str]], within: str) -> list[str]:
    """Every cycle found in package ``within``, one line each (an edge of each is cut in turn)."""
    remaining = {module: set(targets) for module, targets in graph.items()}
    found: list[str] = []
    while (cycle := _find_cycle(remaining, within)) is not None:
        found.append(" -> ".join(cycle))
        remaining[cycle[-2]].discard(cycle[-1])
    return found


def test_the_core_import_graph_has_no_cycle() -> None:
    assert _cycles(_graph(ROOT), "briefings") == []


def test_the_adapter_import_graph_has_no_cycle() -> None:
    assert _cycles(_graph(ROOT), "bot") == []


def test_the_cycle_rule_finds_a_cycle_through_type_checking_and_a_function(
    tmp_path: Path,
) -> None:
    package = tmp_path / "bot"
    (package / "features").mkdir(parents=True)
    (tmp_path / "briefings").mkdir()
    files = {
        "bot/__init__.py": "",
        "bot/client.py": "def setup():\n    from bot.features import setup_features\n",
        "bot/features/__init__.py": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..client import Services\n"
            "def setup_features(): ...\n"
        ),
        "bot/health.py": "from bot import client\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    graph = _graph(tmp_path)
    assert graph["bot.health"] == {"bot.client"}
    assert _find_cycle(graph, "bot") == ["bot.client", "bot.features", "bot.client"]
    assert _cycles(graph, "bot") == ["bot.client -> bot.features -> bot.client"]
    (tmp_path / "bot/features/__init__.py").write_text("def setup_features(): ...\n")
    assert _find_cycle(_graph(tmp_path), "bot") is None


# --- private names ----------------------------------------------------------------------------
#
# The rule: no module uses a private name (``_x``, not a dunder) of another module, neither by
# ``from a import _x`` nor as ``a._x`` after importing ``a``. A private *module* is a private
# name of its package: ``from briefings.index import _m`` or ``import briefings.index._m`` is
# allowed only to modules inside ``briefings.index`` (its own package), and never anything
# private inside it from outside. Private attributes of objects (``obj._lock``) are not names
# of a module and are left to review.


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_uses(module: str, modules: dict[str, Path]) -> list[str]:
    path = modules[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    problems: list[str] = []
    for line, target, name in _imports(module, modules):
        if target == module:
            continue
        if name is not None and _is_private(name):
            problems.append(f"{path.name}:{line}: {target}.{name}")
        parts = target.split(".")
        for depth, part in enumerate(parts):
            owner = ".".join(parts[:depth])
            if _is_private(part) and not (package == owner or package.startswith(owner + ".")):
                problems.append(f"{path.name}:{line}: private module {target}")
    aliases = {
        alias.asname or alias.name: f"{_from_base(node, module, path)}.{alias.name}"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    aliases.update(
        {
            alias.asname: alias.name
            for node in ast.walk(_tree(path))
            if isinstance(node, ast.Import)
            for alias in node.names
            if alias.asname
        }
    )
    for node in ast.walk(_tree(path)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and aliases.get(node.value.id) in modules
            and aliases[node.value.id] != module
            and _is_private(node.attr)
        ):
            problems.append(f"{path.name}:{node.lineno}: {aliases[node.value.id]}.{node.attr}")
    return problems


MODULES = _project_modules(ROOT)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_uses_another_modules_private_names(module: str) -> None:
    assert _private_uses(module, MODULES) == []


def test_the_private_name_rule_catches_each_form(tmp_path: Path) -> None:
    (tmp_path / "briefings" / "index").mkdir(parents=True)
    (tmp_path / "bot").mkdir()
    files = {
        "briefings/__init__.py": "",
        "briefings/search.py": "_VERSION = 2\nPUBLIC = 1\n",
        "briefings/index/__init__.py": "",
        "briefings/index/_db.py": "from briefings.search import PUBLIC\n",
        "briefings/index/store.py": "from briefings.index import _db\nfrom . import _db as db\n",
        "briefings/sync.py": "from briefings.search import _VERSION\n",
        "briefings/old.py": "from briefings import search\nx = search._VERSION\n",
        "bot/__init__.py": "",
        "bot/library.py": "from briefings.index._db import PUBLIC\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    modules = _project_modules(tmp_path)
    found = {module: _private_uses(module, modules) for module in modules}
    assert found["briefings.index.store"] == []  # a private module of its own package
    assert found["briefings.index._db"] == []
    assert found["briefings.sync"] == ["sync.py:1: briefings.search._VERSION"]
    assert found["briefings.old"] == ["old.py:2: briefings.search._VERSION"]
    assert found["bot.library"] == ["library.py:1: private module briefings.index._db"]
