"""Adaptive Cards for content owners: the documents, what an upload read, the form that corrects a
document's details, the confirmations, and the report of what the documents did not answer.

Every button is an Action.Submit whose data names an `action` (OwnerAction below) and the document's file
name; the handler checks again that the sender is an owner before it does anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from bot.content.library import ReadFile
from bot.content.owners_report import NO_CLOSE_SECTION, TopicGroup
from bot.teams.cards import Card, adaptive_card, heading, text_block
from bot.teams.owner_texts import OwnerTexts
from bot.teams.texts import Texts
from knowledge.types import DocumentMeta, IndexedDocument

DOCUMENTS_PER_PAGE = 8
"""A page of the documents card: eight documents with their buttons stay well inside Teams' 28 KB."""
REPORT_TOPICS = 6
REPORT_ITEMS_PER_TOPIC = 3


class OwnerAction(StrEnum):
    DOCUMENTS_PAGE = "documents_page"
    EDIT_FORM = "document_edit_form"
    EDIT = "document_edit"
    SUPERSEDE_FORM = "document_supersede_form"
    SUPERSEDE = "document_supersede"
    MARK_CURRENT = "document_mark_current"
    REMOVE_FORM = "document_remove_form"
    REMOVE = "document_remove"
    CANCEL = "owner_cancel"


def _submit(title: str, action: OwnerAction, **data: Any) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": {"action": str(action), **data}}


def ordered_documents(documents: Sequence[IndexedDocument]) -> list[IndexedDocument]:
    """Grouped by kind (alphabetically), newest first within a kind, undated last."""
    return sorted(
        documents,
        key=lambda d: (d.meta.kind.lower(), d.meta.date == "", _descending(d.meta.date), d.meta.title.lower()),
    )


def documents_card(
    texts: Texts,
    owner: OwnerTexts,
    documents: Sequence[IndexedDocument],
    changeable: set[str],
    page: int = 1,
    status_only: frozenset[str] = frozenset(),
) -> Card:
    """One page of the documents; ``changeable`` names the files owners may change, ``status_only`` those
    they may only mark superseded or current (the bundled ones, where changes can be made here)."""
    ordered = ordered_documents(documents)
    pages = max(1, math.ceil(len(ordered) / DOCUMENTS_PER_PAGE))
    page = min(max(1, page), pages)
    shown = ordered[(page - 1) * DOCUMENTS_PER_PAGE : page * DOCUMENTS_PER_PAGE]
    body: list[dict[str, Any]] = [
        heading(owner.documents_title),
        text_block(owner.documents_page.format(page=page, pages=pages, count=len(ordered)), isSubtle=True),
    ]
    if not ordered:
        body.append(text_block(owner.documents_empty))
    kind = None
    for document in shown:
        if document.meta.kind != kind:
            kind = document.meta.kind
            body.append(text_block(kind.capitalize(), weight="Bolder", color="Accent", spacing="Large"))
        body.append(
            _document_item(texts, owner, document, document.source in changeable, document.source in status_only)
        )
    navigation = []
    if page > 1:
        navigation.append(_submit(owner.previous, OwnerAction.DOCUMENTS_PAGE, page=page - 1))
    if page < pages:
        navigation.append(_submit(owner.next, OwnerAction.DOCUMENTS_PAGE, page=page + 1))
    if navigation:
        body.append({"type": "ActionSet", "spacing": "Large", "actions": navigation})
    return adaptive_card(body)


def status_text(owner: OwnerTexts, document: IndexedDocument) -> str:
    meta = document.meta
    if meta.superseded:
        status = owner.superseded_by.format(by=meta.superseded_by) if meta.superseded_by else owner.superseded
    else:
        status = owner.current
    return f"{status} · {owner.excerpt}" if not meta.complete else status


def _document_item(
    texts: Texts, owner: OwnerTexts, document: IndexedDocument, changeable: bool, status_only: bool
) -> dict[str, Any]:
    meta = document.meta
    facts = " · ".join(
        p for p in (meta.issuer, meta.date or texts.undated, meta.language, status_text(owner, document)) if p
    )
    indexed = owner.indexed.format(passages=document.passage_count, when=document.indexed_at[:10] or "–")
    if not changeable:
        indexed += f" · {owner.bundled}"
    actions = []
    if meta.url:
        actions.append({"type": "Action.OpenUrl", "title": owner.open_document, "url": meta.url})
    name = document.source
    if changeable:
        actions.append(_submit(owner.edit, OwnerAction.EDIT_FORM, document=name))
    if changeable or status_only:
        if meta.superseded:
            actions.append(_submit(owner.mark_current, OwnerAction.MARK_CURRENT, document=name))
        else:
            actions.append(_submit(owner.supersede, OwnerAction.SUPERSEDE_FORM, document=name))
    if changeable:
        actions.append(_submit(owner.remove, OwnerAction.REMOVE_FORM, document=name))
    items: list[dict[str, Any]] = [
        text_block(meta.title, weight="Bolder"),
        text_block(facts, isSubtle=True, spacing="None"),
        text_block(indexed, isSubtle=True, spacing="None", size="Small"),
    ]
    if actions:
        items.append({"type": "ActionSet", "actions": actions})
    return {"type": "Container", "separator": True, "items": items}


