"""newsduck ingest PATH_OR_URL..."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext

from ..local_server import api_for_worker_processes, use_running_server
from ..progress import RunBar, progress_bar, progress_listener
from ..settings import import_frozen, refresh_prefect_settings, without_flow_heartbeats
from ..stopping import stop_requests
from ..summary import format_run
from .common import (EXIT_FAILURE, EXIT_USAGE, CliError, add_db_option, add_quiet_option, add_warehouse_option,
                     examples, interrupted_exit, positive_int, read_url_map, warehouse_of)


def register(commands) -> None:
    parser = commands.add_parser(
        "ingest",
        help="fetch or read pages, extract articles, load them into DuckDB",
        description="Fetch URLs and read saved pages (.html, .htm, .shtml, .jsp, .php ..., .txt, gzip-compressed "
        "pages, MHTML archives, HTML files without an extension; directories recursively) and the response records "
        "of WARC and ARC files (.warc, .warc.gz, .arc, .arc.gz: each with its URL and date), extract each "
        "article and load it into the DuckDB database (or a DuckLake warehouse, --warehouse). Runs the Prefect flow "
        "`ingest`. "
        "Ingesting the same pages again changes nothing; a changed page updates its article.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck ingest examples/demo-site/content --db data/demo.duckdb
            inputs 12  new 12  updated 0  unchanged 0  not articles 0  errors 0
        """),
    )
    parser.add_argument("inputs", nargs="+", metavar="PATH_OR_URL",
                        help="files, directories, WARC or ARC files, or http(s) URLs")
    add_db_option(parser)
    add_warehouse_option(parser, "load into")
    parser.add_argument("--urls", metavar="FILE", help='JSON lines of {"path": ..., "url": ...}: the URL each saved file came from')
    parser.add_argument("--batch-size", type=positive_int, default=200, help="pages per Prefect task (default 200)")
    add_dask_options(parser, "read and extract batches", " and the input files at the same paths")
    add_quiet_option(parser)
    parser.add_argument("--json", action="store_true", help="print the run summary as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import_frozen("flows.inputs")  # imports the parsers
    from ..inputs import InputError, check_inputs

    try:
        inputs = check_inputs(args.inputs)
    except InputError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    urls = read_url_map(args.urls) if args.urls else None
    db_path = warehouse_of(args)
    check_writable(db_path)
    summary = run_load_flow(args, "flows.ingest", "ingest", inputs=inputs, db_path=db_path,
                            batch_size=args.batch_size, file_urls=urls)
    print(json.dumps({**summary, "db": db_path}) if args.json else format_run(summary, db_path))
    return run_exit(summary, "ingest")


def run_load_flow(args: argparse.Namespace, module: str, name: str, **parameters) -> dict:
    """Run the flow `name` of `module` (ingest or reparse: batches extracted, then loaded by this process) with a
    progress bar and clean stops, on Dask when --workers or --dask-address say so; return its run's summary.
    Prefect is imported only here, once the arguments are known to be good."""
    if args.dask_address:
        check_dask_scheduler(args.dask_address)
    on_dask = bool(args.workers or args.dask_address)
    # the shared local Prefect server, when one runs: no temporary server to start; Dask's workers need one API
    with api_for_worker_processes() if on_dask else nullcontext(use_running_server()):
        refresh_prefect_settings()
        flow_module = import_frozen(module)
        from ..outcome import summary_of

        run_flow = getattr(flow_module, name)
        if on_dask:
            from ..dask_runner import dask_task_runner

            run_flow = run_flow.with_options(task_runner=dask_task_runner(args.workers, args.dask_address))
        with stop_requests(), without_flow_heartbeats(), progress_bar(args.quiet, lambda: RunBar(name)) as bar, \
                progress_listener(bar):
            return summary_of(run_flow, **parameters, tasks_in_other_processes=on_dask)


def run_exit(summary: dict, command: str) -> int:
    """The exit status of a run: 1 with one line on stderr when it failed (the database could not be written),
    130 when it was interrupted, else 0."""
    if summary["status"] == "failed":
        print(f"newsduck: {command} failed: {summary.get('failure')}", file=sys.stderr)
        return EXIT_FAILURE
    return interrupted_exit(summary)


def check_writable(db_path: str) -> None:
    """Fail before Prefect starts if the warehouse cannot be opened for writing (a file locked or no DuckDB file, a
    DuckLake catalog that does not answer or is at another schema version); a new lake gets its tables here.

    Readers hold the file only for a query, so a busy file is waited for ($NEWSDUCK_BUSY_TIMEOUT seconds).
    """
    from warehouse.db import WarehouseError, close_writer, open_writer

    try:
        close_writer(open_writer(db_path))
    except WarehouseError as exc:
        raise CliError(str(exc)) from None


DASK_CONNECT_SECONDS = 5


def add_dask_options(parser: argparse.ArgumentParser, work: str, worker_needs: str = "") -> None:
    """`--workers N` / `--dask-address tcp://HOST:PORT`: where a command's `work` runs (prefect-dask); loads stay
    in the command's process, the warehouse's one writer."""
    dask = parser.add_mutually_exclusive_group()
    dask.add_argument("--workers", type=positive_int, metavar="N",
                      help=f"{work} in N Dask worker processes on this machine (a LocalCluster, through "
                      "prefect-dask); loads stay in this process")
    dask.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                      help=f"{work} on the Dask cluster whose scheduler is there (its workers need newsduck{worker_needs})")


def check_dask_scheduler(address: str) -> None:
    """Fail before Prefect starts if `address` is no Dask scheduler address (usage) or none answers there."""
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or not port:
        raise CliError(f"--dask-address expects a Dask scheduler address like tcp://10.0.0.5:8786, got {address!r}",
                       EXIT_USAGE)
    from distributed import Client

    try:
        Client(address, timeout=DASK_CONNECT_SECONDS).close()
    except (OSError, TimeoutError) as exc:
        raise CliError(f"no Dask scheduler answers at {address} ({type(exc).__name__}: "
                       f"{str(exc).splitlines()[0] if str(exc) else 'no answer'})") from None
