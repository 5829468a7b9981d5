"""Feedback kept before the store existed: `feedback.sqlite3` in the data folder, moved in once.

Its pseudonyms were made with `feedback.key`, which then becomes the store's key, so that `forget` still
finds those records. The old file is renamed `feedback.sqlite3.imported` once its rows are in.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bot.store.database import Database
from bot.store.migrations import MIGRATION_LOCK

LEGACY_FEEDBACK_FILE = "feedback.sqlite3"
LEGACY_KEY_FILE = "feedback.key"

_COLUMNS = (
    "received_at, reaction, comment, question, answer, sources, user_pseudonym, conversation_pseudonym,"
    " reply_to_id, matched_by"
)


def import_legacy_feedback(database: Database, data_dir: Path) -> int:
    """Move the old file's feedback into the store; returns how many records were moved."""
    old = data_dir / LEGACY_FEEDBACK_FILE
    if not old.exists():
        return 0
    with database.transaction() as cursor:
        # Instances starting together take turns; the one that waited finds the file gone.
        if database.dialect == "postgresql":
            cursor.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        if not old.exists():
            return 0
        source = sqlite3.connect(f"file:{old}?mode=ro", uri=True)
        try:
            rows = source.execute(f"SELECT {_COLUMNS} FROM feedback ORDER BY id").fetchall()
        finally:
            source.close()
        for row in rows:
            cursor.execute(f"INSERT INTO feedback ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        os.replace(old, old.with_name(old.name + ".imported"))
    return len(rows)
