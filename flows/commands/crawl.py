"""newsduck crawl URL | --source NAME | --all"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from ..local_server import use_running_server
from ..progress import ProgressBar as Bar
from ..progress import progress_bar, progress_listener
from ..settings import without_flow_heartbeats
from ..stopping import stop_requests
from .common import (EXIT_FAILURE, EXIT_USAGE, CliError, add_db_option, add_quiet_option, add_warehouse_option,
                     examples, interrupted_exit, iso_date, positive_int, warehouse_of)


def register(commands) -> None:
    parser = commands.add_parser(
        "crawl",
        help="discover and fetch a site's (or e-paper's) articles politely, load them into DuckDB",
        description="Crawl one source: follow its list pages, feeds and sitemaps (also those robots.txt names) "
        "or, for an e-paper, its editions' pages, queue the article URLs in the database's frontier, fetch "
        "them politely (robots.txt, per-host limits) and load them into the DuckDB database (or a DuckLake "
        "warehouse, --warehouse, which several crawls on several machines can fill at once). Runs the Prefect flow "
        "`crawl`, one run per source. Articles already stored are not fetched again (--refresh asks again, conditionally); URLs a "
        "stopped crawl left queued are fetched by the next one. Sources come from sources.toml "
        "(see sources.example.toml); a bare URL crawls its own host.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck crawl http://127.0.0.1:8000/list/index.html --max-crawl-delay 0.05
            source         | discovered | fetched | not_modified | inputs | new | updated | unchanged | not_article | skipped_robots | errors |  bytes | duration_s | queued
            ---------------+------------+---------+--------------+--------+-----+---------+-----------+-------------+----------------+--------+--------+------------+-------
            127.0.0.1:8000 |         34 |      32 |            0 |     34 |  28 |       0 |         0 |           4 |              1 |      1 | 137551 |      4.364 |      0
            (1 row)
              127.0.0.1:8000: HTTP 404: GET http://127.0.0.1:8000/content/2024-11/content_48120.html returned HTTP 404
            $ newsduck crawl --source fxrb-epaper --from 2024-03-01 --to 2024-03-07
            $ newsduck crawl --all --sources ~/news/sources.toml --json
        """),
    )
    parser.add_argument("url", nargs="?", metavar="URL", help="a list page, feed or sitemap URL to crawl ad hoc")
    parser.add_argument("--source", action="append", metavar="NAME", help="a source from the sources file (repeatable)")
    parser.add_argument("--all", action="store_true", help="every source in the sources file, one after another")
    parser.add_argument("--sources", metavar="PATH", help="sources file (default: $NEWSDUCK_SOURCES or ./sources.toml)")
    add_db_option(parser)
    add_warehouse_option(parser, "crawl into")
    parser.add_argument("--max-pages", type=positive_int, metavar="N", help="fetch at most N articles per source in this run")
    parser.add_argument("--refresh", action="store_true",
                        help="fetch stored articles again (conditional GET: an unchanged page costs a 304)")
    parser.add_argument("--from", dest="date_from", type=iso_date, metavar="DATE",
                        help="e-paper: first edition date, YYYY-MM-DD (default: today's edition)")
    parser.add_argument("--to", dest="date_to", type=iso_date, metavar="DATE",
                        help="e-paper: last edition date, YYYY-MM-DD (default: today)")
    parser.add_argument("--max-crawl-delay", type=float, metavar="SECONDS",
                        help="cap a robots.txt Crawl-delay at this many seconds (default 30)")
    parser.add_argument("--allow-private", action="store_true",
                        help="let links and redirects reach loopback and private addresses (intranet sites; "
                        "a source can say allow_private_hosts = true instead)")
    parser.add_argument("--batch-size", type=positive_int, default=200, help="pages per extract/load batch (default 200)")
    add_quiet_option(parser)
    parser.add_argument("--json", action="store_true", help="print each source's summary as one JSON line")
    parser.set_defaults(handler=run)


