"""newsduck extract FILE..."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .common import EXIT_FAILURE, EXIT_USAGE, CliError, examples, positive_int, read_url_map


def register(commands) -> None:
    parser = commands.add_parser(
        "extract",
        help="parse pages and print their article records as JSON (no database)",
        description="Parse files and print one JSON object per input with the keys: path, url, is_article, title, "
        "kicker, subtitle, lead, published_at, authors, source_name, site_name, original_url, canonical_url, "
        "language, sections, paragraphs, images, sub_articles, links, text. Many files are parsed on every core.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck extract page.html --url https://www.lndj.gov.cn/portaluploads/html/site-5/info/51919.html
            {"path": "page.html", "url": "https://www.lndj.gov.cn/...", "is_article": true, "title": "向“新”发力 ...", ...}
            $ newsduck extract pages/*.html --urls urls.jsonl --format json > records.json
        """),
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--url", help="the URL the page was fetched from (one FILE only)")
    parser.add_argument("--urls", metavar="FILE", help='JSON lines of {"path": ..., "url": ...} giving each file its URL')
    parser.add_argument("--format", choices=("jsonl", "json"), default="jsonl", help="jsonl (default): one object per line; json: one array")
    parser.add_argument("--jobs", type=positive_int, help="worker processes (default: one per core when there are many files)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..extract_files import extract_files

    if args.url and len(args.files) > 1:
        raise CliError("--url names the URL of one page; for several files use --urls FILE.", EXIT_USAGE)
    for name in args.files:
        if not Path(name).is_file():
            raise CliError(f"No such file: {name}", EXIT_USAGE)
    urls = read_url_map(args.urls) if args.urls else {}
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
