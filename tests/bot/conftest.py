"""Fixtures for the Teams bot tests: the real engine on a temporary index, the real app on a real port,
and a small real HTTP server standing in for the Bot Framework connector (the bot's replies go there)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from bot_helpers import Connector, RunningBot, start_bot, start_site

from bot.engine_factory import open_engine
from bot.settings import BotSettings
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
