"""Process-wide defaults, applied before Prefect is imported, and the Prefect settings of the CLI's flow runs."""

from __future__ import annotations

import gc
import importlib
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Iterator

DEFAULT_DB = "data/newsduck.duckdb"
DEFAULT_TIMEZONE = "Asia/Shanghai"  # China time: of crawl schedules, and of the times commands print
TIMEZONE_ENV = "NEWSDUCK_TIMEZONE"


def database_path(cli_value: str | None) -> str:
    """--db, else $NEWSDUCK_DB, else ./data/newsduck.duckdb."""
    return checked_db_path(cli_value or os.environ.get("NEWSDUCK_DB") or DEFAULT_DB)


def storable_name(name: str) -> str:
    """A file name as text any UTF-8 store takes: bytes that are not UTF-8 (kept by Python as lone surrogates)
    become \\xNN escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def checked_db_path(path: str) -> str:
    """`path`, if DuckDB can open it (it takes UTF-8 file names only; a shell can pass any bytes)."""
    if not path.strip():
        raise SettingsError("the database path is empty: give a file such as data/newsduck.duckdb")
    if storable_name(path) != path:
        raise SettingsError(f"{storable_name(path)}: DuckDB opens only file names that are UTF-8")
    return path


class SettingsError(Exception):
    """A setting of the environment that keeps newsduck from running, as one sentence."""


def newsduck_home() -> Path:
    """$NEWSDUCK_HOME, else ~/.newsduck: Prefect's state and the shared local server's address."""
    return Path(os.environ.get("NEWSDUCK_HOME") or Path.home() / ".newsduck").expanduser()


def configure_prefect_env(verbose: bool = False) -> None:
    """Keep Prefect's state out of the user's home unless they chose otherwise, offline and quiet."""
    os.environ.setdefault("PREFECT_HOME", str(newsduck_home() / "prefect"))
    # Prefect creates PREFECT_HOME but not its parents, and a server that cannot write there never answers:
    # Prefect would wait its whole start-up timeout. Both are found here, at once.
    home = Path(os.environ["PREFECT_HOME"]).expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
        # a probe of this process's own: commands started at the same moment must not remove each other's
        handle, probe = tempfile.mkstemp(prefix=".newsduck-write-check-", dir=home)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise SettingsError(f"Prefect cannot keep its state in {home} ({exc.strerror or exc}); set PREFECT_HOME "
                            "or NEWSDUCK_HOME to a directory you can write") from None
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The ephemeral server takes 5-11 s to start on a quiet 2-core machine; Prefect's default 20 s wait
    # is too tight when the machine is busy.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "WARNING")


@contextmanager
def without_flow_heartbeats() -> Iterator[None]:
    """Flow runs started in the block send no Prefect heartbeats, unless the user set their frequency
    (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, a profile or prefect.toml: their value is kept).

    A flow run's end waits for its heartbeat thread to wake from its one-second sleep: up to 1 s on every
    command, a third of a one-page ingest. Heartbeats only serve a Prefect automation that marks runs crashed
    when they stop; newsduck marks the `runs` row of a process that died `interrupted` itself
    (warehouse.runs.close_orphaned_runs). The flow run, its states and task runs are recorded as before.

    The current settings are copied with that one value changed, as `prefect.settings.temporary_settings` would
    set it; that helper validates all of Prefect's settings again (0.05-0.1 s)."""
    from prefect.context import SettingsContext, get_settings_context

    context = get_settings_context()
    flows = context.settings.flows
    if "heartbeat_frequency" in flows.model_fields_set:  # the user's value, from any of Prefect's sources
        yield
        return
    quiet = flows.model_copy(update={"heartbeat_frequency": None})
    with SettingsContext(profile=context.profile, settings=context.settings.model_copy(update={"flows": quiet})):
        yield


def refresh_prefect_settings() -> None:
    """Prefect reads its settings (environment, profiles, prefect.toml of the working directory) and sets up its
    logging when it is imported. A process that imported it before this command's environment was final, the warm
    runner's child (flows/runner.py), reads them again here; anywhere else Prefect is not imported yet and
    this does nothing."""
    if "prefect.context" not in sys.modules:
        return
    from prefect.context import refresh_global_settings_context
    from prefect.logging.configuration import setup_logging

    refresh_global_settings_context()
    setup_logging()


def import_frozen(name: str) -> ModuleType:
    """The module `name`, imported with the garbage collector paused, and what the import built frozen (moved
    out of the collector's reach, as gc.freeze does). Prefect's, pydantic's, the parsers' and DuckDB's imports
    create hundreds of thousands of long-lived objects and next to no garbage, yet set off a collection every
    700 of them, and every later full collection would walk them all: 0.2-0.3 s of a one-page ingest's CPU.
    Garbage made before is collected first, so none is frozen. A module already imported is returned as is."""
    if name in sys.modules or not gc.isenabled():
        return importlib.import_module(name)
    gc.collect()
    gc.disable()
    try:
        return importlib.import_module(name)
    finally:
        gc.freeze()
        gc.enable()
