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

from knowledge.settings import SettingsError, positive_number

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
    allowed_tenants: frozenset[str] | None = None
    """STRATEGIBOT_ALLOWED_TENANTS: the Entra tenant ids (lower case) whose users may talk to the bot; None
    means any tenant. Required with MicrosoftAppId unless STRATEGIBOT_ALLOW_ANY_TENANT=1, because a
    MultiTenant bot is otherwise reachable from every organisation that installs the app."""
    rate_limit_per_minute: int = 20
    """STRATEGIBOT_RATE_LIMIT_PER_MINUTE: questions one user may ask in any 60 seconds; 0 turns the limit off."""
    max_question_chars: int = 2000
    """STRATEGIBOT_MAX_QUESTION_CHARS: longer questions get a request to shorten them, not an answer."""

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
        timeout = positive_number(env, "STRATEGIBOT_AUTH_TIMEOUT", 10, "seconds", error=BotSettingsError)
        return cls(
            app_id=app_id,
            app_password=password,
            app_type=app_type,
            tenant_id=tenant,
            allow_remote_unauthenticated=(env.get("STRATEGIBOT_ALLOW_REMOTE_UNAUTHENTICATED") or "").strip().lower()
            in ("1", "true", "yes"),
            auth_timeout_seconds=timeout,
            allowed_tenants=_allowed_tenants(env, requires_a_choice=bool(app_id)),
            rate_limit_per_minute=_whole_number(
                env, "STRATEGIBOT_RATE_LIMIT_PER_MINUTE", cls.rate_limit_per_minute, minimum=0
            ),
            max_question_chars=_whole_number(env, "STRATEGIBOT_MAX_QUESTION_CHARS", cls.max_question_chars, minimum=1),
        )

    def check_host(self, host: str) -> None:
        """Refuse to serve local mode (no authentication) on an address other machines can reach."""
        if self.local_mode and not self.allow_remote_unauthenticated and not is_loopback(host):
            raise BotSettingsError(
                f"Without MicrosoftAppId the bot does not authenticate requests, so it only listens on a "
                f"loopback address, not {host!r}. Set MicrosoftAppId (and MicrosoftAppPassword) to serve on "
                "that address, or set STRATEGIBOT_ALLOW_REMOTE_UNAUTHENTICATED=1 if the network is private."
            )


def _allowed_tenants(env: Mapping[str, str], *, requires_a_choice: bool) -> frozenset[str] | None:
    listed = env.get("STRATEGIBOT_ALLOWED_TENANTS")
    any_tenant = (env.get("STRATEGIBOT_ALLOW_ANY_TENANT") or "").strip().lower() in ("1", "true", "yes")
    if listed is not None:
        if any_tenant:
            raise BotSettingsError(
                "STRATEGIBOT_ALLOWED_TENANTS and STRATEGIBOT_ALLOW_ANY_TENANT=1 contradict each other; unset one."
            )
        tenants = frozenset(t.strip().lower() for t in listed.split(",") if t.strip())
        if not tenants:
            raise BotSettingsError(
                "STRATEGIBOT_ALLOWED_TENANTS is set but names no tenant; set it to comma-separated tenant ids."
            )
        return tenants
    if requires_a_choice and not any_tenant:
        raise BotSettingsError(
            "MicrosoftAppId is set but STRATEGIBOT_ALLOWED_TENANTS is not; set it to the comma-separated Entra "
            "tenant ids whose users may use the bot (the City's directory id, usually the same as "
            "MicrosoftAppTenantId), or set STRATEGIBOT_ALLOW_ANY_TENANT=1 to serve every tenant."
        )
    return None


def _whole_number(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        number = int(text)
    except ValueError:
        raise BotSettingsError(f"{name}={text!r} is not a whole number; set it to {minimum} or more.") from None
    if number < minimum:
        raise BotSettingsError(f"{name}={number} is below {minimum}; set it to {minimum} or more.")
    return number


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
