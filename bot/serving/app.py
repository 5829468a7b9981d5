"""The aiohttp application: POST /api/messages for the Bot Framework, GET /healthz for probes.

The route reads and checks the request itself instead of calling `CloudAdapter.process`, because that
method answers malformed bodies with 500 and serialises invoke-response bodies a second time (which
crashes on the dicts the handler returns). Everything a client can get wrong is a 4xx here: the body is
checked by `activity_check`, the sender's tenant against STRATEGIBOT_ALLOWED_TENANTS (403).
"""

from __future__ import annotations

import json
import logging
import uuid
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from msrest.exceptions import ClientRequestError, HttpOperationError
from msrest.serialization import Model

from bot.content.library import DocumentLibrary
from bot.content.settings import ContentSettings
from bot.serving.activity_check import ActivityRejected, read_activity_json
from bot.serving.auth import RequestAuthenticator, Unauthorized
from bot.serving.connector_replies import ConnectorReplies
from bot.serving.engine_port import Answerer, AsyncAnswerer
from bot.serving.rate_limit import SlidingWindowRateLimiter
from bot.serving.serving_settings import ServingSettings
from bot.serving.settings import BotSettings
from bot.serving.tenants import activity_tenants, tenant_allowed
from bot.store.settings import StoreSettings
from bot.store.store import Store
from bot.teams.content_jobs import ContentJobs
from bot.teams.handler import StrategibotHandler, activity_language
from bot.teams.owner_commands import OwnerConversation
from bot.teams.texts import texts_for

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
"""Teams activities are a few kilobytes; a larger body is refused before it is parsed."""

AUTHENTICATOR = web.AppKey("authenticator", RequestAuthenticator)
ANSWERER = web.AppKey("answerer", AsyncAnswerer)
STORE = web.AppKey("store", Store)


def create_app(
    bot_settings: BotSettings,
    engine: Answerer,
    data_dir: Path,
    *,
    authenticator: RequestAuthenticator | None = None,
    serving: ServingSettings | None = None,
    store: Store | None = None,
    content: ContentSettings | None = None,
    library: DocumentLibrary | None = None,
) -> web.Application:
    """Wire the bot: the engine's answers, Bot Framework auth, and the store for feedback and the question
    log (`store`, owned by the caller; without one, a SQLite store in `data_dir` that the app closes).

    ``content`` names the content owners and where uploads may come from; ``library`` is the documents
    folder they change (without one, owners are told that changes cannot be made here)."""
    serving = serving or ServingSettings()
    authenticator = authenticator or RequestAuthenticator(bot_settings)
    answerer = AsyncAnswerer(engine, serving)
    replies = ConnectorReplies(serving.connector_timeout_seconds)
    owns_store = store is None
    store = store or Store.open(StoreSettings(data_dir=data_dir))
    adapter = CloudAdapter(authenticator.bot_framework_authentication)
    adapter.on_turn_error = _on_turn_error
    jobs = ContentJobs(bot_settings.app_id)
    owners = OwnerConversation(content or ContentSettings(), library, store, answerer, jobs)
    handler = StrategibotHandler(
        answerer,
        store,
        version=_version(),
        max_question_chars=bot_settings.max_question_chars,
        rate_limiter=SlidingWindowRateLimiter(bot_settings.rate_limit_per_minute),
        owners=owners,
    )

    async def messages(request: web.Request) -> web.StreamResponse:
        activity = await _read_activity(request)
        try:
            auth = await authenticator.authenticate(activity, request.headers.get("Authorization", ""))
        except Unauthorized as reason:
            log.warning("refused a request to /api/messages: %s", reason)
            return web.json_response({"error": "unauthorized"}, status=401)
        if not tenant_allowed(activity, bot_settings.allowed_tenants):
            # Who and what kind, never the text: the log must not keep messages from outside the city.
            log.warning(
                "refused a %s activity from tenant %s: not in STRATEGIBOT_ALLOWED_TENANTS",
                activity.type,
                ", ".join(sorted(activity_tenants(activity))) or "(none named)",
            )
            return web.json_response({"error": "forbidden"}, status=403)
        if auth.connector_factory is not None:
            auth.connector_factory = replies.connector_factory(auth.connector_factory, activity.conversation.id)
        result = await adapter.process_activity(auth, activity, handler.on_turn)
        if result is None:
            return web.Response(status=200)
        body = result.body.serialize() if isinstance(result.body, Model) else result.body
        if body is None:
            return web.Response(status=result.status)
        return web.json_response(body, status=result.status, dumps=_dumps)

    async def healthz(request: web.Request) -> web.StreamResponse:
        documents = await answerer.documents()
        return web.json_response(
            {"status": "ok", "documents": len(documents), "authentication": not bot_settings.local_mode}
        )

    async def close(app: web.Application) -> None:
        await jobs.finish()
        answerer.close()
        replies.close()
        authenticator.close()
        if owns_store:
            store.close()

    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[_never_500_for_client_errors])
    app[AUTHENTICATOR] = authenticator
    app[ANSWERER] = answerer
    app[STORE] = store
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.on_cleanup.append(close)
    return app


