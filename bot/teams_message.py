"""An `Answer` as a Teams AI message: text with [n] markers, native citations, the AI label, feedback.

Teams reads all of this from one `https://schema.org/Message` entity. botbuilder's `Entity` model would
drop every field but `type` when the activity is serialised for the connector, so the entity here is a
small subclass whose attribute map names the extra fields.
"""

from __future__ import annotations

from typing import Any, ClassVar

from botbuilder.schema import Activity, ActivityTypes, CardAction, Entity, SuggestedActions

from bot.texts import texts_for
from knowledge.types import Answer, Citation

ABSTRACT_MAX = 160
"""Teams shows at most 160 characters of a citation's abstract."""
KEYWORD_MAX = 28
KEYWORDS_MAX = 3
CITATIONS_MAX = 20
"""Teams renders at most 20 citations in one message."""


class AIMessageEntity(Entity):
    """The Teams AI message entity, with the fields botbuilder's `Entity` would otherwise lose."""

    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        **Entity._attribute_map,
        "schema_type": {"key": "@type", "type": "str"},
        "schema_context": {"key": "@context", "type": "str"},
        "schema_id": {"key": "@id", "type": "str"},
        "additional_type": {"key": "additionalType", "type": "[str]"},
        "citation": {"key": "citation", "type": "[object]"},
    }

    def __init__(self, citation: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(type="https://schema.org/Message", **kwargs)
        self.schema_type = "Message"
        self.schema_context = "https://schema.org"
        self.schema_id = ""  # Teams requires it present and empty
        self.additional_type = ["AIGeneratedContent"]
        self.citation = citation or []


def citation_claim(citation: Citation) -> dict[str, Any]:
    """One `Claim` of the entity: Teams shows it behind the [n] pill of the same position."""
    name = citation.document if not citation.section else f"{citation.document} – {citation.section}"
    keywords = [k for k in (citation.kind, citation.date, citation.section) if k]
    return {
        "@type": "Claim",
        "position": citation.number,
        "appearance": {
            "@type": "DigitalDocument",
            "name": name,
            "abstract": shorten(citation.quote, ABSTRACT_MAX),
            "keywords": [shorten(k, KEYWORD_MAX) for k in keywords[:KEYWORDS_MAX]],
        },
    }


def answer_activity(answer: Answer) -> Activity:
    """The reply for an answer; an abstention lists the questions the documents can answer instead."""
    texts = texts_for(answer.language)
    text = teams_markdown(answer.text)
    suggested = None
    if answer.abstained and answer.suggestions:
        missing = [s for s in answer.suggestions if s not in text]
        if missing:
            text += "\n\n" + texts.abstained_suggestions + "\n" + "\n".join(f"- {s}" for s in missing)
        # Buttons that ask the suggestion, where the client shows suggested actions (1:1 chats).
        suggested = SuggestedActions(
            actions=[CardAction(type="imBack", title=shorten(s, 60), value=s) for s in answer.suggestions]
        )
    return Activity(
        type=ActivityTypes.message,
        text=text,
        text_format="markdown",
        entities=[AIMessageEntity(citation=[citation_claim(c) for c in answer.citations[:CITATIONS_MAX]])],
        channel_data={"feedbackLoopEnabled": True},
        suggested_actions=suggested,
    )


def teams_markdown(text: str) -> str:
    """Answer text as Teams renders it: Teams joins single line breaks, so every line of an answer becomes
    a paragraph of its own, and a line that opens with a dash a list item."""
    lines = [("- " + line[2:]) if line.startswith("– ") else line for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line.strip())


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Back up to the last whole word, unless the cut already falls between words.
    if text[limit - 1] != " " and " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
