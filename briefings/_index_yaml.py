"""A fast, exact loader for the plain block-YAML that article front matter is written in.

Indexing a large store spends most of its time in YAML: PyYAML builds a Python node object
and runs the resolver and constructor for each of the ~50 scalars of a front matter, even
with libyaml. Real front matter uses a tiny part of YAML: block mappings and sequences,
one-line scalars (plain, single- or double-quoted), no anchors, tags, flow collections,
comments or block scalars. :func:`load_front_matter` reads exactly that subset line by line
and gives up (:class:`Unsupported`) on *anything* else, so the caller falls back to
:func:`briefings.frontmatter.load_yaml`; the fast path never decides what an unusual input
means.

For every input it accepts the result equals ``yaml.load(text, Loader=CSafeLoader)``: plain
scalars are resolved by PyYAML's own resolver and converted by its own ``SafeConstructor``
methods (ints, floats, booleans, nulls, timestamps), so only the block structure and the
quoting are re-implemented here. A differential test compares both on generated documents,
the sample store and the real corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Final

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

__all__ = ["Unsupported", "load_file_front_matter", "load_front_matter"]


class Unsupported(Exception):
    """The text uses YAML beyond the fast subset (or is invalid): use the full loader."""


_STR_TAG: Final = "tag:yaml.org,2002:str"
_KEY: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +|$)")
# Characters YAML does not allow, or treats specially, anywhere in the text: control
# characters (tabs and carriage returns included), DEL, C1 controls (NEL is a line break in
# YAML 1.1), the line and paragraph separators, BOM, surrogates and non-characters. Checked
# per line when a line is first read (cached lines were checked then).
_OUTSIDE_SUBSET: Final = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]"
)
_QUOTED_LINE: Final = re.compile(
    r'(?P<indent> *)(?P<dash>- +)?(?P<key>[A-Za-z_][A-Za-z0-9_-]{0,127}): +"(?P<value>[^"\\]*)" *'
)
"""``key: "text"`` or ``- key: "text"`` without escapes: titles, URLs, the secured blob."""
_TIMESTAMP_Z: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z"
)
_PLAIN_START_FORBIDDEN: Final = frozenset("-?:,[]{}#&*!|>'\"%@`")
_DQ_BODY: Final = re.compile(r'(?:[^"\\]|\\.)*')
_ESCAPE: Final = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE_ESCAPES: Final = {
    "0": "\0",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}

_resolver: Final = Resolver()
_constructor: Final = SafeConstructor()
_CONSTRUCT: Final[dict[str, Callable[[ScalarNode], object]]] = {
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _constructor.construct_yaml_timestamp,
}
_key_cache: dict[str, bool] = {}
_plain_cache: dict[str, object] = {}
_CACHED_PLAIN_CHARS: Final = 40
_CACHED_PLAIN_VALUES: Final = 50_000


def _tag(plain: str) -> str:
    """The tag PyYAML's resolver gives a plain scalar."""
    tag: str = _resolver.resolve(ScalarNode, plain, (True, False))  # type: ignore[no-untyped-call]
    return tag


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) == 1:
        try:
            return _SIMPLE_ESCAPES[code]
        except KeyError:
            raise Unsupported from None
    value = int(code[1:], 16)
    if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        raise Unsupported
    return chr(value)


def _plain(text: str) -> object:
    """A one-line plain scalar (already stripped), resolved and built as PyYAML does."""
    try:
        return _plain_cache[text]
    except KeyError:
        pass
    value = _resolve_plain(text)
    if (
        len(text) <= _CACHED_PLAIN_CHARS
        and len(_plain_cache) < _CACHED_PLAIN_VALUES
        and not isinstance(value, date)  # nearly every article has its own time
    ):
        _plain_cache[text] = value  # only immutable values: str, int, float, bool, None
    return value


def _resolve_plain(text: str) -> object:
    stamp = _TIMESTAMP_Z.fullmatch(text)
    if stamp is not None:  # what construct_yaml_timestamp makes of 2026-03-10T08:00:00Z
        try:
            year, month, day, hour, minute, second = (int(part) for part in stamp.groups())
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError as error:  # 2026-02-30: let the full loader report it
            raise Unsupported from error
    return _resolve_other(text)


