"""Content changes run after the turn that asked for them, one at a time, and report back proactively.

Reading and indexing a file takes seconds to minutes; Teams expects a turn to end within seconds. So the
turn only says that the work has begun, and the result is sent into the same conversation when it is done
(Bot Framework `continue_conversation`). Jobs take turns in this process, the index lock orders them
across processes, and the ingest itself runs in a worker thread: questions meanwhile are answered as usual.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[Activity]]


class ContentJobs:
    def __init__(self, app_id: str) -> None:
        self._app_id = app_id
        self._turns = asyncio.Lock()
        self._running: set[asyncio.Task[None]] = set()

    def start(self, turn_context: TurnContext, job: Job, failure_text: str) -> None:
        """``failure_text``, with {trace_id}: what the owner is told when the job fails unexpectedly."""
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        adapter = turn_context.adapter

        async def run() -> None:
            async with self._turns:
                try:
                    reply = await job()
                except Exception:
                    trace_id = uuid.uuid4().hex[:12]
                    log.exception("a content change failed (trace id %s)", trace_id)
                    reply = MessageFactory.text(failure_text.format(trace_id=trace_id))

            async def send(context: TurnContext) -> None:
                await context.send_activity(reply)

            try:
                await adapter.continue_conversation(reference, send, self._app_id)
            except Exception:
                log.exception("could not report a content change to conversation %s", reference.conversation.id)

        task = asyncio.create_task(run())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def finish(self) -> None:
        """Wait for the jobs under way (at shutdown: a half-done ingest would be thrown away)."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
