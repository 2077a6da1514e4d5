"""Headings of posted briefings: English dates whatever the locale, topic names made inert."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.headings import daily_heading, digest_heading, long_date, schedule_heading

BOT = Path(__file__).resolve().parents[2] / "bot"
LOCALE_CODES = re.compile(r"%[aAbBcxXp]")
"""strftime codes whose output depends on ``LC_TIME``."""

ZONES = st.sampled_from(["UTC", "Europe/Paris", "Pacific/Kiritimati", "America/St_Johns"])


@given(st.datetimes(timezones=st.just(UTC)), ZONES)
def test_long_date_is_the_c_locales_date_in_the_zone(moment: datetime, zone: str) -> None:
    # The C locale's names are the English ones; long_date gives them under any locale.
    local = moment.astimezone(ZoneInfo(zone))
    expected = f"{local:%A} {local.day:02d} {local:%B} {local.year}"
    assert long_date(moment, ZoneInfo(zone)) == expected


def test_daily_heading_example() -> None:
    due = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert daily_heading(due, ZoneInfo("UTC")) == "**Daily briefing** · Tuesday 10 March 2026"
    assert daily_heading(due, ZoneInfo("Europe/Paris")).endswith("Wednesday 11 March 2026")


def test_digest_heading_escapes_topic_names() -> None:
    heading = digest_heading(["Space", "@everyone **bold** <@1> discord.gg/x", "a_b"])
    assert heading.startswith("**Your daily digest** · Space, ")
    assert "@everyone" not in heading and "<@1>" not in heading and "discord.gg/x" not in heading
    assert "\\*\\*bold\\*\\*" in heading and "a\\_b" in heading


def test_no_module_of_the_bot_formats_locale_dependent_names() -> None:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and LOCALE_CODES.search(node.value)
            ):
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert found == []


def test_schedule_headings_name_the_kind_and_a_chosen_name() -> None:
    due, utc = datetime(2026, 3, 13, 8, 0, tzinfo=UTC), ZoneInfo("UTC")
    every_day = tuple(range(7))
    assert schedule_heading(due, utc, name="daily", days=every_day) == daily_heading(due, utc)
    assert (
        schedule_heading(due, utc, name="recap", days=(4,))
        == "**Weekly briefing** · recap · Friday 13 March 2026"
    )
    assert schedule_heading(due, utc, name="Morning", days=(0, 1, 2, 3, 4)).startswith(
        "**Briefing** · Morning · "
    )
    hostile = schedule_heading(due, utc, name="x @everyone **", days=every_day)
    assert "@everyone" not in hostile and "\\*\\*" in hostile  # made inert
