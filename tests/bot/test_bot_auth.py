"""With an app id set, every request must carry a valid Bot Framework token: anything else is a 401,
quickly, even when Microsoft's signing-key host cannot be reached (as on this machine)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import jwt
import pytest
from bot_helpers import Connector, RunningBot, start_bot, start_site, teams_activity
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.serving.app import create_app
from bot.serving.auth import RequestAuthenticator, Unauthorized, check_token_shape
from bot.serving.settings import BotSettings
from knowledge.engine import Engine

APP_ID = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
AUTH_TIMEOUT = 3.0


@pytest.fixture
async def secured_bot(engine: Engine, tmp_path: Path) -> AsyncIterator[RunningBot]:
    settings = BotSettings(app_id=APP_ID, app_password="not-a-real-secret", auth_timeout_seconds=AUTH_TIMEOUT)
    runner, running = await start_bot(engine, tmp_path, settings)
    yield running
    await runner.cleanup()


def unverifiable_token(**claims: object) -> str:
    """A well-formed RS256 token as the Bot Framework would send, signed with a key nobody publishes."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    payload = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": "https://smba.trafficmanager.net/emea/",
        "nbf": now - 60,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "not-a-published-key"})


async def post(bot: RunningBot, connector: Connector, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            bot.messages_url,
            json=teams_activity(connector.url, text="Får vi teckna ett vänortsavtal?"),
            headers=headers,
        ) as response,
    ):
        return response.status


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer " + jwt.encode({"aud": APP_ID}, "a-test-secret-long-enough-for-hs256", algorithm="HS256"),
        "Bearer "
        + jwt.encode(
            {"iss": "https://api.botframework.com"},
            "a-test-secret-long-enough-for-hs256",
            algorithm="HS256",
            headers={"kid": "k"},
        ),
    ],
    ids=["missing", "empty", "no-token", "basic", "not-jwt", "garbage-jwt", "no-issuer", "hs256"],
)
async def test_requests_without_a_valid_token_get_401(
    secured_bot: RunningBot, connector: Connector, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    assert await post(secured_bot, connector, headers) == 401
    assert connector.posted == []


async def test_a_well_formed_but_unverifiable_token_gets_401_quickly(
    secured_bot: RunningBot, connector: Connector
) -> None:
    began = time.monotonic()
    status = await post(secured_bot, connector, {"Authorization": f"Bearer {unverifiable_token()}"})
    elapsed = time.monotonic() - began

    assert status == 401
    assert elapsed < AUTH_TIMEOUT + 2
    assert connector.posted == []
    # The server was not blocked or broken by the validation attempt.
    async with aiohttp.ClientSession() as session, session.get(f"{secured_bot.url}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["authentication"] is True


def test_token_shape_check_accepts_what_could_be_a_bot_framework_token() -> None:
    check_token_shape(f"Bearer {unverifiable_token()}")
    with pytest.raises(Unauthorized, match="not a JWT"):
        check_token_shape("Bearer abc.def")


async def test_a_hanging_key_host_gives_401_by_the_deadline_and_the_server_keeps_serving(
    engine: Engine, tmp_path: Path, connector: Connector
) -> None:
    """botbuilder fetches the signing keys with a blocking call and no timeout: here that host accepts the
    connection and never answers. The request still ends in 401 by the deadline, and the event loop
    stays free for other requests meanwhile."""
    held: list[asyncio.StreamWriter] = []

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    hanging = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = hanging.sockets[0].getsockname()[1]

    @dataclass(frozen=True)
    class Config:
        APP_ID: str = APP_ID
        APP_PASSWORD: str = "not-a-real-secret"
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str = f"http://127.0.0.1:{port}/openid"
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str = "https://api.botframework.com"

    settings = BotSettings(app_id=APP_ID, app_password="not-a-real-secret", auth_timeout_seconds=1.5)
    authenticator = RequestAuthenticator(settings, ConfigurationBotFrameworkAuthentication(Config()))
    runner, url = await start_site(create_app(settings, engine, tmp_path, authenticator=authenticator))
    bot = RunningBot(url, tmp_path)
    try:
        began = time.monotonic()
        pending = asyncio.ensure_future(post(bot, connector, {"Authorization": f"Bearer {unverifiable_token()}"}))
        async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
            assert response.status == 200
            assert time.monotonic() - began < 1.0, "the health check did not wait for the token validation"
        assert await pending == 401
        assert time.monotonic() - began < 2.0  # the key fetch times out by the deadline
        assert connector.posted == []
    finally:
        for writer in held:
            writer.close()
        hanging.close()
        await runner.cleanup()
