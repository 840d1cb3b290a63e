"""newsduck extract FILE..."""

from __future__ import annotations

import argparse
import json
import sys

from .common import EXIT_FAILURE, EXIT_USAGE, CliError, examples, positive_int, read_url_map


def register(commands) -> None:
    parser = commands.add_parser(
        "extract",
        help="parse pages and print their article records as JSON (no database)",
        description="Parse page files (the files `ingest` reads; directories recursively) and print one JSON object "
        "per page with the keys: path, url, is_article, title, kicker, subtitle, lead, published_at, authors, "
        "source_name, site_name, original_url, canonical_url, language, sections, paragraphs, images, sub_articles, "
        "links, text. Many files are parsed on every core.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck extract page.html --url https://www.lndj.gov.cn/portaluploads/html/site-5/info/51919.html
            {"path": "page.html", "url": "https://www.lndj.gov.cn/...", "is_article": true, "title": "向“新”发力 ...", ...}
            $ newsduck extract pages/*.html --urls urls.jsonl --format json > records.json
        """),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="page files or directories of them")
    parser.add_argument("--url", help="the URL the page was fetched from (one page FILE only)")
    parser.add_argument("--urls", metavar="FILE", help='JSON lines of {"path": ..., "url": ...} giving each file its URL')
    parser.add_argument("--format", choices=("jsonl", "json"), default="jsonl", help="jsonl (default): one object per line; json: one array")
    parser.add_argument("--jobs", type=positive_int, help="worker processes (default: one per core when there are many files)")
    # it holds no resource whose cleanup needs a garbage collection at exit (see flows/cli.py)
    parser.set_defaults(handler=run, exits_without_collection=True)


def run(args: argparse.Namespace) -> int:
    from ..extract_files import extract_files
    from ..inputs import InputError, check_path, expand_files

    if args.url and len(args.files) > 1:
        raise CliError("--url names the URL of one page; for several files use --urls FILE.", EXIT_USAGE)
    for name in args.files:
        try:
            check_path(name, "extract")
        except InputError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
    urls = read_url_map(args.urls) if args.urls else {}
    items = [(t.input, args.url or t.url) for t in expand_files(args.files, urls)]
    if not items:
        raise CliError(f"no page files in {', '.join(args.files)} (newsduck reads .html, .shtml, .txt, .mhtml … and "
                       "HTML files without an extension)")
    if args.url and len(items) > 1:
        raise CliError(f"--url names the URL of one page, and {args.files[0]} holds {len(items)}; use --urls FILE.", EXIT_USAGE)

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
