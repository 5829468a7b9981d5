"""Answers a chat model writes, streamed to Teams: the real app on a real port, a real local server speaking
the OpenAI protocol (streamed as server-sent events), and the connector stand-in recording every activity."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bot_helpers import Connector, RunningBot, start_bot, teams_activity
from servers import ChatCompletionsServer

from bot.serving_settings import ServingSettings
from bot.settings import BotSettings
from knowledge.engine import Engine
from knowledge.settings import Settings

QUESTION = "Vad gäller för intentionsavtal med internationella nätverk?"
SLOW_QUESTION = "Får vi teckna ett vänortsavtal?"
GROUP_CHAT = {"id": "19:group-chat-1@thread.v2", "conversationType": "groupChat", "isGroup": True, "tenantId": "t-1"}


@pytest.fixture
def model_server() -> Iterator[ChatCompletionsServer]:
    # A word every 0.15 s: an answer of about twenty words takes long enough for several streamed updates.
    with ChatCompletionsServer(chunk_seconds=0.15, slow_seconds=4.0, slow_when=f"Question: {SLOW_QUESTION}") as server:
        yield server


@pytest.fixture
def writing_engine(engine_data_dir: Path, engine: Engine, model_server: ChatCompletionsServer) -> Engine:
    """The real engine on the session's index (built by the `engine` fixture), answers written by the model."""
    env = {
        "STRATEGIBOT_DATA_DIR": str(engine_data_dir),
        "STRATEGIBOT_ANSWERER": "openai",
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": model_server.base_url,
        "STRATEGIBOT_OPENAI_CHAT_MODEL": "quote-first",
        "STRATEGIBOT_OPENAI_TIMEOUT": "8",
    }
    return Engine.open(Settings.from_env(env=env))


@pytest.fixture
async def writing_bot(writing_engine: Engine, tmp_path: Path) -> AsyncIterator[RunningBot]:
    # One worker for questions: a slow model call must not need a second one to keep others moving.
    serving = ServingSettings(answer_timeout_seconds=12, answer_workers=1)
    runner, running = await start_bot(writing_engine, tmp_path, BotSettings(), serving)
    yield running
    await runner.cleanup()


async def post(bot: RunningBot, activity: dict[str, Any]) -> int:
    async with aiohttp.ClientSession() as session, session.post(bot.messages_url, json=activity) as response:
        return response.status


def stream_info(activity: dict[str, Any]) -> dict[str, Any]:
    (entity,) = [e for e in activity.get("entities") or [] if e.get("type") == "streaminfo"]
    return entity


async def test_a_personal_chat_sees_the_answer_streamed_then_the_cited_final_message(
    writing_bot: RunningBot, connector: Connector, model_server: ChatCompletionsServer
) -> None:
    assert await post(writing_bot, teams_activity(connector.url, text=QUESTION)) == 200

    informative, *chunks, final = connector.posted
    stream_id = "reply-1"  # the connector's id for the first activity of the stream
    assert informative["type"] == "typing" and informative["text"]
    assert informative["channelData"]["streamType"] == "informative"
    assert informative["channelData"]["streamSequence"] == 1 and "streamId" not in informative["channelData"]
    assert stream_info(informative)["streamType"] == "informative" and stream_info(informative)["streamSequence"] == 1

    assert len(chunks) >= 2, [c.get("text") for c in chunks]
    previous_text = ""
    for sequence, chunk in enumerate(chunks, start=2):
        assert chunk["type"] == "typing"
        assert chunk["channelData"] == {"streamType": "streaming", "streamSequence": sequence, "streamId": stream_id}
        info = stream_info(chunk)
        assert (info["streamType"], info["streamSequence"], info["streamId"]) == ("streaming", sequence, stream_id)
        assert chunk["text"].startswith(previous_text) and len(chunk["text"]) > len(previous_text)
        previous_text = chunk["text"]

    assert final["type"] == "message"
    assert final["channelData"]["streamType"] == "final" and final["channelData"]["streamId"] == stream_id
    assert final["channelData"]["feedbackLoopEnabled"] is True
    assert stream_info(final)["streamType"] == "final" and stream_info(final)["streamId"] == stream_id
    (ai,) = [e for e in final["entities"] if e["type"] == "https://schema.org/Message"]
    assert ai["additionalType"] == ["AIGeneratedContent"]
    assert final["text"].startswith("Dokumenten säger: ") and final["text"].endswith("[1]")
    assert [c["position"] for c in ai["citation"]] == [1]
    assert final["text"].startswith(previous_text.rstrip())
    assert model_server.requests[-1]["stream"] is True


async def test_a_group_chat_gets_only_the_final_message(writing_bot: RunningBot, connector: Connector) -> None:
    activity = teams_activity(connector.url, text=QUESTION, conversation=GROUP_CHAT)
    assert await post(writing_bot, activity) == 200

    assert [a["type"] for a in connector.posted] == ["typing", "message"]
    _typing, answer = connector.posted
    for activity in connector.posted:
        assert "streamType" not in (activity.get("channelData") or {})
        assert not [e for e in activity.get("entities") or [] if e.get("type") == "streaminfo"]
    assert answer["text"].startswith("Dokumenten säger: ") and answer["channelData"]["feedbackLoopEnabled"] is True
    (ai,) = [e for e in answer["entities"] if e["type"] == "https://schema.org/Message"]
    assert ai["citation"] and ai["citation"][0]["position"] == 1


async def test_a_slow_model_call_holds_up_no_other_conversation(writing_bot: RunningBot, connector: Connector) -> None:
    slow = teams_activity(
        connector.url,
        text=SLOW_QUESTION,  # the model server takes 4 s to answer this question
        conversation={"id": "a:slow-conversation", "conversationType": "personal", "tenantId": "t-1"},
    )
    quick = teams_activity(connector.url, text=QUESTION, conversation=GROUP_CHAT)
    started = time.monotonic()
    slow_turn = asyncio.create_task(post(writing_bot, slow))
    await asyncio.sleep(0.3)  # the slow question is in the model's hands first
    assert await post(writing_bot, quick) == 200
    quick_seconds = time.monotonic() - started
    assert await slow_turn == 200
    slow_seconds = time.monotonic() - started

    finals = [a for a in connector.posted if a["type"] == "message"]
    assert [a["conversation"]["id"] for a in finals] == [GROUP_CHAT["id"], "a:slow-conversation"]
    assert slow_seconds >= 4.0 and quick_seconds < slow_seconds - 1.5, (quick_seconds, slow_seconds)
