"""Helpers for the bot tests: the connector stand-in, starting the app on a free port, Teams activities."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.content.library import DocumentLibrary
from bot.content.settings import ContentSettings
from bot.serving.app import create_app
from bot.serving.engine_port import Answerer
from bot.serving.serving_settings import ServingSettings
from bot.serving.settings import BotSettings


@dataclass
class Connector:
    """A Bot Framework connector stand-in: records what the bot posts and gives each reply an id."""

    url: str = ""
    posted: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def messages(self) -> list[dict[str, Any]]:
        return [a for a in self.posted if a.get("type") == "message"]

    def answers(self) -> list[dict[str, Any]]:
        """The messages that are answers (the AI label's entity): not the questions sent after them."""
        return [
            a
            for a in self.messages()
            if any(e.get("type") == "https://schema.org/Message" for e in a.get("entities") or [])
        ]

    async def wait_for(
        self,
        count: int,
        activity_type: str = "message",
        timeout: float = 10.0,
        which: Callable[[dict[str, Any]], bool] = lambda activity: True,
    ) -> list[dict]:
        """The first `count` posted activities of a type (and ``which`` of them), waiting for them to arrive."""

        async def enough() -> list[dict]:
            while True:
                found = [a for a in self.posted if a.get("type") == activity_type and which(a)]
                if len(found) >= count:
                    return found
                self.arrived.clear()
                await self.arrived.wait()

        return await asyncio.wait_for(enough(), timeout)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.posted.append(body)
        self.paths.append(request.path)
        self.arrived.set()
        return web.json_response({"id": f"reply-{next(self._ids)}"})


async def start_site(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class RunningBot:
    url: str
    data_dir: Path

    @property
    def messages_url(self) -> str:
        return f"{self.url}/api/messages"


async def start_bot(
    engine: Answerer,
    data_dir: Path,
    settings: BotSettings,
    serving: ServingSettings | None = None,
    content: ContentSettings | None = None,
    library: DocumentLibrary | None = None,
) -> tuple[web.AppRunner, RunningBot]:
    app = create_app(settings, engine, data_dir, serving=serving, content=content, library=library)
    runner, url = await start_site(app)
    return runner, RunningBot(url, data_dir)


def teams_activity(connector_url: str, **fields: Any) -> dict[str, Any]:
    """A Teams-shaped activity from a user in a 1:1 chat; fields override or add."""
    activity: dict[str, Any] = {
        "type": "message",
        "id": "1700000000001",
        "timestamp": "2025-01-01T10:00:00.000Z",
        "serviceUrl": connector_url,
        "channelId": "msteams",
        "from": {"id": "29:user-1", "name": "Anna Andersson", "aadObjectId": "aad-user-1"},
        "conversation": {"id": "a:personal-conversation-1", "conversationType": "personal", "tenantId": "t-1"},
        "recipient": {"id": "28:strategibot", "name": "Strategibot"},
        "locale": "sv-SE",
        "text": "",
        "textFormat": "plain",
        "channelData": {"tenant": {"id": "t-1"}},
    }
    activity.update(fields)
    return activity


def card_asks(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The Action.Submit actions of a card that ask a question, in reading order: those of buttons (ActionSet)
    and those of clickable lines (a container's selectAction)."""
    found: list[dict[str, Any]] = []
    for block in card["body"]:
        if block["type"] == "ActionSet":
            found += block["actions"]
        elif "selectAction" in block:
            found.append(block["selectAction"])
    return found
