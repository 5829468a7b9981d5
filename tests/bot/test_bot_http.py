"""End to end over HTTP: the real app on a real port receives Teams-shaped activities; a real local HTTP
server stands in for the Bot Framework connector and records what the bot posts back."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bot_helpers import Connector, RunningBot, card_asks, start_bot, teams_activity

from bot.serving.engine_factory import open_engine
from bot.serving.settings import BotSettings
from bot.store.settings import StoreSettings
from bot.store.store import Store
from knowledge.settings import Settings

REPO = Path(__file__).resolve().parents[2]

CHANNEL_CONVERSATION = {
    "id": "19:general@thread.tacv2;messageid=1700000000000",
    "conversationType": "channel",
    "isGroup": True,
    "tenantId": "t-1",
}


async def post(bot: RunningBot, body: Any, **kwargs: Any) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        if isinstance(body, (dict, list)):
            kwargs.setdefault("json", body)
        else:
            kwargs.setdefault("data", body)
        async with session.post(bot.messages_url, **kwargs) as response:
            return response.status, await response.text()


# The two documents that say the city signs no twin-city agreements: the remiss answer and the city's page
# on organisations and networks.
TWIN_CITY_DOCUMENTS = ("Internationell strategi för Stockholms stad", "Organisationer och nätverk")


def ai_entity(activity: dict[str, Any]) -> dict[str, Any]:
    entities = [e for e in activity.get("entities") or [] if e.get("type") == "https://schema.org/Message"]
    assert len(entities) == 1, activity.get("entities")
    return entities[0]


def assert_teams_ai_answer(activity: dict[str, Any]) -> dict[str, Any]:
    """The message is a Teams AI answer: AI label, feedback buttons, well-formed citations for its markers."""
    entity = ai_entity(activity)
    assert entity["@type"] == "Message"
    assert entity["@context"] == "https://schema.org"
    assert entity["@id"] == ""
    assert entity["additionalType"] == ["AIGeneratedContent"]
    assert activity["channelData"]["feedbackLoopEnabled"] is True
    citations = entity["citation"]
    assert citations, "an answer that is not an abstention cites its sources"
    for claim in citations:
        assert claim["@type"] == "Claim"
        assert f"[{claim['position']}]" in activity["text"]
        appearance = claim["appearance"]
        assert appearance["@type"] == "DigitalDocument"
        assert appearance["name"].startswith(TWIN_CITY_DOCUMENTS), appearance["name"]
        assert 0 < len(appearance["abstract"]) <= 160
        assert 1 <= len(appearance["keywords"]) <= 3
        assert all(len(k) <= 28 for k in appearance["keywords"])
    return entity


async def test_personal_message_gets_a_cited_ai_answer_after_a_typing_indicator(
    bot: RunningBot, connector: Connector
) -> None:
    status, _ = await post(bot, teams_activity(connector.url, text="Får vi teckna ett vänortsavtal?"))

    assert status == 200
    assert [a["type"] for a in connector.posted] == ["typing", "message", "message"]
    answer = connector.posted[1]  # then the questions to ask next
    entity = assert_teams_ai_answer(answer)
    assert "vänortsavtal" in answer["text"]
    assert "vänortsavtal" in entity["citation"][0]["appearance"]["abstract"]
    # The kind of document is a keyword of its citation: a remiss answer, or a web page.
    assert {"remissvar", "webbsida"} & set(entity["citation"][0]["appearance"]["keywords"])
    # A reply to the user's message, in the user's conversation.
    assert connector.paths[1] == "/v3/conversations/a:personal-conversation-1/activities/1700000000001"
    assert answer["replyToId"] == "1700000000001"


async def test_channel_message_is_answered_without_the_bots_mention(bot: RunningBot, connector: Connector) -> None:
    activity = teams_activity(
        connector.url,
        text="<at>Strategibot</at> Vem leder internationella beredningen?",
        conversation=CHANNEL_CONVERSATION,
        entities=[
            {
                "type": "mention",
                "text": "<at>Strategibot</at>",
                "mentioned": {"id": "28:strategibot", "name": "Strategibot"},
            },
            {"type": "clientInfo", "locale": "sv-SE", "platform": "Web"},
        ],
        channelData={"teamsChannelId": "19:general@thread.tacv2", "teamsTeamId": "19:team", "tenant": {"id": "t-1"}},
    )
    status, _ = await post(bot, activity)

    assert status == 200
    answer = (await connector.wait_for(1))[0]
    assert_teams_ai_answer(answer)
    assert "finansborgarrådet" in answer["text"].lower()
    assert "Strategibot" not in answer["text"]


async def test_follow_up_questions_keep_the_teams_conversation(bot: RunningBot, connector: Connector) -> None:
    await post(bot, teams_activity(connector.url, text="Vem leder internationella beredningen?"))
    await post(bot, teams_activity(connector.url, id="1700000000002", text="Och vem beslutar om medlemskap i nätverk?"))
    other = teams_activity(
        connector.url,
        id="1700000000003",
        text="Vem leder internationella beredningen?",
        conversation={"id": "a:personal-conversation-2", "conversationType": "personal"},
    )
    await post(bot, other)

    answers = connector.answers()
    assert len(answers) == 3
    assert connector.paths[-1].startswith("/v3/conversations/a:personal-conversation-2/")
    assert all(ai_entity(a)["citation"] for a in answers), "each question answered from the documents"


async def test_conversation_update_adding_the_bot_sends_the_welcome_card_once(
    bot: RunningBot, connector: Connector
) -> None:
    added = teams_activity(
        connector.url,
        type="conversationUpdate",
        id="f:1",
        text=None,
        membersAdded=[{"id": "28:strategibot"}, {"id": "29:user-1"}],
    )
    installed = teams_activity(connector.url, type="installationUpdate", id="f:2", text=None, action="add")

    assert (await post(bot, added))[0] == 200
    assert (await post(bot, installed))[0] == 200

    messages = connector.messages()
    assert len(messages) == 1, "installationUpdate right after conversationUpdate must not welcome twice"
    card = messages[0]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    content = json.dumps(card["content"], ensure_ascii=False)
    assert "Hej! Jag är Strategibot" in content
    assert "Internationell strategi för Stockholms stad" in content and "2016-09-22" in content
    asks = card_asks(card["content"])
    assert len(asks) == 4, "three example questions and getting started"
    assert asks[-1]["data"]["question"] == "Kom igång"
    assert all(a["data"]["question"] == a["title"] for a in asks)
    assert "Tumme upp" in content


async def test_welcome_is_english_for_an_english_locale_and_skipped_when_others_join(
    bot: RunningBot, connector: Connector
) -> None:
    someone_else = teams_activity(
        connector.url,
        type="conversationUpdate",
        id="f:3",
        text=None,
        membersAdded=[{"id": "29:user-2"}],
        conversation={"id": "19:team@thread.tacv2", "conversationType": "channel"},
    )
    english = teams_activity(
        connector.url,
        type="installationUpdate",
        id="f:4",
        text=None,
        action="add",
        locale="en-US",
        conversation={"id": "a:english-user", "conversationType": "personal"},
    )
    await post(bot, someone_else)
    await post(bot, english)

    messages = connector.messages()
    assert len(messages) == 1
    assert "Hi! I'm Strategibot" in json.dumps(messages[0]["attachments"][0]["content"])


async def test_example_button_asks_its_question(bot: RunningBot, connector: Connector) -> None:
    # Action.Submit from a card arrives as a message without text and with the button's data as value.
    pressed = teams_activity(
        connector.url, text=None, value={"action": "ask", "question": "Får vi teckna ett vänortsavtal?"}
    )
    await post(bot, pressed)

    answer = (await connector.wait_for(1))[0]
    assert_teams_ai_answer(answer)
    # The chat shows no message from the user for a button press: the answer says what it answers.
    assert answer["text"].startswith("**Får vi teckna ett vänortsavtal?**\n\n")


async def test_every_new_page_is_welcomed_once_and_redelivery_never(bot: RunningBot, connector: Connector) -> None:
    def announcement(kind: str, activity_id: str) -> dict[str, Any]:
        if kind == "conversationUpdate":
            return teams_activity(
                connector.url,
                type=kind,
                id=activity_id,
                text=None,
                membersAdded=[{"id": "28:strategibot"}, {"id": "29:user-1"}],
            )
        return teams_activity(connector.url, type=kind, id=activity_id, text=None, action="add")

    # The Agents Playground announces every page load with this pair, in the same conversation.
    for page in ("load", "reload"):
        await post(bot, announcement("conversationUpdate", f"{page}-1"))
        await post(bot, announcement("installationUpdate", f"{page}-2"))
    await post(bot, announcement("installationUpdate", "reload-2"))  # redelivered by the channel

    welcomes = connector.messages()
    assert len(welcomes) == 2, "one welcome per page, none for the second announcement or a redelivery"
    assert all("Strategibot" in json.dumps(w["attachments"][0]["content"]) for w in welcomes)


async def test_feedback_is_stored_against_the_answer_it_was_given_on(bot: RunningBot, connector: Connector) -> None:
    first, second = "Får vi teckna ett vänortsavtal?", "Vem leder internationella beredningen?"
    for number, question in enumerate((first, second)):
        await post(bot, teams_activity(connector.url, id=f"q-{number}", text=question))
    answers = await connector.wait_for(2)
    first_id = f"reply-{connector.posted.index(answers[0]) + 1}"  # the stand-in numbers every post it gets

    def feedback(**fields: Any) -> dict[str, Any]:
        value = {"actionName": "feedback", "actionValue": {"reaction": "like", "feedback": ""}}
        return teams_activity(
            connector.url, type="invoke", name="message/submitAction", text=None, value=value, **fields
        )

    # Teams names the message in replyToId; the Agents Playground sends nothing that identifies it.
    assert (await post(bot, feedback(id="f:10", replyToId=first_id)))[0] == 200
    assert (await post(bot, feedback(id="f:11")))[0] == 200

    on_first, unnamed = Store.open(StoreSettings(bot.data_dir)).feedback.all()
    assert (on_first.matched_by, on_first.reply_to_id, on_first.question) == ("reply", first_id, first)
    assert "vänortsavtal" in on_first.answer
    assert (unnamed.matched_by, unnamed.question, unnamed.answer) == ("ambiguous", "", ""), (
        "with two answers and no id, neither is guessed"
    )


async def test_feedback_invoke_is_answered_once_and_stored(bot: RunningBot, connector: Connector) -> None:
    await post(bot, teams_activity(connector.url, text="Får vi teckna ett vänortsavtal?"))
    reply_id = "reply-2"  # the connector stand-in numbered the typing indicator 1 and the answer 2
    feedback = teams_activity(
        connector.url,
        type="invoke",
        name="message/submitAction",
        id="f:5",
        text=None,
        replyToId=reply_id,
        value={
            "actionName": "feedback",
            "actionValue": {"reaction": "dislike", "feedback": json.dumps({"feedbackText": "Saknar datum"})},
        },
    )
    status, body = await post(bot, feedback)

    assert status == 200
    assert json.loads(body) == {"status": 200}
    [record] = Store.open(StoreSettings(bot.data_dir)).feedback.all()
    assert record.reaction == "dislike"
    assert record.comment == "Saknar datum"
    assert record.question == "Får vi teckna ett vänortsavtal?"
    assert "vänortsavtal" in record.answer
    assert record.sources and record.sources[0].startswith(tuple(f"[1] {d}" for d in TWIN_CITY_DOCUMENTS))
    assert record.matched_by == "reply"
    assert record.reply_to_id == reply_id
    assert record.user_pseudonym and "aad-user-1" not in record.user_pseudonym
    assert len(connector.answers()) == 1, "feedback gets no chat message"


async def test_message_extension_query_returns_result_cards(bot: RunningBot, connector: Connector) -> None:
    query = teams_activity(
        connector.url,
        type="invoke",
        name="composeExtension/query",
        id="f:6",
        text=None,
        value={
            "commandId": "searchDocuments",
            "parameters": [{"name": "query", "value": "vänortsavtal"}],
            "queryOptions": {"skip": 0, "count": 25},
        },
    )
    status, body = await post(bot, query)

    assert status == 200
    extension = json.loads(body)["composeExtension"]
    assert extension["type"] == "result"
    first = extension["attachments"][0]
    assert first["preview"]["content"]["title"].startswith(TWIN_CITY_DOCUMENTS)
    assert "vänortsavtal" in first["preview"]["content"]["text"]
    inserted = json.dumps(first["content"], ensure_ascii=False)
    assert first["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "vänortsavtal" in inserted
    assert "Övergripande principer" in inserted or "Organisationer och nätverk" in inserted, "the section is named"


async def test_message_extension_initial_run_gives_a_hint(bot: RunningBot, connector: Connector) -> None:
    query = teams_activity(
        connector.url,
        type="invoke",
        name="composeExtension/query",
        id="f:7",
        text=None,
        locale="en-US",
        value={"commandId": "searchDocuments", "parameters": [{"name": "initialRun", "value": "true"}]},
    )
    status, body = await post(bot, query)

    assert status == 200
    assert json.loads(body)["composeExtension"] == {
        "type": "message",
        "text": "Type a few words to search the documents.",
    }


async def test_commands_answer_with_cards(bot: RunningBot, connector: Connector) -> None:
    for number, command in enumerate(("källor", "help", "om"), start=1):
        await post(bot, teams_activity(connector.url, id=f"c{number}", text=command))

    sources, help_card, about = (m["attachments"][0]["content"] for m in connector.messages())
    sources_text = json.dumps(sources, ensure_ascii=False)
    assert "Dokument i kunskapsbasen" in sources_text
    assert "remissvar · 2016-09-22 · 28 avsnitt" in sources_text
    assert "How to use Strategibot" in json.dumps(help_card)
    assert "Om Strategibot" in json.dumps(about, ensure_ascii=False)


async def test_abstention_is_friendly_and_suggests_questions(bot: RunningBot, connector: Connector) -> None:
    await post(bot, teams_activity(connector.url, text="Vad kostar en pizza i Rom?"))

    answer, questions = await connector.wait_for(2)
    assert "[1]" not in answer["text"]
    assert "suggestedActions" not in answer or not answer["suggestedActions"], "no buttons cut to one line"
    assert not answer.get("attachments") and not questions.get("entities")
    (card,) = (a["content"] for a in questions["attachments"])
    assert card["body"][0]["text"] == "Du kan prova att fråga så här:"
    asks = card_asks(card)
    assert asks, "questions to ask instead, as lines of the message after the answer"
    assert all(a["data"]["question"].endswith("?") and a["data"]["question"] not in answer["text"] for a in asks)
    assert ai_entity(answer)["citation"] == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"text": ""}, "Jag fick inget meddelande"),
        ({"text": "   "}, "Jag fick inget meddelande"),
        ({"text": "x" * 4001}, "för långt"),
        (
            {"text": None, "attachments": [{"contentType": "image/png", "contentUrl": "https://example/x.png"}]},
            "bifogade filer",
        ),
    ],
    ids=["empty", "blank", "overlong", "attachment-only"],
)
async def test_unusable_messages_get_a_clear_reply(
    bot: RunningBot, connector: Connector, fields: dict[str, Any], expected: str
) -> None:
    status, _ = await post(bot, teams_activity(connector.url, **fields))

    assert status == 200
    [reply] = await connector.wait_for(1)
    assert expected in reply["text"]
    assert "entities" not in reply or not reply["entities"]


async def test_unknown_activity_types_are_ignored_with_2xx(bot: RunningBot, connector: Connector) -> None:
    for kind in ("messageReaction", "typing", "event", "somethingNew", "endOfConversation"):
        status, _ = await post(bot, teams_activity(connector.url, type=kind, id=f"u-{kind}", text=None))
        assert 200 <= status < 300, kind
    status, _body = await post(bot, teams_activity(connector.url, type="invoke", name="unknown/thing", text=None))
    assert status == 200
    assert connector.posted == []


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        ("{not json", {"Content-Type": "application/json"}, 400),
        (b"\xff\xfe\x00", {"Content-Type": "application/json"}, 400),
        ("[1, 2]", {"Content-Type": "application/json"}, 400),
        ("{}", {"Content-Type": "application/json"}, 400),
        ('{"type": 5}', {"Content-Type": "application/json"}, 400),
        ('{"type": "message", "text": "hej"}', {"Content-Type": "application/json"}, 400),
        ("type=message", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ("", {}, 415),
    ],
    ids=["broken-json", "not-utf8", "array", "no-type", "type-not-string", "no-service-url", "form", "no-body"],
)
async def test_malformed_requests_get_4xx(
    bot: RunningBot, body: str | bytes, headers: dict[str, str], expected: int
) -> None:
    status, _ = await post(bot, body, headers=headers)

    assert status == expected


async def test_wrongly_typed_fields_get_400(bot: RunningBot, connector: Connector) -> None:
    for fields in (
        {"from": "someone"},
        {"entities": {"type": "mention"}},
        {"text": 42},
        {"conversation": {"id": 7}},
        {"timestamp": "yesterday"},
    ):
        status, _ = await post(bot, teams_activity(connector.url, **fields))
        assert status == 400, fields
    assert connector.posted == []


async def test_oversized_body_is_refused(bot: RunningBot, connector: Connector) -> None:
    status, _ = await post(bot, teams_activity(connector.url, text="x" * 300_000))

    assert status == 413


async def test_healthz_reports_the_index(bot: RunningBot) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as response:
        assert response.status == 200
        bundled = sum(1 for p in (REPO / "knowledge" / "corpus").iterdir() if p.suffix == ".txt")
        assert await response.json() == {"status": "ok", "documents": bundled, "authentication": False}


async def test_an_internal_error_sends_an_apology_with_a_trace_id(
    broken_bot: RunningBot, connector: Connector, caplog: pytest.LogCaptureFixture
) -> None:
    status, _ = await post(broken_bot, teams_activity(connector.url, text="Får vi teckna ett vänortsavtal?"))

    assert status == 200
    apology = connector.messages()[-1]["text"]
    assert apology.startswith("Något gick fel")
    trace_id = apology.rsplit(": ", 1)[1].rstrip(")")
    assert len(trace_id) == 12
    assert "Traceback" not in apology and "IndexUnavailable" not in apology
    logged = [r for r in caplog.records if trace_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None, "the log keeps the stack trace under the same trace id"


@pytest.fixture
async def broken_bot(engine_data_dir: Path, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """A real engine whose index disappears after it opened: every question then fails inside the engine."""
    data = tmp_path / "data"
    data.mkdir()
    # The session's embedding cache makes building this second index quick.
    for cache in engine_data_dir.glob("embedding*"):
        shutil.copy(cache, data / cache.name)
    engine = open_engine(Settings.from_env(env={"STRATEGIBOT_DATA_DIR": str(data)}), show_progress=False)
    (data / "index" / "CURRENT").unlink()
    runner, running = await start_bot(engine, tmp_path, BotSettings())
    yield running
    await runner.cleanup()
    engine.close()
