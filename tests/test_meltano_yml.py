"""meltano.yml, .env.example and the tap's settings stay in lockstep."""

from __future__ import annotations

from pathlib import Path

import yaml

from tap_pinterest.settings import CONFIG_SCHEMA, SECRET_SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def extractor() -> dict[str, object]:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text("utf-8"))
    (tap,) = [p for p in project["plugins"]["extractors"] if p["name"] == "tap-pinterest"]
    return dict(tap)


def test_meltano_settings_are_the_tap_settings() -> None:
    settings = {s["name"]: s for s in extractor()["settings"]}  # type: ignore[attr-defined]
    assert sorted(settings) == sorted(CONFIG_SCHEMA["properties"])
    assert {n for n, s in settings.items() if s.get("sensitive")} == set(SECRET_SETTINGS)
    assert all(s.get("kind") != "password" for s in settings.values())
    for name, schema in CONFIG_SCHEMA["properties"].items():
        if "default" in schema:
            assert settings[name].get("value") == schema["default"], name
        if "enum" in schema and settings[name]["kind"] == "options":
            options = [o["value"] for o in settings[name]["options"]]
            assert options == schema["enum"], name
        elif "enum" in schema:  # integer choices: meltano has no integer options kind
            assert settings[name]["kind"] == "integer", name


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text("utf-8")
    for name in CONFIG_SCHEMA["properties"]:
        assert f"TAP_PINTEREST_{name.upper()}=" in text, name
