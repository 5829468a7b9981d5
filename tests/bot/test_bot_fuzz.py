"""Property-based fuzzing of POST /api/messages: whatever a client sends, the real app on a real port answers
with a 4xx or a polite 2xx, never a 5xx, and logs no error. Replies go to a connector stand-in that takes any
path, so that only the bot's own handling is under test.

Two generators: Teams-shaped activities whose fields carry hostile values (lone surrogates, control
characters, markup, wrong JSON types, nulls in lists), and arbitrary JSON or bytes under assorted content
types. Hypothesis runs a bounded number of examples without a deadline per example; the whole file stays well
under a minute.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from bot_helpers import Connector, RunningBot, start_bot, start_site, teams_activity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testsupport import settings_for

from bot.content.library import DocumentLibrary
from bot.content.settings import ContentSettings
from bot.serving.settings import BotSettings
from bot.teams.owner_cards import OwnerAction
from bot.teams.owner_commands import FILE_DOWNLOAD_INFO
from knowledge.engine import Engine

EXAMPLES = 200
BUDGET_SECONDS = 30.0
"""Each test's bound, so that both stay under a minute: measured 7–13 s for the activities (an example takes
a few milliseconds, or tens when the engine answers) and about 2 s for the arbitrary bodies, on two cores."""

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no example database written into the work tree; every run explores afresh
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HOSTILE_STRINGS = (
    "\ud800",
    "a\udfffb",
    "\ud83d",
    "\x00",
    "\r\nX-Injected: 1",
    "\u202e\u200b",
    "<at>Strategibot</at>",
    "</at><at>",
    "&amp;&#0;&#x110000;",
    "%s%n{0}{trace_id}",
    "../../..",
    "?#/",
    " ",
    "",
    "x" * 2001,
    "null",
    "19:general@thread.tacv2;messageid=1700000000000",
    "💬" * 50,
)
ACTIVITY_TYPES = (
    "message",
    "invoke",
    "conversationUpdate",
    "installationUpdate",
    "messageReaction",
    "messageUpdate",
    "messageDelete",
    "event",
    "typing",
    "endOfConversation",
    "somethingNew",
)
INVOKE_NAMES = (
    "message/submitAction",
    "composeExtension/query",
    "composeExtension/queryLink",
    "composeExtension/submitAction",
    "composeExtension/fetchTask",
    "adaptiveCard/action",
    "task/fetch",
    "task/submit",
    "signin/verifyState",
    "fileConsent/invoke",
    "tab/fetch",
    "config/fetch",
    "application/vnd.microsoft.meetingStart",
    "application/vnd.microsoft.meetingEnd",
    "application/vnd.microsoft.readReceipt",
)
TEAMS_EVENT_TYPES = (
    "channelCreated", "channelRenamed", "teamRenamed", "teamArchived", "editMessage", "undeleteMessage",
)  # fmt: skip

strings = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),  # surrogates and control characters included
    st.sampled_from(HOSTILE_STRINGS),
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), strings)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(strings, children, max_size=4),
    max_leaves=12,
)
anything = st.one_of(json_values, strings)


def mostly(usual: st.SearchStrategy[Any], unusual: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` nine times in ten: enough activities must get past the edge to exercise the handler."""
    # Not n == 0: Hypothesis favours the ends of a range.
    return st.integers(0, 9).flatmap(lambda n: unusual if n == 6 else usual)


