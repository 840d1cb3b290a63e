"""The warm runner: `newsduck ingest` run by a process that has Prefect and the parsers imported already.

A one-page ingest spends most of its time importing (Prefect about 0.9 s, the parsers 0.3 s), not ingesting.
`newsduck server start` therefore starts, beside the Prefect server, this runner (`python -m flows.runner`): it
imports what an ingest needs once, then listens on $NEWSDUCK_HOME/runner.sock. A command it takes
(`HANDED_OFF`) is sent there by the `newsduck` process the user started (the client) with its arguments, working
directory, environment and its stdin, stdout and stderr themselves (file descriptors passed over the socket). The
runner forks a child that takes them over and runs `flows.cli.main` as the client would have: the same output on
the same terminal (progress bar included), the same flow run on the same Prefect server, the same exit status.

Invariants:
- The client runs the command itself whenever the runner cannot: no socket, nothing listening, another Python
  or another newsduck code tree, code changed since the runner started (it then exits), `-v`, or
  NEWSDUCK_RUNNER=off.
- The client's Ctrl-C, SIGTERM and SIGHUP go to the child (it is not in the terminal's process group), which
  treats them as it would in the client's own process (flows/stopping.py). If the client goes away, the child
  gets SIGTERM: a stop request, so the run is marked interrupted and keeps what it loaded.
- The client exits with the child's exit status, which the runner reads when the child ends (128 + N when a
  signal N killed it), once the child's output is all written.
- Prefect's settings and logging are read again in the child from the client's environment and directory
  (flows.settings.refresh_prefect_settings).

Nothing in this module imports more than the standard library at the client's side.
"""

from __future__ import annotations

import array
import atexit
import json
import os
import selectors
import signal
import socket
import struct
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path

from .settings import newsduck_home

HANDED_OFF = frozenset({"ingest"})
RUNNER_ENV = "NEWSDUCK_RUNNER"  # `off`: every command runs in its own process
SOCKET_NAME = "runner.sock"
STATE_NAME = "runner.json"  # the runner's pid, kept by flows.local_server
CODE_ROOT = Path(__file__).resolve().parent.parent  # holds flows/, parsers/, warehouse/
PACKAGES = ("flows", "parsers", "warehouse")
MAX_MESSAGE = 1 << 20
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def socket_path() -> Path:
    return newsduck_home() / SOCKET_NAME


def listening() -> bool:
    """Whether a runner accepts connections on the socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(socket_path()))
        except OSError:
            return False
    return True


def identity() -> dict:
    """What runner and client must share: the interpreter and the code tree."""
    return {"executable": os.path.realpath(sys.executable), "code_root": str(CODE_ROOT)}


def code_fingerprint() -> tuple[int, int]:
    """Newest modification time and number of newsduck's .py files: a change means the runner's code is stale."""
    newest = count = 0
    for package in PACKAGES:
        for directory, _, files in os.walk(CODE_ROOT / package):
            for name in files:
                if name.endswith(".py"):
                    count += 1
                    newest = max(newest, os.stat(os.path.join(directory, name)).st_mtime_ns)
    return newest, count


# ------------------------------------------------------------------------------------------------ client side


def handed_off_command(argv: list[str]) -> bool:
    """Whether `newsduck ARGV` is a command for the runner: one of HANDED_OFF, without -v/--verbose, unless
    $NEWSDUCK_RUNNER is `off`."""
    if os.environ.get(RUNNER_ENV, "").strip().lower() in ("off", "0", "no", "false"):
        return False
    for arg in argv:
        if arg in ("-v", "--verbose"):
            return False
        if not arg.startswith("-"):
            return arg in HANDED_OFF
    return False


def _send_message(sock: socket.socket, message: dict, fds: list[int] = ()) -> None:
    data = json.dumps(message).encode("utf-8") + b"\n"
    if fds:
        sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        sock.sendall(data)


class _Lines:
    """JSON messages, one a line, read from a socket."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = b""

    def next(self) -> dict | None:
        while b"\n" not in self.buffer:
            try:
                chunk = self.sock.recv(4096)
            except InterruptedError:
                continue
            if not chunk:
                return None
            self.buffer += chunk
            if len(self.buffer) > MAX_MESSAGE:
                return None
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def run_in_runner(argv: list[str]) -> int | None:
    """Run `newsduck ARGV` in the warm runner and return its exit status; None when the runner cannot take it
    (the caller then runs it in this process)."""
    if not handed_off_command(argv):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(socket_path()))
        umask = os.umask(0)
        os.umask(umask)
        _send_message(sock, {"argv": ["newsduck", *argv], "cwd": os.getcwd(), "env": dict(os.environ),
                             "umask": umask, "identity": identity(),
                             "stdio": [[s.encoding, s.errors] if s is not None else None
                                       for s in (sys.stdout, sys.stderr)]},
                      [0, 1, 2])
        lines = _Lines(sock)
        answer = lines.next()
    except (OSError, ValueError):
        sock.close()
        return None
    if not answer or "pid" not in answer:  # refused (another code tree, stale code) or gone
        sock.close()
        return None
    child = answer["pid"]

    def forward(signum: int, frame) -> None:  # noqa: ARG001 - the signal module's signature
        try:
            os.kill(child, signum)
        except ProcessLookupError:
            pass

    previous = {signum: signal.signal(signum, forward) for signum in FORWARDED_SIGNALS}
    try:
        while True:
            try:
                message = lines.next()
            except (OSError, ValueError):
                message = None
            if message is None:
                print("newsduck: the runner went away before the command ended (its log: "
                      f"{newsduck_home() / 'runner.log'})", file=sys.stderr)
                return 1
            if "exit" in message:
                return int(message["exit"])
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sock.close()


