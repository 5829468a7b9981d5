"""The last turn of each conversation, so a follow-up can lean on the question before it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol

from knowledge.retrieval.query import PreviousTurn

MAX_CONVERSATIONS = 10_000


class ConversationStore(Protocol):
    """Where the engine keeps each conversation's last turn. In memory by default; the Teams bot passes a
    database-backed one, so that several server instances share the context of a conversation."""

    def last(self, conversation_id: str | None) -> PreviousTurn | None: ...

    def remember(self, conversation_id: str | None, turn: PreviousTurn) -> None: ...

    def forget(self, conversation_id: str) -> None: ...


class ConversationMemory:
    """Bounded and thread-safe: the Teams bot answers from worker threads, one conversation each."""

    def __init__(self, capacity: int = MAX_CONVERSATIONS) -> None:
        self._turns: OrderedDict[str, PreviousTurn] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def last(self, conversation_id: str | None) -> PreviousTurn | None:
        if conversation_id is None:
            return None
        with self._lock:
            return self._turns.get(conversation_id)

    def remember(self, conversation_id: str | None, turn: PreviousTurn) -> None:
        if conversation_id is None:
            return
        with self._lock:
            self._turns[conversation_id] = turn
            self._turns.move_to_end(conversation_id)
            while len(self._turns) > self._capacity:
                self._turns.popitem(last=False)

    def forget(self, conversation_id: str) -> None:
        with self._lock:
            self._turns.pop(conversation_id, None)
