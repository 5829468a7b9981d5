"""Times as the store keeps them: UTC ISO 8601 text to the second, which sorts in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def iso_now() -> str:
    return iso(datetime.now(UTC))


def iso_days_ago(days: int, now: datetime | None = None) -> str:
    return iso((now or datetime.now(UTC)) - timedelta(days=days))
