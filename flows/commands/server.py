"""newsduck server start | stop | status"""

from __future__ import annotations

import argparse

from .common import CliError, examples, port_number


def register(commands) -> None:
    parser = commands.add_parser(
        "server",
        help="keep a local Prefect server running for newsduck's commands (start, stop, status)",
        description="Start a Prefect server on 127.0.0.1 in the background. While it runs, ingest, crawl, reparse "
        "and serve send their flow runs to it instead of starting a temporary server each time (seconds saved "
        "per command), and its UI shows every run; ingest runs in a warm process started beside it, with Prefect "
        "imported already (NEWSDUCK_RUNNER=off: in its own process). Its address is kept in "
        "$NEWSDUCK_HOME/server.json (default ~/.newsduck); PREFECT_API_URL, when set, wins over it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck server start
            Prefect server running at http://127.0.0.1:4200 (pid 4242); newsduck commands use it until `newsduck server stop`.
            $ newsduck server status
            Prefect server running at http://127.0.0.1:4200 (pid 4242) since 2026-12-06T08:00:00+00:00.
            $ newsduck server stop
            Stopped the Prefect server at http://127.0.0.1:4200.
        """),
    )
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--port", type=port_number, help="port for `start` (default 4200, or a free one)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..local_server import running_server, start_server, stop_server

    if args.action == "start":
        try:
            state, new = start_server(args.port)
        except (RuntimeError, OSError) as exc:
            raise CliError(f"the Prefect server did not start: {exc}") from None
        how = "" if new else "already "
        print(f"Prefect server {how}running at {state.ui_url} (pid {state.pid}); newsduck commands use it until "
              "`newsduck server stop`.")
        return 0
    if args.action == "stop":
        state = stop_server()
        print(f"Stopped the Prefect server at {state.ui_url}." if state else "No newsduck Prefect server is running.")
        return 0
    state = running_server()
    if state is None:
        print("No newsduck Prefect server is running; commands start a temporary one (`newsduck server start`).")
        return 3
    print(f"Prefect server running at {state.ui_url} (pid {state.pid}) since {state.started_at}.")
    return 0
