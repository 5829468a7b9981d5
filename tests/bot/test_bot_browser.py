"""Browser end to end: the Microsoft 365 Agents Playground (a local Teams client) in headless Chromium,
talking to the real bot on a real port. A person's path: the welcome card and its buttons (an example
question, "Get started"), every [n] a citation pill with its source on hover, a typed question whose pill
links to the published page, a question to ask next clicked under an answer, a thumbs-up with a comment on
the first of two answers that ends up in the feedback store, and a reload that shows the welcome again. The
playground runs in the repository, where it reads .m365agentsplayground.yml: the bot is called Strategibot,
as in the manifest.

Needs Node, the npm packages of package.json (`npm ci`) and Debian's chromium. Without them the test is
skipped on a developer's machine and fails in CI (CI=true), where .ci/run installs them.
Set STRATEGIBOT_SCREENSHOT=path.png to keep the screenshot of the answer with its citation popover (and
path-next.png: the answer to a question to ask next, under the card it was clicked on).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from bot_helpers import RunningBot, start_bot
from testsupport import settings_for
from uploads import PDF_QUESTION, PDF_TITLE, FileHost, file_attachment, make_test_pdf, start_file_host

from bot.content.hosts import HostRule
from bot.content.library import DocumentLibrary
from bot.content.settings import ContentSettings
from bot.serving.engine_factory import open_engine
from bot.serving.settings import BotSettings
from bot.store.settings import StoreSettings
from bot.store.store import Store
from bot.teams.handler import EXAMPLE_QUESTIONS
from bot.teams.owner_texts import SWEDISH as OWNER
from bot.teams.streamed_answer import SEARCHING
from bot.teams.texts import texts_for
from knowledge.engine import Engine

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND_CLI = ROOT / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
PLAYWRIGHT = ROOT / "node_modules" / "playwright-core"
DRIVER = ROOT / "tests" / "e2e" / "playground_drive.mjs"
STREAM_DRIVER = ROOT / "tests" / "e2e" / "playground_stream.mjs"
OWNER_DRIVER = ROOT / "tests" / "e2e" / "playground_owner.mjs"
PLAYGROUND_USER = "00000000-0000-0000-0000-0000000000020"
"""The aadObjectId of the playground's user (currentUser in .m365agentsplayground.yml)."""
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
QUESTION = "Vad är internationella beredningen?"
STREAMED_QUESTION = "Vad gäller för intentionsavtal med internationella nätverk?"
BEREDNINGEN_PAGE = (
    "https://start.stockholm/om-stockholms-stad/internationellt-arbete-och-eu-relationer/internationella-beredningen/"
)
COMMENT = "Tydligt svar med källa."


def _missing_tools() -> list[str]:
    missing = []
    if shutil.which("node") is None:
        missing.append("node (apt-get install nodejs npm)")
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not PLAYGROUND_CLI.exists() or not PLAYWRIGHT.exists():
        missing.append("the npm packages (npm ci)")
    return missing


