"""Answers a chat model writes, streamed to Teams: the real app on a real port, a real local server speaking
the OpenAI protocol (streamed as server-sent events), and the connector stand-in recording every activity."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
from bot_helpers import Connector, RunningBot, card_asks, teams_activity
from conftest import SLOW_QUESTION
from servers import ChatCompletionsServer

from knowledge.engine import Engine

QUESTION = "Vad gäller för intentionsavtal med internationella nätverk?"
GROUP_CHAT = {"id": "19:group-chat-1@thread.v2", "conversationType": "groupChat", "isGroup": True, "tenantId": "t-1"}


async def post(bot: RunningBot, activity: dict[str, Any]) -> int:
    async with aiohttp.ClientSession() as session, session.post(bot.messages_url, json=activity) as response:
        return response.status


def stream_info(activity: dict[str, Any]) -> dict[str, Any]:
    (entity,) = [e for e in activity.get("entities") or [] if e.get("type") == "streaminfo"]
    return entity


async def test_a_personal_chat_sees_the_answer_streamed_then_the_cited_final_message(
    writing_bot: RunningBot, connector: Connector, model_server: ChatCompletionsServer, engine: Engine
) -> None:
    assert await post(writing_bot, teams_activity(connector.url, text=QUESTION)) == 200

    informative, *chunks, final, questions = connector.posted
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

    # After the final message, questions to ask next, each answered by the documents, in a message without
    # feedback of its own.
    assert not final.get("attachments")
    assert questions["type"] == "message" and not questions.get("entities")
    assert not (questions.get("channelData") or {}).get("feedbackLoopEnabled")
    [card] = questions["attachments"]
    offered = [a["data"]["question"] for a in card_asks(card["content"])]
    assert card["content"]["body"][0]["text"] == "Fråga vidare:" and 1 <= len(offered) <= 3
    for question in offered:
        assert not engine.ask(question).abstained, question


async def test_a_group_chat_gets_only_the_final_message(writing_bot: RunningBot, connector: Connector) -> None:
    activity = teams_activity(connector.url, text=QUESTION, conversation=GROUP_CHAT)
    assert await post(writing_bot, activity) == 200

    assert [a["type"] for a in connector.posted] == ["typing", "message"]
    _typing, answer = connector.posted
    assert not answer.get("attachments"), "no questions to ask next where everyone in the chat would see them"
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

    finals = [a for a in connector.posted if a["type"] == "message" and a.get("entities")]
    assert [a["conversation"]["id"] for a in finals] == [GROUP_CHAT["id"], "a:slow-conversation"]
    assert slow_seconds >= 4.0 and quick_seconds < slow_seconds - 1.5, (quick_seconds, slow_seconds)