def choose_sources(args: argparse.Namespace) -> list:
    from ..inputs import InputError, check_url
    from ..sources import SourcesError, adhoc_source, find_source, load_sources, sources_path

    chosen = [bool(args.url), bool(args.source), args.all]
    if sum(chosen) != 1:
        raise CliError("Say what to crawl: a URL, --source NAME, or --all (exactly one of them).", EXIT_USAGE)
    try:
        if args.url:
            try:
                check_url(args.url)
            except InputError as exc:
                raise CliError(str(exc), EXIT_USAGE) from None
            return [adhoc_source(args.url)]
        sources = load_sources(sources_path(args.sources))
        if args.all:
            return sources
        return [find_source(sources, name) for name in dict.fromkeys(args.source)]
    except SourcesError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def run(args: argparse.Namespace) -> int:
    from .ingest import check_writable

    if args.date_to and not args.date_from:
        raise CliError("--to needs --from (the first edition date).", EXIT_USAGE)
    if args.date_from and args.date_to and args.date_to < args.date_from:
        raise CliError(f"--from {args.date_from} is after --to {args.date_to}.", EXIT_USAGE)
    sources = choose_sources(args)
    if args.allow_private:
        sources = [dataclasses.replace(s, allow_private_hosts=True) for s in sources]
    if args.date_from and not any(s.is_epaper for s in sources):
        raise CliError("--from/--to pick e-paper editions; none of the chosen sources is an e-paper.", EXIT_USAGE)
    if args.max_crawl_delay is not None and not 0 <= args.max_crawl_delay < float("inf"):
        raise CliError("--max-crawl-delay must be 0 or more seconds.", EXIT_USAGE)
    db_path = warehouse_of(args)
    check_writable(db_path)

    use_running_server()  # the shared local Prefect server, when one runs: no temporary server to start

    summaries: list[dict] = []
    with stop_requests():
        failures = crawl_each(args, sources, db_path, summaries)
    if not args.json and summaries:
        print(format_summaries(summaries))
        print(f"db {db_path}")
    interrupted = next((s for s in summaries if s["status"] == "interrupted"), None)
    if interrupted is not None:
        return interrupted_exit(interrupted)
    return EXIT_FAILURE if failures else 0


def crawl_each(args: argparse.Namespace, sources: list, db_path: str, summaries: list[dict]) -> int:
    """Crawl the sources one after another, appending their summaries; returns how many failed. A stop request
    ends the crawl under way (what it fetched is loaded) and starts no other."""
    from ..crawl import crawl  # imports Prefect: only once the arguments are known to be good
    from ..outcome import summary_of
    from ..stopping import stop_requested

    failures = 0
    for source in sources:
        if stop_requested():
            break
        try:
            with without_flow_heartbeats(), progress_bar(args.quiet, lambda: ProgressBar(source.name)) as bar, \
                    progress_listener(bar):
                summary = summary_of(crawl, source=source.to_dict(), db_path=db_path, max_pages=args.max_pages,
                                refresh=args.refresh, date_from=args.date_from if source.is_epaper else None,
                                date_to=args.date_to if source.is_epaper else None, batch_size=args.batch_size,
                                max_crawl_delay=args.max_crawl_delay)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            if len(sources) == 1:
                raise
            failures += 1
            print(f"newsduck: crawl of {source.name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        summaries.append(summary)
        if args.json:
            print(json.dumps({**summary, "db": db_path}, ensure_ascii=False), flush=True)
        if summary["status"] == "failed":
            failures += 1
            print(f"newsduck: crawl of {source.name} failed: {summary.get('failure')}", file=sys.stderr)
            break  # the database cannot be written: the next source would fail the same way
    return failures


def format_summaries(summaries: list[dict]) -> str:
    from warehouse.queries import format_table

    from ..crawl import FETCH_COLUMNS, RUN_COLUMNS
    from ..summary import first_error_lines, shown_outcomes

    headers = ("source", *FETCH_COLUMNS, "inputs", *shown_outcomes(*summaries), *RUN_COLUMNS)
    rows = [[s[h] for h in headers] for s in summaries]
    lines = [format_table(headers, rows)]
    for summary in summaries:
        lines += first_error_lines(summary, prefix=f"{summary['source']}: ")
    return "\n".join(lines)


class ProgressBar(Bar):
    """A crawl's bar: articles fetched of those due, pages per second, URLs discovered, new articles, errors."""

    def __init__(self, name: str) -> None:
        super().__init__(f"crawl {name}", unit="pages", counts=("discovered", "new", "errors"))

    def update(self, stats) -> None:
        loaded = stats.loaded.counts
        self.show(stats.articles_done, stats.articles_total, rate=stats.pages_per_second,
                  discovered=stats.discovered, new=loaded.new, errors=max(loaded.errors, stats.failed_fetches))
