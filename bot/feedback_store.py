"""Feedback from the 👍/👎 buttons, kept in SQLite under the data directory.

User ids are pseudonymised with a keyed hash (HMAC-SHA256) whose key is random per installation and
never leaves the data directory: the same person gets the same pseudonym, so repeated feedback can be
grouped, but the id cannot be recovered by hashing known ids without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Reaction = Literal["like", "dislike"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    reaction TEXT NOT NULL CHECK (reaction IN ('like', 'dislike')),
    comment TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    user_pseudonym TEXT NOT NULL,
    conversation_pseudonym TEXT NOT NULL,
    reply_to_id TEXT NOT NULL,
    matched_by TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class FeedbackRecord:
    received_at: str
    """UTC, ISO 8601."""
    reaction: Reaction
    comment: str
    question: str
    answer: str
    sources: tuple[str, ...]
    """One line per cited source: "[n] document – section (date)"."""
    user_pseudonym: str
    conversation_pseudonym: str
    reply_to_id: str
    matched_by: str
    """How question and answer were found: "reply" (by the message id Teams sent in replyToId),
    "only-answer-in-conversation" (the client sent no id, and the conversation had one answer),
    "ambiguous" (no id and several answers: question and answer left empty rather than guessed) or "none"
    (the answer is no longer in memory)."""


class FeedbackStore:
    FILE_NAME = "feedback.sqlite3"
    KEY_FILE_NAME = "feedback.key"

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / self.FILE_NAME
        self._key = _installation_key(data_dir / self.KEY_FILE_NAME)
        # One connection shared by the worker threads the handler writes from; sqlite3 objects are not
        # thread-safe by themselves, hence the lock.
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        with self._lock, self._db:
            self._db.execute(_SCHEMA)

    def pseudonym(self, identifier: str) -> str:
        return hmac.new(self._key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def add(
        self,
        *,
        reaction: Reaction,
        comment: str,
        question: str,
        answer: str,
        sources: tuple[str, ...],
        user_id: str,
        conversation_id: str,
        reply_to_id: str,
        matched_by: str = "reply",
        received_at: datetime | None = None,
    ) -> FeedbackRecord:
        record = FeedbackRecord(
            received_at=(received_at or datetime.now(UTC)).isoformat(timespec="seconds"),
            reaction=reaction,
            comment=comment,
            question=question,
            answer=answer,
            sources=sources,
            user_pseudonym=self.pseudonym(user_id),
            conversation_pseudonym=self.pseudonym(conversation_id),
            reply_to_id=reply_to_id,
            matched_by=matched_by,
        )
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO feedback (received_at, reaction, comment, question, answer, sources, user_pseudonym,"
                " conversation_pseudonym, reply_to_id, matched_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.received_at,
                    record.reaction,
                    record.comment,
                    record.question,
                    record.answer,
                    json.dumps(list(record.sources), ensure_ascii=False),
                    record.user_pseudonym,
                    record.conversation_pseudonym,
                    record.reply_to_id,
                    record.matched_by,
                ),
            )
        return record

    def all(self) -> list[FeedbackRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT received_at, reaction, comment, question, answer, sources, user_pseudonym,"
                " conversation_pseudonym, reply_to_id, matched_by FROM feedback ORDER BY id"
            ).fetchall()
        return [
            FeedbackRecord(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), r[6], r[7], r[8], r[9])
            for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _installation_key(path: Path) -> bytes:
    """The HMAC key, created on first use with owner-only permissions."""
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    # O_EXCL: if two processes start at once, one creates the key and the other reads it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key
