"""The commands of the ``briefings`` command line: use the core without Discord.

``briefings check|build|search|topics|explain`` (also ``python -m briefings``). Errors
are one line on stderr (exit 2 for bad arguments or a missing store). ``check`` lists every file
that cannot be loaded (exit 1 when there is any) and every *note* (a file that loaded with a
value replaced, such as a bad ``webUrl`` given way to ``originalUrl``; notes alone exit 0);
``build``/``search``/``topics``/``explain`` print at most one line about skipped files on
stderr (``13 files skipped (run 'briefings check STORE' for the list)``). Loading many files
shows a progress bar on a terminal and nothing otherwise.

``check``/``build``/``search``/``topics``/``explain`` use the persistent
:class:`~briefings.index.StoreIndex` by default (only new or changed files are parsed; the
output is the same as parsing everything): one cache file per store path in the user's cache
folder (see :mod:`briefings.cli.cache`). ``--cache PATH`` picks the file; ``--no-cache`` loads
the store into memory and writes nothing. When the default cache folder cannot be written the
command works in memory after one warning line on stderr.

The CLI is an entry point on top of the core, not part of it: it prints, reads the
environment (the cache folder) and reads the clock, which the core never does: ``--at``
defaults to now, and the moment is then handed to the core like any other.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import NoReturn, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from briefings.briefing import DEFAULT_PER_TOPIC, BriefingRequest, assemble
from briefings.cli import render
from briefings.cli.cache import default_cache_file
from briefings.explain import explain
from briefings.filters import Filters
from briefings.index import SearchFilters, SearchIndex, StoreIndex
from briefings.model import Problem, Store
from briefings.store import Progress, StoreNotFoundError, load_store
from briefings.topics import summarize_topics

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhms])", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


class UsageError(Exception):
    """A bad argument value: shown as one line, exit code 2."""


def parse_duration(text: str) -> timedelta:
    """Parse ``24h``, ``90m``, ``1d12h``, ``2w`` into a positive timedelta."""
    compact = text.replace(" ", "")
    parts = _DURATION.findall(compact)
    if not parts or "".join(f"{n}{u}" for n, u in parts).lower() != compact.lower():
        raise UsageError(f"invalid duration {text!r}: use forms like 24h, 90m, 1d12h or 2w")
    duration = timedelta()
    for number, unit in parts:
        duration += timedelta(**{_UNITS[unit.lower()]: float(number)})
    if duration <= timedelta(0):
        raise UsageError("the window must be longer than zero")
    return duration


def parse_zone(name: str) -> tzinfo:
    """An IANA time zone such as ``Europe/Paris`` (``UTC`` works too)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UsageError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Paris"
        ) from error


def parse_moment(text: str, zone: tzinfo) -> datetime:
    """An ISO 8601 moment; without an offset it is read in ``zone``."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise UsageError(
            f"invalid --at {text!r}: use ISO 8601, e.g. 2024-04-12T08:00:00Z"
        ) from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError("must be a finite number")
    return value


@contextmanager
def _progress_bar(stream: TextIO) -> Iterator[Progress | None]:
    """A tqdm progress callback on a terminal; nothing when output is redirected."""
    if not stream.isatty():
        yield None
        return
    from tqdm import tqdm  # imported here: it costs a warm search a tenth of its time

    bar = tqdm(total=0, unit="file", desc="Loading store", file=stream, leave=False, delay=0.5)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh() if done == total or done % 200 == 0 else None

    try:
        yield update
    finally:
        bar.close()


def _load(path: str) -> Store:
    with _progress_bar(sys.stderr) as progress:
        return load_store(path, progress=progress)


def _sync(index: StoreIndex) -> None:
    """Bring ``index`` up to date, with a progress bar on a terminal."""
    with _progress_bar(sys.stderr) as progress:
        index.sync(progress=progress)


@contextmanager
def _open_index(path: str, cache: str) -> Iterator[StoreIndex]:
    """The store's persistent index in ``cache``, brought up to date."""
    try:
        index = StoreIndex(path, cache)
    except (sqlite3.Error, OSError) as error:
        raise UsageError(f"cannot use the cache {cache}: {error}") from error
    with index:
        _sync(index)
        yield index


def _list_problems(
    problems: Sequence[Problem], shown_root: str, stream: TextIO, *, label: str = ""
) -> None:
    """One line per file, ``STORE/PATH: reason`` (``check`` lists every file this way)."""
    for problem in problems:
        print(f"{Path(shown_root) / problem.path}: {label}{problem.reason}", file=stream)


