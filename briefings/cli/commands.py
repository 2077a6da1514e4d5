"""The commands of the ``briefings`` command line: use the core without Discord.

``briefings check|build|search|topics|explain`` (also ``python -m briefings``). Errors
are one line on stderr (exit 2 for bad arguments or a missing store). ``check`` lists every file
that cannot be loaded (exit 1 when there is any) and every *note* (a file that loaded with a
value replaced, such as a bad ``webUrl`` given way to ``originalUrl``; notes alone exit 0);
``build``/``search``/``topics``/``explain`` print at most one line about skipped files on
stderr (``13 files skipped (run 'briefings check STORE' for the list)``).

How a command gets at the store (the persistent index or memory) is
:mod:`briefings.cli.store_access`; its arguments are read by :mod:`briefings.cli.arguments`.

The CLI is an entry point on top of the core, not part of it: it prints, reads the
environment (the cache folder) and reads the clock, which the core never does: ``--at``
defaults to now, and the moment is then handed to the core like any other.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from briefings.briefing import assemble
from briefings.cli import render
from briefings.cli.arguments import (
    UsageError,
    add_briefing_options,
    add_cache_option,
    briefing_request,
    parse_zone,
    positive_int,
)
from briefings.cli.store_access import list_problems, load, report_problems, store_index
from briefings.explain import explain
from briefings.index import SearchFilters, SearchIndex
from briefings.store import StoreNotFoundError
from briefings.topics import summarize_topics


def _emit_json(document: object) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2))


# --- commands --------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    with store_index(args) as index:
        if index is not None:
            problems, notes, count = index.problems, index.notes, index.article_count
        else:
            store = load(args.store)
            problems, notes, count = store.problems, store.notes, len(store.articles)
    list_problems(problems, args.store, sys.stdout)
    list_problems(notes, args.store, sys.stdout, label="note: ")
    print(
        f"{count} articles, {len(problems)} problems" + (f", {len(notes)} notes" if notes else "")
    )
    return 1 if problems else 0


def cmd_build(args: argparse.Namespace) -> int:
    zone = parse_zone(args.tz)
    request = briefing_request(args, zone)
    with store_index(args) as index:
        if index is not None:
            report_problems(index.problems, args.store, sys.stderr)
            briefing = index.briefing(request)
        else:
            store = load(args.store)
            report_problems(store, args.store, sys.stderr)
            briefing = assemble(store.articles, store.catalog, request)
    if args.format == "json":
        _emit_json(render.briefing_to_json(briefing, zone))
    elif args.format == "markdown":
        print(render.briefing_to_markdown(briefing, zone))
    else:
        print(render.briefing_to_text(briefing, zone))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    zone = parse_zone(args.tz)
    request = briefing_request(args, zone)
    with store_index(args) as index:
        if index is not None:
            report_problems(index.problems, args.store, sys.stderr)
            articles = index.articles_between(request.start, request.at)
            paths = {article.path for article in articles}
            articles += [a for a in index.articles_with_url(args.url) if a.path not in paths]
            catalog = index.catalog
        else:
            store = load(args.store)
            report_problems(store, args.store, sys.stderr)
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
    with store_index(args) as cached:
        if cached is not None:
            report_problems(cached.problems, args.store, sys.stderr)
            results = cached.search(args.query, filters=filters, limit=args.limit)
        else:
            store = load(args.store)
            report_problems(store, args.store, sys.stderr)
            with SearchIndex() as index:
                index.replace_all(store.articles)
                results = index.search(args.query, filters=filters, limit=args.limit)
    if args.format == "json":
        _emit_json(render.search_to_json(results, zone))
    else:
        print(render.search_to_text(results, zone))
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    with store_index(args) as index:
        if index is not None:
            report_problems(index.problems, args.store, sys.stderr)
            summaries = index.topic_summaries()
        else:
            store = load(args.store)
            report_problems(store, args.store, sys.stderr)
            summaries = summarize_topics(store.articles, store.catalog)
    if args.format == "json":
        _emit_json(render.topics_to_json(summaries))
    else:
        print(render.topics_to_text(summaries))
    return 0


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
    add_cache_option(check)
    check.set_defaults(handler=cmd_check)

    build = commands.add_parser("build", help="assemble the briefing of a moment")
    build.add_argument("store", metavar="STORE")
    add_briefing_options(build)
    build.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    add_cache_option(build)
    build.set_defaults(handler=cmd_build)

    search = commands.add_parser("search", help="full-text search of the published articles")
    search.add_argument("store", metavar="STORE")
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--topic", metavar="T")
    search.add_argument("--limit", type=positive_int, default=10, metavar="N")
    search.add_argument("--tz", default="UTC", metavar="ZONE", help="time zone for dates shown")
    search.add_argument("--format", choices=("text", "json"), default="text")
    add_cache_option(search)
    search.set_defaults(handler=cmd_search)

    why = commands.add_parser("explain", help="say why an article is or is not in a briefing")
    why.add_argument("store", metavar="STORE")
    why.add_argument("url", metavar="URL")
    add_briefing_options(why)
    why.add_argument("--format", choices=("text", "json"), default="text")
    add_cache_option(why)
    why.set_defaults(handler=cmd_explain)

    topics = commands.add_parser("topics", help="list topics with article counts")
    topics.add_argument("store", metavar="STORE")
    topics.add_argument("--format", choices=("text", "json"), default="text")
    add_cache_option(topics)
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
