"""The bot's few commands, matched on the whole message (never on a word inside a question)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from knowledge.types import Language

CommandName = Literal["help", "sources", "about", "get_started"]


@dataclass(frozen=True)
class Command:
    name: CommandName
    language: Language
    """The language the command was typed in: the reply uses it."""


_COMMANDS: dict[str, Command] = {
    "hjälp": Command("help", "sv"),
    "hjalp": Command("help", "sv"),
    "help": Command("help", "en"),
    "källor": Command("sources", "sv"),
    "kallor": Command("sources", "sv"),
    "sources": Command("sources", "en"),
    "om": Command("about", "sv"),
    "about": Command("about", "en"),
    "kom igång": Command("get_started", "sv"),
    "kom igang": Command("get_started", "sv"),
    "get started": Command("get_started", "en"),
}


def parse_command(text: str) -> Command | None:
    word = text.strip().lower().lstrip("/").rstrip("?!. ")
    return _COMMANDS.get(word)
