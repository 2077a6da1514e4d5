"""Personal digests that learn: a subscriber's signals and the order they give their digest.

A subscriber tunes their DM digest with three kinds of :class:`Feedback` on an item: "More
like this", "Less like this" and "Hide this outlet". What they said is kept as
:class:`Signals`:

- a **topic weight** per topic (the item's section topic) and an **outlet weight** per outlet
  (the domain of the item's lead article): "More like this" adds :data:`STEP` (1) to both,
  "Less like this" takes 1 from both. Every weight stays within ``[-WEIGHT_LIMIT,
  WEIGHT_LIMIT]`` = [-3, 3]: a click past the bound changes nothing, so three clicks say all
  there is to say and three clicks the other way undo them. A weight back at 0 is forgotten.
- **hidden outlets**: "Hide this outlet" adds the item's outlet; its articles are never shown
  again (not as a lead, not as an "also" link, not as related coverage; a domain hides its
  subdomains too), while a story it covered still appears through other outlets.

**The personal order** (:func:`personalize`) starts from the digest's briefing as the channel
ranking selects it, with no cap per topic (sections in catalog order, stories by quality, then
heat, then recency, see :func:`briefings.briefing.rank_key`):

1. hidden outlets' articles are removed from every story; a story left without articles is
   dropped, and the best-ranked remaining copy leads;
2. sections are ordered by their topic's weight, highest first (equal weights keep the
   channel's order);
3. within a section, stories are ordered by their lead's outlet weight, highest first (equal
   weights keep the channel's rank: quality, heat, recency);
4. each section keeps its first ``per_topic`` stories and counts the others as omitted.

So a signal outranks quality and heat, which only decide between equal signals: that is what
the subscriber asked for, and bounded small weights keep it easy to undo. The invariants are
property-tested: weights stay bounded; without signals the result *is* the channel briefing;
hidden outlets never appear; "More like this" never moves the item down and "Less like this"
never moves it up. Channel briefings never go through this module.

Every story shown gets an explanation (:meth:`PersonalBriefing.explanation`), empty when no
signal touched it: "ranked up: you asked for more of Space", "ranked down: you asked for less
from Harbor Ledger", or both kinds joined with "; ".

Signal keys are short (:func:`signal_key`, at most :data:`KEY_LIMIT` characters) so that an
item's topic and outlet fit in one Discord component value (100 characters).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from briefings.briefing import Briefing, Section, Story, rank_key
from briefings.filters import outlet_domain
from briefings.model import Article, RelatedArticle, topic_key

WEIGHT_LIMIT: Final = 3
"""The largest weight (and, negated, the smallest) a topic or outlet can reach."""
STEP: Final = 1
"""How much one "More like this" or "Less like this" moves a weight."""
KEY_LIMIT: Final = 45
"""The longest signal key; longer topics or domains are shortened with a hash."""
_HASHED_PREFIX: Final = KEY_LIMIT - 9


class Feedback(StrEnum):
    """What a subscriber can say about an item of their digest."""

    MORE = "more"
    LESS = "less"
    HIDE = "hide"


class SignalKind(StrEnum):
    """The three kinds of signal a subscriber has."""

    TOPIC = "topic"
    OUTLET = "outlet"
    HIDDEN = "hidden"


def signal_key(text: str) -> str:
    """``text`` (a topic name or a domain) as a signal key: case- and space-insensitive, at
    most :data:`KEY_LIMIT` characters (longer ones keep a prefix and a hash of the whole).

    >>> signal_key("  Climate   &  Energy "), len(signal_key("x" * 300))
    ('climate & energy', 45)
    """
    key = topic_key(text)
    if len(key) <= KEY_LIMIT:
        return key
    digest = hashlib.blake2b(key.encode(), digest_size=4).hexdigest()
    return f"{key[:_HASHED_PREFIX]}~{digest}"


def _clamp(weight: int) -> int:
    return max(-WEIGHT_LIMIT, min(WEIGHT_LIMIT, weight))


def _weights(pairs: Mapping[str, int] | Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    merged: dict[str, int] = {}
    for name, weight in items:
        key = signal_key(name)
        if key:
            merged[key] = _clamp(weight)
    return tuple(sorted((key, weight) for key, weight in merged.items() if weight))


@dataclass(frozen=True, slots=True)
class Signals:
    """A subscriber's signals: bounded topic and outlet weights and hidden outlets.

    Build it with :meth:`of`, which normalises keys, bounds weights and drops zeros; the
    empty value (the default) changes nothing.
    """

    topics: tuple[tuple[str, int], ...] = ()
    outlets: tuple[tuple[str, int], ...] = ()
    hidden: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for pairs in (self.topics, self.outlets):
            if _weights(pairs) != pairs:
                raise ValueError(f"weights must be normalised with Signals.of, got {pairs!r}")
        if tuple(sorted({signal_key(key) for key in self.hidden} - {""})) != self.hidden:
            raise ValueError(f"hidden outlets must be normalised, got {self.hidden!r}")

    @classmethod
    def of(
        cls,
        *,
        topics: Mapping[str, int] | Iterable[tuple[str, int]] = (),
        outlets: Mapping[str, int] | Iterable[tuple[str, int]] = (),
        hidden: Iterable[str] = (),
    ) -> Signals:
        """Signals from raw weights (bounded to ±:data:`WEIGHT_LIMIT`) and outlet domains."""
        keys = {signal_key(name) for name in hidden} - {""}
        return cls(_weights(topics), _weights(outlets), tuple(sorted(keys)))

    def __bool__(self) -> bool:
        return bool(self.topics or self.outlets or self.hidden)

    def topic_weight(self, topic: str) -> int:
        """The weight of ``topic`` (a name or a key; 0 when there is none)."""
        return dict(self.topics).get(signal_key(topic), 0)

    def outlet_weight(self, outlet: str | None) -> int:
        """The weight of the outlet domain ``outlet`` (0 for none)."""
        return dict(self.outlets).get(signal_key(outlet), 0) if outlet else 0

    def hides(self, article: Article | RelatedArticle) -> bool:
        """Whether ``article`` belongs to a hidden outlet (by provider domain or URL host)."""
        if not self.hidden:
            return False
        provider = article.provider.domain if article.provider else None
        for source in (provider, article.url):
            host = outlet_domain(source) if source else None
            if host and any(
                signal_key(host) == key or host.endswith("." + key) for key in self.hidden
            ):
                return True
        return False


def outlet_host(article: Article) -> str | None:
    """The domain of ``article``'s outlet: its provider's domain, else its URL's host."""
    provider = article.provider.domain if article.provider else None
    for source in (provider, article.url):
        host = outlet_domain(source) if source else None
        if host:
            return host
    return None


