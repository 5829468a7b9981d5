"""One connection to the store's database, SQLite or PostgreSQL, behind the same three calls.

SQL is written once with ``?`` placeholders and the few dialect differences are spelled out here. Every
write is its own committed transaction: when `write` returns, the row survives a killed process, which is
what lets the bot acknowledge feedback only after it is stored.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[object]

SQLITE_BUSY_TIMEOUT_MS = 10_000
"""Several processes may share one SQLite file (a CLI command beside the server): wait for a writer."""
POSTGRESQL_CONNECT_TIMEOUT_SECONDS = 10


class Cursor(Protocol):
    def execute(self, sql: str, params: Params = ()) -> None: ...

    def rows(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]: ...


class Database:
    """Thread-safe: the server writes from its event loop and its engine worker."""

    def __init__(self, dialect: Dialect, connect: Any, description: str) -> None:
        self.dialect = dialect
        self.description = description
        """Where the data is, without credentials, for messages."""
        self._connect = connect
        self._connection: Any = None
        self._lock = threading.Lock()

    @classmethod
    def sqlite(cls, path: Path) -> Database:
        def connect() -> sqlite3.Connection:
            _create_private(path)
            connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            # WAL: readers never wait for the writer. synchronous=FULL: a commit is on disk when it returns.
            _switch_to_wal(connection)
            connection.execute("PRAGMA synchronous = FULL")
            return connection

        return cls("sqlite", connect, str(path))

    @classmethod
    def postgresql(cls, url: str) -> Database:
        def connect() -> Any:
            import psycopg

            return psycopg.connect(url, connect_timeout=POSTGRESQL_CONNECT_TIMEOUT_SECONDS, autocommit=False)

        return cls("postgresql", connect, _without_password(url))

    @contextmanager
    def transaction(self, writes: bool = True) -> Iterator[Cursor]:
        """One transaction, committed on leaving the block and rolled back on an exception."""
        with self._lock:
            connection = self._open()
            cursor = _DialectCursor(self.dialect, connection.cursor())
            try:
                if self.dialect == "sqlite":
                    # IMMEDIATE takes the write lock now, so two processes never deadlock upgrading a read;
                    # a read-only transaction takes none (WAL readers never wait for the writer).
                    connection.execute("BEGIN IMMEDIATE" if writes else "BEGIN")
                yield cursor
                connection.commit()
            except BaseException:
                self._roll_back(connection)
                raise

    def write(self, sql: str, params: Params = ()) -> None:
        with self.transaction() as cursor:
            cursor.execute(sql, params)

    def rows(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self.transaction(writes=False) as cursor:
            return cursor.rows(sql, params)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _open(self) -> Any:
        # A PostgreSQL connection breaks when the server restarts or fails over (Azure does both during
        # maintenance): a connection that does not answer a ping is replaced before it loses a write.
        if self._connection is not None and self.dialect == "postgresql" and not _answers(self._connection):
            self._connection.close()
            self._connection = None
        if self._connection is None:
            self._connection = self._connect()
        return self._connection

    def _roll_back(self, connection: Any) -> None:
        try:
            connection.rollback()
        except Exception:  # a broken connection cannot roll back; the server already has
            self._connection = None


class _DialectCursor:
    def __init__(self, dialect: Dialect, cursor: Any) -> None:
        self._dialect = dialect
        self._cursor = cursor

    def execute(self, sql: str, params: Params = ()) -> None:
        self._cursor.execute(self._sql(sql), tuple(params))

    def rows(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        self._cursor.execute(self._sql(sql), tuple(params))
        return [tuple(row) for row in self._cursor.fetchall()]

    def _sql(self, sql: str) -> str:
        # psycopg's placeholder is %s; the SQL here never contains a literal %.
        return sql.replace("?", "%s") if self._dialect == "postgresql" else sql


def _answers(connection: Any) -> bool:
    import psycopg

    if connection.broken or connection.closed:
        return False
    try:
        connection.execute("SELECT 1")  # begins the transaction the caller goes on with
    except psycopg.OperationalError:
        return False
    return True


def _create_private(path: Path) -> None:
    """The database file readable by its owner only: it holds questions people asked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _switch_to_wal(connection: sqlite3.Connection) -> None:
    """Switching the journal mode needs the database to itself, and SQLite reports "locked" at once rather
    than waiting when other instances open it at the same moment: try again for up to the busy timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
