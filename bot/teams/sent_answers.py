"""The answers the bot sent recently, by the activity id the connector gave each reply.

A feedback invoke names the message it is about by that id: Teams puts it in `replyToId`. The Agents
Playground (0.2.x) sends no id at all, and nothing of the message (not its channelData, not its entities)
comes back with its feedback, so feedback there is tied to an answer only when the conversation has just
one: with several, any choice would be a guess, and a guess stored as fact is worse than no answer.
Kept in memory and bounded: feedback on an answer sent before a restart is stored without it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from knowledge.types import Answer

MatchedBy = Literal["reply", "only-answer-in-conversation", "ambiguous", "none"]


@dataclass(frozen=True)
class SentAnswer:
    question: str
    answer: Answer


class SentAnswers:
    def __init__(self, capacity: int = 2000) -> None:
        self._capacity = capacity
        self._by_reply: OrderedDict[str, SentAnswer] = OrderedDict()
        self._replies_in: OrderedDict[str, list[str]] = OrderedDict()
        """Reply ids per conversation, oldest first."""
        self._lock = threading.Lock()

    def remember(self, conversation_id: str, reply_id: str, question: str, answer: Answer) -> None:
        with self._lock:
            self._by_reply[reply_id] = SentAnswer(question, answer)
            self._by_reply.move_to_end(reply_id)
            replies = self._replies_in.setdefault(conversation_id, [])
            replies.append(reply_id)
            del replies[:-2]  # whether there is one answer or several is all `find` needs
            self._replies_in.move_to_end(conversation_id)
            for table in (self._by_reply, self._replies_in):
                while len(table) > self._capacity:
                    table.popitem(last=False)

    def find(self, conversation_id: str, reply_id: str | None) -> tuple[SentAnswer | None, MatchedBy]:
        with self._lock:
            if reply_id:
                sent = self._by_reply.get(reply_id)
                return (sent, "reply") if sent else (None, "none")
            replies = self._replies_in.get(conversation_id, [])
            if len(replies) > 1:
                return None, "ambiguous"
            sent = self._by_reply.get(replies[0]) if replies else None
            return (sent, "only-answer-in-conversation") if sent else (None, "none")