def article_outlet(article: Article) -> str | None:
    """The outlet ``article`` is counted under: the signal key of :func:`outlet_host`."""
    host = outlet_host(article)
    return signal_key(host) if host else None


@dataclass(frozen=True, slots=True)
class ItemRef:
    """What feedback on one item is about: its topic key and its outlet key (if any)."""

    topic: str
    outlet: str | None = None

    def __post_init__(self) -> None:
        if not self.topic or signal_key(self.topic) != self.topic:
            raise ValueError(f"an item's topic must be a signal key, got {self.topic!r}")
        if self.outlet is not None and (not self.outlet or signal_key(self.outlet) != self.outlet):
            raise ValueError(f"an item's outlet must be a signal key, got {self.outlet!r}")


def item_ref(story: Story) -> ItemRef:
    """The topic (the story's section) and outlet (its lead's) that feedback on it moves."""
    return ItemRef(signal_key(story.topic) or "general", article_outlet(story.lead))


@dataclass(frozen=True, slots=True)
class Change:
    """One signal that feedback changed: ``before`` and ``after`` (1 = hidden, for HIDDEN)."""

    kind: SignalKind
    key: str
    before: int
    after: int


def apply_feedback(
    signals: Signals, feedback: Feedback, item: ItemRef
) -> tuple[Signals, tuple[Change, ...]]:
    """``signals`` after ``feedback`` on ``item``, and what it changed (bounded, see above).

    A click past a bound, or hiding an outlet already hidden, changes nothing (and says so
    with ``before == after``); an item without an outlet only moves its topic.
    """
    if feedback is Feedback.HIDE:
        if item.outlet is None:
            return signals, ()
        was = int(item.outlet in signals.hidden)
        hidden = (*signals.hidden, item.outlet)
        updated = Signals.of(topics=signals.topics, outlets=signals.outlets, hidden=hidden)
        return updated, (Change(SignalKind.HIDDEN, item.outlet, was, 1),)
    step = STEP if feedback is Feedback.MORE else -STEP
    topics, outlets = dict(signals.topics), dict(signals.outlets)
    changes = [_move(topics, SignalKind.TOPIC, item.topic, step)]
    if item.outlet is not None:
        changes.append(_move(outlets, SignalKind.OUTLET, item.outlet, step))
    return Signals.of(topics=topics, outlets=outlets, hidden=signals.hidden), tuple(changes)


