"""One module per `newsduck` command; each has `register(subparsers)` and a `run(args)` handler."""

from . import extract, ingest, sql

COMMANDS = (ingest, extract, sql)
