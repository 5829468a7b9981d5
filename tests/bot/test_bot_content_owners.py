"""Content owners over HTTP: the real app on a real port, a real index, and a local HTTP server standing in
for SharePoint's short-lived download links (what Teams sends as `content.downloadUrl`).

The documents uploaded here are made by the tests and say that they are test data.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from bot_helpers import Connector, start_site, teams_activity
from testsupport import settings_for
from uploads import (
    BUNDLED_QUESTION,
    DOCX_QUESTION,
    DOCX_TITLE,
    OWNER_ID,
    PDF_QUESTION,
    PDF_TITLE,
    FileHost,
    file_attachment,
    make_test_docx,
    make_test_pdf,
    start_file_host,
)

from bot.content.hosts import HostRule
from bot.content.library import DocumentLibrary
from bot.content.settings import ContentSettings
from bot.serving.app import create_app
from bot.serving.engine_factory import open_engine
from bot.serving.settings import BotSettings
from bot.store.settings import StoreSettings
from bot.store.store import Store
from bot.teams.owner_texts import SWEDISH as OWNER
from bot.teams.texts import texts_for
from knowledge.engine import Engine
from knowledge.settings import BUNDLED_CORPUS

pytestmark = pytest.mark.slow


def sender(user: str) -> dict[str, Any]:
    return {"from": {"id": f"29:{user}", "aadObjectId": user}}


@dataclass
class OwnerBot:
    url: str
    data_dir: Path
    engine: Engine
    connector: Connector
    sharepoint: FileHost
    session: aiohttp.ClientSession

    async def post(self, **fields: Any) -> int:
        activity = teams_activity(self.connector.url, **fields)
        async with self.session.post(f"{self.url}/api/messages", json=activity) as response:
            return response.status

    async def say(self, text: str, user: str = OWNER_ID, **fields: Any) -> int:
        return await self.post(text=text, **sender(user), **fields)

    async def send_file(self, name: str, url: str, user: str = OWNER_ID) -> int:
        return await self.post(
            attachments=[file_attachment(name, url)], **{"from": {"id": f"29:{user}", "aadObjectId": user}}
        )

    async def press(self, data: dict[str, Any], user: str = OWNER_ID) -> int:
        """An Action.Submit button of a card: Teams posts a message whose value is the data and the inputs."""
        return await self.post(value=data, **sender(user))

    def messages(self) -> list[dict[str, Any]]:
        return [a for a in self.connector.messages() if not is_questions_message(a)]

    async def replies(self, count: int, timeout: float = 120.0) -> list[dict[str, Any]]:
        """The first ``count`` messages (answers and the bot's other replies, not the questions to ask next
        that follow an answer), waiting for them to arrive."""
        return await self.connector.wait_for(count, timeout=timeout, which=lambda a: not is_questions_message(a))

    def store(self) -> Store:
        return Store.open(StoreSettings(data_dir=self.data_dir))


@pytest.fixture
async def owner_bot(warm_data_dir: Path, connector: Connector) -> AsyncIterator[OwnerBot]:
    """The bot on an index of the bundled corpus of its own (built from the warm embedding cache)."""
    data_dir = warm_data_dir
    settings = settings_for(data_dir, STRATEGIBOT_MAX_FILE_MB="1")
    engine = open_engine(settings, show_progress=False)
    file_runner, sharepoint = await start_file_host()
    allowed = HostRule.parse(sharepoint.url.removeprefix("http://"))
    content = ContentSettings(owners=frozenset({OWNER_ID}), download_hosts=(allowed,), download_timeout_seconds=10)
    app = create_app(
        BotSettings(), engine, data_dir, content=content, library=DocumentLibrary(settings, engine.embedder)
    )
    runner, url = await start_site(app)
    async with aiohttp.ClientSession() as session:
        yield OwnerBot(url, data_dir, engine, connector, sharepoint, session)
    await runner.cleanup()
    await file_runner.cleanup()
    engine.close()


def is_questions_message(activity: dict[str, Any]) -> bool:
    headings = {texts_for(language).ask_next for language in ("sv", "en")}
    headings |= {texts_for(language).abstained_suggestions for language in ("sv", "en")}
    attachments = activity.get("attachments") or []
    return bool(attachments) and attachments[0]["content"]["body"][0].get("text") in headings


def texts_of(activities: list[dict[str, Any]]) -> list[str]:
    return [a.get("text") or "" for a in activities]


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    [attachment] = activity["attachments"]
    return attachment["content"]


def card_text(card: dict[str, Any]) -> str:
    """Every text of a card, its buttons' titles included, in reading order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "label"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return "\n".join(found)