def _shell_word(text: str) -> str:
    """``text`` as one shell word, in double quotes when it can be (it sits inside '…')."""
    quoted = shlex.quote(text)
    if quoted == text or any(c in text for c in '"$`\\!'):
        return quoted
    return f'"{text}"'


def _default_index(store: str) -> StoreIndex | None:
    """The store's synced index in the user's cache folder; None (one warning) if unusable."""
    try:
        cache = default_cache_file(store)
    except OSError as error:
        _warn_in_memory(str(error))
        return None
    try:
        index = StoreIndex(store, cache)
    except (sqlite3.Error, OSError) as error:
        _warn_in_memory(f"cannot use the cache {cache} ({error})")
        return None
    try:
        _sync(index)
    except (sqlite3.Error, OSError) as error:  # a full disk, a read-only file …
        index.close()
        _warn_in_memory(f"cannot update the cache {cache} ({error})")
        return None
    return index


def _warn_in_memory(reason: str) -> None:
    print(f"briefings: warning: {reason}; working in memory", file=sys.stderr)


@contextmanager
def _store_index(args: argparse.Namespace) -> Iterator[StoreIndex | None]:
    """The index this command uses, synced; None to work in memory.

    ``--no-cache``: None. ``--cache PATH``: that file (a file that cannot be used is an error).
    Default: the store's file in the user's cache folder; when that cannot be used, one warning
    line on stderr and None. A missing store gets None, so the in-memory path reports it (and
    no cache file is made for it).
    """
    if args.no_cache or (not args.cache and not Path(args.store).is_dir()):
        yield None
    elif args.cache:
        with _open_index(args.store, args.cache) as index:
            yield index
    else:
        default = _default_index(args.store)
        if default is None:
            yield None
        else:
            with default:
                yield default


def _report_problems(problems: Sequence[Problem] | Store, shown_root: str, stream: TextIO) -> None:
    """At most one line about skipped files: the list is ``check``'s job, not every command's."""
    count = len(problems.problems if isinstance(problems, Store) else problems)
    if count:
        files = "file" if count == 1 else "files"
        print(
            f"{count} {files} skipped (run 'briefings check {_shell_word(shown_root)}' "
            "for the list)",
            file=stream,
        )


def _emit_json(document: object) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2))


# --- commands --------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    with _store_index(args) as index:
        if index is not None:
            problems, notes, count = index.problems, index.notes, index.article_count
        else:
            store = _load(args.store)
            problems, notes, count = store.problems, store.notes, len(store.articles)
    _list_problems(problems, args.store, sys.stdout)
    _list_problems(notes, args.store, sys.stdout, label="note: ")
    print(
        f"{count} articles, {len(problems)} problems" + (f", {len(notes)} notes" if notes else "")
    )
    return 1 if problems else 0


def cmd_build(args: argparse.Namespace) -> int:
    zone = parse_zone(args.tz)
    request = _request(args, zone)
    with _store_index(args) as index:
        if index is not None:
            _report_problems(index.problems, args.store, sys.stderr)
            briefing = index.briefing(request)
        else:
            store = _load(args.store)
            _report_problems(store, args.store, sys.stderr)
            briefing = assemble(store.articles, store.catalog, request)
    if args.format == "json":
        _emit_json(render.briefing_to_json(briefing, zone))
    elif args.format == "markdown":
        print(render.briefing_to_markdown(briefing, zone))
    else:
        print(render.briefing_to_text(briefing, zone))
    return 0


def _request(args: argparse.Namespace, zone: tzinfo) -> BriefingRequest:
    return BriefingRequest(
        at=datetime.now(UTC) if args.at is None else parse_moment(args.at, zone),
        window=parse_duration(args.window),
        topics=tuple(args.topic or ()),
        per_topic=args.per_topic,
        min_quality=args.min_quality,
        filters=Filters.parse(
            include=args.include or "",
            exclude=args.exclude or "",
            outlets=args.exclude_outlets or "",
        ),
    )


