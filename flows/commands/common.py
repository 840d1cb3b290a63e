"""What every command shares: the error type, exit codes, help examples, argument types."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..settings import DEFAULT_TIMEZONE, TIMEZONE_ENV, SettingsError, checked_db_path, database_path

EXIT_USAGE = 2
EXIT_FAILURE = 1
DEFAULT_MAX_WIDTH = 60  # table cells are cut at this many columns (--max-width)


class CliError(Exception):
    """A problem the user can fix, reported as one sentence; `code` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_FAILURE):
        super().__init__(message)
        self.code = code


def examples(text: str) -> str:
    return "example:\n" + textwrap.indent(textwrap.dedent(text).strip("\n"), "  ")


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=utf8_path, help="DuckDB file (default: $NEWSDUCK_DB or ./data/newsduck.duckdb)")


WAREHOUSE_ENV = "NEWSDUCK_WAREHOUSE"
LAKE_SHAPE = "ducklake:postgresql://USER@HOST:PORT/DB?data=PATH"


def add_warehouse_option(parser: argparse.ArgumentParser, what: str) -> None:
    """--warehouse ducklake:…, beside --db (add_db_option); `what` completes the help ("query" -> "query a DuckLake
    warehouse …"). Read both with warehouse_of(args)."""
    parser.add_argument("--warehouse", metavar=LAKE_SHAPE,
                        help=f"{what} a DuckLake warehouse (docs/scaling.md) instead of the DuckDB file "
                        f"(default: ${WAREHOUSE_ENV} when --db is not given)")


def warehouse_of(args: argparse.Namespace) -> str:
    """The warehouse a command uses: --warehouse (a DuckLake address) or --db, else $NEWSDUCK_WAREHOUSE, else
    $NEWSDUCK_DB or the default file. Both options at once, or a DuckLake address that is none, is a usage error."""
    if args.warehouse is not None and args.db is not None:
        raise CliError("--db and --warehouse name two warehouses; give one of them", EXIT_USAGE)
    if args.db is not None:
        return database_path(args.db)
    lake, origin = (args.warehouse, "--warehouse") if args.warehouse is not None else \
        (os.environ.get(WAREHOUSE_ENV) or None, f"${WAREHOUSE_ENV}")
    if lake is None:
        return database_path(None)
    from warehouse.errors import WarehouseError
    from warehouse.lake import parse_lake_address

    try:
        parse_lake_address(lake)
    except WarehouseError as exc:
        raise CliError(f"{origin}: {exc}", EXIT_USAGE) from None
    return lake


def utf8_path(text: str) -> str:
    try:
        return checked_db_path(text)
    except SettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_max_width_option(parser: argparse.ArgumentParser) -> None:
    """--max-width N for commands that print tables (args.max_width; 0: never cut, pass `args.max_width or None`)."""
    parser.add_argument("--max-width", type=non_negative_int, default=DEFAULT_MAX_WIDTH, metavar="N",
                        help=f"table format: cut cells longer than N columns with … (default {DEFAULT_MAX_WIDTH}; "
                        "0: never cut). CSV and JSON are never cut")


def add_quiet_option(parser: argparse.ArgumentParser) -> None:
    """--quiet: no progress bar (flows/progress.py draws one only when stderr is a terminal)."""
    parser.add_argument("--quiet", action="store_true", help="no progress bar (drawn on stderr when it is a terminal)")


def add_timezone_option(parser: argparse.ArgumentParser, what: str) -> None:
    """--timezone ZONE; `what` completes the help ("write the times of CSV files" -> "... in this time zone").
    Read it with resolve_timezone(args.timezone)."""
    # a string default goes through `type` too: a bad $NEWSDUCK_TIMEZONE is a usage error before anything runs
    parser.add_argument("--timezone", metavar="ZONE", type=time_zone, default=os.environ.get(TIMEZONE_ENV) or None,
                        help=f"{what} in this IANA time zone, with its UTC offset, e.g. UTC or Europe/Berlin "
                        f"(default: ${TIMEZONE_ENV} or {DEFAULT_TIMEZONE})")


def time_zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone {text!r} (from --timezone or ${TIMEZONE_ENV}); give an "
                                         "IANA name such as Asia/Shanghai, UTC or Europe/Berlin") from None
    return text


def resolve_timezone(value: str | None) -> ZoneInfo:
    """--timezone, else $NEWSDUCK_TIMEZONE, else China time; a name that is no IANA zone is a usage error."""
    name = value or os.environ.get(TIMEZONE_ENV) or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CliError(f"unknown time zone {name!r} (from --timezone or ${TIMEZONE_ENV}); give an IANA name such "
                       "as Asia/Shanghai, UTC or Europe/Berlin", EXIT_USAGE) from None


def whole_number(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected a number of at least {minimum}, got {value}")
    return value


def positive_int(text: str) -> int:
    return whole_number(text, 1)


def port_number(text: str) -> int:
    """A TCP port, 1 to 65535."""
    value = whole_number(text, 1)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {value}")
    return value


def non_negative_int(text: str) -> int:
    return whole_number(text, 0)


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2024-03-05, got {text!r}") from None


def read_url_map(path: str) -> dict[str, str]:
    from ..inputs import InputError, check_url

    if not Path(path).is_file():
        raise CliError(f"No such file: {path}", EXIT_USAGE)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CliError(f"{path} is not UTF-8 text: --urls expects JSON lines like "
                       '{"path": "a.html", "url": "https://..."}', EXIT_USAGE) from None
    mapping = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            file, url = item["path"], item["url"]
        except (ValueError, KeyError, TypeError):
            raise CliError(f'{path} line {number}: expected a JSON object like {{"path": "a.html", "url": "https://..."}}', EXIT_USAGE) from None
        try:
            check_url(url if isinstance(url, str) else "")
        except InputError as exc:
            raise CliError(f"{path} line {number}: {exc}", EXIT_USAGE) from None
        mapping[file] = url
        mapping[str(Path(file).resolve())] = url
    return mapping


def interrupted_exit(summary: dict) -> int:
    """0, or 130 with one line on stderr when the run stopped early on request (its summary says `interrupted`)."""
    if summary.get("status") != "interrupted":
        return 0
    print(f"newsduck: interrupted: what was fetched is loaded; run {summary.get('run_id')} is marked interrupted",
          file=sys.stderr)
    return 130
