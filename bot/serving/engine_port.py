"""What the Teams surface needs from the answering engine, and how it calls it without waiting in line.

`knowledge.engine.Engine` satisfies `Answerer`; the bot depends on this Protocol so that it only ever sees
the frozen values of `knowledge.types`, never the engine's internals.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar, runtime_checkable

from bot.serving.conversation_lanes import ConversationLanes
from bot.serving.serving_settings import ServingSettings
from knowledge.answers.answer_events import AnswerEvent, FinalAnswer
from knowledge.types import Answer, IndexedDocument, Language, SearchHit

log = logging.getLogger(__name__)

T = TypeVar("T")

LONG_QUESTION_CHARS = 600
"""A question longer than this (pasted text rather than a sentence or two) takes seconds to embed where a
normal one takes milliseconds: it is answered in a lane of its own, so it never holds up the short ones."""
MODEL_CALLS = 32
"""Questions answered at once when a remote chat model writes the answers: each waits mostly on the network,
so a slow model call holds one of these threads, never one that another conversation is waiting for."""


class Answerer(Protocol):
    def ask(self, question: str, conversation_id: str | None = None, *, next_questions: bool = False) -> Answer:
        """``next_questions``: also offer questions to ask next (Answer.suggestions) after an answer."""
        ...

    def search(self, query: str, limit: int = 5) -> list[SearchHit]: ...

    def documents(self) -> list[IndexedDocument]: ...

    def get_started(self, language: Language = "sv") -> Answer: ...


@runtime_checkable
class StreamingAnswerer(Answerer, Protocol):
    """An engine whose answers a chat model may write: `ask_stream` yields text, then the answer."""

    @property
    def streams_answers(self) -> bool: ...

    def ask_stream(
        self, question: str, conversation_id: str | None = None, *, next_questions: bool = False
    ) -> Iterator[AnswerEvent]: ...


class AnswerTimedOut(Exception):
    """The question was not answered within its time budget (STRATEGIBOT_ANSWER_TIMEOUT)."""


class AsyncAnswerer:
    """The engine's blocking calls, off the event loop, in pools that never wait on each other.

    * questions: one worker per core; the engine is CPU-bound and safe to call from several threads;
    * long questions: one worker of their own, so pasted text only ever waits behind pasted text;
    * the document list: one worker, so a health probe or a welcome card never waits behind questions;
    * the questions to ask next, checked after their answer is sent: one worker, so that checking them
      never keeps a worker from the next answer.

    The questions of one conversation are answered in order (a follow-up leans on the turn before it), and
    each question has a time budget, its wait included. A question past its budget keeps its worker until
    the engine returns (a thread cannot be stopped), but its caller is answered at once.
    """

    def __init__(self, engine: Answerer, settings: ServingSettings | None = None) -> None:
        self._engine = engine
        self._settings = settings or ServingSettings()
        self._questions = ThreadPoolExecutor(max_workers=self._settings.workers, thread_name_prefix="engine")
        self._long_questions = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-long")
        self._listing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-documents")
        self._offers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-offers")
        self._conversations = ConversationLanes()
        self._model_calls: ThreadPoolExecutor | None = None
        if isinstance(engine, StreamingAnswerer) and engine.streams_answers:
            self._model_calls = ThreadPoolExecutor(max_workers=MODEL_CALLS, thread_name_prefix="engine-model")

    @property
    def streams_answers(self) -> bool:
        """Whether a chat model writes the answers (then `ask_streaming` shows its text as it comes)."""
        return self._model_calls is not None

    async def ask_streaming(
        self,
        question: str,
        conversation_id: str | None,
        on_text: Callable[[str], Awaitable[None]] | None = None,
        *,
        next_questions: bool = False,
    ) -> Answer:
        """The answer a chat model writes; `on_text` gets the text so far while it is written (when the
        last call is still running, pieces that arrive meanwhile are joined into the next call). Raises
        AnswerTimedOut past the time budget. ``next_questions`` as for `ask`."""
        assert self._model_calls is not None and isinstance(self._engine, StreamingAnswerer)
        engine, loop = self._engine, asyncio.get_running_loop()
        arrived: asyncio.Queue[AnswerEvent | BaseException] = asyncio.Queue()

        def produce() -> None:
            try:
                for event in engine.ask_stream(question, conversation_id, next_questions=next_questions):
                    loop.call_soon_threadsafe(arrived.put_nowait, event)
            except BaseException as error:  # raised again on the event loop, in the caller
                loop.call_soon_threadsafe(arrived.put_nowait, error)

        text = ""
        try:
            async with asyncio.timeout(self._settings.answer_timeout_seconds), self._lane(conversation_id):
                running = loop.run_in_executor(self._model_calls, produce)
                try:
                    while True:
                        events = [await arrived.get()]
                        while not arrived.empty():
                            events.append(arrived.get_nowait())
                        for event in events:
                            if isinstance(event, BaseException):
                                raise event
                            if isinstance(event, FinalAnswer):
                                return event.answer
                            text += event.text
                        if on_text is not None:
                            await on_text(text)
                finally:
                    running.cancel()  # drops the call if it never started; a running one ends on its own
        except TimeoutError:
            log.warning("a question for the chat model took more than %g s", self._settings.answer_timeout_seconds)
            raise AnswerTimedOut from None

    def _lane(self, conversation_id: str | None) -> contextlib.AbstractAsyncContextManager[None]:
        return self._conversations.lane(conversation_id) if conversation_id else contextlib.nullcontext()

    async def ask(self, question: str, conversation_id: str | None = None, *, next_questions: bool = False) -> Answer:
        """The engine's answer; raises AnswerTimedOut past the time budget."""
        ask = functools.partial(self._engine.ask, next_questions=next_questions)
        return await self._in_lane(ask, question, conversation_id)

    async def ask_then_offer(
        self, question: str, conversation_id: str | None = None
    ) -> tuple[Answer, Callable[[], Awaitable[tuple[str, ...]]]]:
        """The answer, and what to await for the questions to ask next after it, once the answer is sent
        (none when they take longer than the time budget): an answer is not held back while they are
        checked. An engine without `ask_then_offer` gives them with the answer."""
        split = getattr(self._engine, "ask_then_offer", None)
        if split is None:
            answer = await self.ask(question, conversation_id, next_questions=True)
            return answer, _nothing_more
        answer, draft = await self._in_lane(split, question, conversation_id)

        async def offered() -> tuple[str, ...]:
            try:
                async with asyncio.timeout(self._settings.answer_timeout_seconds):
                    return await self._run(self._offers, draft)
            except TimeoutError:
                log.warning("the questions to ask next took more than %g s", self._settings.answer_timeout_seconds)
                return ()

        return answer, offered

    async def _in_lane(self, function: Callable[[str, str | None], T], question: str, conversation_id: str | None) -> T:
        """``function(question, conversation_id)`` on a worker, after the conversation's earlier questions;
        raises AnswerTimedOut past the time budget."""
        executor = self._executor_for(question)
        try:
            async with asyncio.timeout(self._settings.answer_timeout_seconds):
                if not conversation_id:
                    return await self._run(executor, function, question, conversation_id)
                async with self._conversations.lane(conversation_id):
                    return await self._run(executor, function, question, conversation_id)
        except TimeoutError:
            log.warning(
                "a question of %d characters took more than %g s",
                len(question),
                self._settings.answer_timeout_seconds,
            )
            raise AnswerTimedOut from None

    def _executor_for(self, question: str) -> ThreadPoolExecutor:
        return self._long_questions if len(question) > LONG_QUESTION_CHARS else self._questions

    async def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        """Passages for the compose-box lookup; none when the lookup takes longer than the time budget."""
        try:
            async with asyncio.timeout(self._settings.answer_timeout_seconds):
                return await self._run(self._questions, self._engine.search, query, limit)
        except TimeoutError:
            log.warning("a lookup took more than %g s", self._settings.answer_timeout_seconds)
            return []

    async def documents(self) -> list[IndexedDocument]:
        return await self._run(self._listing, self._engine.documents)

    async def get_started(self, language: Language) -> Answer:
        """The walk-through; raises AnswerTimedOut past the time budget."""
        try:
            async with asyncio.timeout(self._settings.answer_timeout_seconds):
                return await self._run(self._questions, self._engine.get_started, language)
        except TimeoutError:
            raise AnswerTimedOut from None

    @staticmethod
    async def _run(executor: ThreadPoolExecutor, function: Callable[..., T], *args: object) -> T:
        # Cancelling the await (the time budget) also drops the call if it has not started yet.
        return await asyncio.get_running_loop().run_in_executor(executor, function, *args)

    def close(self) -> None:
        for executor in (self._questions, self._long_questions, self._listing, self._offers):
            executor.shutdown(wait=True, cancel_futures=True)
        if self._model_calls is not None:
            # A model call past its deadline may still be waiting on the network: it ends on its own.
            self._model_calls.shutdown(wait=False, cancel_futures=True)


async def _nothing_more() -> tuple[str, ...]:
    return ()
