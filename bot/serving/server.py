"""`strategibot serve`: the Teams bot on an aiohttp server, with the same engine as the CLI."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bot.content.library import DocumentLibrary
from bot.content.settings import ContentSettings
from bot.serving.app import create_app
from bot.serving.engine_factory import open_engine
from bot.serving.engine_port import Answerer
from bot.serving.serving_settings import ServingSettings
from bot.serving.settings import BotSettings
from bot.store.settings import StoreSettings
from bot.store.store import Store
from knowledge.settings import Settings

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 24 * 3600
"""Expired questions and feedback are deleted at start-up and then once a day, and so are the files of
documents removed more than 30 days ago."""


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 3978,
    *,
    bot_settings: BotSettings | None = None,
    engine_factory: Callable[..., Answerer] = open_engine,
    store_settings: StoreSettings | None = None,
) -> None:
    """Serve until interrupted. Raises BotSettingsError (a SettingsError) for a bad configuration.

    ``engine_factory(settings, memory=..., serving=True)`` opens the engine with the store's conversation
    memory, so that a follow-up reaching another instance keeps its context."""
    bot_settings = bot_settings or BotSettings.from_env()
    serving = ServingSettings.from_env()
    store_settings = store_settings or StoreSettings.from_env(settings.data_dir)
    bot_settings.check_host(host)
    # Make sure the mode is visible even when the CLI keeps the log at warnings only.
    if bot_settings.local_mode:
        print(
            "strategibot: local mode: MicrosoftAppId is not set, so requests are NOT authenticated; "
            f"listening on {host} only. Set MicrosoftAppId and MicrosoftAppPassword to connect to Teams.",
            file=sys.stderr,
        )
    else:
        print(
            f"strategibot: Bot Framework authentication on for app {bot_settings.app_id} ({bot_settings.app_type}).",
            file=sys.stderr,
        )
    # The server answers questions side by side, one worker per core: the embedding model's own threads
    # would then compete with the other workers for the same cores. Read once, when the model loads.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    content = ContentSettings.from_env()
    store = Store.open(store_settings)
    store.purge_expired()
    engine = engine_factory(settings, memory=store.conversations, serving=True)
    # Owners' uploads are indexed with the engine's own loaded embedder, in this process.
    embedder = getattr(engine, "embedder", None)
    library = DocumentLibrary(settings, embedder) if embedder is not None else None
    warm_up = getattr(engine, "warm_up", None)
    if callable(warm_up):
        # What the first question would load (models, dictionaries, vectors) is loaded before listening.
        warm_up()
    app = create_app(
        bot_settings, engine, settings.data_dir, serving=serving, store=store, content=content, library=library
    )
    app.cleanup_ctx.append(_purging_daily(store, library))
    print(f"strategibot: Bot endpoint http://{_url_host(host)}:{port}/api/messages", file=sys.stderr, flush=True)
    try:
        web.run_app(app, host=host, port=port, print=None, access_log=None)
    finally:
        close = getattr(engine, "close", None)
        if callable(close):
            close()
        store.close()


def _purging_daily(store: Store, library: DocumentLibrary | None) -> Callable[[web.Application], AsyncIterator[None]]:
    async def purge_daily(app: web.Application) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                if library is not None:
                    await asyncio.to_thread(library.delete_removed)
                await asyncio.sleep(PURGE_INTERVAL_SECONDS)
                try:
                    await asyncio.to_thread(store.purge_expired)
                except Exception:  # the database may be briefly unreachable: try again tomorrow
                    log.exception("could not delete expired questions and feedback")

        task = asyncio.create_task(loop())
        yield
        task.cancel()

    return purge_daily


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
