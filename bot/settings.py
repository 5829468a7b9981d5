"""The Bot Framework settings, read once from the standard variables and validated at start-up.

The names are the ones Azure Bot Service and the Teams Developer Portal document, so a deployment can copy
them from the portal unchanged. Every error names the variable and says what to set.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from knowledge.settings import SettingsError

AppType = Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"]
_APP_TYPES: dict[str, AppType] = {t.lower(): t for t in ("MultiTenant", "SingleTenant", "UserAssignedMSI")}


class BotSettingsError(SettingsError):
    """A Bot Framework setting is missing or inconsistent; the message says which and how to fix it."""


@dataclass(frozen=True)
class BotSettings:
    app_id: str = ""
    """MicrosoftAppId: the bot's Entra app (client) id. Empty means local mode without authentication."""
    app_password: str = ""
    """MicrosoftAppPassword: the client secret (not used with UserAssignedMSI)."""
    app_type: AppType = "MultiTenant"
    """MicrosoftAppType: MultiTenant, SingleTenant or UserAssignedMSI, as chosen when the bot was registered."""
    tenant_id: str = ""
    """MicrosoftAppTenantId: required for SingleTenant and UserAssignedMSI."""
    allow_remote_unauthenticated: bool = False
    """STRATEGIBOT_ALLOW_REMOTE_UNAUTHENTICATED=1: serve local mode on a non-loopback address (for a
    container reached only through a private network). Off by default, since anyone who can reach the port
    could then talk to the bot."""
    auth_timeout_seconds: float = 10.0
    """STRATEGIBOT_AUTH_TIMEOUT: how long token validation (which fetches Microsoft's signing keys) may take
    before the request is refused with 401."""

    @property
    def local_mode(self) -> bool:
        return not self.app_id

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BotSettings:
        env = os.environ if env is None else env
        app_id = (env.get("MicrosoftAppId") or "").strip()
        password = env.get("MicrosoftAppPassword") or ""
        raw_type = (env.get("MicrosoftAppType") or "MultiTenant").strip()
        tenant = (env.get("MicrosoftAppTenantId") or "").strip()
        app_type = _APP_TYPES.get(raw_type.lower())
        if app_type is None:
            raise BotSettingsError(
                f"MicrosoftAppType={raw_type!r} is not one of MultiTenant, SingleTenant, UserAssignedMSI; "
                "set it to the type chosen when the bot was registered."
            )
        if app_id:
            if app_type in ("SingleTenant", "UserAssignedMSI") and not tenant:
                raise BotSettingsError(
                    f"MicrosoftAppType={app_type} needs MicrosoftAppTenantId; set it to the directory (tenant) "
                    "id of the bot's app registration."
                )
            if app_type != "UserAssignedMSI" and not password:
                raise BotSettingsError(
                    "MicrosoftAppId is set but MicrosoftAppPassword is not; set it to a client secret of the "
                    "bot's app registration (or unset MicrosoftAppId to run locally without authentication)."
                )
        elif password or tenant:
            raise BotSettingsError(
                "MicrosoftAppPassword or MicrosoftAppTenantId is set but MicrosoftAppId is not; set "
                "MicrosoftAppId too, or unset them all to run locally without authentication."
            )
        timeout_text = env.get("STRATEGIBOT_AUTH_TIMEOUT") or "10"
        try:
            timeout = float(timeout_text)
        except ValueError:
            raise BotSettingsError(f"STRATEGIBOT_AUTH_TIMEOUT={timeout_text!r} is not a number of seconds.") from None
        if timeout <= 0:
            raise BotSettingsError("STRATEGIBOT_AUTH_TIMEOUT must be a positive number of seconds.")
        return cls(
            app_id=app_id,
            app_password=password,
            app_type=app_type,
            tenant_id=tenant,
            allow_remote_unauthenticated=(env.get("STRATEGIBOT_ALLOW_REMOTE_UNAUTHENTICATED") or "").strip().lower()
            in ("1", "true", "yes"),
            auth_timeout_seconds=timeout,
        )

    def check_host(self, host: str) -> None:
        """Refuse to serve local mode (no authentication) on an address other machines can reach."""
        if self.local_mode and not self.allow_remote_unauthenticated and not is_loopback(host):
            raise BotSettingsError(
                f"Without MicrosoftAppId the bot does not authenticate requests, so it only listens on a "
                f"loopback address, not {host!r}. Set MicrosoftAppId (and MicrosoftAppPassword) to serve on "
                "that address, or set STRATEGIBOT_ALLOW_REMOTE_UNAUTHENTICATED=1 if the network is private."
            )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