def answer_of(activity: dict[str, Any]) -> tuple[str, list[str]]:
    """The answer's text and the names of the documents its citations point to."""
    entities = [e for e in activity.get("entities") or [] if e.get("type") == "https://schema.org/Message"]
    cited = [c["appearance"]["name"] for e in entities for c in e.get("citation", [])]
    return activity.get("text") or "", cited


async def ask(bot: OwnerBot, question: str) -> tuple[dict[str, Any], float]:
    before = len(bot.messages())
    began = time.perf_counter()
    assert await bot.say(question) == 200
    replies = await bot.replies(before + 1)
    return replies[before], time.perf_counter() - began


def documents_now(bot: OwnerBot) -> list[tuple[str, str]]:
    return sorted((d.source, d.content_hash) for d in bot.engine.documents())


async def test_an_owner_uploads_a_pdf_and_a_docx_and_both_are_answered_with_citations(
    owner_bot: OwnerBot, tmp_path: Path
) -> None:
    bot = owner_bot
    bot.sharepoint.files["provrutin.pdf"] = make_test_pdf(tmp_path / "provrutin.pdf")
    bot.sharepoint.files["motesordning.docx"] = make_test_docx(tmp_path / "motesordning.docx")
    usual = statistics.median([(await ask(bot, BUNDLED_QUESTION))[1] for _ in range(3)])
    asked = len(bot.messages())

    # Two uploads at once: both are taken, and take turns.
    statuses = await asyncio.gather(
        bot.send_file("provrutin.pdf", bot.sharepoint.link("provrutin.pdf")),
        bot.send_file("motesordning.docx", bot.sharepoint.link("motesordning.docx")),
    )
    assert statuses == [200, 200]
    received = texts_of((await bot.replies(asked + 2))[asked:])
    assert sorted(received) == sorted(OWNER.receiving.format(name=n) for n in ("provrutin.pdf", "motesordning.docx"))

    # A question while the uploads are indexed is answered as usual, not after them.
    during, seconds = await ask(bot, BUNDLED_QUESTION)
    assert not during.get("attachments") or "Indexerad" not in card_text(card_of(during)), "indexing was already done"
    assert seconds < usual + 1.0, f"{seconds:.2f} s during an upload, {usual:.2f} s usually"
    print(f"a question took {seconds:.3f} s during two uploads, {usual:.3f} s usually")

    replies = await bot.replies(asked + 5, timeout=300)
    read_cards = [card_text(card_of(a)) for a in replies[asked + 3 :] if a.get("attachments")]
    assert len(read_cards) == 2, texts_of(replies[asked + 3 :])
    pdf_card = next(c for c in read_cards if PDF_TITLE in c)
    assert "2026-03-01" not in pdf_card  # the date is in the text, not in a form the reader takes as the date
    assert "provrutin.pdf" in pdf_card and "avsnitt" in pdf_card
    assert OWNER.edit in pdf_card
    docx_card = next(c for c in read_cards if DOCX_TITLE in c)
    assert OWNER.warnings["no_date"] in docx_card

    pdf_answer, pdf_cited = answer_of((await ask(bot, PDF_QUESTION))[0])
    assert any(c.startswith(PDF_TITLE) for c in pdf_cited), pdf_answer
    assert pdf_answer.count("Exempelnämnden beslutar om provrutinen") == 1, "no sentence quoted twice"
    docx_answer, docx_cited = answer_of((await ask(bot, DOCX_QUESTION))[0])
    assert any(c.startswith(DOCX_TITLE) for c in docx_cited), docx_answer
    assert "fyra gånger per år" in docx_answer

    # The same file again is recognised, not indexed twice.
    before = documents_now(bot)
    asked = len(bot.messages())
    assert await bot.send_file("kopia.pdf", bot.sharepoint.link("provrutin.pdf")) == 200
    replies = await bot.replies(asked + 2)
    assert replies[asked + 1]["text"] == OWNER.refused["duplicate"].format(name="kopia.pdf", detail="provrutin.pdf")
    assert documents_now(bot) == before

    store = bot.store()
    try:
        actions = [(a.owner_id, a.action, a.document) for a in store.owner_actions.all()]
    finally:
        store.close()
    assert sorted(actions) == [(OWNER_ID, "add", "motesordning.docx"), (OWNER_ID, "add", "provrutin.pdf")]


