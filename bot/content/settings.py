"""Who may manage the bot's documents from Teams, and where uploaded files may be fetched from.

Read once at start-up; every error names the variable and says what to set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.content.hosts import HostRule, InvalidHostRule
from knowledge.settings import SettingsError, positive_number

DEFAULT_DOWNLOAD_HOSTS = "*.sharepoint.com"
"""Teams keeps files sent in a 1:1 chat in the sender's OneDrive, whose download links are on SharePoint."""
REMOVED_KEPT_DAYS = 30
"""A removed document's file is kept aside this long before it is deleted."""


class ContentSettingsError(SettingsError):
    """A content-owner setting is invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class ContentSettings:
    owners: frozenset[str] = frozenset()
    """STRATEGIBOT_OWNERS: the Entra object ids (`from.aadObjectId`, lower case) of the content owners."""
    download_hosts: tuple[HostRule, ...] = (HostRule.parse(DEFAULT_DOWNLOAD_HOSTS),)
    """STRATEGIBOT_DOWNLOAD_HOSTS: the only hosts an uploaded file is downloaded from."""
    download_timeout_seconds: float = 30.0
    """STRATEGIBOT_DOWNLOAD_TIMEOUT: the most a download may take, connecting included."""

    def is_owner(self, user_id: str) -> bool:
        return bool(user_id) and user_id.strip().lower() in self.owners

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ContentSettings:
        env = os.environ if env is None else env
        owners = frozenset(o.strip().lower() for o in (env.get("STRATEGIBOT_OWNERS") or "").split(",") if o.strip())
        listed = env.get("STRATEGIBOT_DOWNLOAD_HOSTS")
        listed = DEFAULT_DOWNLOAD_HOSTS if listed is None else listed
        try:
            hosts = tuple(HostRule.parse(h) for h in listed.split(",") if h.strip())
        except InvalidHostRule as error:
            raise ContentSettingsError(
                f"STRATEGIBOT_DOWNLOAD_HOSTS: {error}; list hosts as host, host:port or *.domain, comma-separated "
                f"(default {DEFAULT_DOWNLOAD_HOSTS})."
            ) from None
        if not hosts:
            raise ContentSettingsError(
                "STRATEGIBOT_DOWNLOAD_HOSTS is set but names no host; unset it for the default "
                f"({DEFAULT_DOWNLOAD_HOSTS}) or list the hosts Teams' download links come from."
            )
        timeout = positive_number(env, "STRATEGIBOT_DOWNLOAD_TIMEOUT", 30, "seconds", error=ContentSettingsError)
        return cls(owners=owners, download_hosts=hosts, download_timeout_seconds=timeout)
