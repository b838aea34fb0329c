"""meltano.yml, .env.example and the tap's settings stay in lockstep."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tap_pinterest.settings import CONFIG_SCHEMA, SECRET_SETTINGS
from tap_pinterest.tap import TapPinterest

ROOT = Path(__file__).resolve().parents[1]
# Built-in settings of the next singer-sdk line (scripts/test_sdk_next.sh) that the locked
# one lacks: declared already, so the move to it is the one-line change it should be.
NEXT_SDK_BUILTINS = {"emit_activate_version_messages"}
# The kinds Meltano may store a JSON type as (strings: also dates and option lists).
KINDS = {
    "object": {"object"},
    "boolean": {"boolean"},
    "integer": {"integer", "options"},
    "string": {"string", "options", "date_iso8601"},
    "array": {"array"},
    "number": {"decimal"},
}


def extractor() -> dict[str, object]:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text("utf-8"))
    (tap,) = [p for p in project["plugins"]["extractors"] if p["name"] == "tap-pinterest"]
    return dict(tap)


def every_setting() -> dict[str, Any]:
    """The tap's settings plus the SDK's built-in ones, as `tap-pinterest --about` lists."""
    schema = copy.deepcopy(TapPinterest.config_jsonschema)
    TapPinterest.append_builtin_config(schema)
    properties: dict[str, Any] = schema["properties"]
    return properties


def json_type(schema: dict[str, Any]) -> str:
    types = schema.get("type")
    types = [types] if isinstance(types, str) else [t for t in types or [] if t != "null"]
    assert len(types) == 1, schema
    return str(types[0])


def test_meltano_settings_are_the_tap_settings() -> None:
    settings = {s["name"]: s for s in extractor()["settings"]}  # type: ignore[attr-defined]
    assert sorted(settings) == sorted(set(every_setting()) | NEXT_SDK_BUILTINS)
    assert {n for n, s in settings.items() if s.get("sensitive")} == set(SECRET_SETTINGS)
    assert all(s.get("kind") != "password" for s in settings.values())
    for name, schema in CONFIG_SCHEMA["properties"].items():
        if "default" in schema:
            assert settings[name].get("value") == schema["default"], name
        else:
            assert "value" not in settings[name], name
        if "enum" in schema and settings[name]["kind"] == "options":
            options = [o["value"] for o in settings[name]["options"]]
            assert options == schema["enum"], name
        elif "enum" in schema:  # integer choices: meltano has no integer options kind
            assert settings[name]["kind"] == "integer", name


def test_sdk_builtin_settings_are_declared_with_their_kinds() -> None:
    """Without a kind, `meltano config set ... stream_maps '{...}'` stores a string."""
    settings = {s["name"]: s for s in extractor()["settings"]}  # type: ignore[attr-defined]
    builtin = sorted((set(every_setting()) | NEXT_SDK_BUILTINS) - set(CONFIG_SCHEMA["properties"]))
    assert builtin == [
        "batch_config",
        "emit_activate_version_messages",
        "faker_config",
        "flattening_enabled",
        "flattening_max_depth",
        "flattening_max_key_length",
        "flattening_separator",
        "stream_map_config",
        "stream_maps",
    ]
    assert {name: settings[name]["kind"] for name in builtin} == {
        "batch_config": "object",
        "emit_activate_version_messages": "boolean",
        "faker_config": "object",
        "flattening_enabled": "boolean",
        "flattening_max_depth": "integer",
        "flattening_max_key_length": "integer",
        "flattening_separator": "string",
        "stream_map_config": "object",
        "stream_maps": "object",
    }
    for name, schema in every_setting().items():
        assert settings[name]["kind"] in KINDS[json_type(schema)], name


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text("utf-8")
    for name in set(every_setting()) | NEXT_SDK_BUILTINS:
        assert f"TAP_PINTEREST_{name.upper()}=" in text, name
