"""Flows as Prefect deployments see them (prefect.yaml entrypoints).

Prefect loads this file by path and puts its folder on sys.path, so it uses absolute imports only and
nothing in flows/ is named after a standard-library or third-party module.
"""

from flows.crawl import crawl, crawl_sources
from flows.ingest import ingest
from flows.reparse import reparse

__all__ = ["crawl", "crawl_sources", "ingest", "reparse"]