# ------------------------------------------------------------------------------------------------ runner side


def exit_status(wait_status: int) -> int:
    """A child's wait status as a shell reports it: its exit code, or 128 + the signal that killed it."""
    if os.WIFSIGNALED(wait_status):
        return 128 + os.WTERMSIG(wait_status)
    return os.waitstatus_to_exitcode(wait_status)


def _receive_request(conn: socket.socket) -> tuple[dict, list[int]]:
    conn.settimeout(10)
    fds = array.array("i")
    data = b""
    try:
        while not data.endswith(b"\n") and len(data) < MAX_MESSAGE:
            chunk, ancillary, _, _ = conn.recvmsg(MAX_MESSAGE, socket.CMSG_SPACE(3 * fds.itemsize))
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
            if not chunk:
                break
            data += chunk
        conn.settimeout(None)
        return json.loads(data), list(fds)
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


class Runner:
    """The runner's process: the listening socket, and for each child still running its pidfd and its client's
    connection (the exit status goes there when the child ends)."""

    def __init__(self, path: Path):
        self.path = path
        self.pid = os.getpid()
        self.identity = identity()
        self.code = code_fingerprint()
        self.stopping = threading.Event()
        self.children: dict[int, tuple[int, socket.socket]] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        umask = os.umask(0o077)  # the socket is this user's only: what connects runs commands as this user
        try:
            self.listener.bind(str(path))
        finally:
            os.umask(umask)
        self.listener.listen(16)
        self.inode = os.stat(path).st_ino
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)

    def serve(self) -> None:
        """Serve until SIGTERM or SIGINT, or until newsduck's code changes (the next request finds it out)."""
        def stop(signum: int, frame) -> None:  # noqa: ARG001 - the signal module's signature
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not self.stopping.is_set():
                for key, _ in self.selector.select(timeout=0.5):
                    if key.fileobj is self.listener:
                        self.accept()
                    else:
                        self.reap(key.fd)
        finally:
            if os.getpid() == self.pid:
                self.close()

    def accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        try:
            credentials = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            if struct.unpack("3i", credentials)[1] != os.getuid():  # pid, uid, gid of the connecting process
                raise PermissionError("another user")
            request, fds = _receive_request(conn)
        except (OSError, ValueError):
            conn.close()
            return
        reason = None
        if request.get("identity") != self.identity:
            reason = "another Python or newsduck code tree"
        elif len(fds) != 3:
            reason = "no standard streams"
        elif code_fingerprint() != self.code:
            reason = "newsduck's code changed since the runner started"
            self.stopping.set()
        if reason is not None:
            for fd in fds:
                os.close(fd)
            with suppress(OSError):
                _send_message(conn, {"refused": reason})
            conn.close()
            return
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:  # no process to be had: the client runs the command itself
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        if pid == 0:
            self.become_child(conn, request, fds)  # does not return
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        self.children[pidfd] = (pid, conn)
        self.selector.register(pidfd, selectors.EVENT_READ)
        with suppress(OSError):
            _send_message(conn, {"pid": pid})

    def reap(self, pidfd: int) -> None:
        pid, conn = self.children.pop(pidfd)
        self.selector.unregister(pidfd)
        os.close(pidfd)
        _, status = os.waitpid(pid, 0)
        with suppress(OSError):
            _send_message(conn, {"exit": exit_status(status)})
        conn.close()

    def close(self) -> None:
        self.selector.close()
        self.listener.close()
        with suppress(OSError):
            if os.stat(self.path).st_ino == self.inode:  # still ours, not a newer runner's
                self.path.unlink()
        for pidfd, (_, conn) in self.children.items():  # a child still running finishes on its own
            os.close(pidfd)
            conn.close()

    def become_child(self, conn: socket.socket, request: dict, fds: list[int]) -> None:
        """In the forked child: take over the client's streams, directory and environment, run its command, and
        end the process with its exit status (`_exit_child`); never returns."""
        code = 1
        try:
            self.selector.close()
            self.listener.close()
            for pidfd, (_, other) in self.children.items():  # other clients' connections: theirs to close
                os.close(pidfd)
                other.close()
            self.children = {}
            for signum in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            for target, fd in zip((0, 1, 2), fds):
                os.dup2(fd, target)
                os.close(fd)
            _take_over(request)
            finished = threading.Event()

            def watch_client() -> None:
                """The client closing its end (it was killed) is a stop request, as its Ctrl-C would be."""
                with suppress(OSError):
                    while conn.recv(4096):
                        pass
                if not finished.is_set():
                    os.kill(os.getpid(), signal.SIGTERM)

            threading.Thread(target=watch_client, name="newsduck-runner-client", daemon=True).start()
            from .cli import main

            try:
                code = main(request["argv"][1:])
            except SystemExit as exc:  # argparse's usage errors and --help
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            finally:
                finished.set()
        except BaseException as exc:  # the command could not be set up here (its directory is gone ...)
            with suppress(Exception):
                print(f"newsduck: the runner could not run the command: {type(exc).__name__}: {exc}",
                      file=sys.stderr)
        finally:
            _exit_child(code)


