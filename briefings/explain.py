"""Why is an article in a briefing, or not? A stage-by-stage explanation.

The most asked question about feed bots is "why didn't my article show up?". :func:`explain`
answers it by walking the same stages :func:`~briefings.briefing.assemble` uses, in order,
and stopping at the first one the article fails:

1. **found**: an article of the store has this URL (compared canonically, so tracking
   parameters, ``www.`` or an AMP variant do not matter);
2. **published**: its front matter says ``published: true``;
3. **window**: it was published inside ``(at - window, at]`` (or before, but was posted
   already and changed since: it comes back as "Updated");
4. **quality**: its quality reaches the minimum;
5. **topic**: one of its topics is among the requested topics (or their sub-topics);
6. **filters** (only when the request has filters): "filtered out by outlet example.com",
   "filtered out by exclude 'crypto'" (found in this article or another copy of its story),
   or "filtered out by include: contains none of …";
7. **story**: it leads its story, or it was merged into another outlet's copy of the same
   story (which one) and is shown as an "also" link;
8. **posted** (only when the request carries what was posted before): "already posted on
   DATE" (the date of the post in the zone of the log's times: the bot gives the schedule's),
   or posted then and changed since, so shown again as "Updated";
9. **rank**: its story is one of the top stories, or made the cut of its section, or which
   stories outranked it there.

Pure: the caller passes the articles (the whole store, or at least every article with that
URL plus those of the window), the catalog and the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from briefings.briefing import (
    GENERAL_SECTION,
    Briefing,
    BriefingRequest,
    Section,
    Story,
    assemble,
    candidates,
    in_window,
    is_selected,
    merge_stories,
    primary_topic,
    rank_key,
    repeat_of,
    topic_selection,
)
from briefings.filters import article_rejection, story_rejection
from briefings.model import Article, Catalog, topic_key
from briefings.repeats import PostedArticle
from briefings.urls import canonical_url


@dataclass(frozen=True, slots=True)
class Stage:
    """One checked stage: its name, whether the article passed, and what was found."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """The verdict for one URL and the stages that led to it."""

    url: str
    article: Article | None
    included: bool
    verdict: str
    stages: tuple[Stage, ...]


def _describe(article: Article) -> str:
    provider = f" ({article.provider_name})" if article.provider_name else ""
    return f"“{article.title}”{provider}"


def _find(url: str, articles: list[Article], merged: list[Article]) -> Article | None:
    """The article at ``url``: of several with that URL, one that gets furthest, best first."""
    key = canonical_url(url)
    matches = [a for a in articles if a.url and canonical_url(a.url) == key]
    taken = {id(a) for a in merged}
    return min(matches, key=lambda a: (id(a) not in taken, rank_key(a))) if matches else None


def explain(
    url: str, articles: Iterable[Article], catalog: Catalog, request: BriefingRequest
) -> Explanation:
    """Explain whether and why the article at ``url`` is in the briefing of ``request``."""
    pool = list(articles)
    stages: list[Stage] = []

    def verdict(
        text: str, *, included: bool = False, article: Article | None = None
    ) -> Explanation:
        return Explanation(url, article, included, text, tuple(stages))

    merged = candidates(pool, catalog, request)
    article = _find(url, pool, merged)
    if article is None:
        stages.append(Stage("found", False, "no article in the store has this URL"))
        return verdict("Not found: no article in the store has this URL.")
    stages.append(Stage("found", True, f"{_describe(article)}, file {article.path}"))

    if not article.published:
        stages.append(Stage("published", False, "its front matter does not say `published: true`"))
        return verdict(
            "Not published: only articles marked `published: true` are shown.", article=article
        )
    stages.append(Stage("published", True, "published: true"))

    start, end = request.start, request.at
    when = article.published_at.isoformat()
    if not in_window(article, request):
        side = "before" if article.published_at <= start else "after"
        stages.append(
            Stage(
                "window",
                False,
                f"published {when}, {side} the window {start.isoformat()} – {end.isoformat()}",
            )
        )
        return verdict(f"Outside the window: published {when}.", article=article)
    if start < article.published_at:
        stages.append(Stage("window", True, f"published {when}, inside the window"))
    else:
        stages.append(
            Stage("window", True, f"published {when}, before the window, but changed since posted")
        )

    if article.quality < request.min_quality:
        stages.append(
            Stage(
                "quality",
                False,
                f"quality {article.quality:g} is below the minimum {request.min_quality:g}",
            )
        )
        return verdict(
            f"Below the minimum quality ({article.quality:g} < {request.min_quality:g}).",
            article=article,
        )
    stages.append(Stage("quality", True, f"quality {article.quality:g} ≥ {request.min_quality:g}"))

    selected = topic_selection(request.topics, catalog)
    if not is_selected(article, selected, catalog):
        topics = ", ".join(article.topics) or "none"
        wanted = ", ".join(request.topics)
        stages.append(
            Stage("topic", False, f"its topics ({topics}) are not among the selected ({wanted})")
        )
        return verdict(f"Topic not selected: its topics are {topics}.", article=article)
    stages.append(Stage("topic", True, ", ".join(article.topics) or "no topic (goes to General)"))

    filtered = request.filters
    if filtered and article not in merged:
        dropped = article_rejection(article, filtered) or "filtered out"
        stages.append(Stage("filters", False, dropped))
        return verdict(f"{dropped[:1].upper()}{dropped[1:]}.", article=article)
    # `article` is the best-ranked copy of its URL, so it is its story's lead or an "also".
    story = next(s for s in merge_stories(merged) if article in s.articles)
    if filtered:
        reason = story_rejection(story.articles, filtered)
        if reason is not None:
            stages.append(Stage("filters", False, reason))
            return verdict(f"{reason[:1].upper()}{reason[1:]}.", article=article)
        stages.append(Stage("filters", True, f"passes the filters ({filtered.describe()})"))

    if story.lead != article:
        stages.append(
            Stage("story", False, f"the same story as {_describe(story.lead)}, which ranks higher")
        )
    else:
        stages.append(Stage("story", True, "leads its story"))

    if request.posted:
        repeat = repeat_of(story, request)
        if repeat is not None and not repeat.updated:
            day = _day(repeat.posted)
            stages.append(Stage("posted", False, f"already posted on {day}"))
            return verdict(f"Already posted on {day}.", article=article)
        stages.append(
            Stage("posted", True, "not posted before")
            if repeat is None
            else Stage(
                "posted",
                True,
                f"posted on {_day(repeat.posted)} and changed since: shown again as Updated",
            )
        )

    briefing = assemble(pool, catalog, request)
    top = next((n for n, s in enumerate(briefing.top_stories, 1) if s.lead == story.lead), 0)
    if top:
        stages.append(Stage("rank", True, f"top story {top} of {len(briefing.top_stories)}"))
        where, place = f"top story {top}", "the top stories"
    else:
        section, position = _locate(briefing, story)
        if section is None:
            holder = _section_of(briefing, story, catalog, request)
            shown = (
                ", ".join(
                    f"{_describe(s.lead)} (quality {s.lead.quality:g})" for s in holder.stories
                )
                if holder
                else ""
            )
            topic = holder.topic if holder else "its topic"
            stages.append(Stage("rank", False, f"outranked in {topic} by {shown}"))
            return verdict(
                f"Outranked in {topic}: the section shows its top {request.per_topic} stories.",
                article=article,
            )
        stages.append(
            Stage("rank", True, f"story {position} of {len(section.stories)} in {section.topic}")
        )
        where, place = f"story {position} in {section.topic}", section.topic
    if story.lead != article:
        return verdict(
            f"Included as an “also” link under {_describe(story.lead)} in {place}.",
            included=True,
            article=article,
        )
    return verdict(f"Included: {where}.", included=True, article=article)


def _day(posted: PostedArticle) -> str:
    return posted.posted_at.date().isoformat()


def _locate(briefing: Briefing, story: Story) -> tuple[Section | None, int]:
    for section in briefing.sections:
        for position, shown in enumerate(section.stories, start=1):
            if shown.lead == story.lead:
                return section, position
    return None, 0


def _section_of(
    briefing: Briefing, story: Story, catalog: Catalog, request: BriefingRequest
) -> Section | None:
    topic = primary_topic(story.lead.topics, catalog, topic_selection(request.topics, catalog))
    entry = catalog.get(topic) if topic else None
    key = topic_key(entry.name if entry else topic or GENERAL_SECTION)
    return next((s for s in briefing.sections if topic_key(s.topic) == key), None)
