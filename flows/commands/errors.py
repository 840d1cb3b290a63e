"""newsduck errors [--run ID]"""

from __future__ import annotations

import argparse

from ..settings import database_path
from .common import (EXIT_USAGE, CliError, add_db_option, add_max_width_option, add_timezone_option, examples,
                     positive_int, resolve_timezone)

DEFAULT_LIMIT = 50


def register(commands) -> None:
    parser = commands.add_parser(
        "errors",
        help="the errors of a run (by default the latest): each input, the stage it failed at, why",
        description="List the errors of one run, in the order they happened: the input (URL or file), the stage "
        "(fetch, decode, parse, load), the error's type and its message. Without --run, the latest run's, "
        "whether it had errors or not (`newsduck runs` shows which runs had some). A line above the table names "
        "the run. Reads the database without writing (waits while an ingest holds it).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck errors                    # on the make demo database, after newsduck ingest empty.html
            run 2f78694b · ingest · completed · started 2026-12-06 16:27:31 · 1 error
            input      | stage  | error_type      | message
            -----------+--------+-----------------+------------
            empty.html | decode | EmptyInputError | empty input
            (1 row)
            $ newsduck errors --run 2f78694b --format json
        """),
    )
    add_db_option(parser)
    parser.add_argument("--run", metavar="ID", default="latest",
                        help="the run: its run_id, the first characters of it (8 are shown by newsduck runs), "
                        "or latest (the default)")
    parser.add_argument("--limit", type=positive_int, default=DEFAULT_LIMIT, metavar="N",
                        help=f"at most N errors, the first ones (default {DEFAULT_LIMIT})")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="table (default), json or csv (these two: only the errors, never cut)")
    add_max_width_option(parser)
    add_timezone_option(parser, "show when the run started")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from warehouse.db import connect_reader
    from warehouse.runs import error_count, find_runs, first_errors

    zone = resolve_timezone(args.timezone)
    db_path = database_path(args.db)
    con = connect_reader(db_path)
    try:
        the_run = one_run(find_runs(con, args.run), args.run, db_path)
        errors = first_errors(con, the_run["run_id"], args.limit)
        total = error_count(con, the_run["run_id"])
    finally:
        con.close()
    print(format_errors(the_run, errors, total, args, zone))
    return 0


def one_run(runs: list[dict], reference: str, db_path: str) -> dict:
    if len(runs) == 1:
        return runs[0]
    if not runs and reference == "latest":
        raise CliError(f"{db_path} has no runs yet")
    if not runs:
        raise CliError(f"no run {reference!r} in {db_path} (newsduck runs lists the latest)", EXIT_USAGE)
    raise CliError(f"{len(runs)} runs start with {reference!r}: give more of the run id "
                   f"({', '.join(r['run_id'] for r in runs[:3])}{', …' if len(runs) > 3 else ''})", EXIT_USAGE)


def format_errors(the_run: dict, errors: list[dict], total: int, args: argparse.Namespace, zone) -> str:
    from warehouse.queries import format_table, to_csv, to_json

    columns = ("run_id", "input", "stage", "error_type", "message")
    if args.format != "table":
        rows = [[the_run["run_id"], *(e[c] for c in columns[1:])] for e in errors]
        return to_json(columns, rows) if args.format == "json" else to_csv(columns, rows).rstrip("\n")
    lines = [run_line(the_run, total, zone)]
    if errors:
        lines.append(format_table(columns[1:], [[e[c] for c in columns[1:]] for e in errors],
                                  max_width=args.max_width or None))
    if total > len(errors):
        lines.append(f"… {total - len(errors)} more (--limit {total}, or SELECT * FROM errors WHERE run_id = "
                     f"'{the_run['run_id']}')")
    return "\n".join(lines)


def run_line(the_run: dict, total: int, zone) -> str:
    """`run 0b5d46a2 · ingest · completed · started 2025-03-08 10:15:42 · 1 error`"""
    from .runs import SHORT_ID, local_time

    what = [f"run {the_run['run_id'][:SHORT_ID]}", the_run["command"]]
    if the_run["source_id"]:
        what.append(the_run["source_id"])
    what += [the_run["status"], f"started {local_time(the_run['started_at'], zone)}",
             f"{total} error{'s' if total != 1 else ''}"]
    return " · ".join(what)
