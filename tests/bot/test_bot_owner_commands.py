"""`strategibot forget`, `strategibot report` and retention, run as commands on a store the test fills."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from infra import PostgresServer
from serve_process import run_cli, serve_env

from bot.content.owners_report import NO_CLOSE_SECTION
from bot.store.settings import StoreSettings
from bot.store.store import Store
from bot.store.times import iso
from knowledge.retrieval.query import PreviousTurn

CITED = "[1] Internationell strategi för Stockholms stad – Ansvar och roller (2016-01-01)"
UNSURE_CITED = "[1] Internationella beredningen – Sammanträden (odaterad)"


def fill(store: Store, long_ago: str) -> None:
    asked = [  # (question, how it was answered, answer, sources, user, reply id, when)
        ("Hur många vänorter har Stockholm i Kina?", "abstained", "", (), "anna", "r1", None),
        ("Vem beslutar om medlemskap i nätverk?", "sure", "A [1]", (CITED,), "anna", "r2", None),
        ("Hur ofta möts beredningen?", "unsure", "Osäkert … [1]", (UNSURE_CITED,), "bertil", "r6", None),
        ("Vad kostar en resa till Bryssel?", "abstained", "", (), "bertil", "r3", long_ago),
    ]
    for question, answered, answer, sources, user, reply_id, asked_at in asked:
        store.questions.add(
            question=question,
            language="sv",
            abstained=answered == "abstained",
            sure=answered == "sure",
            answer=answer,
            sources=sources,
            user_id=f"aad-{user}",
            conversation_id=f"chat-{user}",
            reply_id=reply_id,
            asked_at=asked_at,
        )
    given = [  # (reaction, comment, question, answer, user, reply to)
        ("dislike", "Saknar datum", "Vem beslutar om medlemskap i nätverk?", "A [1]", "anna", "r2"),
        ("dislike", "Fel person", "Vem ansvarar för roller i nätverken?", "B [1]", "bertil", "r4"),
        ("like", "Tack", "Får vi teckna ett vänortsavtal?", "C [1]", "bertil", "r5"),
    ]
    for reaction, comment, question, answer, user, reply_to_id in given:
        store.feedback.add(
            reaction=reaction,
            comment=comment,
            question=question,
            answer=answer,
            sources=(CITED,),
            user_id=f"aad-{user}",
            conversation_id=f"chat-{user}",
            reply_to_id=reply_to_id,
        )
    store.conversations.remember("chat-anna", PreviousTurn("Vem beslutar om medlemskap i nätverk?", True))
    store.conversations.remember("chat-bertil", PreviousTurn("Får vi teckna ett vänortsavtal?", False))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_forget_deletes_one_persons_questions_feedback_and_context(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = StoreSettings(data_dir=tmp_path)
    if database == "postgresql":
        postgres: PostgresServer = request.getfixturevalue("postgres")
        settings = StoreSettings(data_dir=tmp_path, database_url=postgres.new_database())
    store = Store.open(settings)
    fill(store, iso(datetime.now(UTC)))
    store.close()
    env = serve_env(tmp_path, STRATEGIBOT_DATABASE_URL=settings.database_url or "")

    result = run_cli(env, "forget", "--user", "aad-anna")

    assert result.returncode == 0, result.stderr
    assert "2 question(s), 1 feedback record(s), 1 conversation context(s)" in result.stdout
    store = Store.open(settings)
    try:
        left = {q.question for q in store.questions.all()}
        assert left == {"Vad kostar en resa till Bryssel?", "Hur ofta möts beredningen?"}
        assert {f.comment for f in store.feedback.all()} == {"Fel person", "Tack"}
        assert store.conversations.last("chat-anna") is None
        assert store.conversations.last("chat-bertil") is not None
    finally:
        store.close()
    again = run_cli(env, "forget", "--user", "aad-anna")
    assert "Deleted 0 question(s), 0 feedback record(s), 0 conversation context(s)" in again.stdout


@pytest.mark.slow
def test_ingest_applies_retention_and_report_groups_what_owners_should_read(warm_data_dir: Path) -> None:
    store = Store.open(StoreSettings(data_dir=warm_data_dir))
    fill(store, iso(datetime.now(UTC) - timedelta(days=45)))
    store.close()
    env = serve_env(warm_data_dir, STRATEGIBOT_RETENTION_DAYS="30")

    ingest = run_cli(env, "ingest", "--quiet")
    table = run_cli(env, "report", "--format", "table")
    listed = run_cli(env, "report", "--format", "csv")
    later = run_cli(env, "report", "--since", (datetime.now(UTC) + timedelta(days=2)).date().isoformat())

    assert ingest.returncode == 0, ingest.stderr
    assert table.returncode == listed.returncode == later.returncode == 0, table.stderr + listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [(r["kind"], r["question"], r["comment"]) for r in rows[:2]] == [
        # The largest topic first: both 👎 cite the same section.
        ("disliked", "Vem beslutar om medlemskap i nätverk?", "Saknar datum"),
        ("disliked", "Vem ansvarar för roller i nätverken?", "Fel person"),
    ]
    assert rows[0]["topic"] == rows[1]["topic"] == "Internationell strategi för Stockholms stad – Ansvar och roller"
    rest = {r["kind"]: r for r in rows[2:]}
    assert len(rows) == 4 and set(rest) == {"unanswered", "unsure"}, (
        "no 👍, no surely answered question, nothing older than the retention period"
    )
    assert rest["unanswered"]["question"] == "Hur många vänorter har Stockholm i Kina?"
    assert rest["unanswered"]["topic"] not in ("", NO_CLOSE_SECTION), "an unanswered question gets its closest section"
    assert rest["unsure"]["question"] == "Hur ofta möts beredningen?"
    assert rest["unsure"]["topic"] == "Internationella beredningen – Sammanträden", "the section it cited"
    assert "Saknar datum" in table.stdout and "Hur många vänorter" in table.stdout
    assert "Unanswered questions, unsure and 👎 answers: 4 in 3 topic(s)" in table.stdout
    assert "Bryssel" not in table.stdout + listed.stdout
    assert ": 0 in 0 topic(s)" in later.stdout
