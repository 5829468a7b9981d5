"""A call to a remote model that gives up at a deadline, whatever the client library does meanwhile.

The OpenAI client's timeout applies to each read and its retries add to it, so a call can take several
times STRATEGIBOT_OPENAI_TIMEOUT. Here the call runs on a thread of its own and the caller waits for its
pieces only until the deadline; a call past it is left to end on its own (its own timeout stops it).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

_END = object()


class DeadlinePassed(TimeoutError):
    """The remote model did not finish within its time budget."""


def pieces_within(seconds: float, produce: Callable[[], Iterator[T]]) -> Iterator[T]:
    """The pieces `produce()` yields, each as it arrives; raises DeadlinePassed once `seconds` have passed
    since the call, and re-raises whatever the call raised."""
    arrived: queue.Queue[object] = queue.Queue()
    abandoned = threading.Event()

    def run() -> None:
        try:
            for piece in produce():
                if abandoned.is_set():
                    return
                arrived.put(piece)
            arrived.put(_END)
        except BaseException as error:  # handed to the caller, who decides what a failure means
            arrived.put(error)

    threading.Thread(target=run, name="chat-model-call", daemon=True).start()
    deadline = time.monotonic() + seconds
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeadlinePassed(f"no complete answer within {seconds:g} s")
            try:
                piece = arrived.get(timeout=remaining)
            except queue.Empty:
                raise DeadlinePassed(f"no complete answer within {seconds:g} s") from None
            if piece is _END:
                return
            if isinstance(piece, BaseException):
                raise piece
            yield piece  # type: ignore[misc]
    finally:
        abandoned.set()
