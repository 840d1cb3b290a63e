"""One module per `newsduck` command; each has `register(subparsers)` and a `run(args)` handler."""

from . import crawl, export, extract, ingest, reparse, search, serve, server, sql

COMMANDS = (ingest, crawl, reparse, serve, server, extract, sql, search, export)
