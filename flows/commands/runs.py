"""newsduck runs"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from ..settings import database_path
from .common import add_db_option, add_timezone_option, examples, positive_int, resolve_timezone

SHORT_ID = 8  # characters of a run_id shown in tables; `newsduck errors --run` takes them


def register(commands) -> None:
    parser = commands.add_parser(
        "runs",
        help="the latest runs (ingest, crawl, reparse, demo): status, start, duration and counts, also while one runs",
        description="List the latest runs, newest first: the command, the source a crawl crawled, the status "
        "(running, completed, failed or interrupted), when it started (in --timezone), how long it took (or has "
        "been running), and what became of its inputs. A running ingest, crawl or reparse adds each batch's counts "
        "as it loads it, so another terminal can follow it here. Reads the database without writing (waits while "
        "an ingest holds it). The first 8 characters of a run's id name it to `newsduck errors --run`.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck runs --limit 2            # on the make demo database, after newsduck ingest empty.html
            run      | command | source | status    | started             | duration | inputs | new | updated | unchanged | not_article | errors
            ---------+---------+--------+-----------+---------------------+----------+--------+-----+---------+-----------+-------------+-------
            2f78694b | ingest  |        | completed | 2026-12-06 16:27:31 | 0.7 s    |      1 |   0 |       0 |         0 |           0 |      1
            07b606b1 | demo    |        | completed | 2026-12-06 16:27:14 | 2.2 s    |     13 |  12 |       0 |         0 |           1 |      0
            (2 rows)
            $ newsduck runs --format json --limit 1 --timezone UTC
        """),
    )
    add_db_option(parser)
    parser.add_argument("--limit", type=positive_int, default=10, metavar="N", help="the latest N runs (default 10)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="table (default); json and csv give every count, the full run_id and ISO times")
    add_timezone_option(parser, "show when runs started and finished")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from warehouse.db import connect_reader
    from warehouse.runs import latest_runs

    zone = resolve_timezone(args.timezone)
    con = connect_reader(database_path(args.db))
    try:
        runs = latest_runs(con, args.limit)
    finally:
        con.close()
    print(format_runs(runs, args.format, zone))
    return 0


def format_runs(runs: list[dict], output_format: str, zone: ZoneInfo) -> str:
    from warehouse.queries import format_table, to_csv, to_json
    from warehouse.runs import OUTCOME_COLUMNS

    from ..summary import shown_outcomes

    if output_format == "table":
        headers = ("run", "command", "source", "status", "started", "duration", "inputs", *shown_outcomes(*runs))
        rows = [[r["run_id"][:SHORT_ID], r["command"], r["source_id"] or "", r["status"],
                 local_time(r["started_at"], zone), format_duration(duration(r)), *(r[key] for key in headers[6:])]
                for r in runs]
        return format_table(headers, rows, max_width=None)
    columns = ("run_id", "flow_run_id", "command", "source", "status", "started_at", "finished_at", "duration_s",
               "inputs", *OUTCOME_COLUMNS)
    rows = [[r["run_id"], r["flow_run_id"], r["command"], r["source_id"], r["status"], iso_time(r["started_at"], zone),
             iso_time(r["finished_at"], zone), _rounded(duration(r)), r["inputs"], *(r[k] for k in OUTCOME_COLUMNS)]
            for r in runs]
    return to_json(columns, rows) if output_format == "json" else to_csv(columns, rows).rstrip("\n")


def duration(run: dict) -> float | None:
    """Seconds from start to finish, or to now while the run is running."""
    from warehouse.runs import RUNNING

    end = run["finished_at"] or (datetime.now(timezone.utc) if run["status"] == RUNNING else None)
    return None if end is None or run["started_at"] is None else (end - run["started_at"]).total_seconds()


def format_duration(seconds: float | None) -> str:
    """0.3 s, 42.0 s, 3 min 05 s, 2 h 07 min."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def iso_time(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return None if moment is None else moment.astimezone(zone).isoformat(timespec="seconds")


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)
