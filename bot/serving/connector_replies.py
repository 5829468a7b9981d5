"""Sending replies to the Bot Connector so that a slow or stalled conversation never delays another.

botbuilder 4.17.1 sends every reply through msrest: a `requests` call run in the event loop's default thread
pool (cores + 4 threads), with a 100 s read timeout, retried after read timeouts, and with the body read
later on the event loop itself. A few conversations whose connector endpoint never answers fill that pool,
and then every conversation waits. Here each turn's connector client gets a pipeline of its own, set up in
the one place botbuilder lets an app in — the connector factory of the authenticated request:

* connect and read timeouts of STRATEGIBOT_CONNECTOR_TIMEOUT seconds;
* a bounded retry for 429 and 5xx that honours Retry-After (up to a cap), and none after a read timeout,
  since the connector may have posted the message already;
* the call, the reading of the body and the signing of the request (which may fetch a token) run on a
  pool of the bot's own, one call at a time per conversation, so a stalled conversation holds at most one
  thread and never one that another conversation is waiting for.

A conversation's client is kept for its next turns (the most recent ``CLIENTS_KEPT`` conversations):
botbuilder builds a new one every turn, and msrest's configuration of a client costs about 5 ms of CPU
(its retry settings are computed by a list search over 999 status codes), a large share of a turn's cost
under load. botbuilder's older adapter kept its clients the same way.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ConnectorFactory
from msrest.exceptions import ClientRequestError
from msrest.pipeline import AsyncPipeline
from msrest.pipeline.async_requests import AsyncPipelineRequestsHTTPSender
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.async_requests import AsyncRequestsClientResponse, AsyncRequestsHTTPSender
from urllib3.util.retry import Retry

from bot.serving.conversation_lanes import ConversationLanes

log = logging.getLogger(__name__)

REPLY_RETRIES = 2
"""Further attempts after a 429 or 5xx answer, or a refused connection."""
RETRY_AFTER_CAP_SECONDS = 3.0
"""The longest Retry-After the bot honours: Teams gives the whole turn 15 s."""
REPLY_THREADS = 32
"""Replies in flight at once across all conversations; each conversation uses at most one."""
CLIENTS_KEPT = 1024
"""Connector clients kept for the next turn of their conversation, the least recently used dropped first."""


class ReplyRetry(Retry):
    """urllib3's retry with Retry-After honoured up to RETRY_AFTER_CAP_SECONDS."""

    BACKOFF_MAX = RETRY_AFTER_CAP_SECONDS
    """urllib3 1.x's name for backoff_max, which msrest still reads (to log it) when it sets up a session."""

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, RETRY_AFTER_CAP_SECONDS)


def reply_retry() -> ReplyRetry:
    return ReplyRetry(
        total=REPLY_RETRIES,
        connect=REPLY_RETRIES,
        read=0,
        status=REPLY_RETRIES,
        other=0,
        allowed_methods=None,  # replies are POSTs; a 429 or 503 means the connector did not take them
        status_forcelist=(429, 500, 502, 503, 504),
        backoff_factor=0.5,
        backoff_max=RETRY_AFTER_CAP_SECONDS,
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer goes back to msrest, which reports its status
    )


class ConnectorReplies:
    """The bot's own threads for talking to the Bot Connector, shared by the turns of one app."""

    def __init__(self, timeout_seconds: float, clients_kept: int = CLIENTS_KEPT) -> None:
        self.timeout_seconds = timeout_seconds
        self._clients_kept = clients_kept
        self._executor = ThreadPoolExecutor(max_workers=REPLY_THREADS, thread_name_prefix="connector")
        self._conversations = ConversationLanes()
        self._clients: OrderedDict[tuple[str, str, str | None], ConnectorClient] = OrderedDict()
        # What requests' own timeouts do not cover (name resolution, a body trickling in) ends here.
        attempts = REPLY_RETRIES + 1
        self._deadline_seconds = attempts * 2 * timeout_seconds + REPLY_RETRIES * RETRY_AFTER_CAP_SECONDS + 1

    def connector_factory(self, inner: ConnectorFactory, conversation: str) -> ConnectorFactory:
        """`inner`'s connector clients, sending through this conversation's lane."""
        return _ConversationConnectorFactory(inner, self, conversation)

    def kept_client(self, key: tuple[str, str, str | None]) -> ConnectorClient | None:
        client = self._clients.get(key)
        if client is not None:
            self._clients.move_to_end(key)
        return client

    def keep_client(self, key: tuple[str, str, str | None], client: ConnectorClient) -> None:
        self._clients[key] = client
        self._clients.move_to_end(key)
        while len(self._clients) > self._clients_kept:
            self._clients.popitem(last=False)

    async def run(self, conversation: str, call: functools.partial[requests.Response]) -> requests.Response:
        try:
            async with asyncio.timeout(self._deadline_seconds), self._conversations.lane(conversation):
                return await asyncio.get_running_loop().run_in_executor(self._executor, call)
        except TimeoutError:
            raise ClientRequestError(f"the Bot Connector did not answer within {self._deadline_seconds:g} s") from None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class _ConversationConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, replies: ConnectorReplies, conversation: str) -> None:
        self._inner = inner
        self._replies = replies
        self._conversation = conversation

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._conversation, service_url, audience)
        kept = self._replies.kept_client(key)
        if kept is not None:
            return kept
        client = await self._inner.create(service_url, audience)
        config = client.config
        config.connection.timeout = (self._replies.timeout_seconds, self._replies.timeout_seconds)
        config.retry_policy.policy = reply_retry()
        sender = _LaneSender(config, self._replies, self._conversation)
        # msrest's default pipeline without its credentials policy: the sender signs requests off the loop.
        config.pipeline = AsyncPipeline(
            [config.user_agent_policy, RawDeserializer(), config.http_logger_policy],
            AsyncPipelineRequestsHTTPSender(sender),
        )
        self._replies.keep_client(key, client)
        return client


class _LaneSender(AsyncRequestsHTTPSender):
    def __init__(self, config: Any, replies: ConnectorReplies, conversation: str) -> None:
        super().__init__(config)
        self._replies = replies
        self._conversation = conversation

    async def send(self, request: ClientRequest, **kwargs: Any) -> AsyncRequestsClientResponse:
        requests_kwargs = self._configure_send(request, **kwargs)
        session = requests_kwargs.pop("session", self.session)
        call = functools.partial(
            _signed_request, self.config.credentials, session, request.method, request.url, requests_kwargs
        )
        return AsyncRequestsClientResponse(request, await self._replies.run(self._conversation, call))


def _signed_request(
    credentials: Any, session: requests.Session, method: str, url: str, kwargs: dict[str, Any]
) -> requests.Response:
    """Runs on a connector thread: the token, the call and the whole body, so the loop never waits on them."""
    try:
        if credentials is not None:
            credentials.signed_session(session)
        response = session.request(method, url, **kwargs)
        response.content  # noqa: B018 - reads the streamed body here, not later on the event loop
        return response
    except requests.RequestException as error:
        raise ClientRequestError("Error occurred in request.", error) from error
