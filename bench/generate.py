"""Synthetic article stores in the real front-matter format, for benchmarks and tests.

``python -m bench.generate OUT --articles N --days D --seed S [--end MOMENT]`` (from the
checkout) writes one. This is a development tool: it lives beside the benchmarks, not in
``briefings/``, so it does not ship in the wheel.

:func:`generate_store` writes ``N`` articles spread over ``D`` days ending at a fixed moment
(never the clock) plus a topic catalog, fully determined by a seed: the same arguments give
byte-identical files. The field mix follows the real everyday.cc stores:

- every file has ``category``, ``title`` and ``publishedDateTime`` (mostly ``Z``, some quoted
  with an offset), a long opaque ``secured`` blob and usually ``images`` with sizes;
- ``webUrl`` (and often ``originalUrl``/``ampWebUrl``); videos carry only ``originalUrl``;
- ``published`` is true for most, false for some, missing for a few; ``quality``/``heat`` are
  integers (sometimes missing or fractional, ``heat: -1`` appears);
- 1 to 3 ``topics``: catalog children, roots, the shortname ``AI``, other spellings and some
  topics the catalog does not list;
- HTML entities, non-breaking spaces, accented and typographic characters in titles and
  excerpts; some files have a Markdown body after the front matter;
- the same story from several outlets: copies with a tracking-parameter URL, a re-punctuated
  title, or ``related`` entries naming the other coverage.

Recent articles (the last 365 days) live in ``news/``, older ones in ``archive/YYYY/``; file
names are ``YYYY-MM-DD-slug.md`` like the real stores.
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Final

__all__ = ["DEFAULT_END", "GENERATOR_VERSION", "GeneratedStore", "generate_store", "vocabulary"]

DEFAULT_END: Final = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
"""The newest possible article time when none is given (the sample store's "now")."""
GENERATOR_VERSION: Final = 2
"""Bumped whenever the output for a given seed changes (benchmarks cache stores by it)."""

# (file stem, name, parent, shortname, description, keywords)
_CATALOG: Final[tuple[tuple[str, str, str | None, str | None, str, tuple[str, ...]], ...]] = (
    ("00-technology", "Technology", None, None, "Everything tech", ("tech",)),
    ("01-ai", "Artificial Intelligence", "Technology", "AI", "Machines that learn", ("model",)),
    ("02-security", "Security", "Technology", None, "Breaches and defence", ("breach",)),
    ("03-robotics", "Robotics", "Technology", None, "Machines that move", ("robot",)),
    ("04-open-source", "Open Source", "Technology", None, "Software in the open", ("fork",)),
    ("05-cloud", "Cloud", "Technology", None, "Data centres and platforms", ("region",)),
    ("10-science", "Science", None, None, "Research and discovery", ("study",)),
    ("11-space", "Space", "Science", None, "Launches and missions", ("orbit",)),
    ("12-climate", "Climate & Energy", "Science", "Climate", "Grids and emissions", ("grid",)),
    ("13-health", "Health Tech", "Science", None, "Medicine meets software", ("trial",)),
    ("20-business", "Business", None, None, "Companies and markets", ("deal",)),
    ("21-markets", "Markets", "Business", None, "Stocks and funding", ("shares",)),
    ("22-startups", "Startups", "Business", None, "New companies", ("seed",)),
)
_CHILDREN: Final = tuple(entry[1] for entry in _CATALOG if entry[2] is not None)
_ROOT_OF: Final = {entry[1]: entry[2] for entry in _CATALOG if entry[2] is not None}
_UNLISTED: Final = ("Quantum Computing", "Gaming", "Semiconductors", "Policy", "E-Mobility")

_WORDS: Final = [
    "robot",
    "arm",
    "grid",
    "battery",
    "model",
    "chip",
    "launch",
    "rocket",
    "orbit",
    "satellite",
    "breach",
    "patch",
    "ransomware",
    "cloud",
    "region",
    "outage",
    "server",
    "database",
    "kernel",
    "release",
    "fork",
    "license",
    "funding",
    "round",
    "startup",
    "shares",
    "market",
    "merger",
    "lawsuit",
    "regulator",
    "policy",
    "privacy",
    "browser",
    "phone",
    "laptop",
    "display",
    "sensor",
    "drone",
    "factory",
    "warehouse",
    "logistics",
    "vaccine",
    "trial",
    "hospital",
    "genome",
    "protein",
    "climate",
    "emissions",
    "solar",
    "wind",
    "turbine",
    "hydrogen",
    "reactor",
    "fusion",
    "storage",
    "network",
    "fiber",
    "cable",
    "spectrum",
    "telescope",
    "mission",
    "lander",
    "crater",
    "asteroid",
    "wildfire",
    "flood",
    "drought",
    "forecast",
    "algorithm",
    "dataset",
    "benchmark",
    "assistant",
    "translation",
    "vision",
    "speech",
    "agent",
    "compiler",
    "language",
    "framework",
    "library",
    "toolkit",
    "update",
    "version",
    "feature",
    "pricing",
    "subscription",
    "partnership",
    "acquisition",
    "investment",
    "layoffs",
    "earnings",
    "revenue",
    "growth",
    "forecast",
    "strategy",
    "roadmap",
    "prototype",
    "pilot",
    "test",
    "study",
    "report",
    "survey",
    "analysis",
    "review",
    "guide",
    "explainer",
    "interview",
    "opinion",
    "record",
    "milestone",
    "deadline",
    "standard",
    "protocol",
    "encryption",
    "password",
    "identity",
    "firmware",
    "vulnerability",
    "exploit",
    "attack",
    "defence",
    "café",
    "naïve",
    "Zürich",
    "São",
    "Paulo",
    "Málaga",
    "Kraków",
    "Škoda",
    "Ørsted",
]
_VERBS: Final = [
    "unveils",
    "launches",
    "ships",
    "delays",
    "cancels",
    "expands",
    "opens",
    "buys",
    "sells",
    "raises",
    "cuts",
    "tests",
    "announces",
    "confirms",
    "denies",
    "wins",
    "loses",
    "doubles",
    "halves",
    "rebuilds",
    "open-sources",
    "patches",
]
_SYLLABLES: Final = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ven",
    "tor",
    "sil",
    "pax",
    "quin",
    "zer",
    "bel",
    "dor",
    "fen",
    "gal",
    "hex",
    "jun",
    "lum",
    "nor",
]
_SUFFIXES: Final = ("Labs", "Systems", "Robotics", "Energy", "Space", "Bio", "AI", "Networks")
_OUTLET_A: Final = [
    "Circuit",
    "Harbor",
    "Orbit",
    "Lattice",
    "Meridian",
    "Signal",
    "Copper",
    "Northern",
    "Daily",
    "Open",
]
_OUTLET_B: Final = [
    "Review",
    "Ledger",
    "Axis",
    "Wire",
    "Post",
    "Times",
    "Journal",
    "Monitor",
    "Dispatch",
    "Gazette",
]
_ENTITIES: Final = ("&#8217;", "&amp;", "&nbsp;", "\u00a0", "&quot;", "\u2019", "\u2014")


