"""Feedback from the 👍/👎 buttons, with the question and answer it is about."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from bot.store.database import Database
from bot.store.pseudonyms import Pseudonymizer
from bot.store.times import iso_now

Reaction = Literal["like", "dislike"]
MatchedBy = Literal["reply", "only-answer-in-conversation", "ambiguous", "stored-reply", "none"]

_COLUMNS = (
    "received_at, reaction, comment, question, answer, sources, user_pseudonym, conversation_pseudonym,"
    " reply_to_id, matched_by"
)


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
    """How question and answer were found: "reply" (by the message id Teams sent, in this instance's memory),
    "stored-reply" (by that id, from the question log: another instance or before a restart),
    "only-answer-in-conversation" (the client sent no id, and the conversation had one answer), "ambiguous"
    (no id and several answers: question and answer left empty rather than guessed) or "none" (not found)."""


class FeedbackLog:
    def __init__(self, database: Database, pseudonym: Pseudonymizer) -> None:
        self._database = database
        self._pseudonym = pseudonym

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
        received_at: str | None = None,
    ) -> FeedbackRecord:
        """Store one piece of feedback; committed (durable) when this returns."""
        record = FeedbackRecord(
            received_at=received_at or iso_now(),
            reaction=reaction,
            comment=comment,
            question=question,
            answer=answer,
            sources=sources,
            user_pseudonym=self._pseudonym(user_id),
            conversation_pseudonym=self._pseudonym(conversation_id),
            reply_to_id=reply_to_id,
            matched_by=matched_by,
        )
        self._database.write(
            f"INSERT INTO feedback ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    def all(self, since: str = "") -> list[FeedbackRecord]:
        """Oldest first; ``since`` is an ISO date or time (UTC) to start from."""
        rows = self._database.rows(
            f"SELECT {_COLUMNS} FROM feedback WHERE received_at >= ? ORDER BY received_at, id", (since,)
        )
        return [
            FeedbackRecord(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), r[6], r[7], r[8], r[9]) for r in rows
        ]
