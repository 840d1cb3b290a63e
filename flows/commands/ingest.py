"""newsduck ingest PATH_OR_URL..."""

from __future__ import annotations

import argparse
import json
import sys

from ..local_server import use_running_server
from ..progress import RunBar, progress_bar, progress_listener
from ..settings import database_path
from ..stopping import stop_requests
from ..summary import format_run
from .common import (EXIT_FAILURE, EXIT_USAGE, CliError, add_db_option, add_quiet_option, examples, interrupted_exit, positive_int,
                     read_url_map)


def register(commands) -> None:
    parser = commands.add_parser(
        "ingest",
        help="fetch or read pages, extract articles, load them into DuckDB",
        description="Fetch URLs and read saved pages (.html, .htm, .shtml, .jsp, .php ..., .txt, gzip-compressed "
        "pages, MHTML archives, HTML files without an extension; directories recursively), extract each "
        "article and load it into the DuckDB database. Runs the Prefect flow `ingest`. "
        "Ingesting the same pages again changes nothing; a changed page updates its article.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck ingest examples/demo-site/content --db data/demo.duckdb
            inputs 12  new 12  updated 0  unchanged 0  not articles 0  errors 0
        """),
    )
    parser.add_argument("inputs", nargs="+", metavar="PATH_OR_URL", help="files, directories or http(s) URLs")
    add_db_option(parser)
    parser.add_argument("--urls", metavar="FILE", help='JSON lines of {"path": ..., "url": ...}: the URL each saved file came from')
    parser.add_argument("--batch-size", type=positive_int, default=200, help="pages per Prefect task (default 200)")
    add_quiet_option(parser)
    parser.add_argument("--json", action="store_true", help="print the run summary as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..inputs import InputError, check_inputs

    try:
        inputs = check_inputs(args.inputs)
    except InputError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    urls = read_url_map(args.urls) if args.urls else None
    db_path = database_path(args.db)
    check_writable(db_path)

    use_running_server()  # the shared local Prefect server, when one runs: no temporary server to start
    from ..ingest import ingest  # imports Prefect: only once the arguments are known to be good

    with stop_requests(), progress_bar(args.quiet, lambda: RunBar("ingest")) as bar, progress_listener(bar):
        summary = ingest(inputs=inputs, db_path=db_path, batch_size=args.batch_size, file_urls=urls)
    print(json.dumps(summary) if args.json else format_run(summary))
    if summary["status"] == "failed":
        print(f"newsduck: ingest failed: {summary.get('failure')}", file=sys.stderr)
        return EXIT_FAILURE
    return interrupted_exit(summary)


def check_writable(db_path: str) -> None:
    """Fail before Prefect starts if the database cannot be opened for writing (locked, not a DuckDB file).

    Readers hold the file only for a query, so a busy file is waited for ($NEWSDUCK_BUSY_TIMEOUT seconds).
    """
    from warehouse.db import WarehouseError, connect_writer

    try:
        connect_writer(db_path).close()
    except WarehouseError as exc:
        raise CliError(str(exc)) from None
