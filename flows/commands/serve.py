"""newsduck serve"""

from __future__ import annotations

import argparse

from ..settings import database_path
from .common import EXIT_USAGE, CliError, add_db_option, examples, positive_int
from .ingest import check_writable


def register(commands) -> None:
    parser = commands.add_parser(
        "serve",
        help="run every source's crawl on its cron schedule, in one long-running process",
        description="Start a Prefect `serve` process with one deployment per source that has a `schedule` in the "
        "sources file. Scheduled runs execute in this process until you stop it with Ctrl-C. Runs also show in "
        "the Prefect UI when PREFECT_API_URL points to a Prefect server.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck serve --sources sources.toml
            Your deployments are being served and polled for scheduled runs!
            ┃ crawl/crawl-fuxin-news   (cron "*/30 * * * *", Asia/Shanghai)
        """),
    )
    parser.add_argument("--sources", metavar="PATH", help="sources file (default: $NEWSDUCK_SOURCES or ./sources.toml)")
    add_db_option(parser)
    parser.add_argument("--limit", type=positive_int, help="at most this many flow runs at once")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..sources import SourcesError, load_sources, sources_path

    path = sources_path(args.sources)
    try:
        sources = load_sources(path)
    except SourcesError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    scheduled = [s for s in sources if s.schedule]
    if not scheduled:
        raise CliError(f"{path} declares no source with a `schedule`; nothing to serve.")
    db_path = database_path(args.db)
    check_writable(db_path)

    from ..serve import serve_sources

    serve_sources(scheduled, db_path=db_path, sources_file=str(path), limit=args.limit)
    return 0
