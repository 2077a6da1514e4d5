"""Reading front matter: the shortcuts taken for speed give exactly what PyYAML gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate_store
from briefings.articles import article_from_mapping, parse_article
from briefings.frontmatter import (
    InvalidFile,
    _FrontMatterLoader,
    _split_lines,
    load_yaml,
    split_front_matter,
)

SAMPLE = Path(__file__).resolve().parents[2] / "sample-store"

_PIECES = st.sampled_from(
    ["---", "...", "----", "--- ", "---\t", "-- -", "a: 1", "\n", "\r\n", "\r", "\x0c", "\x1c",
     "\x85", "\u2028", " ", "\u00a0", "title: x", "\n---\n", "\n...\n", "é"]
)  # fmt: skip


def _outcome(split: object, text: str) -> object:
    try:
        return split(text)  # type: ignore[operator]
    except InvalidFile as error:
        return str(error)


@settings(max_examples=3000)
@given(st.lists(_PIECES | st.text(max_size=3), max_size=14).map("".join))
def test_finding_the_front_matter_fast_agrees_with_splitting_every_line(text: str) -> None:
    if not text.strip():
        assert _outcome(split_front_matter, text) == "file is empty"
        return
    assert _outcome(split_front_matter, text) == _outcome(_split_lines, text)


_SCALARS = st.sampled_from(
    ["yes", "No", "on", "~", "null", "", "0x1F", "0o17", "017", "1_000", "+12", "-0", "1e3",
     "1.5", ".inf", "-.Inf", ".nan", "12:30:00", "2026-01-02", "2026-01-02 03:04:05Z", "true",
     "'quoted'", '"7"', "plain text", "=", "<<"]
)  # fmt: skip


@settings(max_examples=500)
@given(st.lists(st.tuples(st.from_regex(r"[a-z]{1,6}", fullmatch=True), _SCALARS), max_size=8))
def test_remembered_scalar_types_are_the_ones_pyyaml_gives(pairs: list[tuple[str, str]]) -> None:
    text = "".join(f"{key}: {value}\n" for key, value in pairs if value != "<<") or "a: 1\n"
    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        with pytest.raises(InvalidFile):
            load_yaml(text)
        return
    assert load_yaml(text) == expected
    assert load_yaml(text) == expected  # now from what was remembered


def test_the_loader_has_no_path_resolvers_so_scalar_tags_depend_on_the_text_only() -> None:
    assert not _FrontMatterLoader.yaml_path_resolvers


def _front_matter_files(tmp_path: Path) -> list[Path]:
    generate_store(tmp_path, articles=300, days=30, seed=11)
    files = sorted(tmp_path.rglob("*.md")) + sorted(SAMPLE.rglob("*.md"))
    return [path for path in files if path.read_text(encoding="utf-8").startswith("---")]


def test_articles_built_from_the_kept_fields_equal_those_built_from_everything(
    tmp_path: Path,
) -> None:
    files = _front_matter_files(tmp_path)
    assert len(files) > 300
    for path in files:
        text = path.read_text(encoding="utf-8")
        everything = yaml.load(split_front_matter(text)[0], Loader=yaml.CSafeLoader)
        assert parse_article(path.name, text) == article_from_mapping(path.name, everything)


def test_a_broken_value_in_a_field_nobody_reads_does_not_cost_the_article() -> None:
    text = (
        "---\ntitle: Kept\npublishedDateTime: 2026-03-01T10:00:00Z\n"
        "secured: 2026-02-30\nlegacy: !!python/object/apply:os.system [x]\n"
        "images:\n  - url: https://img.example.test/a.jpg\n    width: 2026-02-31\n---\n"
    )
    article = parse_article("kept.md", text)
    assert article is not None
    assert article.title == "Kept" and article.image_url == "https://img.example.test/a.jpg"


def test_a_broken_value_in_a_field_that_is_read_is_still_reported() -> None:
    text = "---\ntitle: !!python/object/apply:os.system [x]\npublishedDateTime: 2026-03-01\n---\n"
    with pytest.raises(InvalidFile):
        parse_article("bad.md", text)


def test_merge_keys_and_aliases_still_work_when_fields_are_dropped() -> None:
    text = (
        "---\nbase: &base\n  title: From the base\n  quality: 70\n"
        "<<: *base\npublishedDateTime: 2026-03-01T10:00:00Z\n"
        "provider: &p {name: Copper, domain: copper.test, extra: 1}\n"
        "related:\n  - {title: Other, webUrl: 'https://copper.test/o', provider: *p}\n---\n"
    )
    article = parse_article("merged.md", text)
    assert article is not None
    assert (article.title, article.quality) == ("From the base", 70)
    assert article.provider is not None and article.provider.domain == "copper.test"
    assert article.related[0].provider == article.provider


def test_lists_that_hold_themselves_do_not_hang_the_loader() -> None:
    text = (
        "---\ntitle: Loops\npublishedDateTime: 2026-03-01T10:00:00Z\n"
        "images: &images [*images, {url: 'https://img.example.test/a.jpg'}]\n"
        "related: &related [*related]\ntopics: &topics [Space, *topics]\n---\n"
    )
    with pytest.raises(InvalidFile, match="topics"):
        parse_article("loops.md", text)
    article = parse_article("loops.md", text.replace("topics: &topics [Space, *topics]", ""))
    assert article is not None
    assert article.image_url == "https://img.example.test/a.jpg" and article.related == ()
