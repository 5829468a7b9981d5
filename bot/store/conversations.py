"""Each conversation's last turn in the database: the engine's follow-up memory, shared by every instance.

A follow-up that reaches another server instance than the question before it still has its context.
"""

from __future__ import annotations

from bot.store.database import Database
from bot.store.pseudonyms import Pseudonymizer
from bot.store.times import iso_now
from knowledge.retrieval.query import PreviousTurn


class StoredConversations:
    """Satisfies `knowledge.conversations.ConversationStore`."""

    def __init__(self, database: Database, pseudonym: Pseudonymizer) -> None:
        self._database = database
        self._pseudonym = pseudonym

    def last(self, conversation_id: str | None) -> PreviousTurn | None:
        if conversation_id is None:
            return None
        rows = self._database.rows(
            "SELECT question, asks_who FROM conversation_turns WHERE conversation_pseudonym = ?",
            (self._pseudonym(conversation_id),),
        )
        return PreviousTurn(rows[0][0], bool(rows[0][1])) if rows else None

    def remember(self, conversation_id: str | None, turn: PreviousTurn) -> None:
        if conversation_id is None:
            return
        self._database.write(
            "INSERT INTO conversation_turns (conversation_pseudonym, question, asks_who, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (conversation_pseudonym) DO UPDATE SET "
            "question = excluded.question, asks_who = excluded.asks_who, updated_at = excluded.updated_at",
            (self._pseudonym(conversation_id), turn.question, int(turn.asks_who), iso_now()),
        )

    def forget(self, conversation_id: str) -> None:
        self._database.write(
            "DELETE FROM conversation_turns WHERE conversation_pseudonym = ?", (self._pseudonym(conversation_id),)
        )
