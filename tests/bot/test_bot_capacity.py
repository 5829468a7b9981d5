"""No request waits on another: the real app on a real port, the real engine, and a real local server standing
in for the Bot Connector that misbehaves per conversation (never answers, asks to retry later, is down).

Each timing check compares a normal question with the same question asked while the bot is busy, and allows
1 s more: before, a normal question waited 30 s behind six long ones and 97 s behind six stalled replies."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from bot_helpers import Connector, RunningBot, start_bot, start_site, teams_activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ConnectorFactory, MicrosoftAppCredentials

from bot.serving.connector_replies import ConnectorReplies
from bot.serving.serving_settings import ServingSettings
from bot.serving.settings import BotSettings, BotSettingsError
from bot.teams.texts import SWEDISH
from knowledge.engine import Engine

NORMAL_QUESTION = "Vem beslutar om medlemskap i internationella nätverk?"
LONG_QUESTION = (
    "Jag undrar hur staden arbetar med internationella frågor, vem som beslutar om medlemskap i nätverk, "
    "vilka regler som gäller för resor och vänortsavtal, och hur EU-arbetet är organiserat i förvaltningarna. " * 40
)[: BotSettings().max_question_chars]
"""The longest question the bot accepts: it goes to the lane for long questions."""
CONNECTOR_TIMEOUT = 2.0


class FaultyConnector:
    """The Bot Connector stand-in, with faults chosen by the conversation id: "stalled-*" never answers,
    "busy-*" answers 429 with Retry-After: 1 to the first post, "down-*" always answers 503. Every other
    conversation is answered normally. Every attempt is timed."""

    def __init__(self) -> None:
        self.url = ""
        self.delivered = Connector()
        self.attempts: dict[str, list[float]] = defaultdict(list)
        self.released = asyncio.Event()

    def replies(self, conversation: str, activity_type: str = "message") -> list[dict[str, Any]]:
        """What the conversation got of a type; for messages, the answers (not the questions after them)."""
        return [
            a
            for a in self.delivered.posted
            if a.get("type") == activity_type
            and a.get("conversation", {}).get("id") == conversation
            and (activity_type != "message" or a.get("entities") or not a.get("attachments"))
        ]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        conversation = request.match_info["conversation"]
        self.attempts[conversation].append(time.monotonic())
        if conversation.startswith("stalled"):
            await self.released.wait()  # until the test is over
            return web.Response(status=503)
        if conversation.startswith("busy") and len(self.attempts[conversation]) == 1:
            return web.json_response({"error": {"code": "Throttled"}}, status=429, headers={"Retry-After": "1"})
        if conversation.startswith("down"):
            return web.json_response({"error": {"code": "ServiceUnavailable"}}, status=503)
        return await self.delivered.handle(request)


@pytest.fixture
async def faulty_connector() -> AsyncIterator[FaultyConnector]:
    connector = FaultyConnector()
    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", connector.handle)
    app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", connector.handle)
    runner, connector.url = await start_site(app)
    yield connector
    connector.released.set()
    await runner.cleanup()


@pytest.fixture
async def busy_bot(engine: Engine, tmp_path: Path) -> AsyncIterator[RunningBot]:
    serving = ServingSettings(connector_timeout_seconds=CONNECTOR_TIMEOUT)
    runner, running = await start_bot(engine, tmp_path, BotSettings(), serving)
    yield running
    await runner.cleanup()


def activity(connector: FaultyConnector, conversation: str, text: str) -> dict[str, Any]:
    return teams_activity(
        connector.url,
        text=text,
        conversation={"id": conversation, "conversationType": "personal", "tenantId": "t-1"},
    )


async def ask(
    session: aiohttp.ClientSession,
    bot: RunningBot,
    connector: FaultyConnector,
    conversation: str,
    text: str = NORMAL_QUESTION,
) -> float:
    """Seconds from posting a question until the bot has replied and answered the post."""
    began = time.monotonic()
    async with session.post(bot.messages_url, json=activity(connector, conversation, text)) as response:
        assert response.status == 200
    return time.monotonic() - began


async def normal_question_seconds(
    session: aiohttp.ClientSession, bot: RunningBot, connector: FaultyConnector, name: str
) -> float:
    """The slowest of three normal questions on an idle bot (the first one also loads the models)."""
    await ask(session, bot, connector, f"{name}-warm-up")
    return max([await ask(session, bot, connector, f"{name}-{i}") for i in range(3)])


async def health_seconds(session: aiohttp.ClientSession, bot: RunningBot) -> float:
    began = time.monotonic()
    async with session.get(f"{bot.url}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["documents"] > 0
    return time.monotonic() - began


async def eventually(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.02)


async def test_a_stalled_conversation_does_not_delay_another(
    busy_bot: RunningBot, faulty_connector: FaultyConnector
) -> None:
    stalled = [f"stalled-{i}" for i in range(8)]  # more than the default thread pool (cores + 4) holds
    async with aiohttp.ClientSession() as session:
        idle = await normal_question_seconds(session, busy_bot, faulty_connector, "idle")
        began = time.monotonic()
        pending = [asyncio.ensure_future(ask(session, busy_bot, faulty_connector, c)) for c in stalled]
        await eventually(lambda: all(faulty_connector.attempts[c] for c in stalled))

        busy = await ask(session, busy_bot, faulty_connector, "healthy-while-stalled")
        health = await health_seconds(session, busy_bot)
        stalled_turns = await asyncio.gather(*pending)

    assert busy < idle + 1.0, f"{busy:.2f} s with stalled conversations against {idle:.2f} s idle"
    assert len(faulty_connector.replies("healthy-while-stalled")) == 1
    assert health < 1.0
    # The stalled turns end at the connector timeout (not requests' 100 s), with no second, apologising post.
    assert max(stalled_turns) < CONNECTOR_TIMEOUT + 2.0
    assert time.monotonic() - began < CONNECTOR_TIMEOUT + 3.0
    assert all(len(faulty_connector.attempts[c]) == 1 for c in stalled)


async def test_a_long_question_does_not_delay_a_normal_one(
    busy_bot: RunningBot, faulty_connector: FaultyConnector
) -> None:
    long = [f"long-{i}" for i in range(6)]
    async with aiohttp.ClientSession() as session:
        idle = await normal_question_seconds(session, busy_bot, faulty_connector, "idle")
        # Each one its own text: the engine remembers the vectors of questions asked before.
        pending = [
            asyncio.ensure_future(ask(session, busy_bot, faulty_connector, c, f"{LONG_QUESTION[:-3]}{i:3d}"))
            for i, c in enumerate(long)
        ]
        # The typing indicator goes out just before the question is handed to the engine.
        await eventually(lambda: all(faulty_connector.replies(c, "typing") for c in long))

        unanswered = sum(1 for c in long if not faulty_connector.replies(c))
        busy = await ask(session, busy_bot, faulty_connector, "normal-while-long")
        health = await health_seconds(session, busy_bot)
        await asyncio.gather(*pending)

    assert unanswered > 1, "the long questions were answered before the normal one was asked"
    assert busy < idle + 1.0, f"{busy:.2f} s behind long questions against {idle:.2f} s idle"
    assert health < 1.0
    assert len(faulty_connector.replies("normal-while-long")) == 1
    for conversation in long:  # each long question got an answer or the polite "took too long"
        assert len(faulty_connector.replies(conversation)) == 1


async def test_a_question_past_its_time_budget_gets_a_polite_reply(
    engine: Engine, tmp_path: Path, faulty_connector: FaultyConnector
) -> None:
    serving = ServingSettings(answer_timeout_seconds=0.2, connector_timeout_seconds=CONNECTOR_TIMEOUT)
    runner, bot = await start_bot(engine, tmp_path, BotSettings(), serving)
    try:
        async with aiohttp.ClientSession() as session:
            # A question of its own: the engine remembers the vectors of questions asked before.
            unseen = LONG_QUESTION[: -len("(budget)")] + "(budget)"
            seconds = await ask(session, bot, faulty_connector, "patient", unseen)
    finally:
        await runner.cleanup()

    [reply] = faulty_connector.replies("patient")
    assert reply["text"] == SWEDISH.took_too_long
    assert seconds < 1.5


async def test_replies_are_retried_after_429_honouring_retry_after_and_given_up_when_the_connector_is_down(
    busy_bot: RunningBot, faulty_connector: FaultyConnector
) -> None:
    async with aiohttp.ClientSession() as session:
        throttled = await ask(session, busy_bot, faulty_connector, "busy-1")
        down = await ask(session, busy_bot, faulty_connector, "down-1")

    first, second, *_ = faulty_connector.attempts["busy-1"]
    assert second - first >= 0.9  # Retry-After: 1
    assert len(faulty_connector.replies("busy-1")) == 1
    assert throttled < 5.0
    # The typing indicator: one post and two retries, then the turn ends (no apology to a connector that is down).
    assert len(faulty_connector.attempts["down-1"]) == 3
    assert down < 5.0


def test_serving_settings_are_read_once_and_errors_name_the_variable() -> None:
    settings = ServingSettings.from_env(
        {"STRATEGIBOT_ANSWER_TIMEOUT": "4.5", "STRATEGIBOT_ANSWER_WORKERS": "3", "STRATEGIBOT_CONNECTOR_TIMEOUT": "2"}
    )
    assert (settings.answer_timeout_seconds, settings.workers, settings.connector_timeout_seconds) == (4.5, 3, 2.0)
    assert ServingSettings.from_env({}).workers >= 1
    for name, value in [
        ("STRATEGIBOT_ANSWER_TIMEOUT", "soon"),
        ("STRATEGIBOT_ANSWER_TIMEOUT", "0"),
        ("STRATEGIBOT_CONNECTOR_TIMEOUT", "-1"),
        ("STRATEGIBOT_ANSWER_WORKERS", "two"),
        ("STRATEGIBOT_ANSWER_WORKERS", "0"),
    ]:
        with pytest.raises(BotSettingsError, match=name):
            ServingSettings.from_env({name: value})


class _CountingConnectorFactory(ConnectorFactory):
    """botbuilder's connector clients, counted as they are made."""

    def __init__(self) -> None:
        self.made = 0

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        self.made += 1
        return ConnectorClient(MicrosoftAppCredentials("", ""), base_url=service_url)


async def test_a_conversation_keeps_its_connector_client_for_its_next_turns() -> None:
    replies = ConnectorReplies(timeout_seconds=2, clients_kept=2)
    inner = _CountingConnectorFactory()
    url = "http://127.0.0.1:9/connector"

    async def client_of(conversation: str) -> ConnectorClient:
        return await replies.connector_factory(inner, conversation).create(url, "aud")

    first = await client_of("a")
    assert await client_of("a") is first and inner.made == 1, "the next turn reuses the conversation's client"
    assert await client_of("b") is not first and inner.made == 2, "another conversation has its own"
    await client_of("c")  # past `clients_kept`: the least recently used ("a") is let go
    assert await client_of("b") is not None and inner.made == 3
    assert await client_of("a") is not first and inner.made == 4
    assert first.config.connection.timeout == (2, 2), "a kept client keeps the bot's timeouts"
    replies.close()
