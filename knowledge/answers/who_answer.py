"""Answers to "who decides / is responsible / leads ...?" from the responsibility register.

The answer leads with the bodies, each with what the document says it decides on (its own words) and a
citation; when the records differ in scope, they are grouped by it and the answer says which applies when.
"""

from __future__ import annotations

from knowledge.answers.extractive import source_label
from knowledge.answers.phrases import phrase
from knowledge.decisions.register import RecordMatch
from knowledge.retrieval.glossary import Glossary
from knowledge.types import Answer, Citation, IndexedDocument, Language

OBJECT_CHARS = 150


class WhoAnswerComposer:
    def __init__(self, documents: dict[str, IndexedDocument], glossary: Glossary) -> None:
        self._documents = documents
        self._glossary = glossary

    def compose(self, question: str, language: Language, matches: list[RecordMatch]) -> Answer:
        scopes = {m.record.scope for m in matches}
        grouped = len(scopes - {""}) > 1
        # Groups follow the best record's scope first; within a group, the ranking holds.
        first_seen = {scope: i for i, scope in reversed(list(enumerate(m.record.scope for m in matches)))}
        ordered = sorted(matches, key=lambda m: first_seen[m.record.scope]) if grouped else matches
        first_document = self._documents[ordered[0].record.doc_id]
        lines = [
            phrase(
                "according_to_short"
                if grouped
                else "according_to_other_language"
                if first_document.meta.language != language
                else "according_to",
                language,
                source=source_label(first_document, language),
            )
        ]
        citations: list[Citation] = []
        for number, match in enumerate(ordered, start=1):
            record = match.record
            label = f"{phrase('scope_' + record.scope, language)}: " if grouped and record.scope else ""
            lines.append(f"– {label}{self._statement(record.actor, record.action, record.object, language)} [{number}]")
            document = self._documents[record.doc_id]
            citations.append(
                Citation(
                    number=number,
                    document=document.meta.title,
                    section=record.section,
                    date=document.meta.date,
                    quote=record.quote,
                    source=document.source,
                    score=round(match.score, 4),
                    doc_id=record.doc_id,
                    passage_id=record.passage_id,
                    kind=document.meta.kind,
                    url=document.meta.url,
                    language=document.meta.language,
                    excerpt=not document.meta.complete,
                    superseded=document.meta.superseded,
                )
            )
        if grouped:
            lines.append(phrase("which_scope_applies", language))
        return Answer("\n".join(lines), False, tuple(citations), language, question=question)

    def _statement(self, actor: str, action: str, obj: str, language: Language) -> str:
        name = self._actor_name(actor, language)
        plural = " och " in actor or actor.endswith(("er", "ar"))
        verb = phrase(f"{'actions' if plural else 'action'}_{action}", language)
        # In English the object stays in the document's Swedish: mark it as quoted.
        shown = f"«{_shorten(obj)}»" if language == "en" else _shorten(obj)
        return f"{name} {verb} {shown}"

    def _actor_name(self, actor: str, language: Language) -> str:
        parts = actor.split(" och ")
        if language == "en":
            named = [self._glossary.bilingual_name(p) for p in parts]
            return " and ".join([named[0], *(n[:1].lower() + n[1:] for n in named[1:])])
        text = " och ".join(parts)
        return text[:1].upper() + text[1:]


def _shorten(text: str) -> str:
    if len(text) <= OBJECT_CHARS:
        return text
    return text[: OBJECT_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;") + " …"