@dataclass(frozen=True, slots=True)
class GeneratedStore:
    """What :func:`generate_store` wrote."""

    root: Path
    articles: int
    topics: int
    start: datetime
    end: datetime


@dataclass(slots=True)
class _Story:
    title: str
    url: str
    provider: tuple[str, str]
    topics: list[str]
    at: datetime


def _zipf_weights(count: int, exponent: float = 0.8) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(count)]


class _Writer:
    """All the randomness of one generated store, drawn from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.companies = sorted(
            {
                "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).title()
                + " "
                + rng.choice(_SUFFIXES)
                for _ in range(400)
            }
        )
        rng.shuffle(self.companies)
        self.outlets = [
            (f"The {a} {b}", f"{a.lower()}{b.lower()}.test") for a in _OUTLET_A for b in _OUTLET_B
        ]
        rng.shuffle(self.outlets)
        self.word_weights = _zipf_weights(len(_WORDS))
        self.company_weights = _zipf_weights(len(self.companies))
        self.outlet_weights = _zipf_weights(len(self.outlets))
        self.recent: list[_Story] = []

    def words(self, count: int) -> list[str]:
        return self.rng.choices(_WORDS, self.word_weights, k=count)

    def company(self) -> str:
        return self.rng.choices(self.companies, self.company_weights)[0]

    def outlet(self) -> tuple[str, str]:
        return self.rng.choices(self.outlets, self.outlet_weights)[0]

    def topics(self) -> list[str]:
        rng = self.rng
        chosen = [rng.choice(_CHILDREN)]
        if rng.random() < 0.35:
            chosen.append(rng.choice(_CHILDREN))
        if rng.random() < 0.5:
            chosen.append(_ROOT_OF[chosen[0]] or "Technology")
        if rng.random() < 0.05:
            chosen.append(rng.choice(_UNLISTED))
        roll = rng.random()
        if chosen[0] == "Artificial Intelligence" and roll < 0.3:
            chosen[0] = "AI"
        elif roll < 0.02:
            chosen[0] = chosen[0].lower()
        return list(dict.fromkeys(chosen))

    def title(self) -> str:
        rng = self.rng
        subject, verb = self.company(), rng.choice(_VERBS)
        rest = " ".join(self.words(rng.randint(2, 6)))
        title = f"{subject} {verb} {rest}"
        if rng.random() < 0.15:
            title += f": {' '.join(self.words(3))}"
        if rng.random() < 0.08:
            title = title.replace(" ", f" {rng.choice(_ENTITIES)} ", 1)
        return title

    def excerpt(self) -> str:
        rng = self.rng
        sentences = []
        for _ in range(rng.randint(1, 3)):
            words = self.words(rng.randint(8, 22))
            if rng.random() < 0.4:
                words.insert(rng.randrange(len(words)), self.company())
            sentences.append(" ".join(words).capitalize() + ".")
        text = " ".join(sentences)
        if rng.random() < 0.12:
            text = text.replace(" ", f" {rng.choice(_ENTITIES)}", 1)
        return text

    def blob(self) -> str:
        size = self.rng.randint(220, 320)
        return base64.b64encode(self.rng.randbytes(size)).decode("ascii") + ";" + "x" * 22 + "=="


def _slug(title: str) -> str:
    cleaned = "".join(c.lower() if c.isalnum() else "-" for c in title if c.isascii())
    return "-".join(part for part in cleaned.split("-") if part)[:70].strip("-") or "article"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _stamp(moment: datetime, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.85:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if roll < 0.95:
        zone = timezone(timedelta(hours=rng.choice((-5, 1, 2, 9))))
        return _quote(moment.astimezone(zone).isoformat())
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _article_text(writer: _Writer, story: _Story, copy_of: _Story | None) -> str:
    rng = writer.rng
    video = rng.random() < 0.08
    lines = ["---", "category: news", f"title: {_quote(story.title)}"]
    if rng.random() < 0.95:
        lines.append(f"excerpt: {_quote(writer.excerpt())}")
    lines.append(f"publishedDateTime: {_stamp(story.at, rng)}")
    if rng.random() < 0.6 or video:
        lines.append(f"originalUrl: {_quote(story.url)}")
    if not video:
        lines.append(f"webUrl: {_quote(story.url)}")
        if rng.random() < 0.2:
            lines.append(f"ampWebUrl: {_quote(story.url.rstrip('/') + '/amp/')}")
    lines.append(f"type: {'video' if video else 'article'}")
    if rng.random() < 0.95:
        lines.append(f"quality: {max(0, min(150, int(rng.gauss(55, 25))))}")
    if rng.random() < 0.95:
        heat = rng.choice((-1, rng.randint(0, 100)))
        lines.append(f"heat: {heat + 0.5 if rng.random() < 0.03 else heat}")
    roll = rng.random()
    if roll < 0.75:
        lines.append("published: true")
    elif roll < 0.9:
        lines.append("published: false")
    name, domain = story.provider
    lines += ["", "provider:", f"  name: {name}", f"  domain: {domain}", "", "topics:"]
    lines += [f"  - {topic}" for topic in story.topics]
    if rng.random() < 0.8:
        lines += ["", "images:"]
        for number in range(rng.randint(1, 2)):
            lines += [
                f'  - url: "https://cdn.{domain}/img/{rng.getrandbits(40):x}-{number}.jpg"',
                f"    width: {rng.choice((640, 1024, 1280))}",
                f"    height: {rng.choice((360, 576, 720))}",
                "    isCached: true",
            ]
    if copy_of is not None and rng.random() < 0.6:
        lines += ["", "related:", f"  - title: {_quote(copy_of.title)}"]
        lines += [
            f"    webUrl: {_quote(copy_of.url)}",
            f"    publishedDateTime: {copy_of.at.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            "    provider:",
            f"      name: {copy_of.provider[0]}",
            f"      domain: {copy_of.provider[1]}",
            f"    quality: {rng.randint(10, 90)}",
        ]
    lines += ["", f"secured: {_quote(writer.blob())}", "---", ""]
    if rng.random() < 0.2:
        lines += [writer.excerpt(), ""]
    return "\n".join(lines)


def _next_story(writer: _Writer, at: datetime) -> tuple[_Story, _Story | None]:
    """A fresh story, or (sometimes) another outlet's copy of a recent one."""
    rng = writer.rng
    while writer.recent and writer.recent[0].at < at - _COPY_WITHIN:
        writer.recent.pop(0)
    if writer.recent and rng.random() < 0.15:
        original = rng.choice(writer.recent)
        provider = writer.outlet()
        roll = rng.random()
        if roll < 0.35:  # the same page, shared with tracking parameters
            url, title = f"{original.url}?utm_source=rss&utm_medium=feed", original.title
        elif roll < 0.7:  # same headline, other punctuation and case
            url = f"https://{provider[1]}/{_slug(original.title)}-{rng.getrandbits(24):x}"
            title = original.title.upper().replace(" ", " \u2014 ", 1)
        else:  # own headline; linked through `related`
            url = f"https://{provider[1]}/{_slug(original.title)}-{rng.getrandbits(24):x}"
            title = writer.title()
        return _Story(title, url, provider, list(original.topics), at), original
    provider = writer.outlet()
    title = writer.title()
    url = f"https://www.{provider[1]}/{at:%Y/%m}/{_slug(title)}-{rng.getrandbits(24):x}"
    story = _Story(title, url, provider, writer.topics(), at)
    writer.recent.append(story)
    if len(writer.recent) > 40:
        writer.recent.pop(0)
    return story, None


