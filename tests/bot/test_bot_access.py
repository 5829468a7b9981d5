"""Who may ask, and how much: the tenant allow-list, the per-user rate limit and the question length limit,
through the real app on a real port with the connector stand-in."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bot_helpers import Connector, RunningBot, start_bot, teams_activity

from bot.serving.rate_limit import SlidingWindowRateLimiter
from bot.serving.settings import BotSettings
from knowledge.engine import Engine
from knowledge.types import Answer, IndexedDocument, Language, SearchHit

QUESTION = "Får vi teckna ett vänortsavtal?"


class CountingEngine:
    """The real engine, counting the questions that reach it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.questions: list[str] = []

    def ask(self, question: str, conversation_id: str | None = None, *, next_questions: bool = False) -> Answer:
        self.questions.append(question)
        return self._engine.ask(question, conversation_id, next_questions=next_questions)

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        return self._engine.search(query, limit)

    def documents(self) -> list[IndexedDocument]:
        return self._engine.documents()

    def get_started(self, language: Language = "sv") -> Answer:
        return self._engine.get_started(language)


@pytest.fixture
def counting_engine(engine: Engine) -> CountingEngine:
    return CountingEngine(engine)


@pytest.fixture
async def start(counting_engine: CountingEngine, tmp_path: Path) -> AsyncIterator[Callable[[BotSettings], Any]]:
    runners = []

    async def start_with(settings: BotSettings) -> RunningBot:
        runner, running = await start_bot(counting_engine, tmp_path, settings)
        runners.append(runner)
        return running

    yield start_with
    for runner in runners:
        await runner.cleanup()


async def post(bot: RunningBot, activity: dict[str, Any]) -> int:
    async with aiohttp.ClientSession() as session, session.post(bot.messages_url, json=activity) as response:
        return response.status


def from_tenant(connector: Connector, tenant: str, **fields: Any) -> dict[str, Any]:
    return teams_activity(
        connector.url,
        conversation={"id": "a:personal-conversation-1", "conversationType": "personal", "tenantId": tenant},
        channelData={"tenant": {"id": tenant}},
        **fields,
    )


# --- tenants -------------------------------------------------------------------------------------------


