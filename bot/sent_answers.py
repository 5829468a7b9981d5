"""The answers the bot sent recently, by the id the connector gave each reply.

A feedback invoke only names the message it is about (Teams puts its id in `replyToId`); this is how the
stored feedback gets the question, the answer and its sources. Clients that leave `replyToId` out (the
Agents Playground) get the conversation's latest answer, and the record says it was matched that way.
Kept in memory and bounded: feedback on an answer sent before a restart is stored without them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from knowledge.types import Answer

MatchedBy = Literal["reply", "latest-in-conversation", "none"]


@dataclass(frozen=True)
class SentAnswer:
    question: str
    answer: Answer


class SentAnswers:
    def __init__(self, capacity: int = 2000) -> None:
        self._capacity = capacity
        self._by_reply: OrderedDict[str, SentAnswer] = OrderedDict()
        self._latest: OrderedDict[str, SentAnswer] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, conversation_id: str, reply_id: str, question: str, answer: Answer) -> None:
        sent = SentAnswer(question, answer)
        with self._lock:
            for table, key in ((self._by_reply, reply_id), (self._latest, conversation_id)):
                table[key] = sent
                table.move_to_end(key)
                while len(table) > self._capacity:
                    table.popitem(last=False)

    def find(self, conversation_id: str, reply_id: str | None) -> tuple[SentAnswer | None, MatchedBy]:
        with self._lock:
            if reply_id:
                sent = self._by_reply.get(reply_id)
                return (sent, "reply") if sent else (None, "none")
            sent = self._latest.get(conversation_id)
            return (sent, "latest-in-conversation") if sent else (None, "none")
