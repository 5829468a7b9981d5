"""How much the Teams bot does at once and how long it waits, read once from the environment.

Kept apart from `BotSettings` (the Bot Framework credentials) because these are capacity and time limits a
deployment tunes to its machine, not identity. Every error names the variable and says what to set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.serving.settings import BotSettingsError
from knowledge.settings import positive_number


def available_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ServingSettings:
    answer_timeout_seconds: float = 10.0
    """STRATEGIBOT_ANSWER_TIMEOUT: the time budget of one question, waiting included. Past it the user is
    told the answer took too long (Teams gives a bot 15 s for the whole turn)."""
    answer_workers: int = 0
    """STRATEGIBOT_ANSWER_WORKERS: questions answered side by side. 0 means one per available core; raise it
    when answers wait on a remote chat model rather than on the CPU."""
    connector_timeout_seconds: float = 5.0
    """STRATEGIBOT_CONNECTOR_TIMEOUT: the connect and the read timeout of each reply sent to the Bot
    Connector."""

    @property
    def workers(self) -> int:
        return self.answer_workers or available_cores()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServingSettings:
        env = os.environ if env is None else env
        return cls(
            answer_timeout_seconds=positive_number(
                env, "STRATEGIBOT_ANSWER_TIMEOUT", cls.answer_timeout_seconds, "seconds", error=BotSettingsError
            ),
            answer_workers=_workers(env, "STRATEGIBOT_ANSWER_WORKERS"),
            connector_timeout_seconds=positive_number(
                env, "STRATEGIBOT_CONNECTOR_TIMEOUT", cls.connector_timeout_seconds, "seconds", error=BotSettingsError
            ),
        )


def _workers(env: Mapping[str, str], name: str) -> int:
    text = (env.get(name) or "").strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) < 1:
        raise BotSettingsError(
            f"{name}={text!r} is not a positive whole number; set it to the number of questions to answer at "
            "once, or unset it for one per core."
        )
    return int(text)
