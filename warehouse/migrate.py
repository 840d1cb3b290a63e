"""Versioned schema migrations: warehouse/migrations/NNN_name.sql, applied in order, each in its own transaction."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import MigrationError, first_line

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_FILE_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
# Migrations that need Python after their SQL (a backfill), by (version, name): "module:function(con)".
# The step runs in the migration's transaction: if it fails, the migration is rolled back.
PYTHON_STEPS = {(2, "relations"): "warehouse.relations:backfill_relations"}


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def list_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in version order; a misnamed .sql file or a repeated version is an error."""
    migrations: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} is not named NNN_name.sql")
        version = int(match.group(1))
        if version in migrations:
            raise MigrationError(f"two migrations have version {version}: {migrations[version].path.name}, {path.name}")
        migrations[version] = Migration(version, match.group(2), path)
    return [migrations[v] for v in sorted(migrations)]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest applied version; 0 for a database without `schema_version`."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version' AND table_schema = 'main'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> int:
    """Apply every migration newer than the database; return the version the database is now at."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"
    )
    version = current_version(con)
    for migration in list_migrations(directory):
        if migration.version <= version:
            continue
        apply_migration(con, migration)
        version = migration.version
    return version


def apply_migration(con: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    sql = migration.path.read_text(encoding="utf-8")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql)
        run_python_step(con, migration)
        con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [migration.version, migration.name])
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        raise MigrationError(f"migration {migration.path.name} failed: {first_line(exc)}") from exc


def run_python_step(con: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    target = PYTHON_STEPS.get((migration.version, migration.name))
    if target is None:
        return
    module_name, function_name = target.split(":")
    getattr(importlib.import_module(module_name), function_name)(con)
