"""`newsduck serve`: one long-running command that crawls every source on its cron schedule (Prefect `serve`).

Scheduled runs are created by a Prefect server's scheduler service, which Prefect's ephemeral mode does not
run. So unless PREFECT_API_URL points to a server or the shared local server runs (`newsduck server start`),
`serve` starts a local `prefect server start` on a free 127.0.0.1 port as its child, registers it as the
shared server while it runs (other commands' flow runs then go to it) and stops it on exit.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from prefect import serve
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL, temporary_settings

from .crawl import crawl
from .local_server import forget_state, free_port, start_registered, stop_process, use_running_server
from .sources import Source

SERVER_START_TIMEOUT = 120.0


def crawl_deployments(sources: list[Source], *, db_path: str, sources_file: str):
    """One Prefect deployment of the `crawl` flow per scheduled source, named `crawl-<source>`."""
    return [
        crawl.to_deployment(
            name=f"crawl-{source.name}",
            schedules=[Cron(source.schedule, timezone=source.timezone)],
            parameters={"source": source.name, "db_path": str(Path(db_path).resolve()),
                        "sources_file": str(Path(sources_file).resolve())},
            description=f"Crawl the source {source.name!r} on the cron schedule {source.schedule!r} ({source.timezone}).",
            tags=["newsduck", "crawl"],
        )
        for source in sources
        if source.schedule
    ]


@contextmanager
def prefect_api() -> Iterator[str]:
    """The Prefect API to serve against: $PREFECT_API_URL, else the shared local server (`newsduck server
    start`), else a local server started for the duration and registered as the shared one meanwhile."""
    api_url = use_running_server()
    if api_url:
        yield api_url
        return
    server, state = start_registered(free_port(), timeout=SERVER_START_TIMEOUT)
    try:
        print(f"Started a local Prefect server at {state.ui_url} (stopped when serve stops).", flush=True)
        with temporary_settings(updates={PREFECT_API_URL: state.api_url}):
            yield state.api_url
    finally:
        forget_state(server.pid)
        stop_process(server)


def serve_sources(sources: list[Source], *, db_path: str, sources_file: str, limit: int | None = None) -> None:
    with prefect_api():
        deployments = crawl_deployments(sources, db_path=db_path, sources_file=sources_file)
        serve(*deployments, limit=limit, print_starting_message=True)
