"""Canonical URLs: one key for every address of the same page.

Two articles whose URLs differ only by scheme, a ``www.``/``m.``/``amp.`` host prefix,
tracking parameters, an AMP variant (``/amp``, ``?amp=1``, ``?_amp=true``, Google's
``cdn.ampproject.org/c/s/...`` cache), a fragment, a default port, a trailing slash or the
order of query parameters are the same story. The key is made from the repaired form
(:func:`repair_url`), so ``/a b``, ``/a%20b`` and ``/a\N{NARROW NO-BREAK SPACE}b`` vs its
``%E2%80%AF`` spelling, or ``bücher.de`` vs ``xn--bcher-kva.de``, are one URL each.

:func:`repair_url` reads a URL as a browser's address bar does: the WHATWG URL standard
(leading and trailing whitespace and C0 controls trimmed, tabs and newlines removed, spaces
and other characters a URL may not hold percent-encoded as UTF-8, ``\\`` read as ``/``,
hosts lowercased and turned to IDNA ``xn--`` form, ``.``/``..`` segments resolved). The
parser is ada (``ada-url``, the WHATWG parser Node.js uses), not one of our own; yarl was
considered and not taken: it writes a space in a query as ``+`` and keeps ``\\`` in a path,
where browsers send ``%20`` and ``/``. A URL that already consists only of characters that
need no repair (the common case: every file of a real store but a few) is returned unchanged
without calling the parser.
"""

from __future__ import annotations

import functools
import re
from typing import Final
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from ada_url import URL

_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "cmp",
        "ocid",
        "icid",
        "_ga",
        "_gl",
        "spm",
        "share",
        "smid",
        "sr_share",
        "s_cid",
        "ncid",
        "soc_src",
        "soc_trk",
        "taid",
        "rss",
        "feature",
        "amp",
        "_amp",
        "outputtype",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_", "oly_")
_AMP_CACHE_SUFFIX = ".cdn.ampproject.org"


MAX_URL_LENGTH: Final = 2048
"""The longest URL kept (after repair); longer values are rejected like malformed ones."""

_READY: Final = re.compile(
    # http(s), then a host name of ASCII letters, digits, dots and dashes whose last label
    # starts with a letter (so it is no IPv4 address) and with no IDNA ``xn--`` label (those
    # are checked by the parser), no port or user; then printable ASCII needing no encoding.
    r"[hH][tT][tT][pP][sS]?://(?![^/?#]*[xX][nN]--)(?:[a-zA-Z0-9-]+\.)*[a-zA-Z][a-zA-Z0-9-]*\.?"
    r"(?:[/?#][!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]*)?"
)


def repair_url(value: str) -> str | None:
    """The http(s) URL a browser would open for ``value``, or ``None`` when there is none.

    ``None`` means no ``http``/``https`` scheme, no host, a value the WHATWG parser rejects
    (a port beyond 65535, a bad IPv4 or IPv6 address, a forbidden host character), or a
    result longer than :data:`MAX_URL_LENGTH`. Repairing twice changes nothing.

    >>> repair_url(" https://apnews.com/PR Newswire/cd5a?cat=PR News ")
    'https://apnews.com/PR%20Newswire/cd5a?cat=PR%20News'
    >>> repair_url("https://Bücher.de/straße"), repair_url("mailto:someone@example.com")
    ('https://xn--bcher-kva.de/stra%C3%9Fe', None)
    """
    if len(value) <= MAX_URL_LENGTH and _READY.fullmatch(value) is not None:
        return value  # the common case: nothing to repair, no parser call
    return _repair(value)


@functools.lru_cache(maxsize=4096)
def _repair(value: str) -> str | None:
    try:
        url = URL(value)
    except ValueError:
        return None
    if url.protocol not in ("http:", "https:") or not url.hostname:
        return None
    href = url.href
    return href if len(href) <= MAX_URL_LENGTH else None


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


