"""The `newsduck` command line. Each command reads like a sentence and its --help ends with an example."""

from __future__ import annotations

import argparse
import atexit
import gc
import sys

from .commands import COMMANDS
from .commands.common import EXIT_FAILURE, EXIT_USAGE, CliError, examples
from .runner import run_in_runner
from .settings import SettingsError, configure_prefect_env

# The interpreter's collections at exit walk every object still alive: after Prefect's and pydantic's imports,
# 0.3-0.9 s of CPU after the command's work is done. Frozen objects are not walked (nor are their cycles
# collected). Nothing at exit waits on the collector: connections are closed where they are used, and Prefect's
# event and log workers drain in exit handlers that run before this one (registered later: atexit runs last-in,
# first-out).
atexit.register(gc.freeze)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsduck",
        description="Ingest news pages into DuckDB and query them with SQL.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            newsduck ingest https://example.com/news/1.html ./pages/
            newsduck sql "SELECT title, published_at FROM articles ORDER BY published_at DESC LIMIT 5"
        """),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs and full tracebacks")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command `argv`, else this process's command line, which a command of the warm runner's
    (flows/runner.py: `newsduck ingest` while `newsduck server` runs) hands to it."""
    if argv is None:
        try:
            handed = run_in_runner(sys.argv[1:])
        except KeyboardInterrupt:  # before the runner's child was told of, or while handing over
            print("newsduck: interrupted", file=sys.stderr)
            return 130
        if handed is not None:
            return handed
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        configure_prefect_env(verbose=args.verbose)
        return args.handler(args)
    except SettingsError as exc:  # the environment's configuration, like a usage error
        print(f"newsduck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CliError as exc:
        print(f"newsduck: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("newsduck: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last guard: one clear line, never a traceback
        from warehouse.errors import EmptyQueryError, WarehouseError

        if args.verbose:
            raise
        if isinstance(exc, EmptyQueryError):  # the user's query to change, like a usage error
            print(f"newsduck: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if isinstance(exc, WarehouseError):
            print(f"newsduck: {exc}", file=sys.stderr)
        else:
            print(f"newsduck: unexpected error: {type(exc).__name__}: {exc} (run with -v for details)", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