def _take_over(request: dict) -> None:
    """The client's directory, environment, umask, command line, and its streams' encoding and buffering."""
    os.chdir(request["cwd"])
    os.umask(request.get("umask", 0o022))
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    for stream, settings in zip((sys.stdout, sys.stderr), request.get("stdio") or ()):
        # as the client's own streams were set up (stderr is always line-buffered)
        stream.reconfigure(line_buffering=stream is sys.stderr or stream.isatty())
        if settings and [stream.encoding, stream.errors] != settings:
            stream.reconfigure(encoding=settings[0], errors=settings[1])
    sys.argv = request["argv"]


def _exit_child(code: int) -> None:
    """End the child as the interpreter ends a process (non-daemon threads joined, atexit handlers run: Prefect's
    event and log workers drain there), then leave with os._exit, as a forked child should: the interpreter's
    own finalisation would run the destructors of C++ objects the runner built before the fork, and one of them
    aborts there ("terminate called without an active exception", exit 134)."""
    try:
        threading._shutdown()  # what the interpreter runs first at exit: waits for non-daemon threads
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with suppress(Exception):
                stream.flush()
        os._exit(code)


def prepare() -> None:
    """What the runner imports before it listens: what a handed-off command may import (frozen, as
    flows.settings.import_frozen leaves them), the search index's segmenter too (an ingest that changes an article
    refreshes the index)."""
    from .settings import configure_prefect_env, import_frozen

    configure_prefect_env()
    for module in ("flows.cli", "flows.inputs", "flows.ingest", "flows.commands.ingest", "flows.outcome",
                   "warehouse.search"):
        import_frozen(module)


def main() -> int:
    prepare()
    runner = Runner(socket_path())
    print(f"newsduck runner {runner.pid} listening on {runner.path}", flush=True)
    runner.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
