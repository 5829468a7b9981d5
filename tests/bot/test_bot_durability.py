"""Feedback the bot acknowledged is stored: a `strategibot serve` process is SIGKILLed while receiving
feedback, and every feedback that got its HTTP 200 is in the store afterwards (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import aiohttp
import pytest
from bot_helpers import Connector, teams_activity
from infra import PostgresServer
from serve_process import ServeProcess, post_activity, serve_env, start_serve

from bot.store.settings import StoreSettings
from bot.store.store import Store

ACKNOWLEDGED_BEFORE_KILL = 40
SENDERS = 6


def feedback_invoke(connector_url: str, number: int) -> dict:
    return teams_activity(
        connector_url,
        type="invoke",
        name="message/submitAction",
        id=f"f:{number}",
        text=None,
        replyToId=f"reply-{number}",
        value={
            "actionName": "feedback",
            "actionValue": {"reaction": "dislike" if number % 2 else "like", "feedback": f"feedback number {number}"},
        },
    )


async def send_until_killed(bot: ServeProcess, connector: Connector) -> tuple[set[str], int]:
    """Feedback from several senders at once; the process is killed once enough are acknowledged.
    Returns the comments of the acknowledged ones and how many requests got no answer."""
    acknowledged: set[str] = set()
    unanswered = 0
    numbers = itertools.count(1)
    killed = asyncio.Event()

    async def sender(session: aiohttp.ClientSession) -> None:
        nonlocal unanswered
        while not killed.is_set():
            number = next(numbers)
            try:
                status = await post_activity(session, bot, feedback_invoke(connector.url, number))
            except (aiohttp.ClientError, TimeoutError):
                unanswered += 1
                continue
            assert status == 200
            acknowledged.add(f"feedback number {number}")
            if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL and not killed.is_set():
                killed.set()
                bot.kill()

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await asyncio.gather(*(sender(session) for _ in range(SENDERS)))
    return acknowledged, unanswered


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_acknowledged_feedback_survives_sigkill(
    database: str, warm_data_dir: Path, connector: Connector, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    store_settings = StoreSettings(data_dir=warm_data_dir)
    env = serve_env(warm_data_dir)
    if database == "postgresql":
        postgres: PostgresServer = request.getfixturevalue("postgres")
        store_settings = StoreSettings(data_dir=warm_data_dir, database_url=postgres.new_database())
        env["STRATEGIBOT_DATABASE_URL"] = store_settings.database_url or ""
    bot = await start_serve(env, tmp_path / "serve.log")
    try:
        acknowledged, unanswered = await send_until_killed(bot, connector)
    finally:
        bot.stop()

    assert bot.process.returncode == -9, "the server was killed, not stopped"
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
    store = Store.open(store_settings)
    stored = {record.comment for record in store.feedback.all()}
    store.close()
    missing = acknowledged - stored
    assert not missing, f"acknowledged but lost: {sorted(missing)}"
    print(f"{database}: {len(acknowledged)} acknowledged, {len(stored)} stored, {unanswered} cut off by the kill")
