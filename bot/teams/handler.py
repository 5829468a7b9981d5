"""The Teams activity handler: it translates between Teams activities and the engine, nothing more.

Retrieval and answering live in `knowledge/`; what the replies look like lives in `teams_message`,
`cards` and `message_extension`.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import math
import re
import uuid
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.serving.activity_check import without_lone_surrogates
from bot.serving.engine_port import AnswerTimedOut, AsyncAnswerer
from bot.serving.rate_limit import SlidingWindowRateLimiter
from bot.store.store import Store
from bot.teams import cards
from bot.teams.commands import Command, parse_command
from bot.teams.message_extension import COMMAND_ID, parse_query, search_response
from bot.teams.owner_commands import OwnerConversation, file_attachments, owner_action, parse_owner_command
from bot.teams.owner_texts import owner_texts_for
from bot.teams.sent_answers import SentAnswers
from bot.teams.streamed_answer import is_personal_chat, send_questions, send_written_answer
from bot.teams.teams_message import answer_activity
from bot.teams.texts import language_from_locale, texts_for
from bot.teams.welcome_gate import WelcomeGate
from knowledge.types import Answer, Language

log = logging.getLogger(__name__)


EXAMPLE_QUESTIONS: dict[Language, tuple[str, ...]] = {
    # Short enough for a card button, which Teams cuts at about 45 characters.
    "sv": (
        "Vem beslutar om medlemskap i nätverk?",
        "Får vi teckna ett vänortsavtal?",
        "Vem leder internationella beredningen?",
    ),
    "en": (
        "Who decides on memberships in international networks?",
        "Does the city sign twin-city agreements?",
        "Who chairs the international committee?",
    ),
}

_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


class StrategibotHandler(TeamsActivityHandler):
    def __init__(
        self,
        answerer: AsyncAnswerer,
        store: Store,
        version: str = "0",
        sent_answers: SentAnswers | None = None,
        *,
        max_question_chars: int = 2000,
        rate_limiter: SlidingWindowRateLimiter | None = None,
        owners: OwnerConversation | None = None,
    ) -> None:
        """Longer questions than `max_question_chars` are refused with an explanation: a question is a
        sentence or two, and the engine's query analysis is not meant for pasted documents."""
        super().__init__()
        self._answerer = answerer
        self._store = store
        self._version = version
        self._sent = sent_answers or SentAnswers()
        self._max_question_chars = max_question_chars
        self._rate_limiter = rate_limiter or SlidingWindowRateLimiter(0)
        self._welcomes = WelcomeGate()
        self._owners = owners
        """Content owners' commands, uploads and buttons; without it the bot has no owner commands."""

    # --- messages ----------------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        language = activity_language(activity)
        texts = texts_for(language)
        action = owner_action(activity.value)
        if action is not None and self._owners is not None:
            await self._owners.submit(turn_context, action, activity.value, language)
            return
        files = file_attachments(activity)
        if files and self._owners is not None:
            await self._owners.upload(turn_context, files, language)
            return
        question = question_text(activity)
        if not question:
            if _has_file_attachments(activity):
                await turn_context.send_activity(MessageFactory.text(texts.attachment_only))
            else:
                await turn_context.send_activity(MessageFactory.text(texts.empty_message))
            return
        if len(question) > self._max_question_chars:
            reply = texts.too_long.format(length=len(question), limit=self._max_question_chars)
            await turn_context.send_activity(MessageFactory.text(reply))
            return
        decision = self._rate_limiter.check(_user_id(activity))
        if not decision.allowed:
            log.info("a user asked more than the rate limit allows; the question was not answered")
            reply = texts.rate_limited.format(seconds=max(1, math.ceil(decision.retry_after_seconds)))
            await turn_context.send_activity(MessageFactory.text(reply))
            return
        command = parse_command(question)
        if command is not None:
            await self._run_command(turn_context, command)
            return
        owner_command = parse_owner_command(question)
        if owner_command is not None and self._owners is not None:
            await self._owners.command(turn_context, owner_command)
            return
        if self._answerer.streams_answers:
            # A chat model writes the answer: streamed in 1:1 chats, while the model writes it.
            answer, response = await send_written_answer(
                turn_context, self._answerer, question, _conversation_id(activity), language
            )
            if answer is None:
                return
            reply_id = response.id if response is not None and response.id else ""
            if reply_id:
                self._sent.remember(_conversation_id(activity), reply_id, question, answer)
        else:
            await turn_context.send_activity(Activity(type=ActivityTypes.typing))
            # Questions to ask next go under answers in 1:1 chats; in channels they would be noise for others.
            personal = is_personal_chat(turn_context)
            try:
                if personal:
                    answer, offered = await self._answerer.ask_then_offer(question, _conversation_id(activity))
                else:
                    answer, offered = await self._answerer.ask(question, _conversation_id(activity)), None
            except AnswerTimedOut:
                await turn_context.send_activity(MessageFactory.text(texts.took_too_long))
                return
            # A card button's question (no typed text) is not shown as the user's message: the answer
            # repeats it.
            asked = question if not (activity.text or "").strip() else ""
            reply_id = await self._send_answer(turn_context, question, answer_activity(answer, asked), answer)
            # The questions to ask next are checked after the answer is on its way, and follow it.
            next_questions = await offered() if offered is not None else ()
            await send_questions(turn_context, replace(answer, suggestions=answer.suggestions or next_questions))
        await self._log_question(activity, question, answer, reply_id)

    async def _log_question(self, activity: Activity, question: str, answer: Answer, reply_id: str) -> None:
        """The answer is already sent: a store that fails now must not turn it into an apology."""
        try:
            await asyncio.to_thread(
                self._store.questions.add,
                question=question,
                language=answer.language,
                abstained=answer.abstained,
                sure=answer.sure,
                answer=answer.text,
                sources=tuple(_source_line(c) for c in answer.citations),
                user_id=_user_id(activity),
                conversation_id=_conversation_id(activity),
                reply_id=reply_id,
            )
        except Exception:
            log.exception("could not log a question in the store (reply %s)", reply_id)

    async def _run_command(self, turn_context: TurnContext, command: Command) -> None:
        texts = texts_for(command.language)
        if command.name == "get_started":
            # A walk-through cited like any answer: the same message shape, pills and feedback.
            await turn_context.send_activity(Activity(type=ActivityTypes.typing))
            try:
                answer = await self._answerer.get_started(command.language)
            except AnswerTimedOut:
                await turn_context.send_activity(MessageFactory.text(texts.took_too_long))
                return
            await self._send_answer(turn_context, question_text(turn_context.activity), answer_activity(answer), answer)
            return
        if command.name == "help":
            owner = self._owners is not None and self._owners.is_owner(turn_context.activity)
            extra = owner_texts_for(command.language).help_owner if owner else ""
            card = cards.help_card(texts, EXAMPLE_QUESTIONS[command.language], extra)
        elif command.name == "sources":
            card = cards.sources_card(texts, await self._answerer.documents())
        else:
            card = cards.about_card(texts, len(await self._answerer.documents()), self._version)
        await turn_context.send_activity(MessageFactory.attachment(cards.card_attachment(card)))

    async def _send_answer(self, turn_context: TurnContext, question: str, reply: Activity, answer: Answer) -> str:
        """Send an answer and keep its activity id (returned, "" when the client gave none): feedback names
        the message it is about by that id."""
        response = await turn_context.send_activity(reply)
        if response is None or not response.id:
            # Still counted as an answer of the conversation (the Agents Playground gives an empty id for a
            # message with a card), so that feedback naming no message is never pinned on another answer.
            self._sent.remember(
                _conversation_id(turn_context.activity), f"unacknowledged:{uuid.uuid4()}", question, answer
            )
            return ""
        self._sent.remember(_conversation_id(turn_context.activity), response.id, question, answer)
        return response.id

    # --- onboarding --------------------------------------------------------------------------------

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        # Deliberately not the TeamsActivityHandler dispatch: it asks the connector for every added
        # member's profile, a round trip per member that the welcome doesn't need.
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added: list[ChannelAccount] = activity.members_added or []
        if any(member.id == bot_id for member in added):
            await self._welcome(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome(turn_context)

    async def _welcome(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not self._welcomes.admit(_conversation_id(activity), activity.type or "", activity.id):
            return
        language = activity_language(activity)
        card = cards.welcome_card(texts_for(language), await self._answerer.documents(), EXAMPLE_QUESTIONS[language])
        await turn_context.send_activity(MessageFactory.attachment(cards.card_attachment(card)))

    # --- invokes: feedback and the compose-box lookup ----------------------------------------------

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name == "message/submitAction":
            return await self._on_submit_action(turn_context)
        if activity.name == "composeExtension/query":
            return await self._on_lookup(turn_context)
        log.info("ignored invoke %r", activity.name)
        return _invoke(HTTPStatus.OK)

    async def _on_submit_action(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        action_value = value.get("actionValue") if isinstance(value.get("actionValue"), dict) else {}
        reaction = action_value.get("reaction")
        if value.get("actionName") != "feedback" or reaction not in ("like", "dislike"):
            return _invoke(HTTPStatus.BAD_REQUEST, {"error": "expected actionName 'feedback' and a like/dislike"})
        reply_to = activity.reply_to_id or ""
        sent, matched_by = self._sent.find(_conversation_id(activity), reply_to)
        question, answer, sources = "", "", tuple[str, ...]()
        if sent is not None:
            question, answer = sent.question, sent.answer.text
            sources = tuple(_source_line(c) for c in sent.answer.citations)
        elif reply_to:
            # Answered by another instance, or before a restart: the question log has it.
            logged = await asyncio.to_thread(self._store.questions.answered_by, _conversation_id(activity), reply_to)
            if logged is not None:
                question, answer, sources, matched_by = logged.question, logged.answer, logged.sources, "stored-reply"
        # Stored (committed) before the invoke is acknowledged: an acknowledged feedback is never lost.
        record = await asyncio.to_thread(
            self._store.feedback.add,
            reaction=reaction,
            comment=feedback_comment(action_value.get("feedback")),
            question=question,
            answer=answer,
            sources=sources,
            user_id=_user_id(activity),
            conversation_id=_conversation_id(activity),
            reply_to_id=reply_to,
            matched_by=matched_by,
        )
        log.info("feedback %s stored for reply %s", record.reaction, reply_to)
        return _invoke(HTTPStatus.OK, {"status": int(HTTPStatus.OK)})

    async def _on_lookup(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        texts = texts_for(activity_language(activity))
        value = activity.value if isinstance(activity.value, dict) else {}
        if value.get("commandId") not in (None, COMMAND_ID):
            return _invoke(HTTPStatus.BAD_REQUEST, {"error": f"unknown command {value.get('commandId')!r}"})
        query = parse_query(value)
        hits = await self._answerer.search(query.text, 8) if query.text else []
        return _invoke(HTTPStatus.OK, search_response(query, hits, texts))

    # --- everything else ---------------------------------------------------------------------------

    async def on_unrecognized_activity_type(self, turn_context: TurnContext) -> None:
        log.info("ignored activity of type %r", turn_context.activity.type)


def _invoke(status: HTTPStatus, body: dict[str, Any] | None = None) -> InvokeResponse:
    """An invoke response whose body is already JSON-ready: the HTTP layer writes it once, as is."""
    return InvokeResponse(status=int(status), body=body)


def question_text(activity: Activity) -> str:
    """The user's question: the text without the bot's @mention, or the question of a card button."""
    text = strip_bot_mention(activity)
    if not text and isinstance(activity.value, dict):
        question = activity.value.get("question")
        if isinstance(question, str):
            text = question
    text = html.unescape(_HTML_TAG.sub(" ", text))
    return " ".join(text.split())


def strip_bot_mention(activity: Activity) -> str:
    """Remove `<at>Bot</at>` where it mentions this bot; other people's mentions keep their names."""
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        if (entity.type or "").lower() != "mention":
            continue
        properties = getattr(entity, "additional_properties", None) or {}
        mentioned = properties.get("mentioned") or {}
        mention_text = properties.get("text") or ""
        if mentioned.get("id") == bot_id and mention_text:
            text = text.replace(mention_text, " ")
    # Whatever <at> tags remain name other people: keep the name, drop the markup.
    return _AT_TAG.sub(r"\1", text)


def activity_language(activity: Activity) -> Language:
    locale = activity.locale
    if not locale:
        for entity in activity.entities or []:
            if (entity.type or "") == "clientInfo":
                locale = (getattr(entity, "additional_properties", None) or {}).get("locale")
                break
    return language_from_locale(locale)


def feedback_comment(feedback: object) -> str:
    """Teams sends the comment as a JSON string ({"feedbackText": ...}); older clients as plain text."""
    if isinstance(feedback, str):
        try:
            feedback = json.loads(feedback)
        except (ValueError, RecursionError):
            # The edge refuses deeply nested JSON (activity_check.py); this is the last line of defence.
            return feedback.strip()
    if isinstance(feedback, dict):
        text = feedback.get("feedbackText")
        # The inner JSON can hold escaped lone surrogates that the edge check could not see.
        return without_lone_surrogates(text.strip()) if isinstance(text, str) else ""
    return ""


def _user_id(activity: Activity) -> str:
    """The id pseudonymised in the store, and the one `strategibot forget --user` takes: the Entra object id."""
    user = activity.from_property
    return ((user.aad_object_id or user.id) if user else "") or ""


def _conversation_id(activity: Activity) -> str:
    return activity.conversation.id if activity.conversation and activity.conversation.id else ""


def _source_line(citation: Any) -> str:
    where = " – ".join(p for p in (citation.document, citation.section) if p)
    return f"[{citation.number}] {where} ({citation.date})"


def _has_file_attachments(activity: Activity) -> bool:
    # Teams attaches an HTML rendering of every message; only other attachments are files or images.
    return any((a.content_type or "") != "text/html" for a in activity.attachments or [])
