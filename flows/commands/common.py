"""What every command shares: the error type, exit codes, help examples, argument types."""

from __future__ import annotations

import argparse
import json
import os
import textwrap
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..settings import DEFAULT_TIMEZONE, TIMEZONE_ENV

EXIT_USAGE = 2
EXIT_FAILURE = 1


class CliError(Exception):
    """A problem the user can fix, reported as one sentence; `code` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_FAILURE):
        super().__init__(message)
        self.code = code


def examples(text: str) -> str:
    return "example:\n" + textwrap.indent(textwrap.dedent(text).strip("\n"), "  ")


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="DuckDB file (default: $NEWSDUCK_DB or ./data/newsduck.duckdb)")


def add_timezone_option(parser: argparse.ArgumentParser) -> None:
    """--timezone ZONE: the IANA time zone a command prints times in (default $NEWSDUCK_TIMEZONE, else China time)."""
    parser.add_argument("--timezone", metavar="ZONE", type=time_zone,
                        default=os.environ.get(TIMEZONE_ENV) or DEFAULT_TIMEZONE,
                        help=f"print times and dates in this IANA time zone, e.g. UTC or Europe/Berlin "
                        f"(default: ${TIMEZONE_ENV} or {DEFAULT_TIMEZONE})")


def time_zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"expected an IANA time zone like Asia/Shanghai or UTC "
                                         f"(from --timezone or ${TIMEZONE_ENV}), got {text!r}") from None
    return text


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2024-03-05, got {text!r}") from None


def read_url_map(path: str) -> dict[str, str]:
    if not Path(path).is_file():
        raise CliError(f"No such file: {path}", EXIT_USAGE)
    mapping = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            file, url = item["path"], item["url"]
        except (ValueError, KeyError, TypeError):
            raise CliError(f'{path} line {number}: expected a JSON object like {{"path": "a.html", "url": "https://..."}}', EXIT_USAGE) from None
        mapping[file] = url
        mapping[str(Path(file).resolve())] = url
    return mapping


