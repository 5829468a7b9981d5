"""The activity handler under botbuilder's TestAdapter, with the real engine behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from bot_helpers import card_asks
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Entity

from bot.serving.engine_port import AsyncAnswerer
from bot.store.settings import StoreSettings
from bot.store.store import Store
from bot.teams.cards import ask_action
from bot.teams.handler import EXAMPLE_QUESTIONS, StrategibotHandler, feedback_comment, question_text
from bot.teams.teams_message import AIMessageEntity, answer_activity, citation_claim, shorten, teams_markdown
from bot.teams.welcome_gate import WelcomeGate
from knowledge.engine import Engine
from knowledge.types import Answer, Citation


@pytest.fixture
async def handler(engine: Engine, tmp_path: Path) -> AsyncIterator[StrategibotHandler]:
    answerer = AsyncAnswerer(engine)
    store = Store.open(StoreSettings(tmp_path))
    yield StrategibotHandler(answerer, store, version="test")
    answerer.close()
    store.close()


def adapter_for(handler: StrategibotHandler, locale: str = "sv-SE") -> TestAdapter:
    template = Activity(
        channel_id="msteams",
        service_url="https://smba.example/",
        from_property=ChannelAccount(id="29:user-1", name="Anna", aad_object_id="aad-1"),
        recipient=ChannelAccount(id="28:strategibot", name="Strategibot"),
        conversation=ConversationAccount(id="a:conv-1", conversation_type="personal"),
        locale=locale,
    )
    return TestAdapter(handler.on_turn, template)


async def send(adapter: TestAdapter, **fields: Any) -> list[Activity]:
    adapter.activity_buffer.clear()
    await adapter.receive_activity(Activity(**fields))
    return list(adapter.activity_buffer)


async def test_question_gets_typing_then_an_ai_answer(handler: StrategibotHandler) -> None:
    replies = await send(adapter_for(handler), type="message", text="Vem leder internationella beredningen?")

    assert [r.type for r in replies] == ["typing", "message", "message"], "the answer, then questions to ask next"
    answer = replies[1]
    assert "finansborgarrådet" in answer.text.lower()
    assert answer.channel_data == {"feedbackLoopEnabled": True}
    [entity] = answer.entities
    serialized = entity.serialize()
    assert serialized["additionalType"] == ["AIGeneratedContent"]
    assert serialized["citation"][0]["position"] == 1


@pytest.mark.parametrize(
    "locale",
    ["sv-SE", "en-US"],
)
async def test_every_example_question_is_answered_from_the_documents(handler: StrategibotHandler, locale: str) -> None:
    language = "en" if locale.startswith("en") else "sv"
    for question in EXAMPLE_QUESTIONS[language]:
        replies = await send(adapter_for(handler, locale), type="message", text=question)
        answer = replies[1]
        assert answer.entities[0].citation, f"{question!r} should be answered with a citation"
        assert "[1]" in answer.text


async def test_installation_welcomes_in_the_users_language(handler: StrategibotHandler) -> None:
    replies = await send(adapter_for(handler, "en-GB"), type="installationUpdate", action="add")

    [welcome] = replies
    card = welcome.attachments[0].content
    assert card["body"][0]["text"] == "Hi! I'm Strategibot"
    asks = [a["data"]["question"] for a in card_asks(card)]
    assert asks == [*EXAMPLE_QUESTIONS["en"], "Get started"]
    lines = [b["items"][0]["text"] for b in card["body"] if "selectAction" in b]
    assert lines == [f"→ {q}" for q in EXAMPLE_QUESTIONS["en"]], "examples are whole lines, not cut-off buttons"


async def test_commands_are_whole_messages_not_words_in_a_question(handler: StrategibotHandler) -> None:
    adapter = adapter_for(handler)
    sources = await send(adapter, type="message", text="Källor")
    question = await send(adapter, type="message", text="Vilka källor har stadens strategi om nätverk?")

    assert sources[0].attachments[0].content["body"][0]["text"] == "Dokument i kunskapsbasen"
    assert question[0].type == "typing", "a question containing a command word is still a question"


async def test_feedback_invoke_returns_an_invoke_response_and_stores_a_pseudonym(
    handler: StrategibotHandler, tmp_path: Path
) -> None:
    adapter = adapter_for(handler)
    await send(adapter, type="message", text="Får vi teckna ett vänortsavtal?")
    # Without replyToId (as the Agents Playground sends it) the conversation's only answer is meant.
    replies = await send(
        adapter,
        type="invoke",
        name="message/submitAction",
        value={"actionName": "feedback", "actionValue": {"reaction": "like", "feedback": "Bra"}},
    )

    [invoke_response] = replies
    assert invoke_response.type == "invokeResponse"
    assert invoke_response.value.status == 200
    assert invoke_response.value.body == {"status": 200}
    [record] = Store.open(StoreSettings(tmp_path)).feedback.all()
    assert (record.reaction, record.comment, record.matched_by) == ("like", "Bra", "only-answer-in-conversation")
    assert record.question == "Får vi teckna ett vänortsavtal?"
    assert record.user_pseudonym == Store.open(StoreSettings(tmp_path)).pseudonym("aad-1") != "aad-1"


async def test_malformed_feedback_is_a_400_invoke_response(handler: StrategibotHandler, tmp_path: Path) -> None:
    replies = await send(
        adapter_for(handler),
        type="invoke",
        name="message/submitAction",
        value={"actionName": "feedback", "actionValue": {"reaction": "love"}},
    )

    assert replies[0].value.status == 400
    assert Store.open(StoreSettings(tmp_path)).feedback.all() == []


def test_bot_mention_is_removed_and_other_mentions_keep_their_names() -> None:
    activity = Activity(
        type="message",
        text="<at>Strategibot</at> vad sa <at>Anna</at> om vänorter?",
        recipient=ChannelAccount(id="28:strategibot"),
        entities=[
            Entity().deserialize(
                {
                    "type": "mention",
                    "text": "<at>Strategibot</at>",
                    "mentioned": {"id": "28:strategibot", "name": "Strategibot"},
                }
            ),
            Entity().deserialize({"type": "mention", "text": "<at>Anna</at>", "mentioned": {"id": "29:anna"}}),
        ],
    )

    assert question_text(activity) == "vad sa Anna om vänorter?"


def test_feedback_comment_reads_teams_json_and_plain_text() -> None:
    assert feedback_comment('{"feedbackText": " Saknar datum "}') == "Saknar datum"
    assert feedback_comment("Bra svar") == "Bra svar"
    assert feedback_comment({"feedbackText": "x"}) == "x"
    assert feedback_comment(None) == ""


def test_citation_entity_keeps_its_fields_through_botbuilder_serialisation() -> None:
    citation = Citation(
        number=1,
        document="Dokument",
        section="Avsnitt " * 10,
        date="2016-09-22",
        quote="Ett citat. " * 40,
        source="fil.txt",
        score=0.9,
        kind="remissvar",
    )
    activity = answer_activity(Answer(text="Svar [1]", abstained=False, citations=(citation,)))

    body = activity.serialize()
    [entity] = body["entities"]
    assert isinstance(activity.entities[0], AIMessageEntity)
    assert entity["type"] == "https://schema.org/Message"
    assert entity["@type"] == "Message" and entity["@context"] == "https://schema.org"
    appearance = entity["citation"][0]["appearance"]
    assert appearance["name"].startswith("Dokument – Avsnitt")
    assert len(appearance["abstract"]) <= 160 and appearance["abstract"].endswith("…")
    assert appearance["keywords"][:2] == ["remissvar", "2016-09-22"]
    assert all(len(k) <= 28 for k in appearance["keywords"])


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("ett två tre fyra", 100) == "ett två tre fyra"
    assert shorten("ett två tre fyra fem sex", 12) == "ett två tre…"
    assert shorten("ett två tre fyra fem sex", 13) == "ett två tre…"
    assert len(shorten("ord " * 100, 160)) <= 160


async def test_get_started_walks_a_new_contact_person_through_cited_steps(handler: StrategibotHandler) -> None:
    replies = await send(adapter_for(handler), type="message", text="kom igång")

    assert [r.type for r in replies] == ["typing", "message"]
    walk = replies[1]
    assert walk.text.startswith("Kom igång som internationell kontaktperson")
    for step in ("Din roll och ditt mandat", "Vem beslutar vad", "Var du får stöd"):
        assert step in walk.text
    citations = walk.entities[0].serialize()["citation"]
    assert len(citations) >= 4
    abstracts = " ".join(c["appearance"]["abstract"] for c in citations)
    assert "utse en internationell kontaktperson" in abstracts
    assert "Stadsledningskontoret erbjuder strategiskt stöd" in abstracts


async def test_welcome_card_offers_getting_started(handler: StrategibotHandler) -> None:
    replies = await send(adapter_for(handler, locale="en-US"), type="installationUpdate", action="add")
    card = replies[-1].attachments[0].content
    buttons = [a["title"] for block in card["body"] if block["type"] == "ActionSet" for a in block["actions"]]
    assert buttons == ["Get started"]


def test_answer_lines_stay_apart_in_teams_markdown() -> None:
    text = "Det beror på.\n– Stadsövergripande: A [1]\n– Bara den egna verksamheten: B [2]\nVilket som gäller."
    assert teams_markdown(text) == (
        "Det beror på.\n\n- Stadsövergripande: A [1]\n\n- Bara den egna verksamheten: B [2]\n\nVilket som gäller."
    )


def test_a_lone_list_item_is_sent_as_a_paragraph() -> None:
    # Teams clients make [n] a pill only inside paragraphs; a one-item list holds bare text.
    assert teams_markdown("Enligt Trafikkontoret:\n– Finansborgarrådet leder beredningen [1]") == (
        "Enligt Trafikkontoret:\n\nFinansborgarrådet leder beredningen [1]"
    )
    walk = "1. Din roll\n– A [1]\n2. Vem beslutar\n– B [2]\n– C [3]\n7) Ensam punkt [4]\n* Annan lista [5]"
    assert teams_markdown(walk).split("\n\n") == [
        "1. Din roll",  # a numbered step without a marker stays a list item: its number shows
        "A [1]",  # a bullet next to a numbered item is a list of its own, of one item
        "2. Vem beslutar",
        "- B [2]",
        "- C [3]",
        "7\\) Ensam punkt [4]",  # keeps its number, escaped so that it is not a list
        "Annan lista [5]",  # another bullet character starts another list
    ]


def test_a_citation_links_to_the_published_document_where_there_is_one() -> None:
    def claim(url: str) -> dict:
        citation = Citation(
            number=1,
            document="Internationella beredningen",
            section="",
            date="",
            quote="Citat.",
            source="x.txt",
            score=1.0,
            url=url,
        )
        return citation_claim(citation)["appearance"]

    published = "https://start.stockholm/om-stockholms-stad/internationella-beredningen/"
    assert claim(published)["url"] == published
    assert "url" not in claim("")
    assert "url" not in claim("javascript:alert(1)")


def test_card_buttons_carry_plain_data_that_every_client_can_send() -> None:
    button = ask_action("Vem leder internationella beredningen?")
    assert button == {
        "type": "Action.Submit",
        "title": "Vem leder internationella beredningen?",
        "data": {"action": "ask", "question": "Vem leder internationella beredningen?"},
    }


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_welcome_gate_answers_one_install_pair_once_and_each_new_pair_again() -> None:
    clock = _Clock()
    gate = WelcomeGate(pair_seconds=10.0, clock=clock)

    assert gate.admit("c", "conversationUpdate", "1") is True
    assert gate.admit("c", "installationUpdate", "2") is False, "the install's second announcement"
    clock.now += 1.5  # a reload soon after: the same pair again
    assert gate.admit("c", "installationUpdate", "3") is True
    assert gate.admit("c", "conversationUpdate", "4") is False
    assert gate.admit("c", "conversationUpdate", "4") is False, "a redelivered activity"
    assert gate.admit("other", "installationUpdate", "5") is True
    clock.now += 60
    assert gate.admit("c", "installationUpdate", "6") is True
    assert gate.admit("c", "conversationUpdate", "7") is False


async def test_an_answer_in_a_personal_chat_offers_questions_to_ask_next_that_are_answered(
    handler: StrategibotHandler, engine: Engine
) -> None:
    replies = await send(adapter_for(handler), type="message", text="Vem leder internationella beredningen?")
    answer, questions = replies[-2:]
    assert answer.entities[0].citation and not answer.attachments
    # A message of its own, without the AI label or 👍/👎: feedback can only be given on the answer.
    assert not questions.entities and not (questions.channel_data or {}).get("feedbackLoopEnabled")
    [attachment] = questions.attachments
    body = attachment.content["body"]
    assert body[0]["text"] == "Fråga vidare:"
    offered = [row["selectAction"]["data"]["question"] for row in body[1:]]
    assert 1 <= len(offered) <= 3
    assert all(row["items"][0]["text"] == f"→ {q}" for row, q in zip(body[1:], offered, strict=True))
    for question in offered:
        assert not engine.ask(question).abstained, question


async def test_a_channel_answer_has_no_questions_to_ask_next(handler: StrategibotHandler) -> None:
    adapter = adapter_for(handler)
    replies = await send(
        adapter,
        type="message",
        text="Vem leder internationella beredningen?",
        conversation=ConversationAccount(id="19:general@thread.tacv2", conversation_type="channel"),
    )
    answer = replies[-1]
    assert answer.entities[0].citation and not answer.attachments
