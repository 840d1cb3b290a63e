"""The `newsduck` command line. Each command reads like a sentence and its --help ends with an example."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from .settings import configure_prefect_env, database_path

EXIT_USAGE = 2
EXIT_FAILURE = 1


class CliError(Exception):
    """A problem the user can fix, reported as one sentence; `code` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_FAILURE):
        super().__init__(message)
        self.code = code


def _examples(text: str) -> str:
    return "example:\n" + textwrap.indent(textwrap.dedent(text).strip("\n"), "  ")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsduck",
        description="Ingest news pages into DuckDB and query them with SQL.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_examples("""
            newsduck ingest https://example.com/news/1.html ./pages/
            newsduck sql "SELECT title, published_at FROM articles ORDER BY published_at DESC LIMIT 5"
        """),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ingest = commands.add_parser(
        "ingest",
        help="fetch or read pages, extract articles, load them into DuckDB",
        description="Fetch URLs and read files (.html, .htm, .txt; directories recursively), extract each "
        "article and load it into the DuckDB database. Runs the Prefect flow `ingest`. "
        "Ingesting the same pages again changes nothing; a changed page updates its article.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_examples("""
            $ newsduck ingest examples/demo-site/content --db data/demo.duckdb
            inputs 12  new 12  updated 0  unchanged 0  not articles 0  errors 0
        """),
    )
    ingest.add_argument("inputs", nargs="+", metavar="PATH_OR_URL", help="files, directories or http(s) URLs")
    ingest.add_argument("--db", help="DuckDB file (default: $NEWSDUCK_DB or ./data/newsduck.duckdb)")
    ingest.add_argument("--urls", metavar="FILE", help='JSON lines of {"path": ..., "url": ...}: the URL each saved file came from')
    ingest.add_argument("--batch-size", type=_positive_int, default=200, help="pages per Prefect task (default 200)")
    ingest.add_argument("--json", action="store_true", help="print the run summary as JSON")
    ingest.set_defaults(handler=cmd_ingest)

    extract = commands.add_parser(
        "extract",
        help="parse pages and print their article records as JSON (no database)",
        description="Parse files and print one JSON object per input with the keys: path, url, is_article, title, "
        "kicker, subtitle, lead, published_at, authors, source_name, site_name, original_url, canonical_url, "
        "language, sections, paragraphs, images, sub_articles, links, text.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_examples("""
            $ newsduck extract page.html --url https://www.lndj.gov.cn/portaluploads/html/site-5/info/51919.html
            {"path": "page.html", "url": "https://www.lndj.gov.cn/...", "is_article": true, "title": "向“新”发力 ...", ...}
            $ newsduck extract pages/*.html --urls urls.jsonl --format json > records.json
        """),
    )
    extract.add_argument("files", nargs="+", metavar="FILE")
    extract.add_argument("--url", help="the URL the page was fetched from (one FILE only)")
    extract.add_argument("--urls", metavar="FILE", help='JSON lines of {"path": ..., "url": ...} giving each file its URL')
    extract.add_argument("--format", choices=("jsonl", "json"), default="jsonl", help="jsonl (default): one object per line; json: one array")
    extract.add_argument("--jobs", type=_positive_int, help="worker processes (default: one per core when there are many files)")
    extract.set_defaults(handler=cmd_extract)

    sql = commands.add_parser(
        "sql",
        help="run a read-only SQL query against the database",
        description="Run one SQL query on a read-only connection. Statements that write are refused.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_examples("""
            $ newsduck sql "SELECT site, count(*) AS articles FROM articles GROUP BY site"
            site            articles
            --------------  --------
            127.0.0.1       12
            $ newsduck sql "SELECT * FROM article_people_v" --format csv > people.csv
        """),
    )
    sql.add_argument("query", metavar="QUERY")
    sql.add_argument("--db", help="DuckDB file (default: $NEWSDUCK_DB or ./data/newsduck.duckdb)")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.set_defaults(handler=cmd_sql)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


# --- commands -------------------------------------------------------------------------------------------

def cmd_ingest(args: argparse.Namespace) -> int:
    from .inputs import InputError, check_inputs

    try:
        inputs = check_inputs(args.inputs)
    except InputError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    urls = _read_url_map(args.urls) if args.urls else None
    db_path = database_path(args.db)
    _check_writable(db_path)

    from .ingest import ingest  # imports Prefect: only once the arguments are known to be good

    summary = ingest(inputs=inputs, db_path=db_path, batch_size=args.batch_size, file_urls=urls)
    if args.json:
        print(json.dumps(summary))
    else:
        print(format_summary(summary))
    return 0


def format_summary(summary: dict) -> str:
    return (
        f"inputs {summary['inputs']}  new {summary['new']}  updated {summary['updated']}  "
        f"unchanged {summary['unchanged']}  not articles {summary['not_article']}  errors {summary['errors']}"
    )


def _check_writable(db_path: str) -> None:
    """Fail before Prefect starts if the database cannot be opened for writing (locked, not a DuckDB file)."""
    from warehouse.db import WarehouseError, connect

    try:
        connect(db_path).close()
    except WarehouseError as exc:
        raise CliError(str(exc)) from None


def cmd_extract(args: argparse.Namespace) -> int:
    from .extract_files import extract_files

    if args.url and len(args.files) > 1:
        raise CliError("--url names the URL of one page; for several files use --urls FILE.", EXIT_USAGE)
    for name in args.files:
        if not Path(name).is_file():
            raise CliError(f"No such file: {name}", EXIT_USAGE)
    urls = _read_url_map(args.urls) if args.urls else {}
    items = [(name, args.url or urls.get(name) or urls.get(str(Path(name).resolve()))) for name in args.files]

    failures = 0
    records = []
    for name, record, error in extract_files(items, args.jobs):
        if error is not None:
            failures += 1
            print(f"newsduck: {name}: {error}", file=sys.stderr)
        elif args.format == "jsonl":
            print(json.dumps(record, ensure_ascii=False))
        else:
            records.append(record)
    if args.format == "json":
        print(json.dumps(records, ensure_ascii=False, indent=2))
    return EXIT_FAILURE if failures else 0


def _read_url_map(path: str) -> dict[str, str]:
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


def cmd_sql(args: argparse.Namespace) -> int:
    from warehouse.queries import ReadOnlyQueryError, format_table, run_query, to_csv, to_json
    from warehouse.db import WarehouseError

    import duckdb

    try:
        columns, rows = run_query(database_path(args.db), args.query)
    except (ReadOnlyQueryError, WarehouseError) as exc:
        raise CliError(str(exc)) from None
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CliError(f"SQL error: {message}") from None
    if args.format == "csv":
        sys.stdout.write(to_csv(columns, rows))
    elif args.format == "json":
        print(to_json(columns, rows))
    else:
        print(format_table(columns, rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    configure_prefect_env(verbose=args.verbose)
    try:
        return args.handler(args)
    except CliError as exc:
        print(f"newsduck: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("newsduck: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last guard: one clear line, never a traceback
        from warehouse.db import WarehouseError

        if isinstance(exc, WarehouseError):
            print(f"newsduck: {exc}", file=sys.stderr)
            return EXIT_FAILURE
        print(f"newsduck: unexpected error: {type(exc).__name__}: {exc} (run with -v for details)", file=sys.stderr)
        if args.verbose:
            raise
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
