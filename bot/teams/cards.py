"""Adaptive Cards the bot sends: welcome, help, sources, about, and the quote card of a lookup.

Cards are plain dicts (Adaptive Card 1.5, the version Teams renders everywhere); `card_attachment` wraps
one for an activity.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Attachment

from bot.teams.texts import Texts
from knowledge.types import IndexedDocument, SearchHit

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
Card = dict[str, Any]

ASK_ACTION = "ask"
"""`data.action` of the example-question buttons; the handler answers `data.question`."""


def card_attachment(card: Card) -> Attachment:
    return Attachment(content_type=ADAPTIVE_CARD, content=card)


def adaptive_card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def heading(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "size": "Medium", "wrap": True}


def text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def document_line(document: IndexedDocument, texts: Texts) -> str:
    meta = document.meta
    return f"{meta.title} ({meta.kind}, {meta.date or texts.undated})"


def ask_action(question: str) -> dict[str, Any]:
    """A button that asks `question`: Action.Submit with plain data, which Teams and the Agents Playground
    both post as a message whose `value` is the data; the handler answers `value.question`.

    No `msteams` object (messageBack/imBack) in the data: the Agents Playground cannot send such a button
    ("Cannot add property msTeams, object is not extensible"). Without messageBack the chat shows no
    message from the user, so the answer repeats the question.
    """
    return {"type": "Action.Submit", "title": question, "data": {"action": ASK_ACTION, "question": question}}


def ask_lines(questions: tuple[str, ...]) -> list[dict[str, Any]]:
    """Questions as lines that ask them when clicked, not buttons: a button's title is cut to one line (in
    the Agents Playground "Who decides on memberships in international netw…"), and questions are longer
    than that. Each line carries the same Action.Submit as a button, as its `selectAction`."""
    return [
        {
            "type": "Container",
            "selectAction": ask_action(q),
            "spacing": "Small",
            "items": [text_block(f"→ {q}", color="Accent")],
        }
        for q in questions
    ]


def welcome_card(texts: Texts, documents: list[IndexedDocument], examples: tuple[str, ...]) -> Card:
    body = [
        heading(texts.welcome_title),
        text_block(texts.welcome_intro),
        text_block(texts.welcome_documents, weight="Bolder", spacing="Medium"),
    ]
    if documents:
        body.append(text_block("\n".join(f"- {document_line(d, texts)}" for d in documents)))
    else:
        body.append(text_block(texts.sources_empty, isSubtle=True))
    body += [
        text_block(texts.welcome_examples, weight="Bolder", spacing="Medium"),
        *ask_lines(examples),
        {"type": "ActionSet", "spacing": "Medium", "actions": [ask_action(texts.get_started_button)]},
        text_block(texts.welcome_feedback, isSubtle=True, spacing="Medium"),
        text_block(texts.welcome_commands, isSubtle=True),
    ]
    return adaptive_card(body)


def help_card(texts: Texts, examples: tuple[str, ...], owner_help: str = "") -> Card:
    """``owner_help``: what a content owner can do besides, shown to owners only."""
    body = [heading(texts.help_title), text_block(texts.help_body)]
    if owner_help:
        body.append(text_block(owner_help))
    return adaptive_card([*body, text_block(texts.welcome_examples, weight="Bolder"), *ask_lines(examples)])


def next_questions_card(texts: Texts, questions: tuple[str, ...], heading: str | None = None) -> Card:
    """Questions the documents answer (the engine asked each before offering it), as lines that ask them
    when clicked: what to ask next after an answer, or (with its own ``heading``) what to ask instead."""
    return adaptive_card([text_block(heading or texts.ask_next, weight="Bolder"), *ask_lines(questions)])


def sources_card(texts: Texts, documents: list[IndexedDocument]) -> Card:
    body: list[dict[str, Any]] = [heading(texts.sources_title)]
    if not documents:
        body.append(text_block(texts.sources_empty))
    for document in sorted(documents, key=lambda d: d.meta.date, reverse=True):
        meta = document.meta
        facts = f"{meta.kind} · {meta.date or texts.undated} · {document.passage_count} {texts.passages}"
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [text_block(meta.title, weight="Bolder"), text_block(facts, isSubtle=True, spacing="None")],
            }
        )
    return adaptive_card(body)


def about_card(texts: Texts, document_count: int, version: str) -> Card:
    return adaptive_card(
        [
            heading(texts.about_title),
            text_block(texts.about_body),
            text_block(f"{document_count} · {texts.sources_title.lower()} · v{version}", isSubtle=True),
        ]
    )


def quote_card(hit: SearchHit, texts: Texts) -> Card:
    """What a lookup inserts into the conversation: the quote, then where it comes from."""
    where = " › ".join(p for p in (hit.document, hit.section) if p)
    return adaptive_card(
        [
            {
                "type": "Container",
                "style": "emphasis",
                "items": [text_block(f"“{hit.snippet}”", size="Medium")],
            },
            text_block(f"{texts.quote_from}: {where}", isSubtle=True, spacing="Small"),
            text_block(f"{hit.source}", isSubtle=True, spacing="None", size="Small"),
        ]
    )