def _resolve_other(text: str) -> object:
    if text[0] in _PLAIN_START_FORBIDDEN and not (
        text[0] == "-" and len(text) > 1 and text[1] not in " -"  # -1, -dash: plain
    ):
        raise Unsupported
    if ": " in text or " #" in text or text.endswith(":"):
        raise Unsupported
    tag = _tag(text)
    if tag == _STR_TAG:
        return text
    construct = _CONSTRUCT.get(tag)
    if construct is None:
        raise Unsupported
    try:
        return construct(ScalarNode(tag, text))
    except Exception as error:  # let the full loader report it exactly as it does
        raise Unsupported from error


def _scalar(text: str) -> object:
    text = text.rstrip(" ")
    first = text[0]
    if first == '"':
        body = text[1:-1]
        if len(text) < 2 or text[-1] != '"':
            raise Unsupported
        if "\\" not in body:
            if '"' in body:
                raise Unsupported
            return body
        if not _DQ_BODY.fullmatch(body):
            raise Unsupported
        return _ESCAPE.sub(_unescape, body)
    if first == "'":
        body = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in body.replace("''", ""):
            raise Unsupported
        return body.replace("''", "'")
    return _plain(text)


def _is_key(key: str) -> bool:
    known = _key_cache.get(key)
    if known is None:
        known = _tag(key) == _STR_TAG
        if len(_key_cache) < 10_000:
            _key_cache[key] = known
    return known


# Kinds of lines (a line is read once into a token; repeated lines come from a cache).
_KEY_VALUE: Final = 0  # key: scalar
_KEY_OPEN: Final = 1  # key:            (a block, an indentless sequence or null follows)
_ITEM_VALUE: Final = 2  # - scalar
_ITEM_OPEN: Final = 3  # -              (a block or null follows)
_ITEM_KEY_VALUE: Final = 4  # - key: scalar   (a mapping starts at the key's column)
_ITEM_KEY_OPEN: Final = 5  # - key:

_Token = tuple[int, int, object, object, int]
"""``(indent, kind, key, value, column of the key after "- ")``."""
_token_cache: dict[str, _Token] = {}
_CACHED_LINE_CHARS: Final = 120
_CACHED_LINES: Final = 50_000


def _is_item(content: str) -> bool:
    return content[0] == "-" and (len(content) == 1 or content[1] == " ")


def _key_token(content: str, indent: int, kinds: tuple[int, int], column: int) -> _Token:
    match = _KEY.match(content)
    if match is None:
        raise Unsupported
    key = match.group(1)
    if not _is_key(key):
        raise Unsupported
    rest = content[match.end() :]
    if rest:
        return (indent, kinds[0], key, _scalar(rest), column)
    return (indent, kinds[1], key, None, column)


def _token(raw: str, content: str) -> _Token:
    """The token of a non-blank line (``content`` is the line without its indentation)."""
    if not raw.isprintable() and _OUTSIDE_SUBSET.search(raw):
        raise Unsupported  # (isprintable is a fast C check; the regex only runs for a few)
    quoted = _QUOTED_LINE.fullmatch(raw)
    if quoted is not None and _is_key(quoted["key"]):  # the common shape, in one regex
        if quoted["dash"] is None:
            return (len(quoted["indent"]), _KEY_VALUE, quoted["key"], quoted["value"], 0)
        column = quoted.start("key")
        return (len(quoted["indent"]), _ITEM_KEY_VALUE, quoted["key"], quoted["value"], column)
    indent = len(raw) - len(content)
    content = content.rstrip(" ")
    first = content[0]
    if first == "#":
        raise Unsupported
    if not _is_item(content):
        return _key_token(content, indent, (_KEY_VALUE, _KEY_OPEN), 0)
    rest = content[1:].lstrip(" ")
    if not rest:
        return (indent, _ITEM_OPEN, None, None, 0)
    if _KEY.match(rest):
        column = indent + len(content) - len(rest)
        return _key_token(rest, indent, (_ITEM_KEY_VALUE, _ITEM_KEY_OPEN), column)
    if _is_item(rest):
        raise Unsupported
    return (indent, _ITEM_VALUE, None, _scalar(rest), 0)


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    cache = _token_cache
    for raw in text.split("\n"):
        token = cache.get(raw)
        if token is None:
            content = raw.lstrip(" ")
            if not content:
                continue
            token = _token(raw, content)
            if (
                len(cache) < _CACHED_LINES
                and len(raw) <= _CACHED_LINE_CHARS
                and '"' not in raw
                and not isinstance(token[3], date)
            ):
                # Lines that repeat across files (topics, providers, flags, sizes), not the
                # quoted titles, URLs and dates unique to one file. Values are immutable.
                cache[raw] = token
        tokens.append(token)
    return tokens


