"""Make a fresh copy of the bundled sample store whose newest article is a few minutes old.

The sample articles in ``sample-store/`` carry fixed dates (the newest is
2026-03-10T07:45Z). So that ``make run`` and a newly installed bot show *today's* briefing,
this copies the store to ``data/sample-store/`` and moves every ``publishedDateTime`` by the
same amount, keeping the articles' spacing. The committed files are never changed.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "sample-store"
TARGET = ROOT / "data" / "sample-store"
_DATE_LINE = re.compile(r"^(\s*publishedDateTime:\s*)\"?([0-9T:\-+.Z]+)\"?\s*$", re.MULTILINE)


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def newest_date(source: Path = SOURCE) -> datetime:
    """The newest top-level ``publishedDateTime`` of the sample articles."""
    dates = [
        _parse(match.group(2))
        for path in source.rglob("*.md")
        for match in _DATE_LINE.finditer(path.read_text(encoding="utf-8"))
        if not match.group(1).startswith(" ")
    ]
    return max(dates)


def refresh(now: datetime, *, source: Path = SOURCE, target: Path = TARGET) -> Path:
    """Copy ``source`` to ``target`` with dates moved so the newest is 15 minutes before ``now``."""
    shift = (now - timedelta(minutes=15)) - newest_date(source)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)

    def moved(match: re.Match[str]) -> str:
        moment = _parse(match.group(2)) + shift
        return f"{match.group(1)}{moment.strftime('%Y-%m-%dT%H:%M:%SZ')}"

    for path in target.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(_DATE_LINE.sub(moved, text), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(refresh(datetime.now(UTC)))
