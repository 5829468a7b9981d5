"""Plain SQL migrations: numbered files in ``migrations/``, each applied once and recorded.

Run at start-up by every process that opens the store. Instances starting together take turns (an
advisory lock in PostgreSQL, the write lock in SQLite), and the second finds the work done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files

from bot.store.database import Cursor, Database, Dialect

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
MIGRATION_LOCK = 0x5787A7E6
"""Any fixed number: the PostgreSQL advisory lock instances take turns on while changing the schema."""

_DIALECT_TERMS: dict[Dialect, dict[str, str]] = {
    "sqlite": {"serial_id": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgresql": {"serial_id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"},
}


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self, dialect: Dialect) -> list[str]:
        sql = self.sql
        for term, replacement in _DIALECT_TERMS[dialect].items():
            sql = sql.replace("{{" + term + "}}", replacement)
        without_comments = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        return [statement.strip() for statement in without_comments.split(";") if statement.strip()]


def bundled_migrations() -> list[Migration]:
    found = []
    for entry in files("bot.store").joinpath("migrations").iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda migration: migration.version)


def migrate(database: Database, migrations: list[Migration] | None = None) -> list[int]:
    """Apply what is not applied yet; returns the versions applied now (empty when up to date)."""
    migrations = bundled_migrations() if migrations is None else migrations
    applied_now: list[int] = []
    with database.transaction() as cursor:
        if database.dialect == "postgresql":
            cursor.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in cursor.rows("SELECT version FROM schema_migrations")}
        for migration in migrations:
            if migration.version in done:
                continue
            _apply(cursor, database.dialect, migration)
            applied_now.append(migration.version)
    return applied_now


def _apply(cursor: Cursor, dialect: Dialect, migration: Migration) -> None:
    for statement in migration.statements(dialect):
        cursor.execute(statement)
    cursor.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        (migration.version, migration.name, datetime.now(UTC).isoformat(timespec="seconds")),
    )
