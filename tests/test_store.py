"""The store on both databases it supports: SQLite in the data folder and a real PostgreSQL server."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from infra import PostgresServer

from bot.store.database import Database
from bot.store.migrations import bundled_migrations, migrate
from bot.store.pseudonyms import LEGACY_KEY_FILE_NAME, Pseudonymizer
from bot.store.settings import StoreSettings
from bot.store.store import SQLITE_FILE_NAME, Store, StoreUnavailable
from bot.store.times import iso
from knowledge.retrieval.query import PreviousTurn
from knowledge.settings import SettingsError


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> StoreSettings:
    if request.param == "sqlite":
        return StoreSettings(data_dir=tmp_path)
    postgres: PostgresServer = request.getfixturevalue("postgres")
    return StoreSettings(data_dir=tmp_path, database_url=postgres.new_database())


@pytest.fixture
def store(store_settings: StoreSettings) -> Iterator[Store]:
    store = Store.open(store_settings)
    yield store
    store.close()


def add_feedback(store: Store, comment: str, user: str = "aad-1", conversation: str = "c-1", **fields: object) -> None:
    values: dict = {
        "reaction": "dislike",
        "comment": comment,
        "question": "Vem beslutar?",
        "answer": "Kommunstyrelsen [1]",
        "sources": ("[1] Strategi – Ansvar (2016-01-01)",),
        "user_id": user,
        "conversation_id": conversation,
        "reply_to_id": "reply-1",
        **fields,
    }
    store.feedback.add(**values)


def add_question(store: Store, question: str, user: str = "aad-1", conversation: str = "c-1", **fields: object) -> None:
    values: dict = {
        "question": question,
        "language": "sv",
        "abstained": False,
        "answer": "Svar [1]",
        "sources": ("[1] Strategi – Ansvar (2016-01-01)",),
        "user_id": user,
        "conversation_id": conversation,
        "reply_id": "reply-1",
        **fields,
    }
    store.questions.add(**values)


def test_migrations_are_recorded_and_idempotent(store: Store, store_settings: StoreSettings) -> None:
    versions = [m.version for m in bundled_migrations()]
    assert versions and versions == sorted(set(versions))

    assert migrate(store.database) == [], "already applied when the store was opened"
    reopened = Store.open(store_settings)  # a second instance starting against the same database
    reopened.close()

    recorded = store.database.rows("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [row[0] for row in recorded] == versions
    assert recorded[0][1] == "store"


def test_instances_starting_together_migrate_once(store_settings: StoreSettings) -> None:
    opened: list[Store] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(Store.open(store_settings))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert len(opened) == 4
    assert opened[0].database.rows("SELECT COUNT(*) FROM schema_migrations")[0][0] == len(bundled_migrations())
    for store in opened:
        store.close()


def test_feedback_is_recorded_with_pseudonyms(store: Store, store_settings: StoreSettings) -> None:
    add_feedback(store, "Saknar datum", user="aad-1", conversation="c-1")

    reopened = Store.open(store_settings)
    [record] = reopened.feedback.all()
    reopened.close()
    assert (record.reaction, record.comment, record.question) == ("dislike", "Saknar datum", "Vem beslutar?")
    assert record.sources == ("[1] Strategi – Ansvar (2016-01-01)",)
    assert record.user_pseudonym == store.pseudonym("aad-1") and "aad-1" not in record.user_pseudonym
    assert record.conversation_pseudonym == store.pseudonym("c-1")
    assert record.received_at.endswith("+00:00")


def test_conversation_memory_round_trip(store: Store, store_settings: StoreSettings) -> None:
    memory = store.conversations
    assert memory.last("c-1") is None
    memory.remember("c-1", PreviousTurn("Vem leder beredningen?", True))
    memory.remember("c-1", PreviousTurn("Vem leder beredningen? Och vad beslutar den om?", False))
    memory.remember("c-2", PreviousTurn("Vad är syftet?", False))
    memory.remember(None, PreviousTurn("no conversation: nothing to remember", False))

    other_instance = Store.open(store_settings)
    carried = PreviousTurn("Vem leder beredningen? Och vad beslutar den om?", False)
    assert other_instance.conversations.last("c-1") == carried
    assert other_instance.conversations.last(None) is None
    other_instance.conversations.forget("c-1")
    other_instance.close()

    assert memory.last("c-1") is None
    assert memory.last("c-2") == PreviousTurn("Vad är syftet?", False)


def test_question_log_keeps_how_each_question_was_answered(store: Store) -> None:
    add_question(store, "Vem beslutar om medlemskap?", reply_id="reply-7")
    add_question(
        store,
        "Hur många bor i Oslo?",
        abstained=True,
        answer="Det står inte i dokumenten.",
        sources=(),
        language="sv",
        reply_id="reply-9",
    )

    add_question(store, "Hur ofta möts beredningen?", sure=False, reply_id="reply-11")

    first, second, third = store.questions.all()
    assert (first.question, first.abstained, first.sure, first.sources) == (
        "Vem beslutar om medlemskap?",
        False,
        True,
        ("[1] Strategi – Ansvar (2016-01-01)",),
    )
    assert (third.abstained, third.sure) == (False, False), "an unsure answer is kept as such"
    assert not second.sure, "an abstention is never sure"
    assert (second.question, second.abstained, second.sources, second.language) == (
        "Hur många bor i Oslo?",
        True,
        (),
        "sv",
    )
    assert first.user_pseudonym == store.pseudonym("aad-1")
    assert store.questions.answered_by("c-1", "reply-9") == second
    assert store.questions.answered_by("c-other", "reply-9") is None
    assert store.questions.all(since=second.asked_at[:10] + "T23:59:59+00:00") == []


def test_questions_logged_before_sureness_was_kept_read_as_sure(store_settings: StoreSettings) -> None:
    database = (
        Database.postgresql(store_settings.database_url)
        if store_settings.database_url
        else Database.sqlite(store_settings.data_dir / SQLITE_FILE_NAME)
    )
    before = [m for m in bundled_migrations() if m.name != "question_sureness"]
    migrate(database, before)
    database.write(
        "INSERT INTO questions (asked_at, question, language, abstained, answer, sources, user_pseudonym, "
        "conversation_pseudonym, reply_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ("2026-11-30T10:00:00+00:00", "Vem beslutar?", "sv", 0, "Svar [1]", "[]", "p1", "p2", "r1"),
    )
    database.close()

    store = Store.open(store_settings)
    try:
        [record] = store.questions.all()
    finally:
        store.close()
    assert (record.question, record.sure) == ("Vem beslutar?", True)


def test_retention_deletes_old_questions_feedback_and_context(store: Store) -> None:
    long_ago = iso(datetime.now(UTC) - timedelta(days=store.retention_days + 1))
    add_question(store, "gammal fråga", asked_at=long_ago)
    add_question(store, "ny fråga")
    add_feedback(store, "gammal kommentar", received_at=long_ago)
    add_feedback(store, "ny kommentar")
    store.conversations.remember("c-old", PreviousTurn("gammal", False))
    store.database.write("UPDATE conversation_turns SET updated_at = ? WHERE question = ?", (long_ago, "gammal"))

    deleted = store.purge_expired()

    assert (deleted.questions, deleted.feedback, deleted.conversations) == (1, 1, 1)
    assert [q.question for q in store.questions.all()] == ["ny fråga"]
    assert [f.comment for f in store.feedback.all()] == ["ny kommentar"]
    assert store.conversations.last("c-old") is None


def test_forget_user_deletes_only_that_persons_data(store: Store) -> None:
    add_question(store, "Annas fråga", user="aad-anna", conversation="chat-anna")
    add_feedback(store, "Annas kommentar", user="aad-anna", conversation="chat-anna")
    store.conversations.remember("chat-anna", PreviousTurn("Annas fråga", False))
    add_question(store, "Bertils fråga", user="aad-bertil", conversation="chat-bertil")
    add_feedback(store, "Bertils kommentar", user="aad-bertil", conversation="chat-bertil")
    store.conversations.remember("chat-bertil", PreviousTurn("Bertils fråga", False))

    deleted = store.forget_user("aad-anna")

    assert (deleted.questions, deleted.feedback, deleted.conversations) == (1, 1, 1)
    assert [q.question for q in store.questions.all()] == ["Bertils fråga"]
    assert [f.comment for f in store.feedback.all()] == ["Bertils kommentar"]
    assert store.conversations.last("chat-anna") is None
    assert store.conversations.last("chat-bertil") is not None


def test_sqlite_store_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    store = Store.open(StoreSettings(data_dir=tmp_path))
    add_feedback(store, "x")
    try:
        assert stat.S_IMODE(os.stat(tmp_path / SQLITE_FILE_NAME).st_mode) == 0o600
        assert store.database.rows("PRAGMA journal_mode")[0][0] == "wal"
        for sidecar in tmp_path.glob(SQLITE_FILE_NAME + "-*"):
            assert stat.S_IMODE(os.stat(sidecar).st_mode) & 0o077 == 0, sidecar
    finally:
        store.close()


def test_unreachable_postgresql_is_a_clear_error(tmp_path: Path) -> None:
    from servers import free_port

    url = f"postgresql://strategibot:secret@127.0.0.1:{free_port()}/strategibot"
    with pytest.raises(StoreUnavailable, match="STRATEGIBOT_DATABASE_URL") as raised:
        Store.open(StoreSettings(data_dir=tmp_path, database_url=url))
    assert "secret" not in str(raised.value)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"STRATEGIBOT_DATABASE_URL": "mysql://x/y"}, "STRATEGIBOT_DATABASE_URL"),
        ({"STRATEGIBOT_RETENTION_DAYS": "0"}, "STRATEGIBOT_RETENTION_DAYS"),
        ({"STRATEGIBOT_RETENTION_DAYS": "half a year"}, "STRATEGIBOT_RETENTION_DAYS"),
    ],
)
def test_store_settings_errors_name_the_variable(tmp_path: Path, env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        StoreSettings.from_env(tmp_path, env)


def test_store_settings_defaults(tmp_path: Path) -> None:
    settings = StoreSettings.from_env(tmp_path, {})
    assert (settings.database_url, settings.retention_days) == (None, 180)
    url = "postgresql://u:p@db.example:5432/sb"
    assert StoreSettings.from_env(tmp_path, {"STRATEGIBOT_DATABASE_URL": url, "STRATEGIBOT_RETENTION_DAYS": "30"}) == (
        StoreSettings(tmp_path, url, 30)
    )


def test_feedback_from_the_old_feedback_file_is_moved_in_once(store_settings: StoreSettings) -> None:
    data_dir = store_settings.data_dir
    (data_dir / LEGACY_KEY_FILE_NAME).write_bytes(b"k" * 32)
    old_pseudonym = Pseudonymizer(b"k" * 32)("aad-1")
    old = sqlite3.connect(data_dir / "feedback.sqlite3")
    old.execute(
        "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, received_at TEXT NOT NULL, reaction TEXT NOT"
        " NULL, comment TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, sources TEXT NOT NULL,"
        " user_pseudonym TEXT NOT NULL, conversation_pseudonym TEXT NOT NULL, reply_to_id TEXT NOT NULL,"
        " matched_by TEXT NOT NULL)"
    )
    old.execute(
        "INSERT INTO feedback (received_at, reaction, comment, question, answer, sources, user_pseudonym,"
        " conversation_pseudonym, reply_to_id, matched_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            "2026-01-02T10:00:00+00:00",
            "dislike",
            "gammal",
            "q",
            "a",
            '["[1] D – S (2016)"]',
            old_pseudonym,
            "c",
            "r",
            "reply",
        ),
    )
    old.commit()
    old.close()

    store = Store.open(store_settings)
    Store.open(store_settings).close()  # a second start moves nothing again
    try:
        [record] = store.feedback.all()
        assert (record.comment, record.sources) == ("gammal", ("[1] D – S (2016)",))
        assert store.pseudonym("aad-1") == old_pseudonym, "the old key is kept, so forget finds old records"
        assert store.forget_user("aad-1").feedback == 1
    finally:
        store.close()
    assert not (data_dir / "feedback.sqlite3").exists()
    assert (data_dir / "feedback.sqlite3.imported").exists()


def test_postgresql_store_carries_on_after_the_server_restarts(postgres: PostgresServer, tmp_path: Path) -> None:
    store = Store.open(StoreSettings(data_dir=tmp_path, database_url=postgres.new_database()))
    try:
        add_feedback(store, "före")
        store.conversations.remember("c-1", PreviousTurn("före omstart", False))

        postgres.restart()  # as a failover of a managed database would

        add_feedback(store, "efter")
        assert [f.comment for f in store.feedback.all()] == ["före", "efter"]
        assert store.conversations.last("c-1") == PreviousTurn("före omstart", False)
    finally:
        store.close()
