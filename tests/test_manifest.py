"""The Teams app package: manifest.json against the current schema (validated offline with `atk validate`
from @microsoft/m365agentstoolkit-cli), valid icons, and the zip that `strategibot manifest` writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot.teams.message_extension import COMMAND_ID, QUERY_PARAMETER
from bot.terminal.package import MANIFEST_DIR, PackageError, build_app_package

ROOT = Path(__file__).resolve().parents[1]
ATK = ROOT / "node_modules" / "@microsoft" / "m365agentstoolkit-cli" / "cli.js"
APP_ID = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"


def manifest() -> dict:
    return json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))


def atk_validate(manifest_file: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("node") is None or not ATK.exists():
        reason = "atk validate needs node and the npm packages (npm ci)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " — .ci/run must install them")
        pytest.skip(reason)
    return subprocess.run(
        [
            "node",
            str(ATK),
            "validate",
            "--manifest-file",
            str(manifest_file),
            "--interactive",
            "false",
            "--telemetry",
            "false",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manifest_has_the_bot_in_all_scopes_with_commands_and_the_search_command() -> None:
    m = manifest()

    assert m["manifestVersion"] == "1.30"
    assert m["$schema"].endswith("/v1.30/MicrosoftTeams.schema.json")
    [bot] = m["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["supportsFiles"] is True, "owners send documents to the bot in a 1:1 chat"
    titles = {c["title"] for command_list in bot["commandLists"] for c in command_list["commands"]}
    assert {"hjälp", "help", "källor", "sources", "om", "about"} <= titles
    [extension] = m["composeExtensions"]
    [command] = extension["commands"]
    assert (command["id"], command["type"]) == (COMMAND_ID, "query")
    assert command["parameters"][0]["name"] == QUERY_PARAMETER


def test_icons_have_the_sizes_teams_requires() -> None:
    color = Image.open(MANIFEST_DIR / manifest()["icons"]["color"])
    outline = Image.open(MANIFEST_DIR / manifest()["icons"]["outline"]).convert("RGBA")

    assert color.size == (192, 192)
    assert outline.size == (32, 32)
    # The outline icon is white on transparent, nothing else.
    assert {pixel[:3] for pixel in outline.getdata() if pixel[3]} == {(255, 255, 255)}
    assert any(pixel[3] == 0 for pixel in outline.getdata())


def test_manifest_passes_atk_validate() -> None:
    result = atk_validate(MANIFEST_DIR / "manifest.json")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "All passed" in result.stdout


def test_atk_validate_rejects_a_broken_manifest(tmp_path: Path) -> None:
    broken = manifest()
    del broken["bots"][0]["botId"]
    broken["icons"]["outline"] = 7
    (tmp_path / "manifest.json").write_text(json.dumps(broken), encoding="utf-8")

    result = atk_validate(tmp_path / "manifest.json")

    assert result.returncode != 0, "the validation test would pass anything"


def test_app_package_fills_in_the_app_id_and_validates(tmp_path: Path) -> None:
    package = build_app_package(APP_ID, tmp_path / "out" / "strategibot.zip")

    with zipfile.ZipFile(package) as zipped:
        assert sorted(zipped.namelist()) == ["color.png", "manifest.json", "outline.png"]
        zipped.extractall(tmp_path / "unzipped")
    packaged = json.loads((tmp_path / "unzipped" / "manifest.json").read_text(encoding="utf-8"))
    assert packaged["id"] == APP_ID
    assert packaged["bots"][0]["botId"] == APP_ID
    assert packaged["composeExtensions"][0]["botId"] == APP_ID
    result = atk_validate(tmp_path / "unzipped" / "manifest.json")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("app_id", ["", "my-bot", "00000000-0000-0000-0000-000000000000", APP_ID + "0"])
def test_app_package_refuses_what_is_not_an_app_id(app_id: str, tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="Microsoft App ID"):
        build_app_package(app_id, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_agents_playground_shows_the_apps_name() -> None:
    """The playground's configuration file (read from the directory it starts in) names the bot as the
    manifest does; without it the playground calls the bot "Test Bot"."""
    config = (ROOT / ".m365agentsplayground.yml").read_text(encoding="utf-8")
    after_bot = config.split("\nbot:\n", 1)[1].splitlines()
    bot_block = after_bot[: next(i for i, line in enumerate(after_bot) if not line.startswith("  "))]
    names = [line.split(":", 1)[1].strip() for line in bot_block if line.startswith("  name:")]
    assert names == [manifest()["name"]["short"]]