def _move(weights: dict[str, int], kind: SignalKind, key: str, step: int) -> Change:
    before = weights.get(key, 0)
    weights[key] = _clamp(before + step)
    return Change(kind, key, before, weights[key])


# --------------------------------------------------------------------------- the order


@dataclass(frozen=True, slots=True)
class PersonalBriefing:
    """A digest in a subscriber's order, and why each shown story is where it is."""

    briefing: Briefing
    explanations: tuple[tuple[str, str], ...] = ()
    """(lead URL, explanation) of every shown story a signal moved."""

    def explanation(self, story: Story) -> str:
        """Why ``story`` is ranked as it is ("" when no signal touched it)."""
        return dict(self.explanations).get(story.lead.url or "", "")


def without_hidden(story: Story, signals: Signals) -> Story | None:
    """``story`` without the articles of hidden outlets; None when none is left."""
    if not signals.hidden:
        return story
    kept = [article for article in story.articles if not signals.hides(article)]
    if not kept:
        return None
    lead, *also = sorted(kept, key=rank_key)
    related = tuple(item for item in story.related if not signals.hides(item))
    return Story(lead, tuple(also), related, story.topic, story.updated)


def personalize(briefing: Briefing, signals: Signals, *, per_topic: int) -> PersonalBriefing:
    """``briefing`` (a digest, no top stories) in the order ``signals`` give it.

    ``briefing`` should be selected without a cap per topic (a large ``per_topic``), so that a
    story the channel ranking would leave out can move up; its sections' ``omitted`` counts
    are carried over. Raises ``ValueError`` for a briefing with top stories or a ``per_topic``
    below 1.
    """
    if briefing.top_stories:
        raise ValueError("personal digests have no top stories")
    if per_topic < 1:
        raise ValueError("per_topic must be at least 1")
    ordered = sorted(
        enumerate(briefing.sections),
        key=lambda pair: (-signals.topic_weight(pair[1].topic), pair[0]),
    )
    sections: list[Section] = []
    notes: list[tuple[str, str]] = []
    for _, section in ordered:
        kept = [s for story in section.stories if (s := without_hidden(story, signals))]
        if not kept:
            continue
        kept.sort(key=lambda s: (-signals.outlet_weight(article_outlet(s.lead)), rank_key(s.lead)))
        shown = tuple(kept[:per_topic])
        omitted = section.omitted + len(kept) - len(shown)
        sections.append(Section(section.topic, shown, omitted))
        for story in shown:
            note = explain_rank(story, signals)
            if note and story.lead.url:
                notes.append((story.lead.url, note))
    ranked = Briefing(briefing.start, briefing.end, tuple(sections))
    return PersonalBriefing(ranked, tuple(notes))


def explain_rank(story: Story, signals: Signals) -> str:
    """Why ``story`` moved: "ranked up: you asked for more of Space and more from Ledger"."""
    outlet = story.lead.provider_name or article_outlet(story.lead) or ""
    up: list[str] = []
    down: list[str] = []
    topic_weight = signals.topic_weight(story.topic)
    if topic_weight:
        (up if topic_weight > 0 else down).append(
            f"{'more' if topic_weight > 0 else 'less'} of {story.topic}"
        )
    outlet_weight = signals.outlet_weight(article_outlet(story.lead))
    if outlet_weight:
        (up if outlet_weight > 0 else down).append(
            f"{'more' if outlet_weight > 0 else 'less'} from {outlet}"
        )
    parts = [f"ranked up: you asked for {' and '.join(up)}"] if up else []
    parts += [f"ranked down: you asked for {' and '.join(down)}"] if down else []
    return "; ".join(parts)