async def test_someone_who_is_not_an_owner_is_refused_and_nothing_is_fetched_or_changed(owner_bot: OwnerBot) -> None:
    bot = owner_bot
    bot.sharepoint.files["x.pdf"] = b"%PDF-1.4 test data"
    before = documents_now(bot)
    someone = "aad-someone-else"
    assert await bot.send_file("x.pdf", bot.sharepoint.link("x.pdf"), user=someone) == 200
    assert await bot.say("dokument", user=someone) == 200
    assert await bot.say("rapport", user=someone) == 200
    bundled = bot.engine.documents()[0].source
    assert await bot.press({"action": "document_remove", "document": bundled}, user=someone) == 200
    replies = await bot.replies(4)
    assert texts_of(replies) == [OWNER.not_owner] * 4
    assert bot.sharepoint.requested == []
    assert documents_now(bot) == before
    store = bot.store()
    try:
        refused = [(a.owner_id, a.action, a.detail) for a in store.owner_actions.all()]
    finally:
        store.close()
    assert refused == [
        (someone, "refused", "upload"),
        (someone, "refused", "command documents"),
        (someone, "refused", "command report"),
        (someone, "refused", "document_remove"),
    ]


async def test_a_link_outside_the_allowed_hosts_is_refused_without_being_called(
    owner_bot: OwnerBot, tmp_path: Path
) -> None:
    bot = owner_bot
    other_runner, other = await start_file_host()  # a host the settings do not name
    try:
        other.files["provrutin.pdf"] = make_test_pdf(tmp_path / "provrutin.pdf")
        before = documents_now(bot)
        assert await bot.send_file("provrutin.pdf", other.link("provrutin.pdf")) == 200
        # An allowed link that redirects to the other host: the redirect is not followed.
        redirect = f"{bot.sharepoint.url}/redirect?to={other.link('provrutin.pdf')}"
        assert await bot.send_file("provrutin.pdf", redirect) == 200
        assert await bot.send_file("provrutin.pdf", "https://127.0.0.1.example.invalid/provrutin.pdf") == 200
        replies = await bot.replies(6)
        refusals = [t for t in texts_of(replies) if "hämtades inte" in t]
        assert len(refusals) == 3, texts_of(replies)
        assert other.requested == []
        assert bot.sharepoint.requested == [redirect.removeprefix(bot.sharepoint.url)]
        assert documents_now(bot) == before
    finally:
        await other_runner.cleanup()


