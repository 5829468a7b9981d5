"""What people write stays out of the logs: at INFO level the bot logs what happened, never the text."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest
from bot_helpers import Connector, RunningBot, teams_activity

QUESTION = "Vem leder internationella beredningen egentligen?"
COMMENT = "Hemlig kommentar om svaret"


async def test_questions_and_feedback_comments_are_not_logged_at_info(
    bot: RunningBot, connector: Connector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with aiohttp.ClientSession() as session:
        async with session.post(bot.messages_url, json=teams_activity(connector.url, text=QUESTION)) as response:
            assert response.status == 200
        feedback = teams_activity(
            connector.url,
            type="invoke",
            name="message/submitAction",
            text=None,
            replyToId="reply-2",
            value={
                "actionName": "feedback",
                "actionValue": {"reaction": "dislike", "feedback": json.dumps({"feedbackText": COMMENT})},
            },
        )
        async with session.post(bot.messages_url, json=feedback) as response:
            assert response.status == 200

    answer = connector.messages()[0]["text"]
    assert "feedback dislike stored" in caplog.text, "the log does say what happened"
    for private in (QUESTION, COMMENT, answer[:40]):
        assert private not in caplog.text
