"""The questions people asked and how they were answered: what content owners read to see what is missing.

Each row also keeps the id the connector gave the answer, so feedback on an answer sent by another
instance (or before a restart) still finds its question.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.store.database import Database
from bot.store.pseudonyms import Pseudonymizer
from bot.store.times import iso_now

_COLUMNS = (
    "asked_at, question, language, abstained, answer, sources, user_pseudonym, conversation_pseudonym, reply_id, sure"
)


@dataclass(frozen=True)
class QuestionRecord:
    asked_at: str
    """UTC, ISO 8601."""
    question: str
    language: str
    abstained: bool
    answer: str
    sources: tuple[str, ...]
    """One line per cited source: "[n] document – section (date)"."""
    user_pseudonym: str
    conversation_pseudonym: str
    reply_id: str
    """The id the connector gave the answer message ("" when it gave none)."""
    sure: bool = True
    """False for an unsure reply: the closest passages, none given as the answer (never for an abstention)."""


class QuestionLog:
    def __init__(self, database: Database, pseudonym: Pseudonymizer) -> None:
        self._database = database
        self._pseudonym = pseudonym

    def add(
        self,
        *,
        question: str,
        language: str,
        abstained: bool,
        answer: str,
        sources: tuple[str, ...],
        user_id: str,
        conversation_id: str,
        reply_id: str,
        sure: bool = True,
        asked_at: str | None = None,
    ) -> QuestionRecord:
        record = QuestionRecord(
            asked_at=asked_at or iso_now(),
            question=question,
            language=language,
            abstained=abstained,
            answer=answer,
            sources=sources,
            user_pseudonym=self._pseudonym(user_id),
            conversation_pseudonym=self._pseudonym(conversation_id),
            reply_id=reply_id,
            sure=sure and not abstained,
        )
        self._database.write(
            f"INSERT INTO questions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.asked_at,
                record.question,
                record.language,
                int(record.abstained),
                record.answer,
                json.dumps(list(record.sources), ensure_ascii=False),
                record.user_pseudonym,
                record.conversation_pseudonym,
                record.reply_id,
                int(record.sure),
            ),
        )
        return record

    def all(self, since: str = "") -> list[QuestionRecord]:
        """Oldest first; ``since`` is an ISO date or time (UTC) to start from."""
        rows = self._database.rows(
            f"SELECT {_COLUMNS} FROM questions WHERE asked_at >= ? ORDER BY asked_at, id", (since,)
        )
        return [_record(row) for row in rows]

    def answered_by(self, conversation_id: str, reply_id: str) -> QuestionRecord | None:
        """The question whose answer the connector numbered ``reply_id`` in this conversation."""
        if not reply_id:
            return None
        rows = self._database.rows(
            f"SELECT {_COLUMNS} FROM questions WHERE conversation_pseudonym = ? AND reply_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (self._pseudonym(conversation_id), reply_id),
        )
        return _record(rows[0]) if rows else None


def _record(row: tuple) -> QuestionRecord:
    return QuestionRecord(
        row[0], row[1], row[2], bool(row[3]), row[4], tuple(json.loads(row[5])), *row[6:9], sure=bool(row[9])
    )
