"""The real corpus in ../shared/corpus: every file parses, and briefings of real days make sense.

Skipped cleanly when ../shared is absent. Nothing from the corpus is copied into the repo.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefings.briefing import BriefingRequest, assemble
from briefings.catalog import load_catalog
from briefings.cli import main
from briefings.store import load_store
from briefings.urls import repair_url
from tests.conftest import SHARED

pytestmark = pytest.mark.corpus


def test_every_ai_file_parses(corpus: Path) -> None:
    store = load_store(corpus / "ai")
    assert len(store.articles) == 120
    # The only non-article file is the provenance list, and it is reported by path.
    assert [p.path for p in store.problems] == ["news_sources.txt"]
    assert "no front matter" in store.problems[0].reason
    assert len(store.catalog.topics) == 22


def test_every_powerapps_file_parses(corpus: Path) -> None:
    store = load_store(corpus / "powerapps")
    assert len(store.articles) == 674
    assert store.problems == ()
    assert [t.name for t in store.catalog.topics][:2] == ["Power Apps", "Canvas apps"]
    mojibake = [a for a in store.articles if "UpGuard" in a.title and "Sensitive" in a.title]
    assert mojibake and "â€" not in mojibake[0].title
    videos = [a for a in store.articles if a.kind == "video"]
    assert videos and all(a.url for a in videos)
    assert all(
        "&#" not in a.excerpt and "&nbsp;" not in a.excerpt and "\u00a0" not in a.excerpt
        for a in store.articles
    )


def test_catalog_files_ending_in_dashes_load(corpus: Path) -> None:
    folder = corpus / "ai" / "topics"
    ending = [p for p in sorted(folder.iterdir()) if p.read_bytes().endswith(b"\n---")]
    assert len(ending) == 5
    catalog, problems = load_catalog(folder)
    assert problems == []
    names = {t.name for t in catalog.topics}
    for path in ending:
        assert path.read_text(encoding="utf-8").split("name: ", 1)[1].split("\n", 1)[0] in names
    assert catalog.is_root("AI") and not catalog.is_root("Computer Vision")
    assert catalog.get("Vision") is catalog.get("computer vision")  # shortname


def test_ai_briefing_of_a_busy_day(corpus: Path) -> None:
    store = load_store(corpus / "ai")
    at = datetime(2021, 8, 10, 8, 0, tzinfo=UTC)
    briefing = assemble(store.articles, store.catalog, BriefingRequest(at=at))
    assert briefing.story_count >= 3
    for section in briefing.sections:
        assert section.topic != "AI", "the root topic is never a primary topic when a child exists"
        for story in section.stories:
            assert (
                story.lead.published
                and at.timestamp() - 86400 < story.lead.published_at.timestamp() <= at.timestamp()
            )


def test_powerapps_briefing_cli_json(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["build", str(corpus / "powerapps"), "--at", "2021-11-03T08:00:00Z", "--format", "json"]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    topics = [section["topic"] for section in document["sections"]]
    assert topics == ["Power Apps", "Teams integration"]
    items = [item for section in document["sections"] for item in section["items"]]
    assert len(items) == 4
    assert all(item["url"].startswith("https://") for item in items)


def test_seed_article_loads_but_never_appears(capsys: pytest.CaptureFixture[str]) -> None:
    seed = SHARED / "seed"
    if not seed.is_dir():
        pytest.skip("../shared/seed is not present")
    store = load_store(seed)
    (article,) = store.articles
    assert article.published is False and article.topics == ("Computer Vision", "AI")
    briefing = assemble(store.articles, store.catalog, BriefingRequest(at=article.published_at))
    assert briefing.is_empty
    assert main(["build", str(seed), "--at", "2020-06-10T12:00:00Z", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["sections"] == []


@pytest.mark.parametrize("name", ["ai", "powerapps"])
def test_no_corpus_file_is_dropped_for_its_url(corpus: Path, name: str) -> None:
    store = load_store(corpus / name)
    assert not [p for p in store.problems if "Url" in p.reason or "URL" in p.reason]
    assert store.notes == ()  # no webUrl had to give way to originalUrl either
    urls = [a.url for a in store.articles]
    urls += [r.url for a in store.articles for r in a.related]
    assert all(url is not None and repair_url(url) == url for url in urls)
    assert all(a.url for a in store.articles)  # every article keeps a link