def read_card(owner: OwnerTexts, read: ReadFile, stored_as: str, document: IndexedDocument | None) -> Card:
    """What an upload read, with its warnings and a button to correct the details."""
    passages = document.passage_count if document else 0
    title = document.meta.title if document else read.title
    facts = owner.read_facts.format(
        date=read.date or owner.no_date_found,
        language=owner.field_labels.get(read.language, read.language),
        passages=passages,
        name=stored_as,
    )
    body = [heading(owner.read_title.format(title=title)), text_block(facts, isSubtle=True)]
    body += [text_block(f"⚠ {line}") for line in warning_lines(owner, read)]
    body.append({"type": "ActionSet", "actions": [_submit(owner.edit, OwnerAction.EDIT_FORM, document=stored_as)]})
    return adaptive_card(body)


def warning_lines(owner: OwnerTexts, read: ReadFile) -> list[str]:
    lines = []
    for warning in read.warnings:
        code, _, pages = warning.partition(":")
        template = owner.warnings.get(code)
        if template:
            lines.append(template.format(words=read.words, pages=pages.replace(",", ", ")))
    return lines


def edit_card(owner: OwnerTexts, name: str, fields: DocumentMeta) -> Card:
    labels = owner.field_labels

    def text_input(key: str, value: str, **extra: Any) -> dict[str, Any]:
        return {"type": "Input.Text", "id": key, "label": labels[key], "value": value, **extra}

    status_choices = [
        {"title": owner.current, "value": "gällande"},
        {"title": owner.superseded, "value": "ersatt"},
    ]
    body: list[dict[str, Any]] = [
        heading(owner.edit_title.format(name=name)),
        text_input("title", fields.title, isRequired=True, errorMessage=labels["title"]),
        text_input("kind", fields.kind),
        text_input("issuer", fields.issuer),
        {"type": "Input.Date", "id": "date", "label": labels["date"], "value": fields.date},
        {
            "type": "Input.ChoiceSet",
            "id": "language",
            "label": labels["language"],
            "value": fields.language,
            "choices": [{"title": labels["sv"], "value": "sv"}, {"title": labels["en"], "value": "en"}],
        },
        text_input("url", fields.url, style="Url"),
        {
            "type": "Input.ChoiceSet",
            "id": "status",
            "label": labels["status"],
            "value": "ersatt" if fields.status else "gällande",
            "choices": status_choices,
        },
        text_input("superseded_by", fields.superseded_by),
        {
            "type": "Input.Toggle",
            "id": "complete",
            "title": labels["complete"],
            "value": "true" if fields.complete else "false",
            "valueOn": "true",
            "valueOff": "false",
        },
        text_input("note", fields.note, isMultiline=True),
    ]
    return adaptive_card(
        body, [_submit(owner.save, OwnerAction.EDIT, document=name), _submit(owner.cancel, OwnerAction.CANCEL)]
    )


def supersede_card(owner: OwnerTexts, name: str, title: str, others: Sequence[IndexedDocument]) -> Card:
    choices = [{"title": d.meta.title, "value": d.meta.title} for d in ordered_documents(others)]
    body = [
        heading(owner.supersede_title.format(title=title)),
        {
            "type": "Input.ChoiceSet",
            "id": "superseded_by",
            "label": owner.supersede_choose,
            "choices": choices,
            "value": choices[0]["value"] if choices else "",
            "style": "filtered",
        },
    ]
    return adaptive_card(
        body,
        [
            _submit(owner.confirm_supersede, OwnerAction.SUPERSEDE, document=name),
            _submit(owner.cancel, OwnerAction.CANCEL),
        ],
    )


def remove_card(owner: OwnerTexts, name: str, title: str) -> Card:
    return adaptive_card(
        [heading(owner.remove_title.format(title=title)), text_block(owner.remove_body)],
        [_submit(owner.confirm_remove, OwnerAction.REMOVE, document=name), _submit(owner.cancel, OwnerAction.CANCEL)],
    )


def report_card(owner: OwnerTexts, groups: Sequence[TopicGroup], since: str) -> Card:
    """The largest topics first, each with its count and the section closest to it; long lists are cut
    with a count of what is left."""
    count = sum(len(g.items) for g in groups)
    if not groups:
        return adaptive_card([heading(owner.report_title), text_block(owner.report_empty.format(since=since))])
    body: list[dict[str, Any]] = [
        heading(owner.report_title),
        text_block(owner.report_since.format(since=since, count=count, topics=len(groups)), isSubtle=True),
    ]
    kinds = {"unanswered": owner.report_unanswered, "unsure": owner.report_unsure, "disliked": owner.report_disliked}
    for group in groups[:REPORT_TOPICS]:
        near_nothing = group.topic == NO_CLOSE_SECTION
        lines = []
        for item in group.items[:REPORT_ITEMS_PER_TOPIC]:
            line = f"- {item.at[:10]} · {kinds[item.kind]} · {item.question or '–'}"
            if item.comment:
                line += f" — {owner.report_comment}: “{item.comment}”"
            lines.append(line)
        if len(group.items) > REPORT_ITEMS_PER_TOPIC:
            lines.append(owner.report_more_items.format(count=len(group.items) - REPORT_ITEMS_PER_TOPIC))
        body.append(
            {
                "type": "Container",
                "separator": True,
                "spacing": "Medium",
                "items": [
                    text_block(owner.report_no_section if near_nothing else group.topic, weight="Bolder"),
                    text_block(
                        (owner.report_count if near_nothing else owner.report_closest).format(count=len(group.items)),
                        isSubtle=True,
                        spacing="None",
                    ),
                    text_block("\n".join(lines), spacing="Small"),
                ],
            }
        )
    if len(groups) > REPORT_TOPICS:
        body.append(text_block(owner.report_more_topics.format(count=len(groups) - REPORT_TOPICS), isSubtle=True))
    return adaptive_card(body)


def _descending(date: str) -> str:
    """A key that sorts ISO dates newest first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in date)
