"""One module per `newsduck` command; each has `register(subparsers)` and a `run(args)` handler."""

from . import browse, crawl, errors, export, extract, ingest, reparse, runs, search, serve, server, sql, warehouse

COMMANDS = (ingest, crawl, reparse, serve, server, extract, sql, search, export, runs, errors, browse, warehouse)
