"""The audit log of content owners' actions: who did what to which document, and when."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.store.database import Database
from bot.store.times import iso_now

OwnerAction = Literal["add", "edit", "supersede", "mark_current", "remove", "refused"]


@dataclass(frozen=True)
class OwnerActionRecord:
    acted_at: str
    """UTC, ISO 8601."""
    owner_id: str
    """The Entra object id, as listed in STRATEGIBOT_OWNERS (or the refused person's, for "refused")."""
    action: str
    document: str
    """The document's file name in the documents folder."""
    detail: str


class OwnerActionLog:
    def __init__(self, database: Database) -> None:
        self._database = database

    def add(self, *, owner_id: str, action: OwnerAction, document: str, detail: str = "") -> OwnerActionRecord:
        """Record one action; committed (durable) when this returns."""
        record = OwnerActionRecord(iso_now(), owner_id, action, document, detail)
        self._database.write(
            "INSERT INTO owner_actions (acted_at, owner_id, action, document, detail) VALUES (?, ?, ?, ?, ?)",
            (record.acted_at, record.owner_id, record.action, record.document, record.detail),
        )
        return record

    def all(self, since: str = "") -> list[OwnerActionRecord]:
        rows = self._database.rows(
            "SELECT acted_at, owner_id, action, document, detail FROM owner_actions WHERE acted_at >= ? "
            "ORDER BY acted_at, id",
            (since,),
        )
        return [OwnerActionRecord(*row) for row in rows]