async def test_corrupt_oversized_and_unsupported_files_get_their_replies_and_the_index_is_unchanged(
    owner_bot: OwnerBot, tmp_path: Path
) -> None:
    bot = owner_bot
    whole = make_test_pdf(tmp_path / "hel.pdf")
    bot.sharepoint.files["trasig.pdf"] = whole[: len(whole) // 3]
    bot.sharepoint.files["stor.txt"] = b"Testdata. " * 150_000  # 1.5 MB, the limit is 1 MB
    bot.sharepoint.files["tabell.xlsx"] = b"PK\x03\x04 test data"
    generation = (bot.data_dir / "index" / "CURRENT").read_text()
    before = documents_now(bot)
    for name in ("trasig.pdf", "stor.txt", "tabell.xlsx"):
        assert await bot.send_file(name, bot.sharepoint.link(name)) == 200
    replies = texts_of(await bot.replies(5))
    assert any(t.startswith("**trasig.pdf** gick inte att läsa: the PDF is corrupt") for t in replies), replies
    assert OWNER.refused["too_large"].format(name="stor.txt", limit="1") in replies
    # The type is known from the name: the file is not even fetched.
    assert OWNER.refused["unsupported"].format(name="tabell.xlsx", detail=".xlsx") in replies
    assert sorted(bot.sharepoint.requested) == ["/files/stor.txt", "/files/trasig.pdf"]
    assert documents_now(bot) == before
    assert (bot.data_dir / "index" / "CURRENT").read_text() == generation
    documents_folder = bot.data_dir / "documents"
    assert not documents_folder.exists() or not any(documents_folder.iterdir())


async def upload(bot: OwnerBot, path: Path, data: bytes) -> None:
    bot.sharepoint.files[path.name] = data
    asked = len(bot.messages())
    assert await bot.send_file(path.name, bot.sharepoint.link(path.name)) == 200
    [_, read] = (await bot.replies(asked + 2))[asked:]
    assert read.get("attachments"), read.get("text")


async def press_and_wait(bot: OwnerBot, data: dict[str, Any]) -> str:
    """Press a button that changes a document; the text of the report that follows the change."""
    asked = len(bot.messages())
    assert await bot.press(data) == 200
    [working, done] = (await bot.replies(asked + 2))[asked:]
    assert working["text"].startswith("Uppdaterar"), working
    return done["text"]


async def test_an_owner_corrects_the_details_supersedes_and_removes_a_document(
    owner_bot: OwnerBot, tmp_path: Path
) -> None:
    bot = owner_bot
    await upload(bot, tmp_path / "provrutin.pdf", make_test_pdf(tmp_path / "provrutin.pdf"))
    await upload(bot, tmp_path / "motesordning.docx", make_test_docx(tmp_path / "motesordning.docx"))

    # The documents card lists them with buttons; the bundled ones have none.
    asked = len(bot.messages())
    assert await bot.say("dokument") == 200
    card = card_of((await bot.replies(asked + 1))[asked])
    assert "Sida 1 av 2 · 14 dokument" in card_text(card)

    # The sidecar form: a date and an excerpt flag; the next answer shows the date.
    asked = len(bot.messages())
    assert await bot.press({"action": "document_edit_form", "document": "provrutin.pdf"}) == 200
    form = card_of((await bot.replies(asked + 1))[asked])
    inputs = {i["id"]: i for i in form["body"] if i["type"].startswith("Input.")}
    assert inputs["title"]["value"] == PDF_TITLE
    done = await press_and_wait(
        bot,
        {
            "action": "document_edit",
            "document": "provrutin.pdf",
            "title": PDF_TITLE,
            "date": "2026-02-15",
            "status": "gällande",
            "complete": "false",
            "kind": "testdokument",
        },
    )
    assert done == OWNER.saved.format(title=PDF_TITLE, date="2026-02-15", status=OWNER.current)
    answer, _ = answer_of((await ask(bot, PDF_QUESTION))[0])
    assert "2026-02-15" in answer and "(ersatt)" not in answer

    # The status from the same form: the next answer says the document is superseded.
    done = await press_and_wait(
        bot, {"action": "document_edit", "document": "provrutin.pdf", "status": "ersatt", "superseded_by": ""}
    )
    assert done == OWNER.saved.format(title=PDF_TITLE, date="2026-02-15", status=OWNER.superseded)
    answer, _ = answer_of((await ask(bot, PDF_QUESTION))[0])
    assert "(ersatt)" in answer and "2026-02-15" in answer

    # Superseded: the answer says so.
    done = await press_and_wait(
        bot, {"action": "document_supersede", "document": "provrutin.pdf", "superseded_by": DOCX_TITLE}
    )
    assert done == OWNER.superseded_done.format(title=PDF_TITLE, by=DOCX_TITLE)
    answer, _ = answer_of((await ask(bot, PDF_QUESTION))[0])
    assert "(ersatt)" in answer
    asked = len(bot.messages())
    assert await bot.say("dokument") == 200
    listing = card_text(card_of((await bot.replies(asked + 1))[asked]))
    assert OWNER.superseded_by.format(by=DOCX_TITLE) in listing

    # Removed: no longer cited, and kept aside.
    asked = len(bot.messages())
    assert await bot.press({"action": "document_remove_form", "document": "provrutin.pdf"}) == 200
    confirm = card_text(card_of((await bot.replies(asked + 1))[asked]))
    assert OWNER.confirm_remove in confirm
    done = await press_and_wait(bot, {"action": "document_remove", "document": "provrutin.pdf"})
    assert done == OWNER.removed_done.format(title=PDF_TITLE)
    answer, cited = answer_of((await ask(bot, PDF_QUESTION))[0])
    assert not any(c.startswith(PDF_TITLE) for c in cited), answer
    assert sorted(p.name for p in (bot.data_dir / "removed").glob("*/*")) == ["provrutin.meta.json", "provrutin.pdf"]

    store = bot.store()
    try:
        actions = [(a.action, a.document) for a in store.owner_actions.all()]
        edits = [a.detail for a in store.owner_actions.all() if a.action == "edit"]
    finally:
        store.close()
    assert actions == [
        ("add", "provrutin.pdf"),
        ("add", "motesordning.docx"),
        ("edit", "provrutin.pdf"),
        ("edit", "provrutin.pdf"),
        ("supersede", "provrutin.pdf"),
        ("remove", "provrutin.pdf"),
    ]
    assert '"date": "2026-02-15"' in edits[0] and '"complete": false' in edits[0]


PRESS_RELEASE = "stockholms-stad-2009-07-01-pressmeddelande-eu-projekt.txt"
PRESS_RELEASE_TITLE = "EU-projekt i Stockholm"
PRESS_RELEASE_QUESTION = "Vad gjorde staden 2009 för att fler skulle söka EU-medel?"


async def test_an_owner_marks_a_bundled_document_superseded_and_current_again_and_cannot_remove_it(
    owner_bot: OwnerBot,
) -> None:
    bot = owner_bot
    bundled_file = BUNDLED_CORPUS / PRESS_RELEASE
    published = bundled_file.read_bytes()
    answer, cited = answer_of((await ask(bot, PRESS_RELEASE_QUESTION))[0])
    assert PRESS_RELEASE_TITLE in " ".join(cited) and "(ersatt)" not in answer

    asked = len(bot.messages())
    assert await bot.press({"action": "document_supersede_form", "document": PRESS_RELEASE}) == 200
    form = card_text(card_of((await bot.replies(asked + 1))[asked]))
    assert OWNER.supersede_title.format(title=PRESS_RELEASE_TITLE) in form and "EU-policyarbetet" in form

    done = await press_and_wait(
        bot, {"action": "document_supersede", "document": PRESS_RELEASE, "superseded_by": "EU-policyarbetet"}
    )
    assert done == OWNER.superseded_done.format(title=PRESS_RELEASE_TITLE, by="EU-policyarbetet")
    answer, cited = answer_of((await ask(bot, PRESS_RELEASE_QUESTION))[0])
    assert "(ersatt)" in answer, answer

    refused = await press_and_wait(bot, {"action": "document_remove", "document": PRESS_RELEASE})
    assert refused == OWNER.refused["bundled"].format(name=PRESS_RELEASE)
    assert any(d.source == PRESS_RELEASE for d in bot.engine.documents()), "still indexed"

    done = await press_and_wait(bot, {"action": "document_mark_current", "document": PRESS_RELEASE})
    assert done == OWNER.saved.format(title=PRESS_RELEASE_TITLE, date="2009-07-01", status=OWNER.current)
    answer, _ = answer_of((await ask(bot, PRESS_RELEASE_QUESTION))[0])
    assert "(ersatt)" not in answer, answer

    assert bundled_file.read_bytes() == published, "the bundled file stays as it was published"
    store = bot.store()
    try:
        actions = [(a.action, a.document) for a in store.owner_actions.all()]
    finally:
        store.close()
    assert actions == [("supersede", PRESS_RELEASE), ("mark_current", PRESS_RELEASE)]