class _Parser:
    """Recursive descent over the tokens of the non-blank lines."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.count = len(tokens)

    def block(self, i: int) -> tuple[object, int]:
        indent, kind = self.tokens[i][:2]
        if kind >= _ITEM_VALUE:
            return self.sequence(i, indent)
        return self.mapping(i, indent, {})

    def open_value(self, i: int, indent: int) -> tuple[object, int]:
        """The value of ``key:`` at ``indent`` with nothing after it; lines from ``i``."""
        if i < self.count:
            next_indent, kind = self.tokens[i][:2]
            if next_indent > indent:
                return self.block(i)
            if next_indent == indent and kind >= _ITEM_VALUE:
                return self.sequence(i, indent)  # an indentless sequence
        return None, i

    def mapping(self, i: int, indent: int, result: dict[object, object]) -> tuple[object, int]:
        """The entries of a block mapping at ``indent`` from ``i``, added to ``result``."""
        tokens, count = self.tokens, self.count
        while i < count:
            token = tokens[i]
            if token[0] != indent:
                break
            kind = token[1]
            i += 1
            if kind == _KEY_VALUE:
                result[token[2]] = token[3]
            elif kind == _KEY_OPEN:
                result[token[2]], i = self.open_value(i, indent)
            else:
                raise Unsupported  # a sequence entry among mapping keys
        if i < count and tokens[i][0] > indent:
            raise Unsupported
        return result, i

    def sequence(self, i: int, indent: int) -> tuple[object, int]:
        tokens, count = self.tokens, self.count
        items: list[object] = []
        while i < count:
            token = tokens[i]
            kind = token[1]
            if token[0] != indent or kind < _ITEM_VALUE:
                break
            i += 1
            value: object
            if kind == _ITEM_VALUE:
                value = token[3]
            elif kind == _ITEM_OPEN:
                value = None
                if i < count and tokens[i][0] > indent:
                    value, i = self.block(i)
            else:
                column = token[4]
                first: dict[object, object] = {}
                if kind == _ITEM_KEY_VALUE:
                    first[token[2]] = token[3]
                else:
                    first[token[2]], i = self.open_value(i, column)
                value, i = self.mapping(i, column, first)
            items.append(value)
        if i < count and tokens[i][0] > indent:
            raise Unsupported
        return items, i


def load_front_matter(text: str) -> dict[object, object]:
    """The mapping ``text`` holds, exactly as the YAML safe loader reads it.

    Raises :class:`Unsupported` for anything outside the subset described in the module
    docstring (including every invalid document and every document that is not a mapping).
    """
    tokens = _tokens(text)
    if not tokens or tokens[0][0] != 0 or tokens[0][1] >= _ITEM_VALUE:
        raise Unsupported
    result, end = _Parser(tokens).mapping(0, 0, {})
    if end != len(tokens):
        raise Unsupported
    assert isinstance(result, dict)
    return result


_CLOSING: Final = re.compile(r"\n(?:---|\.\.\.)[^\S\n]*(?=\n|\Z)")


def load_file_front_matter(text: str) -> dict[object, object]:
    """The front matter of a whole article file, as ``split_front_matter`` + ``load_yaml``.

    Only for files that start with a plain ``---`` line; raises :class:`Unsupported` for
    anything else, including every file those two would reject. (The closing line is found
    without splitting the rest of the file; a line break other than ``\n`` before it is
    outside the subset, so both ways find the same closing line for every file taken.)
    """
    if not text.startswith("---\n"):
        raise Unsupported
    closing = _CLOSING.search(text, 3)
    if closing is None:
        raise Unsupported
    return load_front_matter(text[4 : closing.start()])


def full_load(text: str) -> object:
    """The reference the fast path must equal (used by the tests)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
