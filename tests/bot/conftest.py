"""Fixtures for the Teams bot tests: the real engine on a temporary index, the real app on a real port,
and a small real HTTP server standing in for the Bot Framework connector (the bot's replies go there)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from bot_helpers import Connector, RunningBot, start_bot, start_site
from servers import ChatCompletionsServer

from bot.serving.engine_factory import open_engine
from bot.serving.serving_settings import ServingSettings
from bot.serving.settings import BotSettings
from knowledge.engine import Engine
from knowledge.settings import Settings


@pytest.fixture(scope="session")
def engine_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("engine-data")


@pytest.fixture(scope="session")
def engine(engine_data_dir: Path) -> Iterator[Engine]:
    """The real engine, its index built once per session from the bundled corpus."""
    engine = open_engine(Settings.from_env(env={"STRATEGIBOT_DATA_DIR": str(engine_data_dir)}), show_progress=False)
    yield engine
    engine.close()


@pytest.fixture
async def connector() -> AsyncIterator[Connector]:
    connector = Connector()
    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", connector.handle)
    app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", connector.handle)
    runner, connector.url = await start_site(app)
    yield connector
    await runner.cleanup()


@pytest.fixture
async def bot(engine: Engine, tmp_path: Path) -> AsyncIterator[RunningBot]:
    """The real app in local mode (no app id), on a free port."""
    runner, running = await start_bot(engine, tmp_path, BotSettings())
    yield running
    await runner.cleanup()


# --- answers written by a chat model: a real local server speaking the OpenAI protocol -------------

SLOW_QUESTION = "Får vi teckna ett vänortsavtal?"
"""The model server takes seconds over this one, as a slow model would."""


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
