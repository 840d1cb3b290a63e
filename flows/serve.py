"""`newsduck serve`: one long-running command that crawls every source on its cron schedule (Prefect `serve`).

Scheduled runs are created by a Prefect server's scheduler service, which Prefect's ephemeral mode does not
run. So unless PREFECT_API_URL points to a server, `serve` starts a local `prefect server start` on a free
127.0.0.1 port as its child, and stops it on exit.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
from prefect import serve
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL, temporary_settings

from .crawl import crawl
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(api_url: str, server: subprocess.Popen, timeout: float) -> None:
    """Return once the Prefect server answers /health; RuntimeError if it exits or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"the local Prefect server exited with status {server.returncode}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the local Prefect server did not start within {timeout:.0f} s")
        time.sleep(0.5)


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a Prefect server or worker: SIGINT (a worker ignores SIGTERM), then kill after `timeout` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _prefect_command() -> str:
    beside = Path(sys.executable).parent / "prefect"
    return str(beside) if beside.exists() else (shutil.which("prefect") or "prefect")


@contextmanager
def prefect_api() -> Iterator[str]:
    """The Prefect API to serve against: $PREFECT_API_URL, else a local server started for the duration."""
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    # The UI the server serves asks its settings for the API's address; left unset it names port 4200.
    env = dict(os.environ, PREFECT_SERVER_API_HOST="127.0.0.1", PREFECT_SERVER_API_PORT=str(port),
               PREFECT_UI_API_URL=api_url)
    server = subprocess.Popen(
        [_prefect_command(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    try:
        wait_until_healthy(api_url, server, SERVER_START_TIMEOUT)
        print(f"Started a local Prefect server at http://127.0.0.1:{port} (stopped when serve stops).", flush=True)
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield api_url
    finally:
        stop_process(server)


def serve_sources(sources: list[Source], *, db_path: str, sources_file: str, limit: int | None = None) -> None:
    with prefect_api():
        deployments = crawl_deployments(sources, db_path=db_path, sources_file=sources_file)
        serve(*deployments, limit=limit, print_starting_message=True)
