"""Microsoft's signing keys for Bot Framework tokens: fetched with a timeout, cached, and fetched again by
themselves once the key host answers after an outage.

botbuilder 4.17.1 fetches the OpenID metadata and the keys with `requests.get` without a timeout, so a key
host that accepts the connection and never answers holds the validating thread for ever; it also fetches
them again for every validation until one fetch succeeds. botbuilder finds the key source for a metadata URL
in `JwtTokenExtractor.metadataCache` and only ever calls its `get(key_id)`: `install_signing_keys` puts a
`SigningKeySources` there, which answers every metadata URL (Bot Framework, Emulator, government clouds) with
a `SigningKeys` cache of its own.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

REFRESH_AFTER_SECONDS = 24 * 3600.0
"""Keys are fetched again after a day, as botbuilder does; Microsoft announces new keys well ahead."""
UNKNOWN_KEY_REFRESH_SECONDS = 300.0
"""A token signed with a key not yet seen makes the keys be fetched again, at most this often."""
RETRY_AFTER_FAILURE_SECONDS = 1.0
"""After a failed fetch, validations are refused at once for this long; the next one tries the host again."""


class SigningKeysUnavailable(Exception):
    """The token's signing key is not known, and could not be fetched; the message says why."""


@dataclass(frozen=True)
class SigningKey:
    """What botbuilder reads from its key source: the public key and the channels it is endorsed for."""

    public_key: Any
    endorsements: tuple[str, ...]


class SigningKeys:
    """The keys published at one OpenID metadata URL. Thread-safe: validations run on several threads.

    One fetch at a time. While the first fetch is under way, other validations wait for it; while the host is
    failing, only one validation at a time tries it again and the others are refused at once (or use the keys
    already known), so no thread waits longer than one fetch.
    """

    def __init__(
        self, metadata_url: str, fetch_timeout_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.metadata_url = metadata_url
        self._fetch_timeout = fetch_timeout_seconds
        self._clock = clock
        self._changed = threading.Condition()
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._failed_at: float | None = None
        self._failure = ""
        self._fetching = False

    async def get(self, key_id: str) -> SigningKey:
        """botbuilder's interface. Blocks for at most one fetch: botbuilder runs it on a validation thread."""
        return self.key(key_id)

    def key(self, key_id: str) -> SigningKey:
        fetch = False
        with self._changed:
            if self._due(key_id):
                if not self._fetching:
                    self._fetching = fetch = True
                elif key_id not in self._keys and self._failed_at is None:
                    # A first fetch (or one after success) is under way: worth waiting for.
                    self._changed.wait_for(lambda: not self._fetching, timeout=self._fetch_timeout)
        if fetch:
            self._refresh()
        with self._changed:
            key = self._keys.get(key_id)
            if key is not None:
                return key
            if self._fetched_at is None:
                raise SigningKeysUnavailable(
                    f"no signing keys from {self.metadata_url} yet ({self._failure or 'still fetching'})"
                )
            raise SigningKeysUnavailable(f"the token's key {key_id!r} is not published at {self.metadata_url}")

    def _due(self, key_id: str) -> bool:
        now = self._clock()
        if self._failed_at is not None and now - self._failed_at < RETRY_AFTER_FAILURE_SECONDS:
            return False
        if self._fetched_at is None:
            return True
        age = now - self._fetched_at
        return age > REFRESH_AFTER_SECONDS or (key_id not in self._keys and age > UNKNOWN_KEY_REFRESH_SECONDS)

    def _refresh(self) -> None:
        keys: dict[str, SigningKey] | None = None
        failure = ""
        try:
            keys = self._download()
        except Exception as error:  # requests, JSON or key format errors: all mean "no keys this time"
            failure = f"{type(error).__name__}: {error}"
            log.warning("could not fetch the signing keys from %s: %s", self.metadata_url, failure)
        finally:
            with self._changed:
                if keys is not None:
                    self._keys, self._fetched_at, self._failed_at = keys, self._clock(), None
                else:
                    self._failed_at, self._failure = self._clock(), failure or "interrupted"
                self._fetching = False
                self._changed.notify_all()

    def _download(self) -> dict[str, SigningKey]:
        # Two calls, each with half the time: the whole fetch stays within the timeout.
        timeout = self._fetch_timeout / 2
        metadata = requests.get(self.metadata_url, timeout=timeout)
        metadata.raise_for_status()
        published = requests.get(metadata.json()["jwks_uri"], timeout=timeout)
        published.raise_for_status()
        keys: dict[str, SigningKey] = {}
        for jwk in published.json()["keys"]:
            if jwk.get("kty") != "RSA" or not isinstance(jwk.get("kid"), str):
                continue  # Bot Framework tokens are RS256; other keys cannot have signed one
            public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
            keys[jwk["kid"]] = SigningKey(public_key, tuple(jwk.get("endorsements") or ()))
        return keys


class SigningKeySources(dict[str, SigningKeys]):
    """Stands in for botbuilder's metadata cache: a `SigningKeys` for whatever metadata URL it looks up."""

    def __init__(self, fetch_timeout_seconds: float) -> None:
        super().__init__()
        self._fetch_timeout = fetch_timeout_seconds

    def get(self, metadata_url: str, default: object = None) -> SigningKeys:  # type: ignore[override]
        found = super().get(metadata_url)
        return (
            found
            if found is not None
            else self.setdefault(metadata_url, SigningKeys(metadata_url, self._fetch_timeout))
        )


def install_signing_keys(fetch_timeout_seconds: float) -> SigningKeySources:
    """Make botbuilder's token validation take its keys from caches with this fetch timeout."""
    sources = SigningKeySources(fetch_timeout_seconds)
    JwtTokenExtractor.metadataCache = sources
    return sources