@pytest.fixture(scope="module", autouse=True)
def _browser_tools() -> None:
    missing = _missing_tools()
    if missing:
        reason = "browser end-to-end test needs " + ", ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " — .ci/run must install them")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _wait_until_up(url: str, process: asyncio.subprocess.Process, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"the playground exited with {process.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise TimeoutError(f"the playground did not answer at {url} within {seconds:g} s")


async def _stop(process: asyncio.subprocess.Process) -> None:
    """End the process group we started (the playground's node and anything it spawned)."""
    if process.returncode is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


@contextlib.asynccontextmanager
async def _playground_for(messages_url: str, tmp_path: Path) -> AsyncIterator[str]:
    port = _free_port()
    log = (tmp_path / "playground.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        "node",
        str(PLAYGROUND_CLI),
        "start",
        "-e",
        messages_url,
        "-c",
        "msteams",
        "-p",
        str(port),
        "--disable-telemetry",
        cwd=ROOT,
        env={**os.environ, "TEAMSAPPTESTER_BROWSER": "none"},
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        await _wait_until_up(f"http://127.0.0.1:{port}/", process, 60)
        yield f"http://localhost:{port}"
    finally:
        await _stop(process)
        log.close()


@pytest.fixture
async def playground(bot: RunningBot, tmp_path: Path) -> AsyncIterator[str]:
    async with _playground_for(bot.messages_url, tmp_path) as url:
        yield url


async def _drive(script: Path, env: dict[str, str]) -> dict:
    driver = await asyncio.create_subprocess_exec(
        "node",
        str(script),
        cwd=ROOT,
        env={**os.environ, **env, "CHROMIUM": CHROMIUM},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = await asyncio.wait_for(driver.communicate(), 240)
    finally:
        await _stop(driver)
    lines = out.decode().strip().splitlines()
    assert lines, f"the driver printed nothing; stderr: {err.decode()[-2000:]}"
    return json.loads(lines[-1])


async def test_playground_buttons_citations_feedback_and_reload(
    bot: RunningBot, playground: str, engine: Engine, tmp_path: Path
) -> None:
    # The playground says en-US whatever the browser's locale, so the bot answers it in English.
    example = EXAMPLE_QUESTIONS["en"][2]
    walk = engine.get_started("en")
    screenshot = tmp_path / "answer-with-citation.png"
    seen = await _drive(
        DRIVER,
        {
            "PLAYGROUND_URL": playground,
            "EXAMPLE": example,
            "GET_STARTED": texts_for("en").get_started_button,
            "WALK_HEADER": walk.text.splitlines()[0][:30],
            "QUESTION": QUESTION,
            "COMMENT": COMMENT,
            "SCREENSHOT": str(screenshot),
            "ASK_NEXT": texts_for("sv").ask_next,
            "NEXT_SCREENSHOT": str(tmp_path / "next-questions.png"),
            "WALK_SCREENSHOT": str(tmp_path / "get-started.png"),
        },
    )
    assert seen["ok"], (seen.get("error"), seen["steps"])

    assert "Strategibot" in seen["welcomeText"]
    assert "Internationell strategi för Stockholms stad" in seen["welcomeText"]
    assert seen["botAvatarLabels"] >= 1 and seen["testBotShown"] == 0, "the app's name, not Test Bot"

    # The examples are shown whole, and clicking one asks it.
    assert seen["welcomeExamples"] == {"questions": list(EXAMPLE_QUESTIONS["en"]), "cut": 0}
    # The example's answer is a single cited statement: its marker is a pill, its source on hover.
    answered = seen["example"]
    assert answered["text"].startswith(example), "a click shows no user message: the answer says it"
    assert (answered["pills"], answered["plainMarkers"]) == (1, [])
    assert "Internationell strategi för Stockholms stad" in answered["popover"]["text"]
    assert "finansborgarrådet" in answered["popover"]["text"]
    assert screenshot.stat().st_size > 10_000

    # "Get started": every [n] of the long walk-through is a pill.
    assert seen["walk"]["plainMarkers"] == []
    assert seen["walk"]["pills"] == len(walk.citations) >= 4
    assert (tmp_path / "get-started.png").stat().st_size > 10_000

    # A typed question cited from a published page: the source in the popover links to it.
    assert seen["typed"]["plainMarkers"] == [] and seen["typed"]["pills"] >= 1
    assert BEREDNINGEN_PAGE in seen["typed"]["popover"]["links"]

    # Under an answer, questions to ask next: each shown whole, and clicking one gets it answered with a pill.
    asked_next = seen["next"]
    assert 1 <= len(asked_next["questions"]) <= 3 and asked_next["cut"] == 0
    assert asked_next["answer"]["text"].startswith(asked_next["questions"][0])
    assert asked_next["answer"]["pills"] >= 1 and asked_next["answer"]["plainMarkers"] == []

    assert seen["feedbackOutcome"] == "We appreciate your feedback."
    [record] = Store.open(StoreSettings(bot.data_dir)).feedback.all()
    assert (record.reaction, record.comment) == ("like", COMMENT)
    # 👍 was given on the first of two answers, but the playground's feedback names no message (no
    # replyToId, nothing of the message comes back): the bot does not guess, and says so.
    assert (record.matched_by, record.question, record.answer) == ("ambiguous", "", "")

    assert seen["welcomesAfterReload"] == 1, "a reloaded page gets its welcome, once"

    keep = os.environ.get("STRATEGIBOT_SCREENSHOT")
    if keep:
        shutil.copy(screenshot, keep)
        shutil.copy(tmp_path / "next-questions.png", Path(keep).with_name(Path(keep).stem + "-next.png"))
        shutil.copy(tmp_path / "get-started.png", Path(keep).with_name(Path(keep).stem + "-get-started.png"))
    print(f"playground drive: {seen['totalMs']} ms; steps: {seen['steps']}")


async def test_playground_shows_an_answer_the_chat_model_writes_growing_then_cited(
    writing_bot: RunningBot, tmp_path: Path
) -> None:
    """A chat model (a real local server speaking the OpenAI protocol, a word every 0.15 s) writes the
    answer; the 1:1 chat shows it growing, then the final message with its pills and questions to ask next."""
    mid_shot, final_shot = tmp_path / "streaming.png", tmp_path / "streamed.png"
    async with _playground_for(writing_bot.messages_url, tmp_path) as url:
        seen = await _drive(
            STREAM_DRIVER,
            {
                "PLAYGROUND_URL": url,
                "QUESTION": STREAMED_QUESTION,
                "MID_SCREENSHOT": str(mid_shot),
                "FINAL_SCREENSHOT": str(final_shot),
                "ASK_NEXT": texts_for("sv").ask_next,
            },
        )
    assert seen["ok"], (seen.get("error"), seen["texts"])
    informative, *streamed, final = seen["texts"]
    # The playground says en-US, so the informative update is in English; the answer follows the question.
    assert informative == SEARCHING["en"]
    assert len(streamed) >= 2, f"the answer should be seen growing before its final form: {seen['texts']}"
    assert [len(t) for t in streamed] == sorted(len(t) for t in streamed), streamed
    assert final.startswith("Dokumenten")
    assert seen["pills"] >= 1 and seen["plainMarkers"] == []
    assert 1 <= len(seen["nextQuestions"]) <= 3, "the written answer offers questions to ask next too"
    assert mid_shot.stat().st_size > 10_000 and final_shot.stat().st_size > 10_000
    keep = os.environ.get("STRATEGIBOT_SCREENSHOT")
    if keep:
        shutil.copy(mid_shot, Path(keep).with_name(Path(keep).stem + "-streaming.png"))
        shutil.copy(final_shot, Path(keep).with_name(Path(keep).stem + "-streamed.png"))


@dataclass(frozen=True)
class OwnersBot:
    running: RunningBot
    engine: Engine
    sharepoint: FileHost


@pytest.fixture
async def owners_bot(warm_data_dir: Path, tmp_path: Path) -> AsyncIterator[OwnersBot]:
    """The bot with the playground's user as its content owner, on an index of its own (an upload changes
    it), and a stand-in for SharePoint that serves a test PDF."""
    settings = settings_for(warm_data_dir)
    engine = open_engine(settings, show_progress=False)
    file_runner, sharepoint = await start_file_host()
    sharepoint.files["provrutin.pdf"] = make_test_pdf(tmp_path / "provrutin.pdf")
    content = ContentSettings(
        owners=frozenset({PLAYGROUND_USER}), download_hosts=(HostRule.parse(sharepoint.url.removeprefix("http://")),)
    )
    library = DocumentLibrary(settings, engine.embedder)
    runner, running = await start_bot(engine, warm_data_dir, BotSettings(), content=content, library=library)
    yield OwnersBot(running, engine, sharepoint)
    await runner.cleanup()
    await file_runner.cleanup()
    engine.close()


def playground_upload(playground: str, name: str, url: str) -> str:
    """A file sent in the playground's personal chat as Teams delivers one, as JSON for "Custom activity"."""
    activity = {
        "type": "message",
        "id": "upload-1",
        "channelId": "msteams",
        "serviceUrl": f"{playground}/_connector",
        "recipient": {"id": "00000000-0000-0000-0000-00000000000011", "name": "Strategibot"},
        "conversation": {
            "id": "personal-chat-strategibot",
            "conversationType": "personal",
            "tenantId": "00000000-0000-0000-0000-0000000000001",
        },
        "from": {"id": "user-id-0", "aadObjectId": PLAYGROUND_USER},
        "locale": "sv-SE",
        "text": "",
        "attachments": [file_attachment(name, url)],
    }
    return json.dumps(activity)


async def test_playground_owner_sees_the_documents_and_the_report_uploads_a_file_and_next_questions_have_no_feedback(
    owners_bot: OwnersBot, tmp_path: Path
) -> None:
    unanswered = "Vad kostar en pizza i Rom?"
    documents_before = len(owners_bot.engine.documents())
    async with _playground_for(owners_bot.running.messages_url, tmp_path) as url:
        seen = await _drive(
            OWNER_DRIVER,
            {
                "PLAYGROUND_URL": url,
                "QUESTION": QUESTION,
                "UNANSWERED": unanswered,
                "COMMENT": "Saknar datum.",
                "ASK_NEXT": texts_for("sv").ask_next,
                "DOCUMENTS_TITLE": OWNER.documents_title,
                "REPORT_TITLE": OWNER.report_title,
                "SCREENSHOT_DIR": str(tmp_path),
                "UPLOAD_ACTIVITY": playground_upload(url, "provrutin.pdf", owners_bot.sharepoint.link("provrutin.pdf")),
                "UPLOAD_READ": f"Indexerad: {PDF_TITLE}",
                "UPLOAD_QUESTION": PDF_QUESTION,
                "UPLOAD_QUOTE": "Exempelnämnden beslutar om provrutinen",
            },
        )
    assert seen["ok"], (seen.get("error"), seen["steps"])

    # The questions to ask next carry no 👍/👎 of their own: the only ones near them are the answer's.
    assert seen["next"]["likesAdded"] == 1, seen["next"]
    assert seen["next"]["cardInAnswersMessage"], seen["next"]
    assert seen["next"]["aiLabels"] == 1, "the answer's AI label, none for the questions"

    documents = seen["documentsCard"]
    count = documents_before
    assert OWNER.documents_page.format(page=1, pages=-(-count // 8), count=count) in documents
    assert "Internationell strategi för Stockholms stad" in documents
    assert OWNER.bundled in documents

    report = seen["reportCard"]
    assert OWNER.report_title in report
    assert unanswered in report and "Saknar datum." in report
    assert seen["feedbackOutcome"] == "We appreciate your feedback."

    # The compose box has no control to attach a file; a file sent as Teams sends one (through the
    # playground's Custom activity) is read, indexed and then cited.
    assert seen["attachButtons"] == 0
    assert "provrutin.pdf" in seen["readCard"]
    assert "Exempelnämnden beslutar om provrutinen" in seen["uploadAnswer"]
    assert len(owners_bot.engine.documents()) == documents_before + 1
    print(f"playground owner drive: {seen['totalMs']} ms; attach controls in the compose box: {seen['attachButtons']}")