async def test_a_foreign_tenant_gets_403_and_no_answer_while_the_allowed_one_is_answered(
    start: Callable[[BotSettings], Any],
    connector: Connector,
    counting_engine: CountingEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = await start(BotSettings(allowed_tenants=frozenset({"t-1"})))
    caplog.set_level(logging.INFO)

    foreign = await post(bot, from_tenant(connector, "t-elsewhere", text="Hemlig fråga om vänortsavtal"))

    assert foreign == 403
    assert connector.posted == []
    assert counting_engine.questions == []
    refusals = [r.getMessage() for r in caplog.records if "t-elsewhere" in r.getMessage()]
    assert refusals and "STRATEGIBOT_ALLOWED_TENANTS" in refusals[0]
    assert not any("Hemlig" in r.getMessage() for r in caplog.records), "the log keeps no message text"

    assert await post(bot, from_tenant(connector, "T-1", text=QUESTION)) == 200, "tenant ids ignore case"
    answer = (await connector.wait_for(1))[0]
    assert "vänortsavtal" in answer["text"]
    assert counting_engine.questions == [QUESTION]


@pytest.mark.parametrize(
    "fields",
    [
        {"channelData": {}, "conversation": {"id": "a:1"}},
        {"channelData": {"tenant": {"id": "t-1"}}, "conversation": {"id": "a:1", "tenantId": "t-elsewhere"}},
        {"channelData": {"tenant": {"id": "t-elsewhere"}}, "conversation": {"id": "a:1", "tenantId": "t-1"}},
    ],
    ids=["no-tenant", "conversation-elsewhere", "channel-data-elsewhere"],
)
async def test_an_activity_must_name_only_allowed_tenants(
    start: Callable[[BotSettings], Any], connector: Connector, fields: dict[str, Any]
) -> None:
    bot = await start(BotSettings(allowed_tenants=frozenset({"t-1"})))
    invoke = teams_activity(
        connector.url,
        type="invoke",
        name="composeExtension/query",
        text=None,
        value={"commandId": "searchDocuments", "parameters": [{"name": "query", "value": "vänortsavtal"}]},
        **fields,
    )

    assert await post(bot, invoke) == 403
    assert connector.posted == []


async def test_without_an_allow_list_every_tenant_is_answered(
    start: Callable[[BotSettings], Any], connector: Connector
) -> None:
    bot = await start(BotSettings())

    assert await post(bot, from_tenant(connector, "t-anywhere", text="hjälp")) == 200
    assert len(connector.messages()) == 1


# --- rate limit ------------------------------------------------------------------------------------------


async def test_a_user_over_the_rate_limit_gets_a_friendly_message_and_the_engine_is_not_asked(
    start: Callable[[BotSettings], Any], connector: Connector, counting_engine: CountingEngine
) -> None:
    bot = await start(BotSettings(rate_limit_per_minute=3))
    for number in range(3):
        assert await post(bot, teams_activity(connector.url, id=f"q{number}", text=QUESTION)) == 200

    assert await post(bot, teams_activity(connector.url, id="q-over", text=QUESTION)) == 200

    assert len(counting_engine.questions) == 3
    over = connector.posted[-1]
    assert over["type"] == "message"
    assert over["text"].startswith("Du har ställt många frågor på kort tid")
    seconds = int(over["text"].rsplit("om ", 1)[1].split(" ")[0])
    assert 1 <= seconds <= 60
    assert connector.posted[-2]["type"] == "message", "no typing indicator before the refusal"

    english = teams_activity(connector.url, id="q-over-en", text=QUESTION, locale="en-US")
    assert await post(bot, english) == 200
    assert connector.posted[-1]["text"].startswith("You've asked a lot of questions")

    # Another user (another Entra object id) is not held back by the first one's questions.
    someone_else = teams_activity(
        connector.url, id="q-b", text=QUESTION, **{"from": {"id": "29:user-2", "aadObjectId": "aad-user-2"}}
    )
    assert await post(bot, someone_else) == 200
    assert len(counting_engine.questions) == 4
    assert "vänortsavtal" in connector.answers()[-1]["text"]


def test_the_window_slides_and_the_tracked_users_are_bounded() -> None:
    now = [0.0]
    limiter = SlidingWindowRateLimiter(2, window_seconds=60, max_tracked_users=3, clock=lambda: now[0])

    assert limiter.check("a").allowed
    now[0] = 30
    assert limiter.check("a").allowed
    refused = limiter.check("a")
    assert not refused.allowed and refused.retry_after_seconds == pytest.approx(30)
    now[0] = 60  # the first question has left the window, the second has not
    assert limiter.check("a").allowed
    assert not limiter.check("a").allowed

    for user in ("b", "c", "d", "e"):
        limiter.check(user)
    assert limiter.tracked_users == 3


def test_a_limit_of_zero_turns_the_limit_off() -> None:
    limiter = SlidingWindowRateLimiter(0)

    assert all(limiter.check("a").allowed for _ in range(1000))
    assert limiter.tracked_users == 0


# --- question length -------------------------------------------------------------------------------------


async def test_a_question_over_the_length_limit_gets_a_polite_reply_without_the_engine(
    start: Callable[[BotSettings], Any], connector: Connector, counting_engine: CountingEngine
) -> None:
    limit = len(QUESTION)
    bot = await start(BotSettings(max_question_chars=limit))

    assert await post(bot, teams_activity(connector.url, id="long", text=QUESTION + "!")) == 200
    [reply] = await connector.wait_for(1)
    assert "för långt" in reply["text"] and f"högst {limit}" in reply["text"]
    assert counting_engine.questions == []

    assert await post(bot, teams_activity(connector.url, id="fits", text=QUESTION)) == 200
    assert counting_engine.questions == [QUESTION]
    assert "vänortsavtal" in connector.answers()[-1]["text"]


async def test_the_default_length_limit_is_2000_characters(
    start: Callable[[BotSettings], Any], connector: Connector, counting_engine: CountingEngine
) -> None:
    bot = await start(BotSettings())

    assert await post(bot, teams_activity(connector.url, text="ord " * 500 + "x", locale="en-US")) == 200
    [reply] = await connector.wait_for(1)
    assert reply["text"].startswith("That message is too long for me (2001 characters, at most 2000)")
    assert counting_engine.questions == []
