"""The lock file `make` installs from agrees with the ranges in pyproject.toml.

``requirements.lock`` (made by ``make lock``) pins the exact versions a checkout runs with;
``pyproject.toml`` keeps the ranges library users get. These tests fail when a dependency is
added to one and not the other, or when a pin falls outside its range.
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatchcase as fnmatch
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name, _, version = line.partition("==")
        assert version, f"requirements.lock: {line!r} is not pinned with =="
        pins[canonicalize_name(name)] = Version(version.split(";")[0].strip())
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(line) for line in lines]


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {requirement.name}=={pins[name]}, "
            f"outside pyproject.toml's {requirement.specifier}"
        )


def test_the_lock_pins_only_exact_versions() -> None:
    assert _pins(), "requirements.lock pins nothing"
    assert all(version.release for version in _pins().values())


def test_the_wheel_ships_the_core_the_cli_and_the_bot_and_no_development_tool() -> None:
    """What ``[tool.setuptools.packages.find]`` picks: no ``bench`` (the generator), no tests.

    Packages are found as setuptools finds them: folders with an ``__init__.py`` whose dotted
    name matches one of the ``include`` patterns (``fnmatch``).
    """
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    tops = [d for d in ROOT.iterdir() if (d / "__init__.py").is_file()]  # not .venv, data …
    names = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in tops
        for init in top.rglob("__init__.py")
    }
    packages = {name for name in names if any(fnmatch(name, pattern) for pattern in include)}
    assert {"briefings", "briefings.index", "briefings.cli", "bot", "bot.state"} <= packages
    assert not {p for p in packages if p.split(".")[0] in {"bench", "tests", "scripts"}}
    assert not (ROOT / "briefings" / "generate.py").exists()
    shipped = [path for top in ("briefings", "bot") for path in (ROOT / top).rglob("*.py")]
    for path in shipped:
        text = path.read_text(encoding="utf-8")
        assert "from bench" not in text and "import bench" not in text, path
        assert "from tests" not in text and "import tests" not in text, path