texts = st.text(st.characters(exclude_categories=()), max_size=300) | st.sampled_from(HOSTILE_STRINGS)
conversation_ids = mostly(
    st.sampled_from(["a:personal-conversation-1", "19:general@thread.tacv2;messageid=1700000000000"])
    | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=40),
    strings,
)
accounts = st.fixed_dictionaries({"id": strings}, optional={"name": strings, "aadObjectId": strings, "role": strings})
mention = st.fixed_dictionaries(
    {"type": st.just("mention")},
    optional={"text": st.just("<at>Strategibot</at>") | strings, "mentioned": mostly(accounts, json_values)},
)
client_info = st.fixed_dictionaries({"type": st.just("clientInfo")}, optional={"locale": strings})
entities = st.lists(st.one_of(mention, client_info, st.dictionaries(strings, json_values, max_size=3)), max_size=3)
attachments = st.lists(
    st.fixed_dictionaries({"contentType": st.sampled_from(["text/html", "image/png"]) | strings},
                          optional={"content": json_values, "contentUrl": strings, "name": strings}),
    max_size=2,
)  # fmt: skip
# An invoke's value is free-form, so the edge cannot check it: the handler meets whatever is in there, and
# half of these values are wild (often a bare scalar where a list or object belongs).
wild = st.one_of(json_scalars, json_values)
feedback_value = st.fixed_dictionaries(
    {
        "actionName": mostly(st.just("feedback"), wild),
        "actionValue": st.fixed_dictionaries(
            {"reaction": mostly(st.sampled_from(["like", "dislike"]), wild)},
            optional={"feedback": st.builds(lambda t: json.dumps({"feedbackText": t}), texts) | wild},
        )
        | wild,
    }
)
query_value = st.fixed_dictionaries(
    {
        "commandId": mostly(st.just("searchDocuments"), wild),
        "parameters": st.lists(
            st.fixed_dictionaries({"name": st.sampled_from(["query", "initialRun"]) | strings, "value": wild}) | wild,
            max_size=3,
        )
        | wild,
    },
    optional={"queryOptions": wild},
)
channel_data = st.fixed_dictionaries(
    {"tenant": st.fixed_dictionaries({"id": mostly(st.just("t-1"), strings)})},
    optional={
        "eventType": st.sampled_from(TEAMS_EVENT_TYPES) | strings,
        "team": st.fixed_dictionaries({"id": strings}, optional={"name": strings}),
        "channel": st.fixed_dictionaries({"id": strings}, optional={"name": strings}),
        "meeting": st.fixed_dictionaries({"id": strings}),
    },
)
BREAKABLE = (
    ("type",), ("id",), ("timestamp",), ("serviceUrl",), ("from",), ("from", "id"), ("from", "aadObjectId"),
    ("conversation",), ("conversation", "id"), ("conversation", "tenantId"), ("conversation", "isGroup"),
    ("recipient",), ("recipient", "id"), ("locale",), ("text",), ("entities",), ("attachments",),
    ("membersAdded",), ("membersRemoved",), ("reactionsAdded",), ("channelData",), ("channelData", "tenant"),
    ("channelData", "team"), ("channelData", "eventType"), ("value",), ("name",), ("action",), ("replyToId",),
    ("suggestedActions",), ("relatesTo",), ("textHighlights",), ("listenFor",), ("semanticAction",),
)  # fmt: skip


FUZZ_OWNER = {"id": "29:owner", "aadObjectId": "aad-fuzz-owner"}
# A content owner's buttons and uploads: what they change is refused before anything is stored (no document
# of this index is the owners' to change, and no download host is reachable).
owner_value = st.fixed_dictionaries(
    {"action": st.sampled_from([a.value for a in OwnerAction]) | strings},
    optional={k: wild for k in ("document", "page", "title", "date", "language", "status", "complete", "url")},
)
uploads = st.lists(
    st.fixed_dictionaries(
        {"contentType": st.just(FILE_DOWNLOAD_INFO)},
        optional={
            "name": strings | wild,
            "content": st.fixed_dictionaries({}, optional={"downloadUrl": strings | wild}) | wild,
        },
    ),
    max_size=2,
)


@st.composite
def scenario_fields(draw: st.DrawFn) -> dict[str, Any]:
    """What one kind of thing a Teams client does sends: each kind reaches a different part of the bot."""
    scenario = draw(
        st.sampled_from(
            ["question", "card-button", "feedback", "lookup", "added", "installed", "owner-button", "upload", "other"]
        )
    )
    if scenario == "owner-button":
        # A copy: hostile_activities may break a field of "from" in place.
        return {"text": None, "from": dict(FUZZ_OWNER), "value": draw(owner_value)}
    if scenario == "upload":
        return {"text": draw(texts), "from": dict(FUZZ_OWNER), "attachments": draw(uploads)}
    if scenario == "question":
        return {"text": draw(texts), "entities": draw(entities), "attachments": draw(attachments)}
    if scenario == "card-button":
        return {"text": None, "value": draw(st.fixed_dictionaries({"question": texts}) | json_values)}
    if scenario == "feedback":
        return {"type": "invoke", "name": "message/submitAction", "text": None, "value": draw(feedback_value)}
    if scenario == "lookup":
        return {"type": "invoke", "name": "composeExtension/query", "text": None, "value": draw(query_value)}
    if scenario == "added":
        bot = st.just({"id": "28:strategibot"})
        return {"type": "conversationUpdate", "text": None, "membersAdded": draw(st.lists(bot | accounts, max_size=3))}
    if scenario == "installed":
        action = draw(st.sampled_from(["add", "remove"]) | strings)
        return {"type": "installationUpdate", "text": None, "action": action}
    return {
        "type": draw(mostly(st.sampled_from(ACTIVITY_TYPES), strings)),
        "name": draw(mostly(st.sampled_from(INVOKE_NAMES), strings)),
        "text": draw(texts),
        "value": draw(json_values),
    }


@st.composite
def hostile_activities(draw: st.DrawFn, service_url: str) -> dict[str, Any]:
    """A Teams-shaped activity whose strings carry hostile content; in about half of them one field, at any
    depth, also has a wrong JSON type or a null where an object belongs."""
    fields = draw(scenario_fields())
    activity = teams_activity(
        service_url,
        replyToId=draw(strings),
        locale=draw(mostly(st.sampled_from(["sv-SE", "en-US", "en"]), strings)),
        channelData=draw(channel_data),
        **fields,
    )
    if "from" not in fields:
        activity["from"] = draw(accounts)
    activity["conversation"] = {**activity["conversation"], "id": draw(conversation_ids)}
    if draw(st.booleans()):
        *parents, leaf = draw(st.sampled_from(BREAKABLE))
        target = activity
        for key in parents:
            target = target.setdefault(key, {}) if isinstance(target.get(key), dict) else {}
        target[leaf] = draw(json_values)
    return activity


