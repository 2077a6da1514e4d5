"""Discord's size limits and the text-safety primitives behind :mod:`bot.rendering`.

Everything here is pure. Lengths are counted the way Discord (and ``len(discord.Embed)``)
counts them: in code points. Text from articles is untrusted; :func:`safe_text` makes it inert
(Markdown escaped, mentions and invite links broken with a zero-width space) and only ever
truncates between whole escape sequences, so truncation can never re-enable markup.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final
from urllib.parse import quote, urlsplit

import discord

# --------------------------------------------------------------------------- Discord's limits

TITLE_LIMIT: Final = 256
DESCRIPTION_LIMIT: Final = 4096
FIELD_COUNT_LIMIT: Final = 25
FIELD_NAME_LIMIT: Final = 256
FIELD_VALUE_LIMIT: Final = 1024
FOOTER_LIMIT: Final = 2048
AUTHOR_NAME_LIMIT: Final = 256
MESSAGE_EMBED_CHARS_LIMIT: Final = 6000
"""Sum over a message's embeds of title, description, field names and values, footer, author."""
EMBEDS_PER_MESSAGE_LIMIT: Final = 10
CONTENT_LIMIT: Final = 2000
URL_LIMIT: Final = 2048
"""Longer link targets are not linked (the text is shown without its link)."""

ELLIPSIS: Final = "…"
ZWSP: Final = "\u200b"

# --------------------------------------------------------------------------- sizes


def embed_size(embed: discord.Embed) -> int:
    """The characters ``embed`` counts towards :data:`MESSAGE_EMBED_CHARS_LIMIT`."""
    data = embed.to_dict()
    total = len(data.get("title", "")) + len(data.get("description", ""))
    total += sum(len(field["name"]) + len(field["value"]) for field in data.get("fields", []))
    total += len(data.get("footer", {}).get("text", ""))
    return total + len(data.get("author", {}).get("name", ""))


def truncate(text: str, limit: int) -> str:
    """Plain truncation with an ellipsis (for trusted text such as our own headings)."""
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""
    return text[: limit - 1].rstrip() + ELLIPSIS


# --------------------------------------------------------------------------- inert text

_BIDI_CONTROLS: Final = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CONTROLS: Final = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc
_SPACES: Final = re.compile(r"\s+")
_BRACKET_OPEN: Final = "\ue00a"  # placeholders: brackets are escaped by us, not by discord.py
_BRACKET_CLOSE: Final = "\ue00b"
_NUMBERED: Final = re.compile(r"^(\d+)\.(?=\s)")  # "1. " would start a list
_BULLET: Final = re.compile(r"^([+>])")  # "+ " a list, ">" a quote (and no spoofed "+N more")
_ANGLE: Final = re.compile(r"<(?=\S)")  # <@1>, <@!1>, <@&1>, <#1>, </cmd:1>, <t:1>
_EVERYONE: Final = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
_INVITE: Final = re.compile(
    r"(discord(?:app)?|dsc)(\s*\.\s*)(?=(?:gg|com|io|me|li|new)\b)", re.IGNORECASE
)
_GLUE: Final = frozenset({"Mn", "Mc", "Me"})
_BOLD: Final = "**"


def _collapse(text: str) -> str:
    """Control characters and runs of whitespace (newlines too) become one space."""
    return _SPACES.sub(" ", _CONTROLS.sub(" ", _BIDI_CONTROLS.sub("", text)))


def _escape(text: str) -> str:
    # discord.py's link pattern is cubic on text full of brackets, so brackets go around it.
    text = text.replace("[", _BRACKET_OPEN).replace("]", _BRACKET_CLOSE)
    text = discord.utils.escape_markdown(text, ignore_links=False)
    text = _BULLET.sub(r"\\\1", _NUMBERED.sub(r"\1\\.", text))
    return text.replace(_BRACKET_OPEN, "\\[").replace(_BRACKET_CLOSE, "\\]")


def _neutralise(text: str) -> str:
    text = discord.utils.escape_mentions(text)
    text = _ANGLE.sub("<" + ZWSP, text)
    text = _EVERYONE.sub("@" + ZWSP, text)
    return _INVITE.sub(lambda m: m.group(1) + ZWSP + m.group(2), text)


