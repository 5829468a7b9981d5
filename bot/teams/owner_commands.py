"""What content owners do in a 1:1 chat: see the documents, add a file, correct, supersede or remove a
document, and read the report of what the documents did not answer.

Owners are the Entra object ids in STRATEGIBOT_OWNERS. Everyone else gets a polite answer, and nothing is
done; the check is made again for every button, not only when a card is drawn. Every change an owner makes
is recorded in the store's audit log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, Attachment

from bot.content.download import DownloadFailed, DownloadRefused, DownloadTooLarge, download
from bot.content.library import (
    ContentRefused,
    DocumentLibrary,
    check_fields,
    fields_from,
    safe_file_name,
)
from bot.content.owners_report import group_by_topic, report_items
from bot.content.settings import ContentSettings
from bot.serving.engine_port import AsyncAnswerer
from bot.store.owner_actions import OwnerAction as AuditAction
from bot.store.store import Store
from bot.teams import owner_cards
from bot.teams.cards import card_attachment
from bot.teams.content_jobs import ContentJobs
from bot.teams.owner_cards import OwnerAction
from bot.teams.owner_texts import OwnerTexts, owner_texts_for
from bot.teams.texts import texts_for
from ingest.pipeline import SUPPORTED_SUFFIXES
from knowledge.settings import BYTES_PER_MB
from knowledge.types import DocumentMeta, IndexedDocument, Language

log = logging.getLogger(__name__)

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
"""How Teams delivers a file sent to a bot in a 1:1 chat: `content.downloadUrl` is a short-lived link."""
REPORT_DAYS = 30
MAX_REPORT_QUESTIONS = 500
"""Unanswered questions whose closest section is looked up for one report card (the newest)."""

_REPORT = re.compile(r"^(rapport|report)(\s+(sedan|since)\s+(?P<since>\d{4}-\d{2}-\d{2}))?$")


@dataclass(frozen=True)
class OwnerCommand:
    name: Literal["documents", "report"]
    language: Language
    since: str = ""
    """For the report: the first day it covers (YYYY-MM-DD); empty for the last REPORT_DAYS days."""


def parse_owner_command(text: str) -> OwnerCommand | None:
    words = " ".join(text.strip().lower().lstrip("/").rstrip("?!. ").split())
    if words in ("dokument", "documents"):
        return OwnerCommand("documents", "en" if words == "documents" else "sv")
    match = _REPORT.match(words)
    if match:
        since = match.group("since") or ""
        if since:
            try:
                date.fromisoformat(since)
            except ValueError:
                return None
        return OwnerCommand("report", "en" if words.startswith("report") else "sv", since)
    return None


def file_attachments(activity: Activity) -> list[Attachment]:
    return [a for a in activity.attachments or [] if (a.content_type or "") == FILE_DOWNLOAD_INFO]


def owner_action(value: object) -> OwnerAction | None:
    if isinstance(value, dict) and isinstance(value.get("action"), str):
        try:
            return OwnerAction(value["action"])
        except ValueError:
            return None
    return None


class OwnerConversation:
    def __init__(
        self,
        settings: ContentSettings,
        library: DocumentLibrary | None,
        store: Store,
        answerer: AsyncAnswerer,
        jobs: ContentJobs,
    ) -> None:
        self._settings = settings
        self._library = library
        self._store = store
        self._answerer = answerer
        self._jobs = jobs

    def is_owner(self, activity: Activity) -> bool:
        user = activity.from_property
        return bool(user) and self._settings.is_owner(user.aad_object_id or "")

    # --- entry points from the handler --------------------------------------------------------------

    async def command(self, turn_context: TurnContext, command: OwnerCommand) -> None:
        owner = owner_texts_for(command.language)
        if not await self._admitted(turn_context, owner, f"command {command.name}", changes=False):
            return
        if command.name == "documents":
            await self._send_card(turn_context, await self._documents_card(command.language, 1))
            return
        since = command.since or (date.today() - timedelta(days=REPORT_DAYS)).isoformat()
        await self._send_card(turn_context, await self._report_card(owner, since))

    async def upload(self, turn_context: TurnContext, files: list[Attachment], language: Language) -> None:
        owner = owner_texts_for(language)
        if not await self._admitted(turn_context, owner, "upload", [f.name or "" for f in files]):
            return
        for attachment in files:
            name = attachment.name or "dokument"
            content = attachment.content if isinstance(attachment.content, dict) else {}
            url = content.get("downloadUrl")
            if not isinstance(url, str) or not url:
                await turn_context.send_activity(owner.download_failed.format(name=name, detail="no downloadUrl"))
                continue
            suffix = Path(safe_file_name(name)).suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:  # known from the name: nothing to download
                refused = ContentRefused("unsupported", suffix or "(none)")
                await turn_context.send_activity(MessageFactory.text(_refusal(owner, refused, name, self._library)))
                continue
            await turn_context.send_activity(MessageFactory.text(owner.receiving.format(name=name)))
            job = self._adding(name, url, language, _owner_id(turn_context.activity))
            self._jobs.start(turn_context, job, owner.ingest_failed)

    async def submit(
        self, turn_context: TurnContext, action: OwnerAction, value: dict[str, Any], language: Language
    ) -> None:
        owner = owner_texts_for(language)
        name = str(value.get("document") or "")
        changes = action not in (OwnerAction.DOCUMENTS_PAGE, OwnerAction.CANCEL)
        if not await self._admitted(turn_context, owner, str(action), [name] if name else [], changes=changes):
            return
        if action == OwnerAction.DOCUMENTS_PAGE:
            page = value.get("page")
            card = await self._documents_card(language, page if isinstance(page, int) else 1)
            await self._send_card(turn_context, card)
            return
        if action == OwnerAction.CANCEL:
            await turn_context.send_activity(MessageFactory.text(owner.cancelled))
            return
        assert self._library is not None  # _admitted refuses changes without one
        try:
            current = await asyncio.to_thread(self._library.fields, name)
        except ContentRefused as refused:
            await turn_context.send_activity(MessageFactory.text(_refusal(owner, refused, name, self._library)))
            return
        if action == OwnerAction.EDIT_FORM:
            await self._send_card(turn_context, owner_cards.edit_card(owner, name, current))
        elif action == OwnerAction.REMOVE_FORM:
            await self._send_card(turn_context, owner_cards.remove_card(owner, name, current.title))
        elif action == OwnerAction.SUPERSEDE_FORM:
            others = [d for d in await self._answerer.documents() if d.source != name]
            await self._send_card(turn_context, owner_cards.supersede_card(owner, name, current.title, others))
        elif action == OwnerAction.EDIT:
            fields = fields_from(value, current)
            fields = replace(fields, status="" if fields.status == "gällande" else fields.status)
            await self._change(turn_context, language, name, "edit", fields, current)
        elif action == OwnerAction.SUPERSEDE:
            by = " ".join(str(value.get("superseded_by") or "").split())
            fields = replace(current, status="ersatt", superseded_by=by)
            await self._change(turn_context, language, name, "supersede", fields, current)
        elif action == OwnerAction.MARK_CURRENT:
            fields = replace(current, status="", superseded_by="")
            await self._change(turn_context, language, name, "mark_current", fields, current)
        elif action == OwnerAction.REMOVE:
            await self._change(turn_context, language, name, "remove", None, current)

    # --- the work ---------------------------------------------------------------------------------

    def _adding(self, name: str, url: str, language: Language, owner_id: str):  # type: ignore[no-untyped-def]
        owner = owner_texts_for(language)
        library = self._library
        assert library is not None

        async def add() -> Activity:
            try:
                downloaded = await download(
                    url, self._settings.download_hosts, library.max_bytes, self._settings.download_timeout_seconds
                )
            except DownloadRefused as refused:
                log.warning("refused to download %s: %s", name, refused)
                return MessageFactory.text(owner.download_refused.format(name=name, detail=str(refused)))
            except DownloadTooLarge:
                return MessageFactory.text(_refusal(owner, ContentRefused("too_large", ""), name, library))
            except DownloadFailed as failed:
                return MessageFactory.text(owner.download_failed.format(name=name, detail=str(failed)))
            try:
                read = await asyncio.to_thread(library.read, name, downloaded.data)
                stored, report = await asyncio.to_thread(library.add, read, downloaded.data)
            except ContentRefused as refused:
                return MessageFactory.text(_refusal(owner, refused, name, library))
            failed = dict(report.failed).get(stored)
            if failed is not None:
                await asyncio.to_thread(library.discard, stored)
                refused = ContentRefused("unreadable", failed)
                return MessageFactory.text(_refusal(owner, refused, name, library))
            document = _named(await self._answerer.documents(), stored)
            detail = json.dumps({"passages": document.passage_count if document else 0, "from": downloaded.host})
            await self._audit(owner_id, "add", stored, detail)
            return MessageFactory.attachment(card_attachment(owner_cards.read_card(owner, read, stored, document)))

        return add

    async def _change(
        self,
        turn_context: TurnContext,
        language: Language,
        name: str,
        action: AuditAction,
        fields: DocumentMeta | None,
        current: DocumentMeta,
    ) -> None:
        library = self._library
        assert library is not None
        owner = owner_texts_for(language)
        if fields is not None:
            try:
                check_fields(fields)
            except ContentRefused as refused:
                await turn_context.send_activity(MessageFactory.text(_refusal(owner, refused, name, library)))
                return
        owner_id = _owner_id(turn_context.activity)
        await turn_context.send_activity(MessageFactory.text(owner.working.format(name=name)))

        async def change() -> Activity:
            try:
                if fields is None:
                    await asyncio.to_thread(library.remove, name)
                else:
                    await asyncio.to_thread(library.edit, name, fields)
            except ContentRefused as refused:
                return MessageFactory.text(_refusal(owner, refused, name, library))
            await self._audit(owner_id, action, name, _changed(current, fields))
            if fields is None:
                return MessageFactory.text(owner.removed_done.format(title=current.title))
            if action == "supersede":
                return MessageFactory.text(owner.superseded_done.format(title=fields.title, by=fields.superseded_by))
            status = owner.superseded if fields.status else owner.current
            date_text = fields.date or texts_for(language).undated
            return MessageFactory.text(owner.saved.format(title=fields.title, date=date_text, status=status))

        self._jobs.start(turn_context, change, owner.ingest_failed)

    # --- cards ------------------------------------------------------------------------------------

    async def _documents_card(self, language: Language, page: int) -> dict[str, Any]:
        documents = await self._answerer.documents()
        library = self._library
        # Without a library (no changes from Teams here), no document gets buttons.
        changeable = {d.source for d in documents if library.holds(d.source)} if library else set()
        status_only = frozenset(d.source for d in documents if library.is_bundled(d.source)) if library else frozenset()
        return owner_cards.documents_card(
            texts_for(language), owner_texts_for(language), documents, changeable, page, status_only
        )

    async def _report_card(self, owner: OwnerTexts, since: str) -> dict[str, Any]:
        questions = await asyncio.to_thread(self._store.questions.all, since)
        feedback = await asyncio.to_thread(self._store.feedback.all, since)
        sections: dict[str, str | None] = {}
        without_sources = [q.question for q in questions if q.abstained or (not q.sure and not q.sources)]
        wanted = without_sources + [f.question for f in feedback if not f.sources]
        for question in list(dict.fromkeys(reversed(wanted)))[:MAX_REPORT_QUESTIONS]:
            hits = await self._answerer.search(question, 1)
            sections[question] = _where(hits[0].document, hits[0].section) if hits else None
        groups = group_by_topic(report_items(questions, feedback, sections.get))
        return owner_cards.report_card(owner, groups, since)

    # --- helpers ------------------------------------------------------------------------------------

    async def _admitted(
        self,
        turn_context: TurnContext,
        owner: OwnerTexts,
        what: str,
        documents: list[str] | None = None,
        *,
        changes: bool = True,
    ) -> bool:
        """Whether the sender is an owner in a 1:1 chat (and, for a change, whether changes can be made here);
        if not, says why."""
        activity = turn_context.activity
        if not self.is_owner(activity):
            user = _owner_id(activity) or (activity.from_property.id if activity.from_property else "") or "?"
            log.warning("refused %s from a user who is not in STRATEGIBOT_OWNERS", what)
            await self._audit(user, "refused", ", ".join(documents or []), what)
            await turn_context.send_activity(MessageFactory.text(owner.not_owner))
            return False
        if (activity.conversation.conversation_type or "personal") != "personal":
            await turn_context.send_activity(MessageFactory.text(owner.personal_only))
            return False
        if changes and self._library is None:
            await turn_context.send_activity(MessageFactory.text(owner.no_changes_here))
            return False
        return True

    async def _audit(self, owner_id: str, action: AuditAction, document: str, detail: str) -> None:
        try:
            await asyncio.to_thread(
                self._store.owner_actions.add, owner_id=owner_id, action=action, document=document, detail=detail
            )
        except Exception:
            log.exception("could not record an owner's %s of %s in the audit log", action, document)

    @staticmethod
    async def _send_card(turn_context: TurnContext, card: dict[str, Any]) -> None:
        await turn_context.send_activity(MessageFactory.attachment(card_attachment(card)))


def _refusal(owner: OwnerTexts, refused: ContentRefused, name: str, library: DocumentLibrary | None) -> str:
    limit = f"{library.max_bytes / BYTES_PER_MB:g}" if library is not None else "?"
    return owner.refused[refused.kind].format(name=name, detail=refused.detail, limit=limit)


def _where(document: str, section: str) -> str:
    """ "Document – section", or the document alone where its section is its title."""
    return document if not section or section == document else f"{document} – {section}"


def _named(documents: list[IndexedDocument], source: str) -> IndexedDocument | None:
    return next((d for d in documents if d.source == source), None)


def _changed(before: DocumentMeta, after: DocumentMeta | None) -> str:
    if after is None:
        return ""
    changed = {k: v for k, v in asdict(after).items() if getattr(before, k) != v}
    return json.dumps(changed, ensure_ascii=False, sort_keys=True)


def _owner_id(activity: Activity) -> str:
    user = activity.from_property
    return (user.aad_object_id or "").strip().lower() if user else ""
