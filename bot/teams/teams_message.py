"""An `Answer` as a Teams AI message: text with [n] markers, native citations, the AI label, feedback.

Teams reads all of this from one `https://schema.org/Message` entity. botbuilder's `Entity` model would
drop every field but `type` when the activity is serialised for the connector, so the entity here is a
small subclass whose attribute map names the extra fields.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from botbuilder.schema import Activity, ActivityTypes, Entity

from bot.teams.cards import card_attachment, next_questions_card
from bot.teams.texts import texts_for
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
    appearance: dict[str, Any] = {
        "@type": "DigitalDocument",
        "name": name,
        "abstract": shorten(citation.quote, ABSTRACT_MAX),
        "keywords": [shorten(k, KEYWORD_MAX) for k in keywords[:KEYWORDS_MAX]],
    }
    # The published document, where there is one: Teams makes the citation open it.
    if (citation.url or "").startswith(("https://", "http://")):
        appearance["url"] = citation.url
    return {"@type": "Claim", "position": citation.number, "appearance": appearance}


def answer_activity(answer: Answer, asked: str = "") -> Activity:
    """The reply for an answer: the AI label, the 👍/👎 and the citations belong to this message alone.

    `asked` is the question of a card button or line: a click shows no message from the user in the chat,
    so the answer opens with the question it answers.
    """
    text = teams_markdown(answer.text)
    if asked:
        text = f"**{_markdown_escaped(asked)}**\n\n{text}"
    return Activity(
        type=ActivityTypes.message,
        text=text,
        text_format="markdown",
        entities=[AIMessageEntity(citation=[citation_claim(c) for c in answer.citations[:CITATIONS_MAX]])],
        channel_data={"feedbackLoopEnabled": True},
    )


def questions_activity(answer: Answer) -> Activity | None:
    """The answer's questions, sent right after it as a message of its own, without the AI label or
    feedback buttons: after an abstention, what to ask instead; after an answer, the questions to ask next.

    A message of its own because the Agents Playground draws a card attached to an answer as a second
    bubble with its own AI label and 👍/👎, whose feedback would belong to no answer. Lines, not buttons: a
    button's title is cut to one line, a line shows the whole question. Not suggested actions: the Agents
    Playground then drops the citation pills, and group chats and channels do not show them.
    """
    if not answer.suggestions:
        return None
    texts = texts_for(answer.language)
    heading = texts.abstained_suggestions if answer.abstained else texts.ask_next
    return Activity(
        type=ActivityTypes.message,
        attachments=[card_attachment(next_questions_card(texts, answer.suggestions, heading))],
    )


_BULLET = re.compile(r"^([-*+])\s+")
_NUMBERED = re.compile(r"^(\d{1,9})([.)])\s+")
_CITATION_MARKER = re.compile(r"\[\d+\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def teams_markdown(text: str) -> str:
    """Answer text as Teams renders it: Teams joins single line breaks, so every line of an answer becomes
    a paragraph of its own, and a line that opens with a dash a list item.

    A list item with no item of its list next to it becomes a plain paragraph. A one-item list is a
    "tight" list, whose item holds bare text instead of a paragraph, and Teams clients turn [n] into a
    citation pill only in paragraphs: in a lone item the marker would stay plain "[1]". Items separated by
    blank lines form a "loose" list, whose items are paragraphs, so runs of two or more keep their bullets.
    A lone numbered item keeps its number, escaped, where it carries a marker.
    """
    lines = [("- " + line[2:]) if line.startswith("– ") else line for line in text.splitlines()]
    lines = [line.strip() for line in lines if line.strip()]
    kept = []
    for i, line in enumerate(lines):
        neighbours = lines[max(i - 1, 0) : i] + lines[i + 1 : i + 2]
        kind = _list_kind(line)
        if kind and all(_list_kind(n) != kind for n in neighbours):
            if kind in "-*+":
                line = _BULLET.sub("", line)
            elif _CITATION_MARKER.search(line):
                line = _NUMBERED.sub(r"\1\\\2 ", line)
        kept.append(line)
    return "\n\n".join(kept)


def _list_kind(line: str) -> str:
    """The marker that decides which list a line belongs to: markdown starts a new list when the bullet
    character or the number's delimiter changes."""
    bullet = _BULLET.match(line)
    if bullet:
        return bullet.group(1)
    numbered = _NUMBERED.match(line)
    return "1" + numbered.group(2) if numbered else ""


def _markdown_escaped(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Back up to the last whole word, unless the cut already falls between words.
    if text[limit - 1] != " " and " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