def inert(text: str) -> str:
    """``text`` on one line, Markdown escaped, mentions and invites broken (not truncated)."""
    return _neutralise(_escape(_collapse(text)))


def _glues(char: str) -> bool:
    """Whether ``char`` belongs to the character before it (combining mark, joiner, selector)."""
    return char in "\u200d\ufe0e\ufe0f" or unicodedata.category(char) in _GLUE


def atoms(text: str) -> list[str]:
    """Split inert text into pieces that truncation must not cut (escapes, combining marks)."""
    pieces: list[str] = []
    index = 0
    while index < len(text):
        size = 2 if text[index] == "\\" and index + 1 < len(text) else 1
        piece = text[index : index + size]
        index += size
        if pieces and (_glues(piece[0]) or pieces[-1].endswith("\u200d")):
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


def boundary(text: str, position: int) -> int:
    """The last place at or before ``position`` where :func:`atoms` would split ``text``."""
    while 0 < position < len(text):
        run = 0  # backslashes just before: a run starts a piece, so odd means mid-escape
        while run < position and text[position - 1 - run] == "\\":
            run += 1
        if run % 2 or _glues(text[position]) or text[position - 1] == "\u200d":
            position -= 1
        else:
            break
    return max(0, position)


def fit(text: str, limit: int) -> str:
    """Inert ``text``; when longer than ``limit``, cut between pieces and end with "…"."""
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""
    return text[: boundary(text, limit - 1)].rstrip() + ELLIPSIS


def safe_text(text: str, limit: int) -> str:
    """Untrusted ``text`` made inert (see :func:`inert`), trimmed, at most ``limit`` long."""
    # Escaping only lengthens text, so a bounded prefix is all that can be shown (the margin
    # lets the patterns of mentions and invites see past the cut).
    wanted = max(0, limit) + 16
    size = wanted
    while True:
        head = _collapse(text[:size]).lstrip()
        if len(head) >= wanted or size >= len(text):
            break
        size *= 4
    head = (head.rstrip() if size >= len(text) else head)[:wanted]
    return fit(_neutralise(_escape(head)), limit) if head else ""


def fit_highlighted(text: str, limit: int, start: str, end: str) -> str:
    """Inert ``text`` whose highlights sit between ``start``/``end``, with them made **bold**.

    Unbalanced markers are ignored; truncation keeps whole pieces and never leaves bold open.
    """
    tokens: list[str] = []  # inert text pieces (never "**": "*" is escaped) and _BOLD toggles
    bold = False
    for piece in atoms(text):
        if piece not in (start, end):
            tokens.append(piece)
        elif (piece == start) != bold:
            tokens.append(_BOLD)
            bold = not bold
    if bold:
        tokens.append(_BOLD)
    if sum(map(len, tokens)) <= limit:
        return "".join(tokens)
    if limit < 1:
        return ""
    kept: list[str] = []
    used, bold = 0, False
    for piece in tokens:
        after = not bold if piece == _BOLD else bold
        if used + len(piece) + (len(_BOLD) if after else 0) > limit - 1:
            break
        kept.append(piece)
        used, bold = used + len(piece), after
    if bold and kept[-1] == _BOLD:
        kept.pop()  # a highlight that would hold nothing
    elif bold:
        kept.append(_BOLD)
    return "".join(kept).rstrip() + ELLIPSIS


# --------------------------------------------------------------------------- links

_URL_SUSPECT: Final = re.compile(r'[()<>\\"`]|[^\x21-\x7e]')  # checked by _encode_char


def _encode_char(match: re.Match[str]) -> str:
    char = match.group(0)
    if char.isascii() or char.isspace() or unicodedata.category(char)[0] in "CZ":
        return quote(char, safe="", errors="replace")
    return char  # letters and symbols of other scripts are fine in a link


def link_target(url: str | None) -> str | None:
    """``url`` fit for a Markdown link ``[label](url)``, or ``None`` when it must not be linked.

    Only absolute http(s) URLs with a host are accepted; parentheses, angle brackets,
    backslashes, quotes, backticks, whitespace and invisible characters are percent-encoded so
    the URL cannot end the link early. URLs longer than :data:`URL_LIMIT` are refused.
    """
    url = (url or "").strip()
    if not url or len(url) > URL_LIMIT:  # encoding never shortens a URL
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    encoded = _URL_SUSPECT.sub(_encode_char, url)
    return encoded if len(encoded) <= URL_LIMIT else None


