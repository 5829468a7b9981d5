"""The bot's store: feedback, the question log, conversation context and the owners' audit log in one
database.

SQLite in the data directory by default; PostgreSQL when STRATEGIBOT_DATABASE_URL names one, so that
several server instances share it. Opening the store applies any pending migration.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.store.conversations import StoredConversations
from bot.store.database import Cursor, Database
from bot.store.feedback import FeedbackLog
from bot.store.legacy import import_legacy_feedback
from bot.store.migrations import migrate
from bot.store.owner_actions import OwnerActionLog
from bot.store.pseudonyms import Pseudonymizer
from bot.store.questions import QuestionLog
from bot.store.settings import StoreSettings
from bot.store.times import iso_days_ago
from knowledge.settings import SettingsError

log = logging.getLogger(__name__)

SQLITE_FILE_NAME = "store.sqlite3"


class StoreUnavailable(SettingsError):
    """The database cannot be opened or reached; the message says which one and what to check."""


@dataclass(frozen=True)
class Deleted:
    """How many rows of each kind a purge or a `forget` deleted."""

    questions: int
    feedback: int
    conversations: int

    def summary(self) -> str:
        return (
            f"{self.questions} question(s), {self.feedback} feedback record(s), "
            f"{self.conversations} conversation context(s)"
        )


class Store:
    def __init__(self, database: Database, pseudonym: Pseudonymizer, retention_days: int) -> None:
        self.database = database
        self.pseudonym = pseudonym
        self.retention_days = retention_days
        self.feedback = FeedbackLog(database, pseudonym)
        self.questions = QuestionLog(database, pseudonym)
        self.conversations = StoredConversations(database, pseudonym)
        self.owner_actions = OwnerActionLog(database)
        """Not purged with the rest: an audit log outlives the retention period."""

    @classmethod
    def open(cls, settings: StoreSettings) -> Store:
        if settings.database_url is not None:
            database = Database.postgresql(settings.database_url)
        else:
            database = Database.sqlite(settings.data_dir / SQLITE_FILE_NAME)
        try:
            applied = migrate(database)
            imported = import_legacy_feedback(database, settings.data_dir)
        except Exception as error:
            database.close()
            setting = "STRATEGIBOT_DATABASE_URL" if settings.database_url else "STRATEGIBOT_DATA_DIR"
            raise StoreUnavailable(
                f"cannot open the store {database.description}: {str(error).strip()}; check {setting}."
            ) from error
        if applied:
            log.info("store %s: applied migrations %s", database.description, applied)
        if imported:
            log.warning("store %s: moved in %d feedback record(s) from the old file", database.description, imported)
        return cls(database, Pseudonymizer.for_data_dir(settings.data_dir), settings.retention_days)

    def purge_expired(self, now: datetime | None = None) -> Deleted:
        """Delete questions, feedback and conversation context older than the retention period."""
        cutoff = iso_days_ago(self.retention_days, now)
        with self.database.transaction() as cursor:
            counts = []
            for table, column in (
                ("questions", "asked_at"),
                ("feedback", "received_at"),
                ("conversation_turns", "updated_at"),
            ):
                counts.append(_count(cursor, f"SELECT COUNT(*) FROM {table} WHERE {column} < ?", (cutoff,)))
                cursor.execute(f"DELETE FROM {table} WHERE {column} < ?", (cutoff,))
        deleted = Deleted(*counts)
        log.info("store: deleted what is older than %d days: %s", self.retention_days, deleted.summary())
        return deleted

    def forget_user(self, user_id: str) -> Deleted:
        """Delete a person's questions, feedback and the context of the conversations they asked in.

        ``user_id`` is what the bot pseudonymised: the Entra (AAD) object id, or the Teams user id for an
        account without one."""
        user = self.pseudonym(user_id)
        where_theirs = "WHERE user_pseudonym = ?"
        with self.database.transaction() as cursor:
            conversations = _count(
                cursor,
                "SELECT COUNT(*) FROM conversation_turns WHERE conversation_pseudonym IN ("
                f"SELECT conversation_pseudonym FROM questions {where_theirs} "
                f"UNION SELECT conversation_pseudonym FROM feedback {where_theirs})",
                (user, user),
            )
            cursor.execute(
                "DELETE FROM conversation_turns WHERE conversation_pseudonym IN ("
                f"SELECT conversation_pseudonym FROM questions {where_theirs} "
                f"UNION SELECT conversation_pseudonym FROM feedback {where_theirs})",
                (user, user),
            )
            questions = _count(cursor, f"SELECT COUNT(*) FROM questions {where_theirs}", (user,))
            cursor.execute(f"DELETE FROM questions {where_theirs}", (user,))
            feedback = _count(cursor, f"SELECT COUNT(*) FROM feedback {where_theirs}", (user,))
            cursor.execute(f"DELETE FROM feedback {where_theirs}", (user,))
        return Deleted(questions, feedback, conversations)

    def close(self) -> None:
        self.database.close()


def _count(cursor: Cursor, sql: str, params: tuple[object, ...]) -> int:
    return int(cursor.rows(sql, params)[0][0])
