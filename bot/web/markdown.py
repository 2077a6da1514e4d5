"""Discord's message Markdown → safe HTML, so the panel shows a briefing as Discord would.

Only what :mod:`bot.rendering` produces (and Discord shows) is understood: ``**bold**``,
``*italic*``/``_italic_``, ``__underline__``, ``~~strike~~``, ``` `code` ```, backslash
escapes, masked links ``[label](https://…)``, timestamps ``<t:…:f>`` and channel and role
mentions ``<#…>`` / ``<@&…>`` (shown by the name the caller knows, as Discord shows them: text,
never a ping); newlines become line breaks. Everything else is text, HTML-escaped: the result
is always safe to put in a page. Pure: no clock (timestamps are shown in the zone passed in).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo

from markupsafe import Markup, escape

from bot.headings import MONTHS, WEEKDAYS

_TOKEN = re.compile(
    r"""
    \\(?P<escaped>[^\w\s])                                   # \* \[ \_ …
    | \[(?P<label>(?:\\.|[^\]\\\n])+)\]\((?P<url>https?://[^\s()<>]+)\)
    | <(?P<sigil>\#|@&)(?P<mentioned>\d{1,20})>               # <#channel> <@&role>
    | <t:(?P<stamp>-?\d{1,12})(?::(?P<style>[tTdDfFR]))?>
    | `(?P<code>[^`\n]+)`
    | (?P<mark>\*\*|__|~~|\*|_)
    | (?P<newline>\n)
    """,
    re.VERBOSE,
)
_TAGS = {"**": "strong", "__": "u", "~~": "s", "*": "em", "_": "em"}
_STYLES = {
    "t": "%H:%M",
    "T": "%H:%M:%S",
    "d": "%Y-%m-%d",
    "D": "%d {month} %Y",
    "f": "%d {month} %Y %H:%M",
    "F": "{weekday} %d {month} %Y %H:%M",
    "R": "%Y-%m-%d %H:%M",
}


def timestamp(seconds: int, style: str, zone: tzinfo) -> str:
    """A ``<t:seconds:style>`` timestamp as text in ``zone`` (locale-independent)."""
    try:
        moment = datetime.fromtimestamp(seconds, UTC).astimezone(zone)
    except (OverflowError, OSError, ValueError):
        return str(seconds)
    # English day and month names (never strftime's %a/%b, which follow the locale)
    text = moment.strftime(_STYLES.get(style, _STYLES["f"])).format(
        weekday=WEEKDAYS[moment.weekday()], month=MONTHS[moment.month - 1][:3]
    )
    return text + f" {moment.tzname() or ''}".rstrip()


UNKNOWN = {"#": "#unknown-channel", "@&": "@deleted-role"}
"""How a mention of an id the caller does not know is shown (Discord's own words)."""
_MENTION = re.compile(r"<(#|@&)(\d{1,20})>")


def plain_mentions(text: str, names: Mapping[int, str]) -> str:
    """``text`` with each channel or role mention replaced by its name (plain text, for a
    message that is shown as text, such as an error next to a field)."""
    return _MENTION.sub(lambda m: names.get(int(m[2]), UNKNOWN[m[1]]), text)


def discord_markdown(
    text: str, *, zone: tzinfo | None = None, names: Mapping[int, str] | None = None
) -> Markup:
    """``text`` as Discord would format it, as escaped HTML (timestamps in ``zone``, UTC;
    ``names``: what to show for a mentioned channel or role id, e.g. ``#news``, ``@Editors``)."""
    return Markup(_render(text, zone or UTC, names or {}, links=True))  # noqa: S704 (escaped)


def _render(text: str, zone: tzinfo, names: Mapping[int, str], *, links: bool) -> str:
    out: list[str] = []
    open_marks: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        out.append(str(escape(text[position : match.start()])))
        position = match.end()
        if match["escaped"] is not None:
            out.append(str(escape(match["escaped"])))
        elif match["label"] is not None:
            label = _render(match["label"], zone, names, links=False)
            if links:
                out.append(
                    f'<a href="{escape(match["url"])}" rel="noopener noreferrer nofollow" '
                    f'target="_blank">{label}</a>'
                )
            else:
                out.append(label)
        elif match["mentioned"] is not None:
            shown = names.get(int(match["mentioned"]), UNKNOWN[match["sigil"]])
            out.append(f'<span class="mention">{escape(shown)}</span>')
        elif match["stamp"] is not None:
            shown = timestamp(int(match["stamp"]), match["style"] or "f", zone)
            out.append(f'<span class="stamp">{escape(shown)}</span>')
        elif match["code"] is not None:
            out.append(f"<code>{escape(match['code'])}</code>")
        elif match["newline"] is not None:
            out.append("<br>")
        else:
            mark = match["mark"]
            if mark in open_marks:
                while open_marks:  # close down to the matching mark
                    top = open_marks.pop()
                    out.append(f"</{_TAGS[top]}>")
                    if top == mark:
                        break
            else:
                open_marks.append(mark)
                out.append(f"<{_TAGS[mark]}>")
    out.append(str(escape(text[position:])))
    out.extend(f"</{_TAGS[mark]}>" for mark in reversed(open_marks))
    return "".join(out)
