"""Bodies that once ended in a 500 or a logged exception: each now gets a 4xx, or a 2xx with a polite answer,
and nothing is logged as an error. The property-based search for more of them is in test_bot_fuzz.py."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
import pytest
from bot_helpers import Connector, RunningBot, teams_activity

from bot.store.settings import StoreSettings
from bot.store.store import Store


async def post_raw(bot: RunningBot, body: bytes, content_type: str = "application/json") -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(bot.messages_url, data=body, headers={"Content-Type": content_type}) as response,
    ):
        return response.status, await response.text()


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def query(connector: Connector, value: Any) -> dict[str, Any]:
    return teams_activity(connector.url, type="invoke", name="composeExtension/query", text=None, value=value)


WRONGLY_SHAPED = {
    "mentioned-is-a-string": {"text": "hjälp", "entities": [{"type": "mention", "text": "<at>x</at>",
                                                           "mentioned": "x"}]},
    "locale-is-a-number": {"text": "hjälp", "locale": 5},
    "client-info-locale-is-a-number": {"text": "hjälp", "locale": None,
                                       "entities": [{"type": "clientInfo", "locale": 5}]},
    "attachment-is-null": {"text": None, "attachments": [None]},
    "entity-is-null": {"text": "hjälp", "entities": [None]},
    "member-added-is-null": {"type": "conversationUpdate", "text": None, "membersAdded": [None]},
    "reaction-is-null": {"type": "messageReaction", "text": None, "reactionsAdded": [None]},
    "channel-data-is-a-string": {"text": "hjälp", "channelData": "t-1"},
    "tenant-id-is-a-number": {"text": "hjälp", "channelData": {"tenant": {"id": 1}}},
    "name-is-a-number": {"type": "invoke", "text": None, "name": 5},
    "conversation-id-has-a-lone-surrogate": {"text": "hjälp", "conversation": {"id": "a:\ud800"}},
    "conversation-id-has-a-newline": {"text": "hjälp", "conversation": {"id": "a:1\r\nX-Injected: 1"}},
    "conversation-id-is-a-space": {"text": "hjälp", "conversation": {"id": " "}},
    "service-url-without-host": {"text": "hjälp", "serviceUrl": "http://"},
}  # fmt: skip


@pytest.mark.parametrize("fields", WRONGLY_SHAPED.values(), ids=WRONGLY_SHAPED.keys())
async def test_wrongly_shaped_activities_get_400_with_the_field_named(
    bot: RunningBot, connector: Connector, caplog: pytest.LogCaptureFixture, fields: dict[str, Any]
) -> None:
    activity = teams_activity(connector.url, **fields)
    status, text = await post_raw(bot, json.dumps(activity).encode())

    assert status == 400
    assert "activity" in text
    assert "Traceback" not in text
    assert connector.posted == []
    assert logged_errors(caplog) == []


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"[" * 200_000, "application/json", 400),
        (b'{"type": "message", "value": ' + b"[" * 40 + b"]" * 40 + b"}", "application/json", 400),
        (b"{}", "application/json; charset=bogus", 415),
        (b"{}", "application/json; charset=utf-16", 415),
        (b" " * 1_000_000, "application/json", 413),
        (b" " * 10_000_000, "application/json", 413),
    ],
    ids=["200-kb-of-brackets", "nested-deeper-than-32", "unknown-charset", "not-utf8-charset", "1-mb", "10-mb"],
)
async def test_hostile_bodies_get_4xx(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str, expected: int
) -> None:
    status, text = await post_raw(bot, body, content_type)

    assert status == expected
    assert "Traceback" not in text and "Error" not in text
    assert logged_errors(caplog) == []


async def test_utf8_charset_spelled_differently_is_accepted(bot: RunningBot, connector: Connector) -> None:
    body = json.dumps(teams_activity(connector.url, text="hjälp")).encode()

    assert (await post_raw(bot, body, 'application/json; charset="UTF8"'))[0] == 200
    assert len(connector.messages()) == 1


async def test_feedback_with_lone_surrogates_is_stored_not_lost(
    bot: RunningBot, connector: Connector, caplog: pytest.LogCaptureFixture
) -> None:
    feedback = teams_activity(
        connector.url,
        type="invoke",
        name="message/submitAction",
        text=None,
        replyToId="reply-\ud800",
        value={
            "actionName": "feedback",
            "actionValue": {"reaction": "like", "feedback": json.dumps({"feedbackText": "Bra \ud83d svar"})},
        },
        **{"from": {"id": "29:\udfff", "aadObjectId": "aad-\ud800"}},
    )
    status, body = await post_raw(bot, json.dumps(feedback).encode())

    assert status == 200
    assert json.loads(body) == {"status": 200}
    [record] = Store.open(StoreSettings(bot.data_dir)).feedback.all()
    assert record.comment == "Bra \ufffd svar"
    assert record.reply_to_id == "reply-\ufffd"
    assert logged_errors(caplog) == []


@pytest.mark.parametrize("parameters", [3, "query", {"name": "query"}, [None, 7, "x"]], ids=repr)
async def test_a_lookup_with_malformed_parameters_reads_as_an_empty_query(
    bot: RunningBot, connector: Connector, caplog: pytest.LogCaptureFixture, parameters: Any
) -> None:
    status, body = await post_raw(
        bot, json.dumps(query(connector, {"commandId": "searchDocuments", "parameters": parameters})).encode()
    )

    assert status == 200
    assert json.loads(body)["composeExtension"]["text"] == "Skriv några ord för att söka i dokumenten."
    assert logged_errors(caplog) == []