def markdown_link(
    label: str, url: str | None, *, limit: int, label_limit: int, bold: bool = False
) -> str:
    """``[label](url)`` (bold label when asked) in at most ``limit`` characters.

    The label is untrusted text (made inert and shortened first); the link is kept whenever it
    fits with a label of at least a few characters, else the label is shown unlinked.
    """
    mark = "**" if bold else ""
    target = link_target(url)
    if target is not None:
        room = min(label_limit, limit - len(target) - 4 - 2 * len(mark))
        if room >= 4:
            shown = safe_text(label, room) or "link"
            return f"[{mark}{shown}{mark}]({target})"
    shown = safe_text(label, min(label_limit, limit - 2 * len(mark))) or "link"
    return f"{mark}{shown}{mark}" if len(shown) + 2 * len(mark) <= limit else ""


def host_of(url: str | None) -> str:
    """The host name of ``url`` (a label for a link without one), else "link"."""
    try:
        return urlsplit(url or "").hostname or "link"
    except ValueError:
        return "link"


# --------------------------------------------------------------------------- packing


def label_lines(label: str, items: Sequence[str], limit: int = DESCRIPTION_LIMIT) -> list[str]:
    """``label: a, b, c`` lines, as many as needed to keep each within ``limit``."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 2 + len(item) <= limit:
            lines[-1] += ", " + item
        else:
            lines.append(f"{label}: {item}")
    return lines


def group_embeds(
    embeds: Sequence[discord.Embed],
    *,
    items: Sequence[int] = (),
    max_items: int | None = None,
) -> list[list[discord.Embed]]:
    """Split ``embeds`` in order into groups a single message can carry.

    With ``max_items``, a group also holds at most that many items, ``items[i]`` being the
    number in embed ``i`` (an embed with more than ``max_items`` still gets a group alone).
    """
    groups: list[list[discord.Embed]] = []
    used = 0
    counted = 0
    for index, embed in enumerate(embeds):
        size = embed_size(embed)
        if size > MESSAGE_EMBED_CHARS_LIMIT:
            raise ValueError(f"an embed of {size} characters cannot be sent")
        count = items[index] if index < len(items) else 0
        full = bool(groups) and len(groups[-1]) >= EMBEDS_PER_MESSAGE_LIMIT
        too_many = max_items is not None and counted + count > max_items
        if not groups or full or too_many or used + size > MESSAGE_EMBED_CHARS_LIMIT:
            groups.append([])
            used = counted = 0
        groups[-1].append(embed)
        used += size
        counted += count
    return groups


def pack_blocks(
    blocks: Sequence[Sequence[str]], limit: int, *, separator: str = "\n\n"
) -> list[str]:
    """Pack blocks of lines into texts of at most ``limit`` characters, keeping order.

    Blocks are kept whole when they fit in one text; a block longer than ``limit`` is split
    between its lines. Every line must be at most ``limit`` long.
    """
    return pack_blocks_placed(blocks, limit, separator=separator)[0]


def pack_blocks_placed(
    blocks: Sequence[Sequence[str]], limit: int, *, separator: str = "\n\n"
) -> tuple[list[str], list[int]]:
    """:func:`pack_blocks`, and for each block the index of the text its first line is in
    (-1 for a block without lines)."""
    texts: list[str] = []
    placed: list[int] = []
    current = ""

    def add(piece: str, sep: str) -> None:
        nonlocal current
        if len(piece) > limit:
            raise ValueError(f"a line of {len(piece)} characters exceeds {limit}")
        if current and len(current) + len(sep) + len(piece) <= limit:
            current += sep + piece
        else:
            if current:
                texts.append(current)
            current = piece

    for block in blocks:
        lines = [line for line in block if line]
        whole = "\n".join(lines)
        if len(whole) <= limit:
            if whole:
                add(whole, separator)
            placed.append(len(texts) if whole else -1)
            continue
        for number, line in enumerate(lines):
            add(line, separator if number == 0 else "\n")
            if number == 0:
                placed.append(len(texts))
    if current:
        texts.append(current)
    return texts, placed
