"""Plain renderings of briefings, search results and topics: text, Markdown and JSON.

These are what the CLI prints. (Discord embeds are rendered by the bot, from the same domain
values.) JSON shapes are part of the public interface and documented in the README; times are
ISO 8601 in the requested zone. Search snippets mark matched words with ``**``.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Any

from briefings.briefing import Briefing, Story
from briefings.explain import Explanation
from briefings.index import SearchHit, SearchResults
from briefings.topics import TopicSummary

JsonObject = dict[str, Any]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~>])")


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown punctuation so titles render as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _iso(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).isoformat()


def _when(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


# --- briefings -------------------------------------------------------------------------------


def briefing_to_json(briefing: Briefing, zone: tzinfo) -> JsonObject:
    """The ``briefings build --format json`` document."""
    return {
        "window": {"start": _iso(briefing.start, zone), "end": _iso(briefing.end, zone)},
        "sections": [
            {
                "topic": section.topic,
                "items": [_story_json(story, zone) for story in section.stories],
            }
            for section in briefing.sections
        ],
    }


def _story_json(story: Story, zone: tzinfo) -> JsonObject:
    lead = story.lead
    return {
        "title": lead.title,
        "url": lead.url,
        "provider": lead.provider_name,
        "quality": _number(lead.quality),
        "heat": _number(lead.heat),
        "published_at": _iso(lead.published_at, zone),
        "topics": list(lead.topics),
        "also": [{"provider": other.provider_name, "url": other.url} for other in story.also],
    }


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _heading(briefing: Briefing, zone: tzinfo) -> str:
    hours = (briefing.end - briefing.start).total_seconds() / 3600
    span = f"{hours:g} hours" if hours != 24 else "24 hours"
    end = briefing.end.astimezone(zone)
    return f"Daily briefing for {end:%A %d %B %Y, %H:%M %Z} (the last {span})"


def _summary(briefing: Briefing) -> str:
    if briefing.is_empty:
        return "No published articles in this window."
    topics = len(briefing.sections)
    stories = briefing.story_count
    return f"{_plural(stories, 'story', 'stories')} in {_plural(topics, 'topic', 'topics')}."


def briefing_to_text(briefing: Briefing, zone: tzinfo) -> str:
    """A plain-text briefing for a terminal."""
    lines = [_heading(briefing, zone), ""]
    for section in briefing.sections:
        lines.append(f"== {section.topic} ==")
        for number, story in enumerate(section.stories, start=1):
            lead = story.lead
            lines.append(f"{number}. {lead.title}")
            meta = [
                lead.provider_name,
                _when(lead.published_at, zone),
                f"quality {_number(lead.quality)}",
            ]
            lines.append("   " + " · ".join(part for part in meta if part))
            lines.append(f"   {lead.url}")
            lines.extend(
                f"   also: {other.provider_name or 'another outlet'} {other.url}"
                for other in story.also
            )
            lines.extend(
                f"   related: {item.title} ({item.provider.name if item.provider else 'link'})"
                f" {item.url}"
                for item in story.related
            )
        if section.omitted:
            lines.append(f"   (+{section.omitted} more in {section.topic})")
        lines.append("")
    lines.append(_summary(briefing))
    return "\n".join(lines)


def briefing_to_markdown(briefing: Briefing, zone: tzinfo) -> str:
    """A Markdown briefing (for a newsletter, a wiki page or a chat that renders Markdown)."""
    lines = [f"# {escape_markdown(_heading(briefing, zone))}", ""]
    for section in briefing.sections:
        lines.extend([f"## {escape_markdown(section.topic)}", ""])
        for story in section.stories:
            lead = story.lead
            meta = " · ".join(
                p
                for p in (escape_markdown(lead.provider_name), _when(lead.published_at, zone))
                if p
            )
            lines.append(f"- **[{escape_markdown(lead.title)}](<{lead.url}>)** — {meta}")
            if story.also:
                links = ", ".join(
                    f"[{escape_markdown(other.provider_name or 'link')}](<{other.url}>)"
                    for other in story.also
                )
                lines.append(f"  - also: {links}")
            for item in story.related:
                lines.append(f"  - related: [{escape_markdown(item.title)}](<{item.url}>)")
        if section.omitted:
            lines.append(f"- *…and {section.omitted} more*")
        lines.append("")
    lines.append(f"*{_summary(briefing)}*")
    return "\n".join(lines)


# --- search ----------------------------------------------------------------------------------


def _hit_json(hit: SearchHit, zone: tzinfo) -> JsonObject:
    return {
        "title": hit.title,
        "url": hit.url,
        "quality": _number(hit.quality),
        "published_at": _iso(hit.published_at, zone),
        "topics": list(hit.topics),
        "snippet": hit.snippet_with("**", "**"),
    }


def search_to_json(results: SearchResults, zone: tzinfo) -> JsonObject:
    """The ``briefings search --format json`` document."""
    document: JsonObject = {
        "query": results.query,
        "total": results.total,
        "results": [_hit_json(hit, zone) for hit in results.hits],
    }
    if results.message:
        document["message"] = results.message
    return document


def search_to_text(results: SearchResults, zone: tzinfo) -> str:
    """Search results for a terminal."""
    if results.message:
        return results.message
    if not results.hits:
        return f"No articles match {results.query!r}."
    lines = [
        f"{results.total} {'match' if results.total == 1 else 'matches'} for {results.query!r}",
        "",
    ]
    for number, hit in enumerate(results.hits, start=1):
        lines.append(f"{number}. {hit.title}")
        meta = [hit.provider, _when(hit.published_at, zone), ", ".join(hit.topics)]
        lines.append("   " + " · ".join(part for part in meta if part))
        lines.append(f"   {hit.snippet_with('**', '**')}")
        if hit.url:
            lines.append(f"   {hit.url}")
    if results.total > len(results.hits):
        lines.extend(
            ["", f"(showing {len(results.hits)} of {results.total}; use --limit for more)"]
        )
    return "\n".join(lines)


# --- topics ----------------------------------------------------------------------------------


def topics_to_json(summaries: list[TopicSummary]) -> JsonObject:
    """The ``briefings topics --format json`` document."""
    return {
        "topics": [
            {
                "name": s.name,
                "parent": s.parent,
                "description": s.description,
                "articles": s.articles,
                "published": s.published,
            }
            for s in summaries
        ]
    }


def topics_to_text(summaries: list[TopicSummary]) -> str:
    """The topic overview for a terminal, children indented under their parent."""
    if not summaries:
        return "This store has no topics."
    width = max(len(s.name) for s in summaries) + 2
    lines = []
    for s in summaries:
        name = f"  {s.name}" if s.parent else s.name
        counts = f"{s.articles:>6} articles ({s.published} published)"
        lines.append(f"{name:<{width + 2}}{counts}  {s.description}".rstrip())
    return "\n".join(lines)


# --- explanations ----------------------------------------------------------------------------


def explanation_to_json(result: Explanation, zone: tzinfo) -> JsonObject:
    """The ``briefings explain --format json`` document."""
    article = result.article
    return {
        "url": result.url,
        "included": result.included,
        "verdict": result.verdict,
        "article": None
        if article is None
        else {
            "title": article.title,
            "url": article.url,
            "path": article.path,
            "published_at": _iso(article.published_at, zone),
        },
        "stages": [
            {"stage": s.name, "passed": s.passed, "detail": s.detail} for s in result.stages
        ],
    }


def explanation_to_text(result: Explanation) -> str:
    """An explanation for a terminal: the verdict, then one line per stage checked."""
    lines = [result.verdict, ""]
    lines += [f"  [{'ok' if s.passed else 'no'}] {s.name}: {s.detail}" for s in result.stages]
    return "\n".join(lines)
