"""Pure parts of the adapter: daily due times across DST, argument parsing, settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing import (
    format_days,
    format_window,
    parse_days,
    parse_schedule_name,
    parse_time_of_day,
    parse_timezone,
    parse_window,
    resolve_topic,
    timezone_choices,
)
from bot.settings import Settings, SettingsError, load_settings
from bot.state.schedules import ChannelSchedule
from bot.timing import due_on, latest_due, local_day, next_due, previous_due
from bot.usecases import UseCaseError
from bot.usecases.requests import schedule_window


@pytest.mark.parametrize(
    ("day", "at", "zone", "expected"),
    [
        (
            date(2026, 1, 5),
            time(8, 0),
            "Europe/Paris",
            datetime(2026, 1, 5, 7, 0, tzinfo=UTC),
        ),  # CET
        (
            date(2026, 7, 5),
            time(8, 0),
            "Europe/Paris",
            datetime(2026, 7, 5, 6, 0, tzinfo=UTC),
        ),  # CEST
        (
            date(2026, 3, 29),
            time(2, 30),
            "Europe/Paris",
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        ),  # gap
        (
            date(2026, 10, 25),
            time(2, 30),
            "Europe/Paris",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        ),  # fold
        (date(2026, 3, 8), time(2, 15), "America/New_York", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        (date(2026, 3, 10), time(0, 0), "UTC", datetime(2026, 3, 10, 0, 0, tzinfo=UTC)),
    ],
)
def test_due_on_across_dst(day: date, at: time, zone: str, expected: datetime) -> None:
    assert due_on(day, at, zone) == expected


ZONES = st.sampled_from(
    ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
)
MOMENTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)
TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(TIMES, ZONES, MOMENTS)
def test_latest_and_next_due_bracket_now_once_a_day(at: time, zone: str, now: datetime) -> None:
    before, after = latest_due(at, zone, now), next_due(at, zone, now)
    assert before <= now < after
    assert timedelta(hours=22) <= after - before <= timedelta(hours=26)
    # one delivery day per due moment, and consecutive dues are on consecutive days
    assert (local_day(after, zone) - local_day(before, zone)).days == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", time(8)),
        ("8:30", time(8, 30)),
        ("7pm", time(19)),
        ("19.45", time(19, 45)),
        ("12am", time(0)),
    ],
)
def test_time_of_day(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["25:99", "24:00", "8:60", "13pm", "noon", "", "08:00:00"])
def test_bad_time_of_day(text: str) -> None:
    with pytest.raises(UseCaseError, match="not a time of day"):
        parse_time_of_day(text)


def test_timezones() -> None:
    assert parse_timezone("europe/paris") == "Europe/Paris"
    with pytest.raises(UseCaseError, match="Did you mean Europe/Paris"):
        parse_timezone("Europe/Pari")
    assert timezone_choices("paris")[0] == "Europe/Paris"
    assert len(timezone_choices("a")) == 25


def test_topics_resolve_or_suggest() -> None:
    known = ["Space", "Robotics", "Open Source"]
    assert resolve_topic(" open  SOURCE ", known) == "Open Source"
    with pytest.raises(UseCaseError, match="Did you mean Robotics"):
        resolve_topic("robotcs", known)
    with pytest.raises(UseCaseError, match="/topics"):
        resolve_topic("zzzzzz", known)


def test_settings_name_the_bad_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    with pytest.raises(SettingsError, match=r"^DISCORD_TOKEN is not set"):
        load_settings(_env_file=None)
    with pytest.raises(SettingsError, match=r"^DISCORD_TOKEN is not set"):
        load_settings(_env_file=None, discord_token="  ")
    with pytest.raises(SettingsError, match=r"^SEARCH_PAGE_SIZE is invalid"):
        load_settings(_env_file=None, discord_token="t", search_page_size=0)
    with pytest.raises(SettingsError, match=r"^DISCORD_GATEWAY_URL is invalid: must be a ws"):
        load_settings(_env_file=None, discord_token="t", discord_gateway_url="http://x")
    with pytest.raises(SettingsError) as refused:  # the URL is named without its secrets
        load_settings(_env_file=None, discord_token="t", article_sources="ftp://u:Pw@h.test/a?k=K")
    assert str(refused.value) == (
        "ARTICLE_SOURCES is invalid: 'ftp://h.test/a' is not an http(s) URL "
        "(the local folder goes in ARTICLE_STORE)"
    )
    monkeypatch.setenv("DISCORD_TOKEN", "from-env")
    monkeypatch.setenv("log_level", "debug")
    settings = load_settings(_env_file=None)
    assert settings.log_level == "DEBUG"
    assert "from-env" not in repr(settings) and "from-env" not in str(settings.model_dump())


def test_settings_read_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    env = tmp_path / ".env"
    env.write_text(
        "DISCORD_TOKEN=file-token\nDISCORD_API_BASE_URL=http://127.0.0.1:9\n", encoding="utf-8"
    )
    settings = Settings(_env_file=env)
    assert (
        settings.discord_token is not None
        and settings.discord_token.get_secret_value() == "file-token"
    )
    assert settings.discord_api_base_url == "http://127.0.0.1:9/api/v10"


def test_env_example_documents_every_setting() -> None:
    from tests.conftest import ROOT

    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in text, f"{name.upper()} is not in .env.example"


# --- a schedule's days, name and window --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        (None, (0, 1, 2, 3, 4, 5, 6)),
        ("", (0, 1, 2, 3, 4, 5, 6)),
        ("Every  day", (0, 1, 2, 3, 4, 5, 6)),
        ("weekdays", (0, 1, 2, 3, 4)),
        ("weekends", (5, 6)),
        ("fri, mon,wed", (0, 2, 4)),
        ("Tuesday Thursday", (1, 3)),
        ("weekly friday", (4,)),
        ("weekly on Friday", (4,)),
        ("su", (6,)),
    ],
)
def test_days_are_parsed(text: str | None, days: tuple[int, ...]) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("funday", "“funday” is not a day"),
        ("mon,t", "“t” is not a day"),  # ambiguous
        ("weekly", "say which"),
        ("weekly mon fri", "say which"),
        ("mon," * 40, "at most 100 characters"),
    ],
)
def test_bad_days_are_refused_with_a_sentence(text: str, message: str) -> None:
    with pytest.raises(UseCaseError, match=message):
        parse_days(text)


@given(st.sets(st.integers(0, 6), min_size=1))
def test_days_read_back_as_they_are_written(days: set[int]) -> None:
    chosen = tuple(sorted(days))
    assert parse_days(format_days(chosen)) == chosen


def test_schedule_names_and_windows() -> None:
    assert parse_schedule_name("  Morning   news ") == "Morning news"
    assert parse_schedule_name("") == "daily"
    with pytest.raises(UseCaseError, match="at most 32 characters"):
        parse_schedule_name("x" * 200)
    with pytest.raises(UseCaseError, match="letters, digits"):
        parse_schedule_name("<@&123>")
    assert parse_window("") is None and parse_window("auto") is None
    assert parse_window("12h") == timedelta(hours=12) and parse_window("7 days") == timedelta(7)
    for bad in ("8d", "0h", "soon"):
        with pytest.raises(UseCaseError):
            parse_window(bad)
    assert format_window(None) == "since the previous post"
    assert format_window(timedelta(days=7)) == "7d" and format_window(timedelta(hours=36)) == "36h"


def test_due_times_on_chosen_weekdays_across_dst() -> None:
    paris, at = "Europe/Paris", time(8, 0)
    # Sunday 29 March 2026: Paris moves to summer time; a Monday/Friday schedule
    friday = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)  # 08:00 CET
    monday = datetime(2026, 3, 30, 6, 0, tzinfo=UTC)  # 08:00 CEST
    assert next_due(at, paris, friday, (0, 4)) == monday
    assert latest_due(at, paris, monday - timedelta(minutes=1), (0, 4)) == friday
    assert previous_due(at, paris, monday, (0, 4)) == friday
    assert latest_due(at, paris, monday, (0, 4)) == monday


def test_a_schedules_default_window_reaches_back_to_its_previous_slot() -> None:
    weekdays = ChannelSchedule(1, 2, time(7, 0), "Europe/Paris", days=(0, 1, 2, 3, 4))
    monday = datetime(2026, 3, 9, 6, 0, tzinfo=UTC)  # 07:00 CET
    assert schedule_window(weekdays, monday) == timedelta(days=3)  # since Friday
    assert schedule_window(weekdays, monday + timedelta(days=1)) == timedelta(days=1)
    # between posts (a preview): the window of the next post
    assert schedule_window(weekdays, monday - timedelta(hours=1)) == timedelta(days=3)
    daily = replace(weekdays, days=tuple(range(7)))
    after_dst = datetime(2026, 3, 29, 5, 0, tzinfo=UTC)  # Sunday 07:00 CEST: the clocks jumped
    assert schedule_window(daily, after_dst) == timedelta(hours=23)
    weekly = replace(weekdays, days=(4,))
    assert schedule_window(weekly, datetime(2026, 4, 10, 5, 0, tzinfo=UTC)) == timedelta(days=7)
    # the week the clocks jumped is an hour shorter: since the previous post, exactly
    assert schedule_window(weekly, datetime(2026, 4, 3, 5, 0, tzinfo=UTC)) == timedelta(
        days=7, hours=-1
    )
    assert schedule_window(replace(weekly, window=timedelta(hours=12)), monday) == timedelta(
        hours=12
    )
