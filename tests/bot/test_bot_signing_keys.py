"""Microsoft's signing-key host stalls, then answers again: tokens are refused quickly meanwhile and accepted
again without a restart. A real local server stands in for the OpenID metadata and key host, and the tokens
are signed with a key it publishes, so botbuilder's whole validation runs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import jwt
import pytest
from aiohttp import web
from bot_helpers import Connector, start_site, teams_activity
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.serving.app import create_app
from bot.serving.auth import AUTH_WORKERS, RequestAuthenticator
from bot.serving.settings import BotSettings
from knowledge.engine import Engine

APP_ID = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
ISSUER = "https://api.botframework.com"
KEY_ID = "test-signing-key"


class KeyHost:
    """Serves OpenID metadata and a key set, or, while stalled, accepts requests and never answers them."""

    def __init__(self) -> None:
        self.url = ""
        self.stalled = False
        self.key_fetches = 0
        self.test_over = asyncio.Event()
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def token(self, service_url: str) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url, "nbf": now - 60, "exp": now + 3600}
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": KEY_ID})

    async def metadata(self, request: web.Request) -> web.StreamResponse:
        await self._maybe_stall()
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.url}/keys"})

    async def keys(self, request: web.Request) -> web.StreamResponse:
        await self._maybe_stall()
        self.key_fetches += 1
        jwk = RSAAlgorithm.to_jwk(self._private_key.public_key(), as_dict=True)
        return web.json_response({"keys": [{**jwk, "kid": KEY_ID, "use": "sig", "endorsements": ["msteams"]}]})

    async def _maybe_stall(self) -> None:
        if self.stalled:
            await self.test_over.wait()  # these connections never get an answer, even after recovery


@pytest.fixture
async def key_host() -> AsyncIterator[KeyHost]:
    host = KeyHost()
    app = web.Application()
    app.router.add_get("/openid", host.metadata)
    app.router.add_get("/keys", host.keys)
    runner, host.url = await start_site(app)
    yield host
    host.test_over.set()
    await runner.cleanup()


async def post_typing(session: aiohttp.ClientSession, url: str, connector: Connector, token: str) -> tuple[int, float]:
    """Status and seconds of posting an activity that needs no reply, so only authentication is at stake."""
    began = time.monotonic()
    activity = teams_activity(connector.url, type="typing")
    async with session.post(f"{url}/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}) as r:
        return r.status, time.monotonic() - began


async def test_a_stalled_key_host_gives_quick_401s_and_tokens_are_accepted_again_once_it_answers(
    engine: Engine, tmp_path: Path, connector: Connector, key_host: KeyHost
) -> None:
    @dataclass(frozen=True)
    class Config:
        APP_ID: str = APP_ID
        APP_PASSWORD: str = "not-a-real-secret"
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str = f"{key_host.url}/openid"
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str = ISSUER

    settings = BotSettings(app_id=APP_ID, app_password="not-a-real-secret")  # the default 10 s deadline
    authenticator = RequestAuthenticator(settings, ConfigurationBotFrameworkAuthentication(Config()))
    runner, url = await start_site(create_app(settings, engine, tmp_path, authenticator=authenticator))
    token = key_host.token(connector.url)
    burst = AUTH_WORKERS * 2  # more validations at once than there are worker threads
    try:
        async with aiohttp.ClientSession() as session:
            key_host.stalled = True
            while_stalled = []
            for _ in range(3):  # long enough for stuck workers to pile up, as they did
                while_stalled += await asyncio.gather(
                    *(post_typing(session, url, connector, token) for _ in range(burst))
                )
                await asyncio.sleep(0.5)
            async with session.get(f"{url}/healthz") as response:
                assert response.status == 200

            key_host.stalled = False
            recovered_at = time.monotonic()
            status = 401
            while status == 401 and time.monotonic() - recovered_at < 10:
                status, _ = await post_typing(session, url, connector, token)
            recovery = time.monotonic() - recovered_at
            after = await asyncio.gather(*(post_typing(session, url, connector, token) for _ in range(burst)))
    finally:
        await runner.cleanup()

    assert {status for status, _ in while_stalled} == {401}
    assert max(seconds for _, seconds in while_stalled) < 2.0
    assert status == 200, "tokens were still refused 10 s after the key host answered again"
    assert recovery < 3.0
    assert {status for status, _ in after} == {200}
    assert max(seconds for _, seconds in after) < 1.0
    assert key_host.key_fetches == 1, "the keys are fetched once and then served from the cache"
    assert connector.posted == []
