"""`strategibot serve`: the Teams bot on an aiohttp server, with the same engine as the CLI."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from aiohttp import web

from bot.app import create_app
from bot.engine_factory import open_engine
from bot.engine_port import Answerer
from bot.serving_settings import ServingSettings
from bot.settings import BotSettings
from knowledge.settings import Settings

log = logging.getLogger(__name__)


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 3978,
    *,
    bot_settings: BotSettings | None = None,
    engine_factory: Callable[[Settings], Answerer] = open_engine,
) -> None:
    """Serve until interrupted. Raises BotSettingsError (a SettingsError) for a bad configuration."""
    bot_settings = bot_settings or BotSettings.from_env()
    serving = ServingSettings.from_env()
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
            f"strategibot: Bot Framework authentication on for app {bot_settings.app_id} "
            f"({bot_settings.app_type}).",
            file=sys.stderr,
        )
    engine = engine_factory(settings)
    app = create_app(bot_settings, engine, settings.data_dir, serving=serving)
    print(f"strategibot: Bot endpoint http://{_url_host(host)}:{port}/api/messages", file=sys.stderr, flush=True)
    try:
        web.run_app(app, host=host, port=port, print=None, access_log=None)
    finally:
        close = getattr(engine, "close", None)
        if callable(close):
            close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
