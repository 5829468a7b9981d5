"""Real database and index servers for the scale-out tests, started once per test session.

PostgreSQL runs from Debian's `postgresql` package (initdb and pg_ctl under /usr/lib/postgresql/*/bin) on a
private port with its data folder in a temporary directory; as root it runs as the `postgres` user, since
initdb refuses root. Chroma runs as `chroma run`, shipped in the chromadb package. Each test gets its own
PostgreSQL database, so tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import chroma_server, free_port

_database_numbers = itertools.count(1)


@dataclass(frozen=True)
class PostgresServer:
    port: int
    pg_ctl: list[str]
    """pg_ctl with its data folder, as the user that runs the server."""

    def restart(self) -> None:
        """Stop the server at once (as a crash or a failover would) and start it again."""
        _run([*self.pg_ctl, "-m", "immediate", "-w", "restart"])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database on this server."""
        import psycopg

        name = f"strategibot_test_{os.getpid()}_{next(_database_numbers)}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries, or None when the package is not installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; .ci/run installs it)")
    root = Path(tempfile.mkdtemp(prefix="strategibot-postgres-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(root, account.pw_uid, account.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()
    try:
        _run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        # fsync off: these tests kill the bot, never the database server; it only saves time here.
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg_ctl = [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options]
        _run([*pg_ctl, "-w", "start"])
        try:
            yield PostgresServer(port, pg_ctl)
        finally:
            _run([*pg_ctl, "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr or result.stdout}")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of its own for this test session."""
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server (`chroma run`) of its own for this test session, as STRATEGIBOT_CHROMA_URL."""
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as port:
        yield f"http://127.0.0.1:{port}"
