"""Which install events get the welcome card: one per install, and one on every new page of a client that
announces itself on each page load.

Teams announces an install twice, as conversationUpdate (the bot among the added members) and as
installationUpdate, with different activity ids; one welcome answers both. The Agents Playground sends the
same pair on every page load, in the same conversation: a second event of a kind already seen in the
conversation starts a new pair, so a reloaded page gets its welcome again. A redelivered activity (same
id) never welcomes twice.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

PAIR_SECONDS = 10.0
"""The two announcements of one install arrive within milliseconds; later ones start a new pair."""
REMEMBERED_IDS = 2000


@dataclass
class _Pair:
    started: float
    kinds: set[str] = field(default_factory=set)


class WelcomeGate:
    def __init__(self, pair_seconds: float = PAIR_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._pair_seconds = pair_seconds
        self._clock = clock
        self._pairs: dict[str, _Pair] = {}
        self._seen_ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, conversation_id: str, kind: str, activity_id: str | None) -> bool:
        """True if this event (`kind` is the activity type) should get a welcome."""
        with self._lock:
            if activity_id:
                if activity_id in self._seen_ids:
                    return False
                self._seen_ids[activity_id] = None
                while len(self._seen_ids) > REMEMBERED_IDS:
                    self._seen_ids.popitem(last=False)
            now = self._clock()
            self._pairs = {c: p for c, p in self._pairs.items() if now - p.started < self._pair_seconds}
            pair = self._pairs.get(conversation_id)
            if pair is not None and kind not in pair.kinds:
                pair.kinds.add(kind)  # the other announcement of the install just welcomed
                return False
            self._pairs[conversation_id] = _Pair(now, {kind})
            return True