_COPY_WITHIN: Final = timedelta(hours=18)
"""Other outlets cover a story within hours of the first report."""


def _catalog_files(out: Path) -> int:
    folder = out / "topics"
    folder.mkdir(parents=True, exist_ok=True)
    for stem, name, parent, shortname, description, keywords in _CATALOG:
        lines = ["taxonomy: topic", f"_id: {stem[3:]}", f"name: {name}"]
        if shortname:
            lines.append(f"shortname: {shortname}")
        if parent:
            lines.append(f"parent: {parent}")
        lines.append(f"description: {description}")
        lines += ["keywords:", *(f"  - {word}" for word in keywords)]
        (folder / f"{stem}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(_CATALOG)


def _moments(rng: random.Random, count: int, start: datetime, end: datetime) -> list[datetime]:
    """``count`` whole-minute moments in ``(start, end]``, busier on weekdays, sorted."""
    span = int((end - start).total_seconds() // 60)
    moments: list[datetime] = []
    while len(moments) < count:
        minute = rng.randint(1, max(1, span))
        moment = start + timedelta(minutes=minute)
        if moment.weekday() >= 5 and rng.random() < 0.5:
            continue
        moments.append(moment)
    return sorted(moments)


def generate_store(
    out: str | Path,
    *,
    articles: int,
    days: int,
    seed: int = 1,
    end: datetime = DEFAULT_END,
    progress: Callable[[int, int], None] | None = None,
) -> GeneratedStore:
    """Write a synthetic store of ``articles`` files over ``days`` days into ``out``.

    ``out`` is created if needed; existing files with the same names are overwritten and
    nothing else in it is touched. Deterministic for (``articles``, ``days``, ``seed``,
    ``end``).
    """
    if articles < 0 or days < 1:
        raise ValueError("articles must be at least 0 and days at least 1")
    if end.tzinfo is None:
        raise ValueError("end must be timezone-aware")
    root = Path(out)
    topics = _catalog_files(root)
    writer = _Writer(seed)
    start = end - timedelta(days=days)
    recent_from = end - timedelta(days=365)
    used: set[str] = set()
    made_dirs: set[Path] = set()
    for done, at in enumerate(_moments(writer.rng, articles, start, end), start=1):
        story, copy_of = _next_story(writer, at)
        text = _article_text(writer, story, copy_of)
        folder = root / "news" if at > recent_from else root / "archive" / f"{at:%Y}"
        name = f"{at:%Y-%m-%d}-{_slug(story.title)[:60].strip('-')}"
        candidate, number = name, 1
        while f"{folder}/{candidate}" in used:
            number += 1
            candidate = f"{name}-{number}"
        used.add(f"{folder}/{candidate}")
        if folder not in made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            made_dirs.add(folder)
        (folder / f"{candidate}.md").write_text(text, encoding="utf-8")
        if progress is not None:
            progress(done, articles)
    return GeneratedStore(root, articles, topics, start, end)


def vocabulary(seed: int = 1) -> tuple[list[str], list[str]]:
    """The words and company names a store of this ``seed`` is written with (for queries)."""
    return list(_WORDS), list(_Writer(seed).companies)


def field_mix(texts: Sequence[str]) -> dict[str, float]:
    """The share of ``texts`` (front matter) that have each top-level field (for tests)."""
    counts: dict[str, int] = {}
    for text in texts:
        head = text.split("\n---", 1)[0]
        for line in head.splitlines():
            if line and not line[0].isspace() and ":" in line:
                key = line.split(":", 1)[0]
                counts[key] = counts.get(key, 0) + 1
    return {key: count / max(1, len(texts)) for key, count in sorted(counts.items())}


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be at least 0")
    return value


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid moment {text!r}: use ISO 8601, e.g. 2026-03-10T08:00:00Z"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.generate OUT --articles N --days D --seed S [--end MOMENT]``."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Write a synthetic store in the real format (for benchmarks and tests).",
    )
    parser.add_argument("out", metavar="OUT", help="folder to write (created if needed)")
    parser.add_argument("--articles", type=_count, default=1000, metavar="N")
    parser.add_argument("--days", type=_count, default=365, metavar="D")
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument(
        "--end",
        type=_moment,
        default=DEFAULT_END,
        metavar="MOMENT",
        help="newest article time, ISO 8601 (default 2026-03-10T08:00Z)",
    )
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("argument --days: must be at least 1")
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=args.articles, unit="file", desc="Writing store", leave=False)
    made = generate_store(
        args.out,
        articles=args.articles,
        days=args.days,
        seed=args.seed,
        end=args.end,
        progress=None if bar is None else lambda done, _total: bar.update(done - bar.n),
    )
    if bar is not None:
        bar.close()
    print(f"wrote {made.articles} articles and {made.topics} topics to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
