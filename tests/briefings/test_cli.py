"""The ``briefings`` command line, run in-process and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefings.cli import main
from briefings.cli.arguments import parse_duration
from briefings.cli.cache import cache_file_name, cache_folder, default_cache_file
from tests.briefings.factories import GOOD_FRONT_MATTER, write

SAMPLE_AT = "2026-03-10T08:00:00Z"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_lists_each_broken_file_and_counts_good_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "good.md", GOOD_FRONT_MATTER)
    write(tmp_path, "sub/also-good.md", GOOD_FRONT_MATTER)
    write(tmp_path, "broken.md", "no front matter here")
    write(tmp_path, "sub/bad-yaml.md", "---\ntitle: [oops\n---\n")
    code, out, _ = run(capsys, "check", str(tmp_path))
    assert code == 1
    lines = out.splitlines()
    assert lines[-1] == "2 articles, 2 problems"
    assert (
        lines[0] == f"{tmp_path}/broken.md: no front matter (the file must start with a '---' line)"
    )
    assert lines[1].startswith(f"{tmp_path}/sub/bad-yaml.md: YAML error at line 3")


def test_check_clean_store_exits_zero(
    sample_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "check", str(sample_store))
    assert code == 0
    assert out.strip() == "60 articles, 0 problems"


def test_build_json_shape(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "build", str(sample_store), "--at", SAMPLE_AT, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert set(document) == {"window", "sections"}
    assert document["window"] == {
        "start": "2026-03-09T08:00:00+00:00",
        "end": "2026-03-10T08:00:00+00:00",
    }
    assert document["sections"], "the sample store has a full briefing on its day"
    for section in document["sections"]:
        assert set(section) == {"topic", "items"}
        assert 1 <= len(section["items"]) <= 5
        for item in section["items"]:
            assert set(item) == {
                "title",
                "url",
                "provider",
                "quality",
                "heat",
                "published_at",
                "topics",
                "also",
            }
            assert all(set(also) == {"provider", "url"} for also in item["also"])
    titles = [item["title"] for s in document["sections"] for item in s["items"]]
    assert not any("Meridian Savings Bank" in t for t in titles), "unpublished items never appear"


def test_build_options(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "build",
        str(sample_store),
        "--at",
        "2026-03-10T09:00",
        "--tz",
        "Europe/Paris",
        "--window",
        "12h",
        "--per-topic",
        "2",
        "--min-quality",
        "60",
        "--topic",
        "Space",
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(out)
    assert document["window"]["end"] == "2026-03-10T09:00:00+01:00"
    assert document["window"]["start"] == "2026-03-09T21:00:00+01:00"
    assert [s["topic"] for s in document["sections"]] == ["Space"]
    items = document["sections"][0]["items"]
    assert len(items) <= 2 and all(i["quality"] >= 60 for i in items)


def test_build_text_and_markdown(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = run(capsys, "build", str(sample_store), "--at", SAMPLE_AT)
    assert code == 0 and text.startswith("Daily briefing for Tuesday 10 March 2026, 08:00 UTC")
    assert "== Space ==" in text and "also:" in text
    code, markdown, _ = run(
        capsys, "build", str(sample_store), "--at", SAMPLE_AT, "--format", "markdown"
    )
    assert code == 0 and "## Space" in markdown and "](<https://" in markdown
    assert "\\*" in markdown or "\\_" in markdown  # the Markdown-laden sample title is escaped


def test_build_reports_bad_files_on_stderr_without_failing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "good.md", GOOD_FRONT_MATTER)
    write(tmp_path, "bad.md", "---\n---\n")
    code, out, err = run(
        capsys, "build", str(tmp_path), "--at", "2026-03-10T08:00:00Z", "--format", "json"
    )
    assert code == 0
    assert err == f"1 file skipped (run 'briefings check {tmp_path}' for the list)\n"
    assert json.loads(out)["sections"][0]["items"][0]["title"] == "A good article"


BAD_FILES = 13
READ_COMMANDS = {
    "build": ["--at", SAMPLE_AT],
    "search": ["good"],
    "topics": [],
    "explain": ["https://example.test/good", "--at", SAMPLE_AT],
}


@pytest.mark.parametrize("command", sorted(READ_COMMANDS))
@pytest.mark.parametrize("cached", [False, True], ids=["load", "cache"])
def test_read_commands_print_one_summary_line_about_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, cached: bool
) -> None:
    store = tmp_path / "my store"
    write(store, "good.md", GOOD_FRONT_MATTER)
    for number in range(BAD_FILES):
        write(store, f"bad/{number:02}.md", "---\ntitle: [oops\n---\n")
    cache = ["--cache", str(tmp_path / "index.sqlite3")] if cached else ["--no-cache"]
    argv = [command, str(store), *READ_COMMANDS[command]]
    for _ in range(2 if cached else 1):  # a cold and then a warm index say the same
        code, out, err = run(capsys, *argv, *cache)
        assert code == 0 and out
        assert (
            err == f"{BAD_FILES} files skipped (run 'briefings check \"{store}\"' for the list)\n"
        )
    code, out, _ = run(capsys, "check", str(store), *cache)
    assert code == 1 and out.splitlines()[-1] == f"1 articles, {BAD_FILES} problems"
    assert len(out.splitlines()) == BAD_FILES + 1  # check still lists every file


def test_a_clean_store_prints_nothing_on_stderr(
    sample_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command, options in READ_COMMANDS.items():
        argv = [command, str(sample_store), *options]
        code, _, err = run(capsys, *argv)
        assert (code, err) == (0, ""), command


@pytest.mark.parametrize("cached", [False, True], ids=["load", "cache"])
def test_check_notes_a_web_url_replaced_by_the_original_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cached: bool
) -> None:
    write(tmp_path, "good.md", GOOD_FRONT_MATTER)
    write(
        tmp_path,
        "video.md",
        GOOD_FRONT_MATTER.replace(
            'webUrl: "https://example.test/good"',
            "webUrl: 'javascript:alert(1)'\noriginalUrl: 'https://video.test/watch?v=a b'",
        ),
    )
    cache = ["--cache", str(tmp_path / "index.sqlite3")] if cached else ["--no-cache"]
    code, out, _ = run(capsys, "check", str(tmp_path), *cache)
    assert code == 0  # the file loads: nothing is lost, the note is for the admin to see
    assert out.splitlines() == [
        f"{tmp_path}/video.md: note: field 'webUrl' is not an http(s) URL: "
        "'javascript:alert(1)'; using originalUrl",
        "2 articles, 0 problems, 1 notes",
    ]
    code, out, err = run(capsys, "search", str(tmp_path), "good", "--format", "json", *cache)
    assert code == 0 and err == ""  # a note is not a skipped file
    urls = {result["url"] for result in json.loads(out)["results"]}
    assert urls == {"https://example.test/good", "https://video.test/watch?v=a%20b"}


def test_search_json_shape(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "search", str(sample_store), "battery", "--format", "json", "--limit", "2"
    )
    assert code == 0
    document = json.loads(out)
    assert document["query"] == "battery"
    assert document["total"] >= 2 and len(document["results"]) == 2
    for result in document["results"]:
        assert set(result) == {"title", "url", "quality", "published_at", "topics", "snippet"}
    assert "**" in document["results"][0]["snippet"]


@pytest.mark.parametrize(
    "query", ['"unbalanced', "AND OR NOT", "NEAR(", "*", "(", "🤖", "x" * 5000]
)
def test_search_hostile_queries_never_crash(
    sample_store: Path, capsys: pytest.CaptureFixture[str], query: str
) -> None:
    code, out, err = run(capsys, "search", str(sample_store), query)
    assert code == 0 and out.strip() and "Traceback" not in err


def test_search_topic_filter(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "search",
        str(sample_store),
        "the",
        "--topic",
        "space",
        "--format",
        "json",
        "--limit",
        "50",
    )
    assert code == 0
    results = json.loads(out)["results"]
    assert results and all(any(t.lower() == "space" for t in r["topics"]) for r in results)


def test_topics(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "topics", str(sample_store), "--format", "json")
    assert code == 0
    topics = json.loads(out)["topics"]
    assert topics[0]["name"] == "Technology" and topics[0]["parent"] is None
    space = next(t for t in topics if t["name"] == "Space")
    assert (
        space["parent"] == "Technology"
        and space["description"]
        and space["articles"] >= space["published"] > 0
    )
    code, text, _ = run(capsys, "topics", str(sample_store))
    assert code == 0 and "Space" in text and "articles" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["build", "STORE", "--at", "yesterday"], "invalid --at 'yesterday'"),
        (
            ["build", "STORE", "--at", "2026-03-10", "--tz", "Mars/Olympus"],
            "unknown time zone 'Mars/Olympus'",
        ),
        (["build", "STORE", "--at", "2026-03-10", "--window", "soon"], "invalid duration 'soon'"),
        (["build", "/nonexistent/store", "--at", "2026-03-10"], "store folder not found"),
        (["check", "/nonexistent/store"], "store folder not found"),
    ],
)
def test_errors_are_one_clear_line(
    sample_store: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    argv = [str(sample_store) if a == "STORE" else a for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_per_topic_must_be_positive(sample_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "build", str(sample_store), "--at", SAMPLE_AT, "--per-topic", "0")
    assert code == 2 and "must be at least 1" in err


def _article_at(moment: datetime, title: str, url: str) -> str:
    return (
        GOOD_FRONT_MATTER.replace("2026-03-10T07:00:00Z", moment.isoformat())
        .replace("A good article", title)
        .replace("https://example.test/good", url)
    )


@pytest.mark.parametrize("cache", [["--no-cache"], []], ids=["load", "cache"])
def test_at_defaults_to_now(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cache: list[str]
) -> None:
    store = tmp_path / "store"
    now = datetime.now(UTC)
    write(store, "fresh.md", _article_at(now - timedelta(hours=1), "Fresh", "https://a.test/1"))
    write(store, "old.md", _article_at(now - timedelta(days=3), "Old", "https://a.test/2"))
    before = datetime.now(UTC).replace(microsecond=0)
    code, out, _ = run(capsys, "build", str(store), "--format", "json", *cache)
    after = datetime.now(UTC)
    assert code == 0
    document = json.loads(out)
    end = datetime.fromisoformat(document["window"]["end"])
    assert before <= end <= after
    assert datetime.fromisoformat(document["window"]["start"]) == end - timedelta(hours=24)
    titles = [item["title"] for s in document["sections"] for item in s["items"]]
    assert titles == ["Fresh"]
    code, out, _ = run(capsys, "explain", str(store), "https://a.test/2", *cache)
    assert code == 0 and out.startswith("Outside the window")
    code, out, _ = run(
        capsys, "explain", str(store), "https://a.test/2", "--window", "1w", "--format", "json"
    )
    assert json.loads(out)["included"] is True


@pytest.mark.parametrize(
    ("text", "hours"), [("24h", 24), ("90m", 1.5), ("1d12h", 36), ("2w", 336), ("30s", 30 / 3600)]
)
def test_parse_duration(text: str, hours: float) -> None:
    assert parse_duration(text).total_seconds() == pytest.approx(hours * 3600)


def briefings_process(*argv: str) -> subprocess.CompletedProcess[str]:
    """``python -m briefings ARGV`` as a real process (its environment is this one's)."""
    return subprocess.run(
        [sys.executable, "-m", "briefings", *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_module_entry_point_runs_quietly_without_a_terminal(sample_store: Path) -> None:
    result = briefings_process("check", str(sample_store))
    assert result.returncode == 0
    assert result.stdout == "60 articles, 0 problems\n"
    assert result.stderr == ""  # no progress bar when output is not a terminal


@pytest.mark.parametrize("cached", [False, True], ids=["load", "cache"])
def test_explain_command(
    sample_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], cached: bool
) -> None:
    cache = ["--cache", str(tmp_path / "index.sqlite3")] if cached else ["--no-cache"]
    copy = "https://www.harborledger.test/2026/03/09/lumen-labs-kestrel-2-phone-model"
    code, out, _ = run(
        capsys, "explain", str(sample_store), copy, "--at", SAMPLE_AT, "--format", "json", *cache
    )
    assert code == 0
    document = json.loads(out)
    assert document["included"] is True and "also" in document["verdict"]
    assert [s["stage"] for s in document["stages"]] == [
        "found",
        "published",
        "window",
        "quality",
        "topic",
        "story",
        "rank",
    ]
    code, out, _ = run(
        capsys, "explain", str(sample_store), copy, "--at", "2026-03-20T08:00:00Z", *cache
    )
    assert code == 0 and out.startswith("Outside the window") and "[no] window" in out
    code, out, _ = run(
        capsys, "explain", str(sample_store), "https://nowhere.test/", "--at", SAMPLE_AT, *cache
    )
    assert out.startswith("Not found")


@pytest.mark.parametrize("cached", [False, True], ids=["load", "cache"])
def test_a_url_with_spaces_is_stored_encoded_and_found_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cached: bool
) -> None:
    raw = "https://apnews.com/PR Newswire/cd5a\u202f2025"
    write(tmp_path, "ap.md", GOOD_FRONT_MATTER.replace("https://example.test/good", raw))
    cache = ["--cache", str(tmp_path / "index.sqlite3")] if cached else ["--no-cache"]
    code, out, err = run(
        capsys, "build", str(tmp_path), "--at", SAMPLE_AT, "--format", "json", *cache
    )
    assert (code, err) == (0, "")
    (item,) = json.loads(out)["sections"][0]["items"]
    assert item["url"] == "https://apnews.com/PR%20Newswire/cd5a%E2%80%AF2025"
    for asked in (raw, item["url"]):  # as written in the file, or as posted
        code, out, _ = run(capsys, "explain", str(tmp_path), asked, "--at", SAMPLE_AT, *cache)
        assert code == 0 and "A good article" in out


# --- the default index cache (one file per store in the user's cache folder) ----------------


def _article(title: str, url: str) -> str:
    return GOOD_FRONT_MATTER.replace("A good article", title).replace(
        "https://example.test/good", url
    )


def _search_titles(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    code, out, err = run(capsys, "search", *argv, "--format", "json", "--limit", "50")
    assert code == 0, err
    return sorted(result["title"] for result in json.loads(out)["results"])


def test_default_cache_is_one_file_per_store_in_the_user_cache_folder(
    tmp_path: Path, user_cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "news store", tmp_path / "other"
    write(first, "a.md", _article("Zeppelin weather one", "https://example.test/1"))
    write(second, "b.md", _article("Zeppelin weather two", "https://example.test/2"))
    assert _search_titles(capsys, str(first), "zeppelin") == ["Zeppelin weather one"]
    assert _search_titles(capsys, str(second), "zeppelin") == ["Zeppelin weather two"]
    files = sorted(p.name for p in (user_cache_home / "briefings").glob("*.sqlite3"))
    assert len(files) == 2 and files[0].startswith("news_store-") and files[1].startswith("other-")
    assert files[0] == cache_file_name(first)
    # Another spelling of the same store path uses the same file.
    alias = tmp_path / "alias"
    alias.symlink_to(first)
    assert _search_titles(capsys, str(alias / "."), "zeppelin") == ["Zeppelin weather one"]
    assert len(list((user_cache_home / "briefings").glob("*.sqlite3"))) == 2


def test_second_call_finds_a_file_added_between_calls(
    tmp_path: Path, user_cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "a.md", _article("Zeppelin weather one", "https://example.test/1"))
    assert _search_titles(capsys, str(tmp_path), "zeppelin") == ["Zeppelin weather one"]
    cache = user_cache_home / "briefings" / cache_file_name(tmp_path)
    assert cache.is_file()
    write(tmp_path, "b.md", _article("Zeppelin weather two", "https://example.test/2"))
    assert _search_titles(capsys, str(tmp_path), "zeppelin") == [
        "Zeppelin weather one",
        "Zeppelin weather two",
    ]
    (tmp_path / "a.md").unlink()
    code, out, _ = run(capsys, "check", str(tmp_path))
    assert (code, out) == (0, "1 articles, 0 problems\n")


@pytest.mark.parametrize("command", ["check", "build", "search", "topics", "explain"])
def test_every_store_command_uses_the_default_cache_and_matches_no_cache(
    sample_store: Path, user_cache_home: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    extra = {
        "check": [],
        "build": ["--at", SAMPLE_AT, "--format", "json"],
        "search": ["battery", "--format", "json"],
        "topics": ["--format", "json"],
        "explain": ["https://nowhere.test/", "--at", SAMPLE_AT, "--format", "json"],
    }[command]
    argv = [command, str(sample_store), *extra]
    in_memory = run(capsys, *argv, "--no-cache")
    assert not (user_cache_home / "briefings").exists(), "--no-cache writes nothing"
    cold = run(capsys, *argv)
    warm = run(capsys, *argv)
    assert in_memory == cold == warm and cold[0] == 0
    assert [p.name for p in (user_cache_home / "briefings").iterdir()] == [
        cache_file_name(sample_store)
    ]


def test_unwritable_cache_folder_falls_back_to_memory_with_one_warning(
    tmp_path: Path, sample_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    result = briefings_process("check", str(sample_store))
    assert result.returncode == 0
    assert result.stdout == "60 articles, 0 problems\n"
    warning = result.stderr.splitlines()
    assert len(warning) == 1, result.stderr
    assert warning[0].startswith("briefings: warning: cannot write the cache folder ")
    assert warning[0].endswith("; working in memory") and str(blocker) in warning[0]


def test_an_explicit_cache_file_is_used_and_nothing_else(
    tmp_path: Path, sample_store: Path, user_cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = tmp_path / "mine.sqlite3"
    code, out, _ = run(capsys, "check", str(sample_store), "--cache", str(chosen))
    assert (code, out) == (0, "60 articles, 0 problems\n")
    assert chosen.is_file() and not (user_cache_home / "briefings").exists()
    code, _, err = run(capsys, "check", str(sample_store), "--cache", str(chosen), "--no-cache")
    assert code == 2 and "not allowed with argument" in err


def test_a_missing_store_leaves_no_cache_file(
    tmp_path: Path, user_cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "missing"))
    assert code == 2 and "store folder not found" in err
    assert not (user_cache_home / "briefings").exists()


def test_cache_folder_follows_xdg_then_home(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    assert cache_folder({"XDG_CACHE_HOME": str(xdg)}) == xdg / "briefings"
    home = Path.home() / ".cache" / "briefings"
    assert cache_folder({}) == home
    assert cache_folder({"XDG_CACHE_HOME": "relative/path"}) == home  # the XDG rule: ignored
    assert default_cache_file(tmp_path, {"XDG_CACHE_HOME": str(xdg)}).parent.is_dir()


def test_second_process_call_finds_a_file_added_between_calls(tmp_path: Path) -> None:
    store = tmp_path / "store"
    write(store, "a.md", _article("Zeppelin weather one", "https://example.test/1"))

    def search() -> str:
        result = briefings_process("search", str(store), "zeppelin")
        assert result.returncode == 0 and result.stderr == ""
        return result.stdout

    assert "Zeppelin weather one" in search() and "two" not in search()
    write(store, "b.md", _article("Zeppelin weather two", "https://example.test/2"))
    out = search()
    assert "Zeppelin weather one" in out and "Zeppelin weather two" in out


def test_unusable_default_cache_file_falls_back_to_memory_with_one_warning(
    sample_store: Path, user_cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = user_cache_home / "briefings" / cache_file_name(sample_store)
    blocker.mkdir(parents=True)  # a folder where the cache file should be
    code, out, err = run(capsys, "check", str(sample_store))
    assert (code, out) == (0, "60 articles, 0 problems\n")
    assert err.count("\n") == 1 and err.startswith(
        f"briefings: warning: cannot use the cache {blocker}"
    )
    assert err.endswith("; working in memory\n")


def test_build_and_explain_take_filters(
    sample_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kestrel = "https://circuitreview.test/news/lumen-labs-kestrel-2"
    common = ("--at", SAMPLE_AT, "--no-cache")
    code, plain, _ = run(capsys, "build", str(sample_store), *common)
    assert code == 0 and "Kestrel" in plain and "greenlinedispatch.test" in plain
    code, text, _ = run(
        capsys,
        "build",
        str(sample_store),
        *common,
        "--exclude",
        "kestrel",
        "--exclude-outlets",
        "greenlinedispatch.test",
    )
    assert code == 0 and "Kestrel" not in text and "greenlinedispatch.test" not in text
    code, why, _ = run(
        capsys, "explain", str(sample_store), kestrel, *common, "--exclude", "KESTREL"
    )
    assert code == 0 and why.startswith("Filtered out by exclude 'KESTREL'.")
    code, why, _ = run(
        capsys, "explain", str(sample_store), kestrel, *common, "--include", "robot, robots"
    )
    assert why.startswith("Filtered out by include: contains none of 'robot', 'robots'.")
    code, _, err = run(capsys, "build", str(sample_store), *common, "--exclude", "x" * 5000)
    assert code == 2 and "5,000 characters long; at most 2,000" in err
