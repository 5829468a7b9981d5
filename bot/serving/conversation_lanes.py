"""One lane per conversation: work for the same conversation runs in order, other conversations never wait.

Used for the questions (a follow-up must see the turn before it) and for the replies to the Bot Connector (a
stalled conversation may hold its own lane, never a shared one). A lane exists only while something uses it,
so the bot keeps no state for the thousands of conversations that are idle.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ConversationLanes:
    def __init__(self, per_conversation: int = 1) -> None:
        self._per_conversation = per_conversation
        self._lanes: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @asynccontextmanager
    async def lane(self, conversation: str) -> AsyncIterator[None]:
        """Hold the conversation's lane for the duration of the block, waiting for the work before it."""
        semaphore, users = self._lanes.get(conversation) or (asyncio.Semaphore(self._per_conversation), 0)
        self._lanes[conversation] = (semaphore, users + 1)
        try:
            async with semaphore:
                yield
        finally:
            semaphore, users = self._lanes[conversation]
            if users == 1:
                del self._lanes[conversation]
            else:
                self._lanes[conversation] = (semaphore, users - 1)

    def __len__(self) -> int:
        """Conversations with work running or waiting."""
        return len(self._lanes)
