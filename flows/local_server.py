"""The local Prefect server newsduck's commands share.

Without PREFECT_API_URL, a flow run needs a Prefect API: Prefect's ephemeral mode starts a temporary server
for each process (5-11 s on a 2-core machine, every command). `newsduck server start` starts one
`prefect server start` on 127.0.0.1 in the background instead, and `newsduck serve` registers the one it
starts; either writes its address to `server.json` in the newsduck home. Every command that runs a flow then
uses that server (`use_running_server`), so small runs skip the start-up and the Prefect UI shows every run.

Invariant: `server.json` names a server that answered /health when it was written; a reader that finds the
process gone or not answering deletes the file and falls back to ephemeral mode. Nothing here imports Prefect:
the check costs one local HTTP request.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from warehouse.processes import process_alive

from . import runner
from .settings import newsduck_home

START_TIMEOUT = 120.0
DEFAULT_PORT = 4200


@dataclass
class ServerState:
    pid: int
    api_url: str
    started_at: str
    log: str | None = None

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")


def state_path() -> Path:
    return newsduck_home() / "server.json"


def free_port(preferred: int | None = None) -> int:
    """`preferred` if nothing listens on it, else a free port the system picks."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred or 0))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(api_url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_until_healthy(api_url: str, server: subprocess.Popen, timeout: float) -> None:
    """Return once the Prefect server answers /health; RuntimeError if it exits or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"the local Prefect server exited with status {server.returncode}")
        if healthy(api_url, timeout=2.0):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the local Prefect server did not start within {timeout:.0f} s")
        time.sleep(0.3)


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a Prefect server or worker: SIGINT (a worker ignores SIGTERM), then kill after `timeout` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def prefect_command() -> str:
    beside = Path(sys.executable).parent / "prefect"
    return str(beside) if beside.exists() else (shutil.which("prefect") or "prefect")


def launch(port: int, *, log_path: Path | None = None, detach: bool = False) -> subprocess.Popen:
    """`prefect server start` on 127.0.0.1:`port`; its UI is told its own API address (else it names 4200)."""
    api_url = f"http://127.0.0.1:{port}/api"
    env = dict(os.environ, PREFECT_SERVER_API_HOST="127.0.0.1", PREFECT_SERVER_API_PORT=str(port),
               PREFECT_UI_API_URL=api_url)
    env.pop("PREFECT_API_URL", None)
    output = open(log_path, "ab") if log_path is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen([prefect_command(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, env=env,
                                start_new_session=detach)
    finally:
        if log_path is not None:
            output.close()


def read_state() -> ServerState | None:
    try:
        data = json.loads(state_path().read_text(encoding="utf-8"))
        return ServerState(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_state(state: ServerState) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
    tmp.replace(path)


def forget_state(pid: int | None = None) -> None:
    """Delete server.json (only if it still names `pid`, when given)."""
    state = read_state()
    if state is None or pid is None or state.pid == pid:
        state_path().unlink(missing_ok=True)


def running_server() -> ServerState | None:
    """The server server.json names, if its process lives and it answers; a stale file is deleted."""
    state = read_state()
    if state is None:
        return None
    if process_alive(state.pid) and healthy(state.api_url):
        return state
    forget_state(state.pid)
    return None


def use_running_server() -> str | None:
    """Point this process's flow runs at the shared local server when one runs and PREFECT_API_URL is unset;
    returns the API address in use (None: Prefect's ephemeral mode)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    state = running_server()
    if state is None:
        return None
    os.environ["PREFECT_API_URL"] = state.api_url
    return state.api_url


@contextmanager
def api_for_worker_processes(timeout: float = START_TIMEOUT) -> Iterator[str]:
    """A Prefect API that processes this one starts (Dask workers) reach too, set as PREFECT_API_URL for the
    block: the one already set, else the shared server, else a server started for the block and stopped after it.
    (Prefect's ephemeral mode would start a temporary server in each of those processes.)"""
    api_url = use_running_server()
    if api_url is not None:
        yield api_url
        return
    port = free_port()
    process = launch(port)
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        wait_until_healthy(api_url, process, timeout)
        os.environ["PREFECT_API_URL"] = api_url
        yield api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        stop_process(process, timeout=10)


def start_registered(port: int, *, timeout: float, log_path: Path | None = None,
                     detach: bool = False) -> tuple[subprocess.Popen, ServerState]:
    """Launch a server on `port`, wait until it answers and register it as the shared one (server.json); one
    that does not come up is stopped and RuntimeError raised."""
    process = launch(port, log_path=log_path, detach=detach)
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        wait_until_healthy(api_url, process, timeout)
    except RuntimeError as exc:
        stop_process(process, timeout=5)
        raise RuntimeError(f"{exc}; its log: {log_path}" if log_path else str(exc)) from None
    state = ServerState(pid=process.pid, api_url=api_url, log=str(log_path) if log_path else None,
                        started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    write_state(state)
    return process, state


def start_server(port: int | None = None, timeout: float = START_TIMEOUT) -> tuple[ServerState, bool]:
    """Start the shared server and the warm runner in the background (or find the server running, and start the
    runner if none listens: it exits when newsduck's code changes); returns the server and whether it is new."""
    state = running_server()
    if state is not None:
        if not runner.listening():
            start_runner(timeout)
        return state, False
    log_path = newsduck_home() / "server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    _, state = start_registered(port or free_port(DEFAULT_PORT), timeout=timeout, log_path=log_path, detach=True)
    start_runner(timeout)
    return state, True


def stop_server(timeout: float = 20.0) -> ServerState | None:
    """Stop the shared server (SIGINT, then SIGKILL after `timeout` s) and the warm runner; returns what was
    stopped, or None."""
    stop_runner()
    state = read_state()
    if state is None:
        return None
    end_process(state.pid, signal.SIGINT, timeout)
    forget_state(state.pid)
    return state


def end_process(pid: int, first: signal.Signals, timeout: float) -> None:
    """Send `first` to `pid`, wait up to `timeout` seconds for it to end, then SIGKILL it."""
    if not process_alive(pid):
        return
    try:
        os.kill(pid, first)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while process_alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.05)
    if process_alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _reap(pid)


# ------------------------------------------------------------------------------------------------ warm runner


def start_runner(timeout: float = START_TIMEOUT) -> int | None:
    """Start the warm runner (flows/runner.py) in the background, in its own session, its output in
    runner.log, and wait until it listens; its pid, or None if it did not come up within `timeout` seconds (it
    is stopped then: commands run in their own process). A runner already registered is replaced."""
    stop_runner()
    log_path = newsduck_home() / "runner.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    code_root = str(runner.CODE_ROOT)  # the runner imports this code tree, as the command that starts it does
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [code_root, os.environ.get("PYTHONPATH")])))
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "flows.runner"], stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, env=env, cwd=code_root, start_new_session=True)
    runner_state_path().write_text(json.dumps({"pid": process.pid}), encoding="utf-8")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if runner.listening():
            return process.pid
        time.sleep(0.1)
    stop_runner()
    return None


def runner_state_path() -> Path:
    return newsduck_home() / runner.STATE_NAME


def runner_pid() -> int | None:
    """The registered runner's pid (it may have ended since)."""
    try:
        return int(json.loads(runner_state_path().read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stop_runner(timeout: float = 10.0) -> None:
    """Stop the warm runner (SIGTERM, then SIGKILL after `timeout` s); its children still running finish."""
    pid = runner_pid()
    if pid is not None:
        end_process(pid, signal.SIGTERM, timeout)
    runner_state_path().unlink(missing_ok=True)


def _reap(pid: int) -> None:
    """Collect the exit status when `pid` is this process's child (a server started in this process)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
