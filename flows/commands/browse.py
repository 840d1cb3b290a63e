"""newsduck browse"""

from __future__ import annotations

import argparse
import ipaddress
import sys

from ..settings import database_path
from .common import EXIT_USAGE, CliError, add_db_option, add_timezone_option, examples, port_number, resolve_timezone

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(commands) -> None:
    parser = commands.add_parser(
        "browse",
        help="read, search and watch the warehouse in a web browser (a local, read-only web app)",
        description="Serve a web app over the database: counts, articles per day per site and the latest runs on "
        "the home page; search with the ranking of `newsduck search`, with facets by site, month and person; each "
        "article as it was printed (kicker, title, subtitle, byline with roles, photos with captions and credits, "
        "sub-articles), where each field came from, its duplicates and reposts, and the stored page beside the "
        "extracted text; people, sites, sources and runs. Every list is also JSON (?format=json) and CSV "
        "(?format=csv). It only reads, and holds the database (read-only) only while it answers requests, so "
        "crawls and ingests go on writing (a request waits while one holds the file, as `newsduck sql` does). Everything "
        "the pages use is served by the app: nothing is fetched from the internet except the articles' pictures, "
        "from their original sites. Listens on 127.0.0.1 unless --host says otherwise. Stop it with Ctrl-C.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck browse --db data/newsduck.duckdb --open
            newsduck browse: serving data/newsduck.duckdb at http://127.0.0.1:8000/ (Ctrl-C stops it)
            $ curl -s 'http://127.0.0.1:8000/search?q=招商引资&format=csv'
            $ newsduck browse --port 8080 --timezone UTC
        """),
    )
    add_db_option(parser)
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; another address "
                        "lets other machines read the whole warehouse)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--open", action="store_true", help="open the home page in the default web browser")
    add_timezone_option(parser, "show times")
    parser.set_defaults(handler=run)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    import socket

    import uvicorn

    from warehouse.db import connect_reader

    from ..browse.app import create_app, prefect_ui_url

    db_path = database_path(args.db)
    zone = resolve_timezone(args.timezone).key
    connect_reader(db_path).close()  # a missing or unreadable database is one line now, not an error page later
    if not is_loopback(args.host):
        print(f"newsduck browse: warning: listening on {args.host}, not only this machine: anyone who can reach "
              f"port {args.port} can read the whole warehouse", file=sys.stderr)
    try:  # a taken port or an unknown address is a usage error before uvicorn starts
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", EXIT_USAGE) from None
    url = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}/"
    app = create_app(db_path, zone=zone, prefect_ui_url=prefect_ui_url())
    print(f"newsduck browse: serving {db_path} at {url} (Ctrl-C stops it)", file=sys.stderr, flush=True)
    if args.open:  # once uvicorn listens (it starts within a second)
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