async def _read_activity(request: web.Request) -> Activity:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="Send the activity as application/json.")
    raw = await request.read()  # HTTPRequestEntityTooLarge (413) past MAX_BODY_BYTES
    try:
        body = read_activity_json(raw, request.charset)
    except ActivityRejected as rejected:
        error = web.HTTPUnsupportedMediaType if rejected.status == 415 else web.HTTPBadRequest
        raise error(text=str(rejected)) from None
    try:
        return Activity().deserialize(body)
    except Exception:  # msrest raises DeserializationError and friends for values it cannot parse (dates)
        raise web.HTTPBadRequest(text="The activity has wrongly typed fields.") from None


@web.middleware
async def _never_500_for_client_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """HTTP errors pass through; anything else is our fault: logged with a trace id, answered 500."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        trace_id = uuid.uuid4().hex[:12]
        log.exception("internal error handling %s %s (trace id %s)", request.method, request.path, trace_id)
        return web.json_response({"error": "internal error", "traceId": trace_id}, status=500)


async def _on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    """The user gets a short apology with a trace id; the log gets the stack trace with the same id."""
    trace_id = uuid.uuid4().hex[:12]
    activity = turn_context.activity
    log.error(
        "error answering %s activity in conversation %s (trace id %s)",
        activity.type,
        activity.conversation.id if activity.conversation else "?",
        trace_id,
        exc_info=error,
    )
    if activity.type == ActivityTypes.invoke:
        # The client shows its own "could not reach the app" for a failed invoke.
        await turn_context.send_activity(Activity(type=ActivityTypes.invoke_response, value=_invoke_error(trace_id)))
        return
    if activity.type != ActivityTypes.message or _connector_unavailable(error):
        return  # nothing to tell, or no way to tell it
    try:
        text = texts_for(activity_language(activity)).error.format(trace_id=trace_id)
        await turn_context.send_activity(text)
    except Exception:
        log.exception("could not send the apology either (trace id %s)", trace_id)


def _connector_unavailable(error: Exception) -> bool:
    """The Bot Connector did not answer, or was still busy or failing after the retries: an apology would
    only wait on it again."""
    if isinstance(error, ClientRequestError):
        return True
    response = getattr(error, "response", None) if isinstance(error, HttpOperationError) else None
    status = getattr(response, "status_code", 0) or 0
    return status == 429 or status >= 500


def _invoke_error(trace_id: str) -> InvokeResponse:
    return InvokeResponse(status=500, body={"error": "internal error", "traceId": trace_id})


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _version() -> str:
    try:
        return version("strategibot")
    except PackageNotFoundError:
        return "0"
