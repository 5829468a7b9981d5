"""The answers the bot sent recently, by the id the connector gave each reply.

A feedback invoke only names the message it is about; this is how the stored feedback gets the question,
the answer and its sources. Kept in memory and bounded: feedback on an answer sent before a restart is
still stored, with the reply id only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from knowledge.types import Answer


@dataclass(frozen=True)
class SentAnswer:
    question: str
    answer: Answer


class SentAnswers:
    def __init__(self, capacity: int = 2000) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, SentAnswer] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, reply_id: str, question: str, answer: Answer) -> None:
        with self._lock:
            self._items[reply_id] = SentAnswer(question, answer)
            self._items.move_to_end(reply_id)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def get(self, reply_id: str) -> SentAnswer | None:
        with self._lock:
            return self._items.get(reply_id)