@functools.lru_cache(maxsize=16_384)  # pure; a briefing batch asks for the same URLs often
def canonical_url(url: str) -> str:
    """Return the canonical key of ``url`` (not itself a fetchable URL).

    >>> canonical_url("http://www.Example.com/a/b/amp/?utm_source=x&b=2&a=1#top")
    'example.com/a/b?a=1&b=2'
    >>> canonical_url("https://example-com.cdn.ampproject.org/c/s/example.com/a/b?amp=1")
    'example.com/a/b'
    """
    parts = urlsplit(repair_url(url) or url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    path = parts.path
    if host.endswith(_AMP_CACHE_SUFFIX):
        # https://<mangled>.cdn.ampproject.org/c/s/<host>/<path>: the real page is inside.
        segments = path.split("/")
        if len(segments) > 3 and segments[1] in {"c", "v", "i"}:
            start = 3 if segments[2] == "s" else 2
            return canonical_url(
                "https://" + "/".join(segments[start:]) + _query_suffix(parts.query)
            )
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    port = parts.port if _has_valid_port(parts.netloc) else None
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"

    segments = [segment for segment in unquote(path).split("/") if segment]
    if segments and segments[-1].lower() == "amp":
        segments.pop()
    elif segments and segments[0].lower() == "amp":
        segments.pop(0)
    if segments and segments[-1].lower().endswith(".amp.html"):
        segments[-1] = segments[-1][: -len(".amp.html")] + ".html"
    clean_path = "/".join(segments)

    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    key = f"{host}/{clean_path}" if clean_path else host
    return f"{key}?{urlencode(query)}" if query else key


def _query_suffix(query: str) -> str:
    return f"?{query}" if query else ""


def _has_valid_port(netloc: str) -> bool:
    try:
        return urlsplit(f"//{netloc}").port is not None
    except ValueError:
        return False


_SHOWN: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#\\]*)([^?#]*)", re.DOTALL)


def redacted_url(url: str) -> str:
    """``url`` as it may be shown or logged: ``scheme://host[:port]/path``, nothing more.

    A configured URL may carry a secret: a user and password (``https://user:pw@host/``), an
    API key in the query (``?token=…``) or in the fragment. Those are dropped, so the result
    can go in logs, ``/healthz``, ``/briefing status`` and the web panel. A "port" that is not
    a number (a password whose ``user:`` part was read as the host, in a malformed URL) is
    dropped too. Text without ``scheme://`` loses its query, fragment and anything up to an
    ``@``. Never raises.

    >>> redacted_url("https://bot:s3cret@api.example.com:8443/feed/index.json?key=abc#x")
    'https://api.example.com:8443/feed/index.json'
    """
    text = url.strip()
    match = _SHOWN.match(text)
    if match is None:
        return re.split(r"[?#]", text, maxsplit=1)[0].rpartition("@")[2].strip()
    scheme, authority, path = match.groups()
    host = authority.rpartition("@")[2]
    if not host.endswith("]"):  # an IPv6 literal without a port keeps its colons
        name, colon, port = host.rpartition(":")
        if colon and not port.isdigit():
            host = name
    return f"{scheme}://{host}{path}".strip()


_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def same_origin(url: str, other: str) -> bool:
    """Whether two absolute URLs have one origin: scheme, host and port (a default port
    written out or left out is the same; hosts ignore case). A URL without a host, or with a
    malformed port, has no origin and matches nothing. The user and password do not count.

    >>> same_origin("https://api.example.com/news/", "https://API.example.com:443/news/page/2")
    True
    >>> same_origin("https://api.example.com/news/", "http://api.example.com/news/page/2")
    False
    """
    return (key := _origin(url)) is not None and key == _origin(other)


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a malformed port or IPv6 literal
        return None
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        return None
    return scheme, parts.hostname, port if port is not None else _DEFAULT_PORTS.get(scheme)
