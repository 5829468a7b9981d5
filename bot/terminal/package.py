"""`strategibot manifest`: the Teams app package (manifest.json and the two icons) with the bot's id.

The manifest in `manifest/` carries a placeholder id; the package gets the Microsoft App ID of the bot
registration, used both as the Teams app id and as the bot id, as the Teams Developer Portal does.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from knowledge.settings import SettingsError

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "manifest"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class PackageError(SettingsError):
    """The app package cannot be built; the message says what to fix."""


def app_manifest(app_id: str, manifest_dir: Path = MANIFEST_DIR) -> dict[str, Any]:
    """manifest.json with `app_id` filled in wherever the bot's id belongs."""
    if not _GUID.match(app_id or "") or app_id == PLACEHOLDER_ID:
        raise PackageError(
            f"--app-id {app_id!r} is not a Microsoft App ID; give the Application (client) ID of the bot's "
            "registration, a GUID like 1b2c3d4e-....-............ (Azure Bot › Configuration)."
        )
    manifest = json.loads((manifest_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["id"] = app_id
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    for extension in manifest.get("composeExtensions", []):
        extension["botId"] = app_id
    return manifest


def build_app_package(app_id: str, out: Path, manifest_dir: Path = MANIFEST_DIR) -> Path:
    """Write the zip to upload to Teams; returns its path."""
    manifest = app_manifest(app_id, manifest_dir)
    icons = [manifest["icons"]["color"], manifest["icons"]["outline"]]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        # Teams wants the three files at the root of the zip, not in a folder.
        package.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for icon in icons:
            package.write(manifest_dir / icon, arcname=icon)
    return out