def cmd_explain(args: argparse.Namespace) -> int:
    zone = parse_zone(args.tz)
    request = _request(args, zone)
    with _store_index(args) as index:
        if index is not None:
            _report_problems(index.problems, args.store, sys.stderr)
            articles = index.articles_between(request.start, request.at)
            paths = {article.path for article in articles}
            articles += [a for a in index.articles_with_url(args.url) if a.path not in paths]
            catalog = index.catalog
        else:
            store = _load(args.store)
            _report_problems(store, args.store, sys.stderr)
            articles, catalog = list(store.articles), store.catalog
    result = explain(args.url, articles, catalog, request)
    if args.format == "json":
        _emit_json(render.explanation_to_json(result, zone))
    else:
        print(render.explanation_to_text(result))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    zone = parse_zone(args.tz)
    filters = SearchFilters(topic=args.topic)
    with _store_index(args) as store_index:
        if store_index is not None:
            _report_problems(store_index.problems, args.store, sys.stderr)
            results = store_index.search(args.query, filters=filters, limit=args.limit)
        else:
            store = _load(args.store)
            _report_problems(store, args.store, sys.stderr)
            with SearchIndex() as index:
                index.replace_all(store.articles)
                results = index.search(args.query, filters=filters, limit=args.limit)
    if args.format == "json":
        _emit_json(render.search_to_json(results, zone))
    else:
        print(render.search_to_text(results, zone))
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    with _store_index(args) as index:
        if index is not None:
            _report_problems(index.problems, args.store, sys.stderr)
            summaries = index.topic_summaries()
        else:
            store = _load(args.store)
            _report_problems(store, args.store, sys.stderr)
            summaries = summarize_topics(store.articles, store.catalog)
    if args.format == "json":
        _emit_json(render.topics_to_json(summaries))
    else:
        print(render.topics_to_text(summaries))
    return 0


def _add_cache_option(command: argparse.ArgumentParser) -> None:
    choice = command.add_mutually_exclusive_group()
    choice.add_argument(
        "--cache",
        metavar="PATH",
        help="keep the store's persistent index in this file (default: one file per store "
        "in $XDG_CACHE_HOME/briefings, else ~/.cache/briefings)",
    )
    choice.add_argument(
        "--no-cache",
        action="store_true",
        help="parse the whole store in memory and write no cache",
    )


def _add_briefing_options(command: argparse.ArgumentParser) -> None:
    """The options that describe a briefing (``build`` and ``explain``)."""
    command.add_argument(
        "--at", help="the moment of the briefing (ISO 8601; default: now)", metavar="MOMENT"
    )
    command.add_argument("--window", default="24h", help="how far back to look (default 24h)")
    command.add_argument("--per-topic", type=_positive_int, default=DEFAULT_PER_TOPIC, metavar="N")
    command.add_argument("--min-quality", type=_number, default=0.0, metavar="Q")
    command.add_argument(
        "--topic", action="append", metavar="T", help="only this topic (repeatable)"
    )
    command.add_argument(
        "--tz", default="UTC", metavar="ZONE", help="time zone for --at and output"
    )
    command.add_argument(
        "--include",
        metavar="WORDS",
        help='only stories with one of these (comma-separated, "a phrase")',
    )
    command.add_argument(
        "--exclude", metavar="WORDS", help="leave out stories with any of these (comma-separated)"
    )
    command.add_argument(
        "--exclude-outlets", metavar="DOMAINS", help="leave out these outlets (comma-separated)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``briefings`` command."""
    parser = argparse.ArgumentParser(
        prog="briefings",
        description="Check, search and build daily briefings from an article store.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check", help="report every file of the store that cannot be loaded"
    )
    check.add_argument("store", metavar="STORE")
    _add_cache_option(check)
    check.set_defaults(handler=cmd_check)

    build = commands.add_parser("build", help="assemble the briefing of a moment")
    build.add_argument("store", metavar="STORE")
    _add_briefing_options(build)
    build.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    _add_cache_option(build)
    build.set_defaults(handler=cmd_build)

    search = commands.add_parser("search", help="full-text search of the published articles")
    search.add_argument("store", metavar="STORE")
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--topic", metavar="T")
    search.add_argument("--limit", type=_positive_int, default=10, metavar="N")
    search.add_argument("--tz", default="UTC", metavar="ZONE", help="time zone for dates shown")
    search.add_argument("--format", choices=("text", "json"), default="text")
    _add_cache_option(search)
    search.set_defaults(handler=cmd_search)

    why = commands.add_parser("explain", help="say why an article is or is not in a briefing")
    why.add_argument("store", metavar="STORE")
    why.add_argument("url", metavar="URL")
    _add_briefing_options(why)
    why.add_argument("--format", choices=("text", "json"), default="text")
    _add_cache_option(why)
    why.set_defaults(handler=cmd_explain)

    topics = commands.add_parser("topics", help="list topics with article counts")
    topics.add_argument("store", metavar="STORE")
    topics.add_argument("--format", choices=("text", "json"), default="text")
    _add_cache_option(topics)
    topics.set_defaults(handler=cmd_topics)

    return parser


def _fail(message: str) -> NoReturn:
    print(f"briefings: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except (UsageError, StoreNotFoundError, ValueError) as error:
        _fail(str(error))
    except BrokenPipeError:  # `briefings build … | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
