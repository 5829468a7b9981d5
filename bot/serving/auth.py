"""Authenticating the Bot Framework's requests, with the failure modes of botbuilder 4.17.1 closed.

botbuilder validates the bearer token itself, but (a) a token that is not a JWT, or lacks an issuer,
raises KeyError/DecodeError and becomes an HTTP 500, and (b) fetching Microsoft's signing keys is a
blocking `requests.get` without a timeout, run inside the event loop. So here:

* the token's shape is checked first, without any network: anything that cannot be a Bot Framework token
  is refused at once;
* botbuilder's own validation (issuer, signature, audience, endorsements, service URL) then runs on a
  small pool of worker threads, each with its own event loop, under a deadline. If the key host cannot be
  reached, the request is refused with 401 and the server goes on serving;
* the signing keys come from `bot.serving.signing_keys`: fetched with a timeout, cached, and fetched again by
  themselves when the host answers after an outage, so no worker thread waits longer than one fetch;
* botbuilder makes a user-token client (for sign-in prompts, which this bot has none of) on every turn,
  and msrest's configuration of it costs about 5 ms of CPU: one per app id is made and kept.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import jwt
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient

from bot.serving.settings import BotSettings
from bot.serving.signing_keys import install_signing_keys

log = logging.getLogger(__name__)

AUTH_WORKERS = 4
"""Validations that may wait on the key host at once; more wait for a worker and hit the deadline."""
KEY_FETCH_TIMEOUT_SECONDS = 3.0
"""Microsoft's key host answers in well under a second. While it does not, a token is refused within this
time rather than at the validation deadline; a fetch never outlasts that deadline either."""


class Unauthorized(Exception):
    """The request does not carry a valid Bot Framework token; the message says why (for the log)."""


@dataclass(frozen=True)
class _BotFrameworkConfig:
    """The configuration object botbuilder reads its credentials from, by these attribute names."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


class _UserTokenClientsKept(BotFrameworkAuthentication):
    """botbuilder's authentication, with one user-token client per app id instead of one per turn."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._user_token_clients: dict[str | None, UserTokenClient] = {}

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        return await self._inner.authenticate_request(activity, auth_header)

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._inner.create_connector_factory(claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        app_id = claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
        client = self._user_token_clients.get(app_id)
        if client is None:
            client = self._user_token_clients[app_id] = await self._inner.create_user_token_client(claims_identity)
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)


class RequestAuthenticator:
    def __init__(self, settings: BotSettings, inner: BotFrameworkAuthentication | None = None) -> None:
        self._settings = settings
        self.bot_framework_authentication: BotFrameworkAuthentication = _UserTokenClientsKept(
            inner
            or ConfigurationBotFrameworkAuthentication(
                _BotFrameworkConfig(
                    APP_ID=settings.app_id,
                    APP_PASSWORD=settings.app_password,
                    APP_TYPE=settings.app_type,
                    APP_TENANTID=settings.tenant_id,
                )
            )
        )
        self._executor = ThreadPoolExecutor(max_workers=AUTH_WORKERS, thread_name_prefix="bf-auth")
        if not settings.local_mode:
            install_signing_keys(min(KEY_FETCH_TIMEOUT_SECONDS, settings.auth_timeout_seconds))

    async def authenticate(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        """The identity of the request and the connector factory for replies; raises Unauthorized."""
        if self._settings.local_mode:
            # No app id: nothing to validate against, and botbuilder would still try a present header.
            return await self.bot_framework_authentication.authenticate_request(activity, "")
        check_token_shape(auth_header)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._validate_blocking, activity, auth_header)
        try:
            return await asyncio.wait_for(future, timeout=self._settings.auth_timeout_seconds)
        except TimeoutError:
            raise Unauthorized(
                f"token validation took more than {self._settings.auth_timeout_seconds:g} s "
                "(is the Bot Framework OpenID metadata host reachable?)"
            ) from None

    def _validate_blocking(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        try:
            return asyncio.run(self.bot_framework_authentication.authenticate_request(activity, auth_header))
        except Exception as error:  # botbuilder signals a bad token with anything from KeyError up
            raise Unauthorized(f"{type(error).__name__}: {error}") from None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def check_token_shape(auth_header: str) -> None:
    """Refuse, without network, what cannot be a Bot Framework bearer token."""
    scheme, _, token = auth_header.partition(" ")
    if scheme != "Bearer" or not token or " " in token.strip():
        raise Unauthorized("no 'Authorization: Bearer <token>' header")
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise Unauthorized(f"the bearer token is not a JWT ({error})") from None
    if not isinstance(header.get("kid"), str) or header.get("alg") != "RS256":
        raise Unauthorized("the token is not signed the way Bot Framework tokens are (RS256 with a key id)")
    if not isinstance(claims.get("iss"), str) or not claims.get("aud"):
        raise Unauthorized("the token has no issuer or audience")
