"""One ingest at a time per index folder.

An ingest starts by removing every generation the pointer does not name, taking them for the leftovers of a
killed or failed ingest. That is only true if no other ingest is writing one at the same moment (two bot
processes building the index on first use, or `strategibot ingest` run twice), so ingests take turns.
The lock is an OS file lock: a killed process releases it, so a crash never leaves the index locked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no fcntl; ingests there must not be run side by side.
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK_FILE = "ingest.lock"


@contextmanager
def one_ingest_at_a_time(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's ingest lock for the block, waiting while another ingest holds it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK_FILE).open("a") as handle:
        if fcntl is None:
            yield
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another ingest of %s is running; waiting for it to finish", index_dir)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
