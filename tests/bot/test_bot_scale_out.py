"""Two `strategibot serve` instances behind one real Chroma server and one real PostgreSQL, sharing the data
folder: a conversation can move between them, and their feedback lands in one table."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from bot_helpers import Connector, teams_activity
from infra import PostgresServer
from serve_process import ServeProcess, post_activity, run_cli, serve_env, start_serve
from uploads import OWNER_ID, PDF_QUESTION, PDF_TITLE, file_attachment, make_test_pdf, start_file_host

from bot.store.settings import StoreSettings
from bot.store.store import Store
from knowledge.answers.phrases import phrase

QUESTION = "Vem leder internationella beredningen?"
FOLLOW_UP = "Och vad beslutar den om?"


def message(connector_url: str, conversation: str, text: str, number: int) -> dict:
    return teams_activity(
        connector_url,
        id=f"17000000000{number:02d}",
        text=text,
        conversation={"id": conversation, "conversationType": "personal", "tenantId": "t-1"},
    )


def feedback(connector_url: str, conversation: str, reply_id: str, comment: str) -> dict:
    return teams_activity(
        connector_url,
        type="invoke",
        name="message/submitAction",
        id=f"f:{reply_id}",
        text=None,
        replyToId=reply_id,
        conversation={"id": conversation, "conversationType": "personal", "tenantId": "t-1"},
        value={"actionName": "feedback", "actionValue": {"reaction": "dislike", "feedback": comment}},
    )


async def ask(session: aiohttp.ClientSession, bot: ServeProcess, connector: Connector, activity: dict) -> dict:
    """Post a question; the reply is at the connector when the request returns. Returns the answer with
    the id the connector gave it."""
    before = len(connector.posted)
    assert await post_activity(session, bot, activity) == 200
    [(index, answer)] = [
        (i, a) for i, a in enumerate(connector.posted) if i >= before and a["type"] == "message" and a.get("entities")
    ]
    return {**answer, "reply_id": f"reply-{index + 1}"}  # the stand-in numbers everything posted, from 1


@pytest.mark.slow
async def test_two_instances_share_conversations_and_feedback(
    warm_data_dir: Path, chroma_url: str, postgres: PostgresServer, connector: Connector, tmp_path: Path
) -> None:
    database_url = postgres.new_database()
    env = serve_env(warm_data_dir, STRATEGIBOT_CHROMA_URL=chroma_url, STRATEGIBOT_DATABASE_URL=database_url)
    ingest = run_cli(env, "ingest", "--quiet")
    assert ingest.returncode == 0, ingest.stderr
    assert not (warm_data_dir / "index" / "chroma").exists(), "the vectors are in the Chroma server"

    first = await start_serve(env, tmp_path / "first.log")
    try:
        second = await start_serve(env, tmp_path / "second.log")
        try:
            async with aiohttp.ClientSession() as session:
                asked = await ask(session, first, connector, message(connector.url, "a:chat-1", QUESTION, 1))
                follow_up = await ask(session, second, connector, message(connector.url, "a:chat-1", FOLLOW_UP, 2))
                fresh = await ask(session, second, connector, message(connector.url, "a:chat-2", FOLLOW_UP, 3))
                statuses = [
                    await post_activity(session, first, feedback(connector.url, "a:chat-1", asked["reply_id"], "one")),
                    await post_activity(
                        session, second, feedback(connector.url, "a:chat-1", follow_up["reply_id"], "two")
                    ),
                    # Feedback on the first instance's answer, reaching the second one.
                    await post_activity(
                        session, second, feedback(connector.url, "a:chat-1", asked["reply_id"], "three")
                    ),
                ]
        finally:
            second.stop()
    finally:
        first.stop()

    assert "beredningen" in follow_up["text"].lower(), "the follow-up kept the subject asked on the other instance"
    assert follow_up["text"] != fresh["text"], "without that context the same words get another answer"
    assert statuses == [200, 200, 200]
    store = Store.open(StoreSettings(data_dir=warm_data_dir, database_url=database_url))
    try:
        records = {record.comment: record for record in store.feedback.all()}
        questions = store.questions.all()
    finally:
        store.close()
    assert set(records) == {"one", "two", "three"}, "one table for both instances"
    assert (records["one"].question, records["one"].matched_by) == (QUESTION, "reply")
    assert (records["two"].question, records["two"].matched_by) == (FOLLOW_UP, "reply")
    assert (records["three"].question, records["three"].matched_by) == (QUESTION, "stored-reply")
    assert [q.question for q in questions] == [QUESTION, FOLLOW_UP, FOLLOW_UP]
    unsure_lead = phrase("unsure", "sv")
    replies = [asked["text"], follow_up["text"], fresh["text"]]
    assert [q.sure for q in questions] == [unsure_lead not in text for text in replies], (
        "each question is logged as sure or unsure as it was answered"
    )


@pytest.mark.slow
async def test_an_upload_to_one_instance_is_indexed_once_and_answered_by_the_other(
    warm_data_dir: Path, chroma_url: str, postgres: PostgresServer, connector: Connector, tmp_path: Path
) -> None:
    file_runner, sharepoint = await start_file_host()
    sharepoint.files["provrutin.pdf"] = make_test_pdf(tmp_path / "provrutin.pdf")
    env = serve_env(
        warm_data_dir,
        STRATEGIBOT_CHROMA_URL=chroma_url,
        STRATEGIBOT_DATABASE_URL=postgres.new_database(),
        STRATEGIBOT_OWNERS=OWNER_ID,
        STRATEGIBOT_DOWNLOAD_HOSTS=sharepoint.url.removeprefix("http://"),
    )
    assert run_cli(env, "ingest", "--quiet").returncode == 0
    upload = teams_activity(
        connector.url,
        attachments=[file_attachment("provrutin.pdf", sharepoint.link("provrutin.pdf"))],
        **{"from": {"id": "29:owner", "aadObjectId": OWNER_ID}},
    )
    first = await start_serve(env, tmp_path / "first.log")
    try:
        second = await start_serve(env, tmp_path / "second.log")
        try:
            async with aiohttp.ClientSession() as session:
                before = await ask(session, second, connector, message(connector.url, "a:chat-3", PDF_QUESTION, 4))
                posted = len(connector.messages())
                assert await post_activity(session, first, upload) == 200
                [_, read] = (await connector.wait_for(posted + 2, timeout=120))[posted:]
                after = await ask(session, second, connector, message(connector.url, "a:chat-3", PDF_QUESTION, 5))
        finally:
            second.stop()
    finally:
        first.stop()
        await file_runner.cleanup()

    assert PDF_TITLE not in before["text"]
    assert PDF_TITLE in str(read["attachments"][0]["content"]), read
    assert PDF_TITLE in after["text"], "the other instance answers from the upload at its next question"
    assert sharepoint.requested == ["/files/provrutin.pdf"], "downloaded and indexed once"
    stored = sorted(p.name for p in (warm_data_dir / "documents").iterdir())
    assert stored == ["provrutin.meta.json", "provrutin.pdf"]