request_bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()[:-1]),
    st.integers(1, 5000).map(lambda depth: b'{"type": "message", "value": ' + b"[" * depth + b"]" * depth + b"}"),
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        'application/json; charset="UTF-8"',
        "application/json; charset=bogus",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        "application/json; charset=",
        "text/plain",
        "",
    ]
)


class Outcomes:
    """What the server answered and what it logged at ERROR or above, for the assertions."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog
        self.statuses: list[int] = []

    def post(self, url: str, body: bytes, content_type: str) -> None:
        already_logged = len(self._caplog.records)
        headers = {"Content-Type": content_type} if content_type else {}
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf-8", "replace")
        self.statuses.append(status)
        errors = [r for r in self._caplog.records[already_logged:] if r.levelno >= logging.ERROR]
        assert status < 500, (status, text, body[:300])
        assert "Traceback" not in text and 'File "' not in text, text
        assert not errors, [(r.getMessage(), r.exc_info) for r in errors]


@pytest.fixture
async def any_path_connector() -> AsyncIterator[Connector]:
    connector = Connector()
    app = web.Application()
    app.router.add_post("/{tail:.*}", connector.handle)
    runner, connector.url = await start_site(app)
    yield connector
    await runner.cleanup()


@pytest.fixture
async def fuzzed_bot(engine: Engine, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """Local mode, with a tenant allow-list so that the tenant check is fuzzed too."""
    settings = BotSettings(allowed_tenants=frozenset({"t-1"}))
    content = ContentSettings(owners=frozenset({FUZZ_OWNER["aadObjectId"]}))
    library = DocumentLibrary(settings_for(tmp_path), engine.embedder)
    runner, running = await start_bot(engine, tmp_path, settings, content=content, library=library)
    yield running
    await runner.cleanup()


@pytest.mark.slow
async def test_hostile_activities_get_4xx_or_a_polite_answer(
    fuzzed_bot: RunningBot, any_path_connector: Connector, caplog: pytest.LogCaptureFixture
) -> None:
    outcomes = Outcomes(caplog)

    @FUZZ_SETTINGS
    @given(activity=hostile_activities(any_path_connector.url))
    def post_activity(activity: dict[str, Any]) -> None:
        # ensure_ascii writes lone surrogates as \ud800 escapes, as a JavaScript client would.
        outcomes.post(fuzzed_bot.messages_url, json.dumps(activity).encode(), "application/json")

    began = time.monotonic()
    await asyncio.to_thread(post_activity)

    assert time.monotonic() - began < BUDGET_SECONDS
    assert len(outcomes.statuses) >= EXAMPLES / 2
    assert any(200 <= s < 300 for s in outcomes.statuses), "some activities must get through to the handler"
    assert any(400 <= s < 500 for s in outcomes.statuses), "and some must be refused"


async def test_arbitrary_bodies_get_4xx(
    fuzzed_bot: RunningBot, any_path_connector: Connector, caplog: pytest.LogCaptureFixture
) -> None:
    outcomes = Outcomes(caplog)

    @FUZZ_SETTINGS
    @given(body=request_bodies, content_type=content_types)
    def post_body(body: bytes, content_type: str) -> None:
        outcomes.post(fuzzed_bot.messages_url, body, content_type)

    began = time.monotonic()
    await asyncio.to_thread(post_body)

    assert time.monotonic() - began < BUDGET_SECONDS
    assert outcomes.statuses and all(400 <= s < 500 for s in outcomes.statuses)
    assert any_path_connector.posted == [], "nothing that is not an activity is answered"


async def test_feedback_carrying_deeply_nested_json_gets_4xx(
    fuzzed_bot: RunningBot, any_path_connector: Connector, caplog: pytest.LogCaptureFixture
) -> None:
    outcomes = Outcomes(caplog)
    nested = "[" * 50_000 + "]" * 50_000
    for feedback in (nested, json.dumps({"feedbackText": "bra"})[:-1] + ', "x": ' + nested + "}"):
        activity = teams_activity(
            any_path_connector.url,
            type="invoke",
            name="message/submitAction",
            text=None,
            value={"actionName": "feedback", "actionValue": {"reaction": "like", "feedback": feedback}},
        )
        body = json.dumps(activity).encode()
        # The server runs on this event loop: the blocking client posts from a thread.
        await asyncio.to_thread(outcomes.post, fuzzed_bot.messages_url, body, "application/json")
    assert outcomes.statuses == [400, 400]
