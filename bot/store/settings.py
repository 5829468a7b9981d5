"""Where the bot keeps what it learns while serving, read once from the environment and validated."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from knowledge.settings import SettingsError

DEFAULT_RETENTION_DAYS = 180


@dataclass(frozen=True)
class StoreSettings:
    data_dir: Path
    """STRATEGIBOT_DATA_DIR: the SQLite file and the pseudonym key live here."""
    database_url: str | None = None
    """STRATEGIBOT_DATABASE_URL: postgresql://user:password@host:5432/db to share one database between
    several server instances; unset means SQLite in the data directory."""
    retention_days: int = DEFAULT_RETENTION_DAYS
    """STRATEGIBOT_RETENTION_DAYS: questions, feedback and conversation context older than this are deleted."""

    @property
    def uses_postgresql(self) -> bool:
        return self.database_url is not None

    @classmethod
    def from_env(cls, data_dir: Path, env: Mapping[str, str] | None = None) -> StoreSettings:
        env = os.environ if env is None else env
        url = (env.get("STRATEGIBOT_DATABASE_URL") or "").strip() or None
        if url is not None and not url.startswith(("postgresql://", "postgres://")):
            raise SettingsError(
                "STRATEGIBOT_DATABASE_URL must start with postgresql:// (for example postgresql://strategibot:"
                "PASSWORD@myserver.postgres.database.azure.com:5432/strategibot?sslmode=require); "
                "unset it to keep the store in SQLite under the data directory."
            )
        text = (env.get("STRATEGIBOT_RETENTION_DAYS") or str(DEFAULT_RETENTION_DAYS)).strip()
        try:
            days = int(text)
        except ValueError:
            days = 0
        if days <= 0:
            raise SettingsError(
                f"STRATEGIBOT_RETENTION_DAYS={text!r} is not a positive whole number of days; set it to how "
                "long questions and feedback are kept, for example 180 (or unset it for the default, "
                f"{DEFAULT_RETENTION_DAYS})."
            )
        return cls(data_dir=data_dir, database_url=url, retention_days=days)
