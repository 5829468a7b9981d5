"""Helpers the tests import: settings for a test data folder."""

from __future__ import annotations

from pathlib import Path

from knowledge.settings import Settings


def settings_for(data_dir: Path, **env: str) -> Settings:
    return Settings.from_env(
        env={"STRATEGIBOT_DATA_DIR": str(data_dir), "STRATEGIBOT_DOCUMENTS_DIR": str(data_dir / "documents"), **env}
    )
