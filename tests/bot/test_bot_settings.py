"""Bot Framework settings: read once from the standard variables, with errors that name the fix."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.serving.settings import BotSettings, BotSettingsError
from bot.store.pseudonyms import KEY_FILE_NAME, Pseudonymizer
from bot.store.settings import StoreSettings
from bot.store.store import Store
from knowledge.settings import SettingsError

ANY_TENANT = {"STRATEGIBOT_ALLOW_ANY_TENANT": "1"}


def test_no_app_id_is_local_mode() -> None:
    settings = BotSettings.from_env({})

    assert settings.local_mode
    settings.check_host("127.0.0.1")
    settings.check_host("::1")
    settings.check_host("localhost")


def test_local_mode_refuses_a_public_address_unless_told_otherwise() -> None:
    with pytest.raises(BotSettingsError, match="loopback"):
        BotSettings.from_env({}).check_host("0.0.0.0")
    BotSettings.from_env({"STRATEGIBOT_ALLOW_REMOTE_UNAUTHENTICATED": "1"}).check_host("0.0.0.0")
    BotSettings.from_env({"MicrosoftAppId": "id", "MicrosoftAppPassword": "pw", **ANY_TENANT}).check_host("0.0.0.0")


def test_standard_variables_are_read() -> None:
    settings = BotSettings.from_env(
        {
            "MicrosoftAppId": "app",
            "MicrosoftAppPassword": "pw",
            "MicrosoftAppType": "singletenant",
            "MicrosoftAppTenantId": "tenant",
            **ANY_TENANT,
        }
    )

    assert (settings.app_id, settings.app_type, settings.tenant_id) == ("app", "SingleTenant", "tenant")
    assert not settings.local_mode


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MicrosoftAppType": "Global"}, "MicrosoftAppType='Global' is not one of"),
        ({"MicrosoftAppId": "app"}, "MicrosoftAppPassword is not"),
        (
            {"MicrosoftAppId": "app", "MicrosoftAppPassword": "pw", "MicrosoftAppType": "SingleTenant"},
            "needs MicrosoftAppTenantId",
        ),
        ({"MicrosoftAppId": "app", "MicrosoftAppType": "UserAssignedMSI"}, "needs MicrosoftAppTenantId"),
        ({"MicrosoftAppPassword": "pw"}, "MicrosoftAppId is not"),
        ({"STRATEGIBOT_AUTH_TIMEOUT": "soon"}, "STRATEGIBOT_AUTH_TIMEOUT"),
    ],
)
def test_inconsistent_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        BotSettings.from_env(env)


def test_managed_identity_needs_no_password() -> None:
    settings = BotSettings.from_env(
        {"MicrosoftAppId": "app", "MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppTenantId": "t", **ANY_TENANT}
    )
    assert settings.app_type == "UserAssignedMSI"


def test_feedback_pseudonyms_are_keyed_per_installation(tmp_path: Path) -> None:
    first, second = Pseudonymizer.for_data_dir(tmp_path / "a"), Pseudonymizer.for_data_dir(tmp_path / "b")

    assert first("aad-1") == Pseudonymizer.for_data_dir(tmp_path / "a")("aad-1"), "stable across restarts"
    assert first("aad-1") != second("aad-1"), "another installation, another key"
    assert first("aad-1") != first("aad-2")
    key = tmp_path / "a" / KEY_FILE_NAME
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_feedback_survives_a_restart(tmp_path: Path) -> None:
    store = Store.open(StoreSettings(tmp_path))
    store.feedback.add(
        reaction="dislike",
        comment="",
        question="q",
        answer="a",
        sources=("[1] D – S (2016)",),
        user_id="u",
        conversation_id="c",
        reply_to_id="r",
    )
    store.close()

    [record] = Store.open(StoreSettings(tmp_path)).feedback.all()
    assert (record.reaction, record.sources, record.reply_to_id) == ("dislike", ("[1] D – S (2016)",), "r")
    assert "T" in record.received_at and record.received_at.endswith("+00:00")


def test_tenants_limits_and_their_defaults_are_read() -> None:
    local = BotSettings.from_env({})
    assert (local.allowed_tenants, local.rate_limit_per_minute, local.max_question_chars) == (None, 20, 2000)

    settings = BotSettings.from_env(
        {"MicrosoftAppId": "app", "MicrosoftAppPassword": "pw", "STRATEGIBOT_ALLOWED_TENANTS": " T-1, t-2 ,,",
         "STRATEGIBOT_RATE_LIMIT_PER_MINUTE": "0", "STRATEGIBOT_MAX_QUESTION_CHARS": "500"}
    )  # fmt: skip
    assert settings.allowed_tenants == frozenset({"t-1", "t-2"})
    assert (settings.rate_limit_per_minute, settings.max_question_chars) == (0, 500)
    assert BotSettings.from_env({"STRATEGIBOT_ALLOWED_TENANTS": "t-1"}).allowed_tenants == {"t-1"}, "local too"
    secured_any = BotSettings.from_env({"MicrosoftAppId": "app", "MicrosoftAppPassword": "pw", **ANY_TENANT})
    assert secured_any.allowed_tenants is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MicrosoftAppId": "app", "MicrosoftAppPassword": "pw"},
         "STRATEGIBOT_ALLOWED_TENANTS is not; set it .* or set STRATEGIBOT_ALLOW_ANY_TENANT=1"),
        ({"STRATEGIBOT_ALLOWED_TENANTS": " , "}, "STRATEGIBOT_ALLOWED_TENANTS is set but names no tenant"),
        ({"STRATEGIBOT_ALLOWED_TENANTS": "t-1", **ANY_TENANT}, "contradict each other"),
        ({"STRATEGIBOT_RATE_LIMIT_PER_MINUTE": "many"}, "STRATEGIBOT_RATE_LIMIT_PER_MINUTE='many' is not a whole"),
        ({"STRATEGIBOT_RATE_LIMIT_PER_MINUTE": "-1"}, "STRATEGIBOT_RATE_LIMIT_PER_MINUTE=-1 is below 0"),
        ({"STRATEGIBOT_MAX_QUESTION_CHARS": "0"}, "STRATEGIBOT_MAX_QUESTION_CHARS=0 is below 1"),
    ],
    ids=["app-id-without-tenants", "empty-list", "both", "rate-not-number", "rate-negative", "chars-zero"],
)  # fmt: skip
def test_tenant_and_limit_settings_errors_name_the_fix(env: dict[str, str], message: str) -> None:
    with pytest.raises(BotSettingsError, match=message):
        BotSettings.from_env(env)
