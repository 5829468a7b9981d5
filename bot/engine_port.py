"""What the Teams surface needs from the answering engine.

`knowledge.engine.Engine` satisfies it; the bot depends on this Protocol so that it only ever sees the
frozen values of `knowledge.types`, never the engine's internals.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

from knowledge.types import Answer, IndexedDocument, Language, SearchHit

T = TypeVar("T")


class Answerer(Protocol):
    def ask(self, question: str, conversation_id: str | None = None) -> Answer: ...

    def search(self, query: str, limit: int = 5) -> list[SearchHit]: ...

    def documents(self) -> list[IndexedDocument]: ...

    def get_started(self, language: Language = "sv") -> Answer: ...


class AsyncAnswerer:
    """The engine's blocking calls run on one worker thread, off the event loop.

    One worker, because an answer takes tens of milliseconds of CPU and the engine keeps conversation
    memory: queueing questions is cheaper and safer than running them side by side.
    """

    def __init__(self, engine: Answerer) -> None:
        self._engine = engine
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine")

    async def ask(self, question: str, conversation_id: str | None = None) -> Answer:
        return await self._run(self._engine.ask, question, conversation_id)

    async def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        return await self._run(self._engine.search, query, limit)

    async def documents(self) -> list[IndexedDocument]:
        return await self._run(self._engine.documents)

    async def get_started(self, language: Language) -> Answer:
        return await self._run(self._engine.get_started, language)

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
