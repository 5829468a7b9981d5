"""A per-user limit on questions: at most N in any sliding 60 seconds, kept in memory.

A sliding window of timestamps (at most N per user) rather than a token bucket, so that "20 a minute" means
exactly that to the user. The number of users tracked is bounded: past the bound the user seen least
recently is forgotten, which at worst lets that user start a fresh window.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60.0
MAX_TRACKED_USERS = 10_000
"""About 20 timestamps each: well under 10 MB however many ids arrive."""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_seconds: float = 0.0
    """When the user's oldest question in the window leaves it, if not allowed."""


class SlidingWindowRateLimiter:
    def __init__(
        self,
        limit: int,
        *,
        window_seconds: float = WINDOW_SECONDS,
        max_tracked_users: int = MAX_TRACKED_USERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`limit` questions per user per window; 0 means no limit."""
        self._limit = limit
        self._window = window_seconds
        self._max_users = max_tracked_users
        self._clock = clock
        self._asked: OrderedDict[str, deque[float]] = OrderedDict()

    def check(self, user_key: str) -> RateDecision:
        """Count one question from `user_key` if it is within the limit."""
        if self._limit <= 0:
            return RateDecision(True)
        now = self._clock()
        asked = self._asked.get(user_key)
        if asked is None:
            asked = self._asked[user_key] = deque(maxlen=self._limit)
            while len(self._asked) > self._max_users:
                self._asked.popitem(last=False)
        else:
            self._asked.move_to_end(user_key)
        while asked and now - asked[0] >= self._window:
            asked.popleft()
        if len(asked) >= self._limit:
            return RateDecision(False, retry_after_seconds=self._window - (now - asked[0]))
        asked.append(now)
        return RateDecision(True)

    @property
    def tracked_users(self) -> int:
        return len(self._asked)
