"""Bot Framework settings: read once from the standard variables, with errors that name the fix."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.settings import BotSettings, BotSettingsError
from bot.store.pseudonyms import KEY_FILE_NAME, Pseudonymizer
from bot.store.settings import StoreSettings
from bot.store.store import Store
from knowledge.settings import SettingsError


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
    BotSettings.from_env({"MicrosoftAppId": "id", "MicrosoftAppPassword": "pw"}).check_host("0.0.0.0")


def test_standard_variables_are_read() -> None:
    settings = BotSettings.from_env(
        {"MicrosoftAppId": "app", "MicrosoftAppPassword": "pw", "MicrosoftAppType": "singletenant",
         "MicrosoftAppTenantId": "tenant"}
    )

    assert (settings.app_id, settings.app_type, settings.tenant_id) == ("app", "SingleTenant", "tenant")
    assert not settings.local_mode


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MicrosoftAppType": "Global"}, "MicrosoftAppType='Global' is not one of"),
        ({"MicrosoftAppId": "app"}, "MicrosoftAppPassword is not"),
        ({"MicrosoftAppId": "app", "MicrosoftAppPassword": "pw", "MicrosoftAppType": "SingleTenant"},
         "needs MicrosoftAppTenantId"),
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
        {"MicrosoftAppId": "app", "MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppTenantId": "t"}
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
    store.feedback.add(reaction="dislike", comment="", question="q", answer="a", sources=("[1] D – S (2016)",),
              user_id="u", conversation_id="c", reply_to_id="r")
    store.close()

    [record] = Store.open(StoreSettings(tmp_path)).feedback.all()
    assert (record.reaction, record.sources, record.reply_to_id) == ("dislike", ("[1] D – S (2016)",), "r")
    assert "T" in record.received_at and record.received_at.endswith("+00:00")
