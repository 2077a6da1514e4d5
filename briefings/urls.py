"""Canonical URLs: one key for every address of the same page.

Two articles whose URLs differ only by scheme, a ``www.``/``m.``/``amp.`` host prefix,
tracking parameters, an AMP variant (``/amp``, ``?amp=1``, ``?_amp=true``, Google's
``cdn.ampproject.org/c/s/...`` cache), a fragment, a default port, a trailing slash or the
order of query parameters are the same story. Only :mod:`urllib.parse` is used.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

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
    parts = urlsplit(url.strip())
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
