"""Pseudonyms for people and conversations: a keyed hash (HMAC-SHA256) of their ids.

The key is random per installation and kept in the data directory, never in the database: the same person
gets the same pseudonym, so their feedback can be grouped and `strategibot forget` can find it, but a copy
of the database alone cannot be turned back into ids by hashing known ones. Instances that share a
database share the data directory, and with it the key.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_FILE_NAME = "pseudonym.key"
LEGACY_KEY_FILE_NAME = "feedback.key"
"""The key of the feedback file that came before the store: kept, so old and new pseudonyms agree."""


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> Pseudonymizer:
        data_dir.mkdir(parents=True, exist_ok=True)
        key, legacy = data_dir / KEY_FILE_NAME, data_dir / LEGACY_KEY_FILE_NAME
        if not key.exists() and legacy.exists():
            with contextlib.suppress(FileExistsError):  # another process linked it first
                os.link(legacy, key)
        return cls(installation_key(key))

    def __call__(self, identifier: str) -> str:
        return hmac.new(self._key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def installation_key(path: Path) -> bytes:
    """The HMAC key, created on first use with owner-only permissions."""
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    # Written whole under a private name, then linked into place: link fails if another process got there
    # first, and then its key (already complete) is the one to use.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key)
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        key = path.read_bytes()
    finally:
        temporary.unlink()
    return key
