"""The compose-box lookup: a search command whose results insert a quote card into the conversation.

Teams sends `composeExtension/query` while the user types; each result has a preview (the list item) and
the card that is inserted when the user picks it, so no second round trip is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.teams.cards import ADAPTIVE_CARD, quote_card
from bot.teams.teams_message import shorten
from bot.teams.texts import Texts
from knowledge.types import SearchHit

COMMAND_ID = "searchDocuments"
"""The command id in manifest.json's composeExtensions."""
QUERY_PARAMETER = "query"
RESULT_LIMIT = 8
QUERY_MAX = 500


@dataclass(frozen=True)
class LookupQuery:
    text: str
    initial_run: bool


def parse_query(value: Any) -> LookupQuery:
    """The text typed in the compose box; malformed values read as an empty query, never an error."""
    if not isinstance(value, dict):
        return LookupQuery("", False)
    text, initial = "", False
    parameters = value.get("parameters")
    for parameter in parameters if isinstance(parameters, list) else []:
        if not isinstance(parameter, dict):
            continue
        name, raw = parameter.get("name"), parameter.get("value")
        if name == "initialRun":
            initial = str(raw).lower() == "true"
        elif name == QUERY_PARAMETER and isinstance(raw, str):
            text = raw
    return LookupQuery(" ".join(text.split())[:QUERY_MAX], initial)


def search_response(query: LookupQuery, hits: list[SearchHit], texts: Texts) -> dict[str, Any]:
    if not query.text:
        return {"composeExtension": {"type": "message", "text": texts.search_hint}}
    if not hits:
        return {"composeExtension": {"type": "message", "text": texts.search_no_results.format(query=query.text)}}
    return {
        "composeExtension": {
            "type": "result",
            "attachmentLayout": "list",
            "attachments": [_result(hit, texts) for hit in hits],
        }
    }


def _result(hit: SearchHit, texts: Texts) -> dict[str, Any]:
    subtitle = " · ".join(p for p in (hit.section, hit.date) if p)
    return {
        "contentType": ADAPTIVE_CARD,
        "content": quote_card(hit, texts),
        "preview": {
            "contentType": "application/vnd.microsoft.card.thumbnail",
            "content": {"title": hit.document, "subtitle": subtitle, "text": shorten(hit.snippet, 160)},
        },
    }
