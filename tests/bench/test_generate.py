"""The synthetic store generator: deterministic, loadable, and shaped like the real stores."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.generate import DEFAULT_END, field_mix, generate_store, main
from briefings.briefing import BriefingRequest, assemble
from briefings.store import iter_article_files, load_store

N = 600
ROOT = Path(__file__).resolve().parents[2]


def digest_of(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    made = generate_store(root, articles=N, days=40, seed=7)
    assert (made.articles, made.topics) == (N, 13)
    assert made.end == DEFAULT_END and made.start == DEFAULT_END - timedelta(days=40)
    return root


def test_same_seed_same_bytes_other_seed_other_store(generated: Path, tmp_path: Path) -> None:
    generate_store(tmp_path / "again", articles=N, days=40, seed=7)
    generate_store(tmp_path / "other", articles=N, days=40, seed=8)
    assert digest_of(tmp_path / "again") == digest_of(generated)
    assert digest_of(tmp_path / "other") != digest_of(generated)


def test_every_file_loads_without_problems(generated: Path) -> None:
    store = load_store(generated)
    assert store.problems == ()
    assert len(store.articles) == N
    assert len(store.catalog.topics) == 13
    start, end = DEFAULT_END - timedelta(days=40), DEFAULT_END
    assert all(start < a.published_at <= end for a in store.articles)


def test_layout_recent_in_news_older_in_archive_by_year(tmp_path: Path) -> None:
    generate_store(tmp_path, articles=80, days=900, seed=3)
    files = list(iter_article_files(tmp_path, skip=tmp_path / "topics"))
    folders = Counter(path.parent.relative_to(tmp_path).as_posix() for path in files)
    assert set(folders) == {"news", "archive/2023", "archive/2024", "archive/2025"}
    assert all(path.name[:10].count("-") == 2 and path.name[:4].isdigit() for path in files)


def test_realistic_field_mix(generated: Path) -> None:
    texts = [
        path.read_text(encoding="utf-8")
        for path in iter_article_files(generated, skip=generated / "topics")
    ]
    mix = field_mix(texts)
    for always in (
        "category",
        "title",
        "publishedDateTime",
        "type",
        "provider",
        "topics",
        "secured",
    ):
        assert mix[always] == 1.0, always
    assert 0.85 < mix["webUrl"] < 0.97  # videos carry only originalUrl
    assert 0.5 < mix["originalUrl"] < 0.75
    assert 0.85 < mix["published"] < 0.95  # missing for about one in ten
    assert 0.9 < mix["quality"] < 1.0 and 0.9 < mix["heat"] < 1.0
    assert 0.7 < mix["images"] < 0.9
    assert 0.03 < mix["related"] < 0.2
    assert 0.1 < mix["ampWebUrl"] < 0.3
    joined = "\n".join(texts)
    assert "&#8217;" in joined or "&amp;" in joined or "&nbsp;" in joined
    assert "+02:00" in joined or "-05:00" in joined  # offsets, not only Z
    assert "heat: -1" in joined and ".5\n" in joined  # fractional and negative values

    store = load_store(generated)
    published = sum(a.published for a in store.articles) / N
    assert 0.65 < published < 0.85
    assert 0.04 < sum(a.kind == "video" for a in store.articles) / N < 0.15
    topics = Counter(t for a in store.articles for t in a.topics)
    assert "AI" in topics and "Artificial Intelligence" in topics  # shortname and name
    assert any(t in topics for t in ("Quantum Computing", "Gaming", "Semiconductors"))
    assert len({a.provider_name for a in store.articles}) > 30
    assert any(not t.isascii() for a in store.articles for t in (a.title, a.excerpt))


def test_same_stories_from_several_outlets_merge(generated: Path) -> None:
    store = load_store(generated)
    merged = 0
    for days in range(0, 40, 2):
        request = BriefingRequest(at=DEFAULT_END - timedelta(days=days), per_topic=50)
        briefing = assemble(store.articles, store.catalog, request)
        merged += sum(len(story.also) for section in briefing.sections for story in section.stories)
    assert merged > 0


def test_generate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    code = main(
        [
            str(out),
            "--articles",
            "25",
            "--days",
            "3",
            "--seed",
            "2",
            "--end",
            "2024-01-02T00:00:00Z",
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == f"wrote 25 articles and 13 topics to {out}"
    store = load_store(out)
    assert len(store.articles) == 25 and store.problems == ()
    assert max(a.published_at for a in store.articles) <= datetime(2024, 1, 2, tzinfo=UTC)


def test_python_m_bench_generate_runs_from_the_checkout(tmp_path: Path) -> None:
    out = tmp_path / "module"
    done = subprocess.run(
        [sys.executable, "-m", "bench.generate", str(out), "--articles", "4", "--days", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote 4 articles and 13 topics to {out}"
    assert len(load_store(out).articles) == 4


def test_the_command_refuses_bad_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--articles", "-1"], ["--days", "0"], ["--end", "yesterday"]):
        with pytest.raises(SystemExit) as raised:
            main([str(tmp_path / "x"), *argv])
        assert raised.value.code == 2
        assert "python -m bench.generate: error: argument" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="days"):
        generate_store(tmp_path, articles=1, days=0)
    with pytest.raises(ValueError, match="aware"):
        generate_store(tmp_path, articles=1, days=1, end=datetime(2024, 1, 1))
