"""Which stories a DM digest message shows, read back from the message itself.

The buttons under a digest message ("More like this", "Less like this", "Hide this outlet")
carry no per-message data: a ``custom_id`` holds at most 100 characters and a message can show
25 stories. Discord sends the message (its embeds) with every click on it, so the stories are
read from there (:func:`read_stories`), which works after any restart, in any process, and
needs no table. What the reader relies on is what :func:`bot.rendering.render_briefing` writes
for a digest (``feedback=True``):

- each embed's **title** is its section's topic (safe text, " (continued)" on later parts,
  "Untitled" for a section without a name);
- each story block (blocks are separated by an empty line) opens with the lead's linked
  title, ``[**Title**](url)`` (``**Title**`` when the URL cannot be linked);
- its next line opens with the outlet's name linked to the outlet's domain,
  ``[Harbor Ledger](https://harborledger.test)`` (:func:`outlet_link`), the domain
  :func:`briefings.personal.outlet_host` gives: so the outlet read back is exactly the one the
  digest's ranking used. A story without a known outlet shows no such link and has none.

The topic's key is that of the candidate name (the catalog's topics and the subscriber's)
rendered exactly as the title; a title none of them gives (a topic left since) is unescaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot._limits import TITLE_LIMIT, URL_LIMIT, ZWSP, markdown_link, safe_text
from briefings.filters import outlet_domain
from briefings.model import Article
from briefings.personal import ItemRef, outlet_host, signal_key

CONTINUED: Final = " (continued)"
UNTITLED: Final = "Untitled"
"""The title of a section without a name."""
OUTLET_NAME_LIMIT: Final = 100
_TITLE_LINE: Final = re.compile(r"\[\*\*(?P<linked>.*)\*\*\]\([^\s)]+\)|\*\*(?P<plain>.*)\*\*")
_OUTLET_LINK: Final = re.compile(r"\[(?P<name>(?:\\.|[^\\\]])*)\]\((?P<home>https://[^\s)]+)\)")
_ESCAPED: Final = re.compile(r"\\(.)")


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    """One story of a digest message as its feedback controls show it."""

    title: str
    topic: str
    outlet_name: str
    ref: ItemRef


def outlet_link(article: Article) -> str:
    """The outlet of ``article`` as a digest shows it: its name linked to its domain."""
    host = outlet_host(article)
    name = article.provider_name or host or ""
    if host is None:
        return safe_text(name, OUTLET_NAME_LIMIT)
    return markdown_link(name, f"https://{host}", limit=URL_LIMIT, label_limit=OUTLET_NAME_LIMIT)


def unescape(text: str) -> str:
    """Safe text as it was before escaping (best effort: the rendering is not one-to-one)."""
    return _ESCAPED.sub(r"\1", text.replace(ZWSP, ""))


def _topic_name(title: str, candidates: Mapping[str, str]) -> str:
    """The topic whose section title is ``title``: a candidate rendered so, else unescaped."""
    if title in candidates:
        return candidates[title]
    return unescape(title.removesuffix(CONTINUED))


def _titles(names: Iterable[str]) -> dict[str, str]:
    titles: dict[str, str] = {}
    for name in names:
        for title in (
            safe_text(name, TITLE_LIMIT) or UNTITLED,
            (safe_text(name, TITLE_LIMIT - len(CONTINUED)) or UNTITLED) + CONTINUED,
        ):
            titles.setdefault(title, name)
    return titles


def _item(title_line: str, meta: str, topic: str) -> FeedbackItem | None:
    story = _TITLE_LINE.fullmatch(title_line)
    if story is None:
        return None
    outlet = _OUTLET_LINK.match(meta)
    host = outlet_domain(outlet["home"]) if outlet is not None else None
    ref = ItemRef(signal_key(topic) or "general", signal_key(host) if host else None)
    name = unescape(outlet["name"]) if outlet is not None and host else ""
    return FeedbackItem(unescape(story["linked"] or story["plain"] or ""), topic, name, ref)


def read_stories(
    embeds: Sequence[Mapping[str, Any]], topic_names: Iterable[str] = ()
) -> tuple[FeedbackItem, ...]:
    """The stories of a digest message with ``embeds`` (as Discord sends them), in order.

    ``topic_names`` are the names a section may have (see the module's docstring).
    """
    candidates = _titles(topic_names)
    blocks: list[tuple[str, list[str]]] = []
    for embed in embeds:
        topic = _topic_name(str(embed.get("title") or ""), candidates)
        for block in str(embed.get("description") or "").split("\n\n"):
            blocks.append((topic, block.split("\n")))
    items: list[FeedbackItem] = []
    for number, (topic, lines) in enumerate(blocks):
        if len(lines) > 1:
            meta = lines[1]
        else:  # a long block cut between two embeds: its next line opens the next one
            following = blocks[number + 1][1] if number + 1 < len(blocks) else []
            meta = following[0] if following else ""
        item = _item(lines[0], meta, topic)
        if item is not None:
            items.append(item)
    return tuple(items)
