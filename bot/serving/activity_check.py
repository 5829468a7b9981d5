"""Checking a request body before it becomes an Activity, so that nothing a client sends ends in a 500.

botbuilder's models (msrest) accept almost anything: a list of nulls, a string where an object belongs, a
number where a string belongs. The handler and botbuilder's own Teams dispatch then fail on it deep inside a
turn. So the body is checked here against the same schema msrest deserialises with (the models' attribute
maps), plus the few free-form parts the bot reads itself (mention and clientInfo entities).

Lone UTF-16 surrogates ("\\ud800"), which JSON allows as escapes but UTF-8 cannot encode, are replaced with
U+FFFD instead of refused: a Teams client only sends them by cutting an emoji in half, and refusing them
would lose the rest of the message or the feedback that carried them.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any
from urllib.parse import urlsplit

import botbuilder.schema
import botbuilder.schema.teams
from msrest.serialization import Model

MAX_JSON_DEPTH = 32
"""Teams activities nest about six levels (channelData, entities with citations); the limit keeps every
walk over the body, ours and the libraries', far from Python's recursion limit."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_MODELS: dict[str, type[Model]] = {
    name: model
    for module in (botbuilder.schema, botbuilder.schema.teams)
    for name, model in vars(module).items()
    if isinstance(model, type) and issubclass(model, Model)
}


class ActivityRejected(Exception):
    """The body cannot be an activity; `status` is the HTTP status to answer with, the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_activity_json(raw: bytes, charset: str | None) -> dict[str, Any]:
    """The body as a JSON object that `Activity().deserialize` and the handler can take safely."""
    if charset and _codec_name(charset) != "utf-8":
        # JSON on the wire is UTF-8 (RFC 8259); any other label is a client error, not ours.
        raise ActivityRejected(415, "Send the activity as UTF-8 JSON.")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ActivityRejected(400, "The body is not valid JSON.") from None
    except RecursionError:
        raise ActivityRejected(400, f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.") from None
    if json_depth(body) > MAX_JSON_DEPTH:
        raise ActivityRejected(400, f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.")
    if not isinstance(body, dict):
        raise ActivityRejected(400, "The body must be a JSON object (an activity).")
    body = without_lone_surrogates(body)
    problem = activity_problem(body)
    if problem:
        raise ActivityRejected(400, problem)
    return body


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest (a scalar is 0); iterative, so any depth is safe to measure."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            pending.extend((child, depth + 1) for child in item)
    return deepest


def without_lone_surrogates(value: Any) -> Any:
    """The same JSON value with every lone surrogate, in keys and strings, replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_lone_surrogates(key): without_lone_surrogates(item) for key, item in value.items()}
    return value


def activity_problem(body: dict[str, Any]) -> str | None:
    """What makes this body unusable as an activity the bot can reply to, or None."""
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "The activity has no type."
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not _is_http_url(service_url):
        return "The activity has no serviceUrl to reply to."
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not _is_header_safe(conversation.get("id")):
        # botbuilder sends the conversation id back in an HTTP header (x-ms-conversation-id), which takes
        # no control characters, no surrounding spaces and, in practice, nothing but ASCII; Teams' ids are
        # plain ASCII.
        return "The activity has no conversation id of printable ASCII characters."
    return (
        _schema_problem(body, botbuilder.schema.Activity, "activity")
        or _channel_data_problem(body.get("channelData"))
        or _entities_problem(body.get("entities"))
        or _nested_json_problem(body)
    )


def _nested_json_problem(body: dict[str, Any]) -> str | None:
    """A string field that carries JSON nested deeper than MAX_JSON_DEPTH. Teams sends the feedback
    comment as a JSON string inside the activity, and the handler parses it: parsed as it is, 50,000
    nested brackets raise RecursionError deep inside the turn."""
    pending: list[Any] = [body]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str) and item.lstrip()[:1] in ("{", "[") and bracket_depth(item) > MAX_JSON_DEPTH:
            return f"A field carries JSON nested deeper than {MAX_JSON_DEPTH} levels."
    return None


def bracket_depth(text: str) -> int:
    """How deeply the brackets of JSON text nest, outside its strings; a count, so any depth is safe."""
    depth = deepest = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "]}":
            depth -= 1
    return deepest


def _schema_problem(value: dict[str, Any], model: type[Model], where: str) -> str | None:
    """The first field whose JSON type differs from the model's declared type; unknown fields pass."""
    for attribute in model._attribute_map.values():
        key, declared = attribute["key"], attribute["type"]
        if key in value and value[key] is not None:
            problem = _type_problem(value[key], declared, f"{where}.{key}")
            if problem:
                return problem
    return None


def _type_problem(value: Any, declared: str, where: str) -> str | None:
    if declared.startswith("[") and declared.endswith("]"):
        if not isinstance(value, list):
            return f"The field {where} must be a list."
        for index, item in enumerate(value):
            problem = _type_problem(item, declared[1:-1], f"{where}[{index}]")
            if problem:
                return problem
        return None
    if declared.startswith("{") and declared.endswith("}"):
        if not isinstance(value, dict):
            return f"The field {where} must be an object."
        for key, item in value.items():
            problem = _type_problem(item, declared[1:-1], f"{where}.{key}")
            if problem:
                return problem
        return None
    if declared in ("str", "iso-8601"):
        return None if isinstance(value, str) else f"The field {where} must be a string."
    if declared == "bool":
        return None if isinstance(value, bool) else f"The field {where} must be true or false."
    if declared in ("int", "long"):
        is_integer = isinstance(value, int) and not isinstance(value, bool)
        return None if is_integer else f"The field {where} must be an integer."
    if declared in ("float", "decimal"):
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        return None if is_number else f"The field {where} must be a number."
    model = _MODELS.get(declared)
    if model is not None:
        if not isinstance(value, dict):
            return f"The field {where} must be an object."
        return _schema_problem(value, model, where)
    return None  # "object" and anything msrest itself takes as it comes


def _channel_data_problem(channel_data: Any) -> str | None:
    # Free-form in the Bot Framework schema, but botbuilder's Teams dispatch deserialises it as
    # TeamsChannelData, and the tenant check reads it.
    if channel_data is None:
        return None
    if not isinstance(channel_data, dict):
        return "The field activity.channelData must be an object."
    return _schema_problem(channel_data, botbuilder.schema.teams.TeamsChannelData, "activity.channelData")


def _entities_problem(entities: Any) -> str | None:
    # The bot reads these entities' free-form properties: who a mention names, the client's locale.
    for index, entity in enumerate(entities or []):
        where = f"activity.entities[{index}]"
        kind = str(entity.get("type") or "").lower()
        if kind == "mention":
            mentioned = entity.get("mentioned")
            if mentioned is not None:
                problem = _type_problem(mentioned, "ChannelAccount", f"{where}.mentioned")
                if problem:
                    return problem
            if entity.get("text") is not None and not isinstance(entity["text"], str):
                return f"The field {where}.text must be a string."
        elif kind == "clientinfo" and entity.get("locale") is not None and not isinstance(entity["locale"], str):
            return f"The field {where}.locale must be a string."
    return None


def _is_header_safe(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and value.isascii() and value.isprintable() and value == value.strip()


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unclosed IPv6 bracket, a port that is not a number
        return False


def _codec_name(charset: str) -> str | None:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None
