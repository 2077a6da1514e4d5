"""Loading a store: every kind of bad file is reported by path and never takes good files along."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from briefings.frontmatter import MAX_FILE_BYTES
from briefings.model import Article
from briefings.store import StoreNotFoundError, load_store
from tests.briefings.factories import GOOD_FRONT_MATTER, write


def _only_problem(store_root: Path) -> str:
    store = load_store(store_root)
    assert [a.title for a in store.articles] == ["A good article"], "the good file must still load"
    assert len(store.problems) == 1, store.problems
    problem = store.problems[0]
    assert problem.path == "news/bad.md"
    return problem.reason


@pytest.fixture
def store_root(tmp_path: Path) -> Path:
    write(tmp_path, "news/good.md", GOOD_FRONT_MATTER)
    return tmp_path


def test_good_file_loads_all_fields(store_root: Path) -> None:
    (article,) = load_store(store_root).articles
    assert isinstance(article, Article)
    assert article.path == "news/good.md"
    assert article.url == "https://example.test/good"
    assert article.published_at.isoformat() == "2026-03-10T07:00:00+00:00"
    assert (article.quality, article.heat, article.published) == (50, 5, True)
    assert article.provider is not None and article.provider.domain == "example.test"
    assert article.topics == ("Robotics",)
    assert article.updated_at is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-10T09:30:00+01:00", "2026-03-10T08:30:00+00:00"),
        ("2026-03-10 08:30", "2026-03-10T08:30:00+00:00"),
        ("2026-03-11", "2026-03-11T00:00:00+00:00"),
        ("null", None),
        ('""', None),
    ],
)
def test_updated_date_time_is_read_like_the_published_one(
    tmp_path: Path, value: str, expected: str | None
) -> None:
    text = GOOD_FRONT_MATTER.replace("heat: 5", f"heat: 5\nupdatedDateTime: {value}")
    write(tmp_path, "news/good.md", text)
    store = load_store(tmp_path)
    (article,) = store.articles
    assert (article.updated_at.isoformat() if article.updated_at else None) == expected
    assert store.notes == ()


@pytest.mark.parametrize("value", ["'yesterday-ish'", "[2026]", "{a: 1}", "12"])
def test_a_malformed_updated_date_time_is_a_note_not_a_lost_article(
    tmp_path: Path, value: str
) -> None:
    text = GOOD_FRONT_MATTER.replace("heat: 5", f"heat: 5\nupdatedDateTime: {value}")
    write(tmp_path, "news/good.md", text)
    store = load_store(tmp_path)
    (article,) = store.articles
    assert article.updated_at is None and store.problems == ()
    [note] = store.notes
    assert "updatedDateTime" in note.reason and note.reason.endswith("; ignored")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe not utf-8 \x80", "not UTF-8 text (invalid byte at line 1)"),
        ("", "file is empty"),
        ("title: no fences\n", "no front matter"),
        ("---\ntitle: unclosed\n", "front matter is not closed"),
        ("---\ntitle: ok\nexcerpt: [unbalanced\n---\n", "YAML error at line"),
        ("---\n- a\n- b\n---\n", "front matter is a list, not a mapping of fields"),
        ("---\nexcerpt: no title\npublishedDateTime: 2026-03-10T07:00:00Z\n---\n", "missing title"),
        (
            "---\ntitle: [a, b]\npublishedDateTime: 2026-03-10T07:00:00Z\n---\n",
            "field 'title' must be text, not a list",
        ),
        (
            "---\ntitle: t\npublishedDateTime: 2026-03-10T07:00:00Z\nquality: high\n---\n",
            "field 'quality' must be a number",
        ),
        (
            "---\ntitle: t\npublishedDateTime: 2026-03-10T07:00:00Z\npublished: 'yes'\n---\n",
            "field 'published' must be true or false",
        ),
        (
            "---\ntitle: t\npublishedDateTime: 2026-03-10T07:00:00Z\ntopics: {a: 1}\n---\n",
            "field 'topics' must be a list of names",
        ),
        (
            "---\ntitle: t\npublishedDateTime: 2026-03-10T07:00:00Z\nwebUrl: 'javascript:alert(1)'\n---\n",
            "not an http(s) URL",
        ),
        (
            "---\ntitle: t\npublishedDateTime: next tuesday\n---\n",
            "field 'publishedDateTime' is not a date and time",
        ),
        ("---\ntitle: t\n---\n", "missing publishedDateTime"),
        (
            "---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n",
            "YAML error at line 2",
        ),
    ],
)
def test_each_bad_kind_is_reported_with_a_reason(
    store_root: Path, content: str | bytes, expected: str
) -> None:
    write(store_root, "news/bad.md", content)
    assert expected in _only_problem(store_root)


def test_yaml_error_line_number_points_into_the_file(store_root: Path) -> None:
    write(store_root, "news/bad.md", "---\ntitle: ok\nexcerpt: fine\nheat: [1, 2\n---\n")
    reason = _only_problem(store_root)
    assert reason.startswith("YAML error at line 5"), reason


def test_too_large_file_is_refused_unread(store_root: Path) -> None:
    write(store_root, "news/bad.md", GOOD_FRONT_MATTER + "x" * MAX_FILE_BYTES)
    assert "file is too large" in _only_problem(store_root)


def test_alias_bomb_costs_nothing(store_root: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    bomb = (
        "---\n"
        + "\n".join(levels)
        + "\ntitle: *a11\npublishedDateTime: 2026-03-10T07:00:00Z\n---\n"
    )
    write(store_root, "news/bad.md", bomb)
    started = time.perf_counter()
    reason = _only_problem(store_root)
    assert time.perf_counter() - started < 5  # 10**12 strings if anything walked it
    assert reason == "field 'title' must be text, not a list"


def test_alias_bomb_in_topics_is_rejected(store_root: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    bomb = (
        "---\n"
        + "\n".join(levels)
        + "\ntitle: t\ntopics: *a11\npublishedDateTime: 2026-03-10T07:00:00Z\n---\n"
    )
    write(store_root, "news/bad.md", bomb)
    assert _only_problem(store_root) == "field 'topics' must be a list of names, found a list"


def test_dangling_link_is_reported(store_root: Path) -> None:
    (store_root / "news" / "bad.md").symlink_to(store_root / "missing.md")
    assert _only_problem(store_root) == "file vanished or is a dangling link"


def test_link_loop_is_reported_as_unreadable(store_root: Path) -> None:
    (store_root / "news" / "bad.md").symlink_to(store_root / "news" / "bad.md")
    assert _only_problem(store_root).startswith("unreadable: Too many levels of symbolic links")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_reported(store_root: Path) -> None:
    path = write(store_root, "news/bad.md", GOOD_FRONT_MATTER)
    path.chmod(0)
    try:
        assert _only_problem(store_root).startswith("unreadable: Permission denied")
    finally:
        path.chmod(0o644)


def test_fifo_named_like_an_article_does_not_hang(store_root: Path) -> None:
    os.mkfifo(store_root / "news" / "bad.md")
    assert _only_problem(store_root) == "not a regular file"


def test_linked_folders_are_not_followed(store_root: Path) -> None:
    (store_root / "news" / "loop").symlink_to(store_root, target_is_directory=True)
    store = load_store(store_root)
    assert [a.path for a in store.articles] == ["news/good.md"]
    assert store.problems == ()


def test_scanning_rules(store_root: Path) -> None:
    write(store_root, "deep/er/two.markdown", GOOD_FRONT_MATTER.replace("A good article", "Two"))
    write(store_root, "three.TXT", GOOD_FRONT_MATTER.replace("A good article", "Three"))
    write(store_root, "README.md", "# About this store\n")
    write(store_root, ".hidden/x.md", "not front matter")
    write(store_root, "notes.html", "<p>ignored</p>")
    write(store_root, "orgs/acme.md", "---\ntaxonomy: organization\nname: Acme\n---\n")
    write(store_root, "topics/01-robotics.yaml", "name: Robotics\n")
    store = load_store(store_root)
    assert sorted(a.title for a in store.articles) == ["A good article", "Three", "Two"]
    assert store.problems == ()
    assert [t.name for t in store.catalog.topics] == ["Robotics"]


def test_messy_real_world_values_are_normalised(store_root: Path) -> None:
    write(
        store_root,
        "news/messy.md",
        "---\n"
        'title: "Microsoft Makes Changes Following â€˜Sensitive Dataâ€™ Exposure"\n'
        'excerpt: "It&#8217;s here&nbsp;now\u00a0 and\n  then"\n'
        'publishedDateTime: "2026-03-10T09:00:00+01:00"\n'
        'originalUrl: "https://youtube.test/watch?v=1"\n'
        "type: video\n"
        "provider: Plain Name\n"
        "topics: Robotics\n"
        "secured: opaque\n"
        "---\n",
    )
    messy = next(a for a in load_store(store_root).articles if a.path == "news/messy.md")
    assert messy.title == "Microsoft Makes Changes Following ‘Sensitive Data’ Exposure"
    assert messy.excerpt == "It’s here now and then"
    assert messy.published_at.isoformat() == "2026-03-10T08:00:00+00:00"
    assert messy.url == "https://youtube.test/watch?v=1"
    assert (messy.quality, messy.heat, messy.published) == (0, 0, False)
    assert messy.provider is not None and messy.provider.name == "Plain Name"
    assert messy.topics == ("Robotics",)
    assert messy.kind == "video"
    assert not hasattr(messy, "secured")


def test_missing_store_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFoundError, match="store folder not found"):
        load_store(tmp_path / "nope")


def test_progress_is_reported(store_root: Path) -> None:
    write(store_root, "news/second.md", GOOD_FRONT_MATTER)
    calls: list[tuple[int, int]] = []
    load_store(store_root, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


def test_forty_megabyte_file_is_refused_unread(store_root: Path) -> None:
    path = store_root / "news" / "bad.md"
    with path.open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)  # sparse: 40 MB on paper, nothing read
    assert _only_problem(store_root) == "file is too large (40.0 MiB; the limit is 1.0 MiB)"


def test_binary_file_is_reported(store_root: Path) -> None:
    write(store_root, "news/bad.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8\xff" * 50)
    assert _only_problem(store_root).startswith("not UTF-8 text")


def test_file_changing_while_the_store_loads(store_root: Path) -> None:
    """A writer rewrites a file as fast as it can while the store is loaded over and over:
    every load still succeeds, with that file either loaded or reported, never an exception."""
    import threading

    target = store_root / "news" / "bad.md"
    versions = [
        GOOD_FRONT_MATTER.replace("A good article", "Changing"),
        "---\ntitle: [half",
        "",
        GOOD_FRONT_MATTER * 3,
    ]
    stop = threading.Event()

    def churn() -> None:
        index = 0
        while not stop.is_set():
            target.write_text(versions[index % len(versions)], encoding="utf-8")
            index += 1

    writer = threading.Thread(target=churn)
    writer.start()
    try:
        for _ in range(200):
            store = load_store(store_root)
            assert "A good article" in [a.title for a in store.articles]
            assert len(store.articles) + len(store.problems) in (1, 2)
    finally:
        stop.set()
        writer.join()
