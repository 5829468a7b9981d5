"""The aiohttp application: POST /api/messages for the Bot Framework, GET /healthz for probes.

The route reads and checks the request itself instead of calling `CloudAdapter.process`, because that
method answers malformed bodies with 500 and serialises invoke-response bodies a second time (which
crashes on the dicts the handler returns). Everything a client can get wrong is a 4xx here.
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
from msrest.serialization import Model

from bot.auth import RequestAuthenticator, Unauthorized
from bot.engine_port import Answerer, AsyncAnswerer
from bot.handler import StrategibotHandler, activity_language
from bot.settings import BotSettings
from bot.store.settings import StoreSettings
from bot.store.store import Store
from bot.texts import texts_for

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
    store: Store | None = None,
) -> web.Application:
    """Wire the bot: the engine's answers, Bot Framework auth, and the store for feedback and the question
    log (`store`, owned by the caller; without one, a SQLite store in `data_dir` that the app closes)."""
    authenticator = authenticator or RequestAuthenticator(bot_settings)
    answerer = AsyncAnswerer(engine)
    owns_store = store is None
    store = store or Store.open(StoreSettings(data_dir=data_dir))
    adapter = CloudAdapter(authenticator.bot_framework_authentication)
    adapter.on_turn_error = _on_turn_error
    handler = StrategibotHandler(answerer, store, version=_version())

    async def messages(request: web.Request) -> web.StreamResponse:
        activity = await _read_activity(request)
        try:
            auth = await authenticator.authenticate(activity, request.headers.get("Authorization", ""))
        except Unauthorized as reason:
            log.warning("refused a request to /api/messages: %s", reason)
            return web.json_response({"error": "unauthorized"}, status=401)
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
        answerer.close()
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
    try:
        raw = await request.read()
        body = json.loads(raw.decode(request.charset or "utf-8"))
    except web.HTTPRequestEntityTooLarge:
        raise
    except (UnicodeDecodeError, ValueError):
        raise web.HTTPBadRequest(text="The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="The body must be a JSON object (an activity).")
    problem = _activity_problem(body)
    if problem:
        raise web.HTTPBadRequest(text=problem)
    try:
        return Activity().deserialize(body)
    except Exception:  # msrest raises DeserializationError and friends for wrongly typed fields
        raise web.HTTPBadRequest(text="The activity has wrongly typed fields.") from None


def _activity_problem(body: dict[str, Any]) -> str | None:
    """What makes this body unusable as an activity the bot can reply to, or None."""
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "The activity has no type."
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not service_url.startswith(("http://", "https://")):
        return "The activity has no serviceUrl to reply to."
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        return "The activity has no conversation id."
    for field in ("from", "recipient"):
        if field in body and not isinstance(body[field], dict):
            return f"The activity's {field!r} must be an object."
    for field in ("entities", "attachments", "membersAdded", "membersRemoved"):
        if field in body and body[field] is not None and not isinstance(body[field], list):
            return f"The activity's {field!r} must be a list."
    if "text" in body and body["text"] is not None and not isinstance(body["text"], str):
        return "The activity's text must be a string."
    return None


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
        await turn_context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=_invoke_error(trace_id))
        )
        return
    if activity.type != ActivityTypes.message:
        return
    try:
        text = texts_for(activity_language(activity)).error.format(trace_id=trace_id)
        await turn_context.send_activity(text)
    except Exception:
        log.exception("could not send the apology either (trace id %s)", trace_id)


def _invoke_error(trace_id: str) -> InvokeResponse:
    return InvokeResponse(status=500, body={"error": "internal error", "traceId": trace_id})


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _version() -> str:
    try:
        return version("strategibot")
    except PackageNotFoundError:
        return "0"
