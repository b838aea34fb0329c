"""The SDK seam: only tap_pinterest/sdk_seam.py touches singer-sdk internals, and they hold.

An SDK release that renames or reshapes an internal the tap relies on fails here first,
with the internal named, instead of somewhere deep in a sync.
"""

from __future__ import annotations

import importlib
import inspect
import re
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import singer_sdk
from singer_sdk import RESTStream, Tap

from tap_pinterest import sdk_seam, streams
from tap_pinterest.client import RETRIED_STATUSES, PinterestStream
from tap_pinterest.sdk_seam import INTERNAL_ATTRIBUTES, INTERNALS, Internal
from tap_pinterest.tap import TapPinterest
from tests.followers import FOLLOWERS_PATH, assert_all_followers, sync_followers
from tests.tap_runner import catalog_selecting

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.fake_api import FakePinterestAPI

PACKAGE = Path(sdk_seam.__file__).parent
SEAM = Path(sdk_seam.__file__)
SDK_VERSION = version("singer-sdk")
SDK_ROOT = Path(singer_sdk.__file__).parent


def resolve(owner: str) -> Any:
    """A module or a class, by dotted path."""
    try:
        return importlib.import_module(owner)
    except ImportError:
        module, _, name = owner.rpartition(".")
        return getattr(importlib.import_module(module), name)


def package_sources() -> Iterator[tuple[Path, str]]:
    """Every module of the package except the seam, with its text."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path != SEAM:
            yield path, path.read_text(encoding="utf-8")


def sdk_private_names() -> set[str]:
    """Underscore names the SDK defines: methods and attributes it sets on `self`."""
    names: set[str] = set()
    for path in SDK_ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r"self\.(_[a-z]\w*)", text))
        names.update(re.findall(r"def (_[a-z]\w*)", text))
    return names


@pytest.mark.parametrize("internal", INTERNALS, ids=lambda i: f"{i.owner}.{i.name}")
def test_each_internal_the_seam_uses_is_unchanged(internal: Internal) -> None:
    where = f"singer-sdk {SDK_VERSION}: `{internal.owner}.{internal.name}` (used by sdk_seam.py)"
    owner = resolve(internal.owner)
    assert hasattr(owner, internal.name), f"{where} is gone; adapt tap_pinterest/sdk_seam.py"
    signature = inspect.signature(getattr(owner, internal.name))
    # The call the seam makes binds (names and kinds of the parameters still fit).
    try:
        signature.bind(*internal.args, **dict.fromkeys(internal.kwargs))
    except TypeError as exc:
        pytest.fail(f"{where} no longer takes the seam's call ({exc}); now {signature}")
    assert str(signature) in internal.signatures, (
        f"{where} changed signature to {signature}; read its new source, adapt "
        f"tap_pinterest/sdk_seam.py, then add the signature to INTERNALS"
    )


@pytest.mark.parametrize(("owner", "name"), INTERNAL_ATTRIBUTES)
def test_each_internal_attribute_the_seam_uses_is_still_set(owner: str, name: str) -> None:
    source = inspect.getsource(resolve(owner))
    assert f"self.{name} " in source or f"self.{name}:" in source, (
        f"singer-sdk {SDK_VERSION}: `{owner}` no longer sets `{name}` (used by sdk_seam.py)"
    )


def test_the_live_objects_carry_the_internal_attributes(static_config: dict[str, Any]) -> None:
    tap = TapPinterest(config=static_config, parse_env_config=False)
    stream = tap.stream("boards")
    assert hasattr(stream, "_stream_version")
    assert isinstance(stream.state_manager.is_flushed, bool)
    assert stream.pinterest_tap is tap
    assert stream.run is tap.run_context
    # The writable view edits the tap's state itself, not a copy.
    sdk_seam.writable_stream_state(stream)["probe"] = 1
    assert tap.state["bookmarks"]["boards"]["probe"] == 1


def offences_in(where: str, text: str, private_names: set[str]) -> list[str]:
    """Lines that import a private SDK module or name, use an SDK internal, or
    override a method the SDK marks final (mypy wants `type: ignore[misc]` there)."""
    offences = []
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0]
        if re.search(r"singer_sdk(\.\w+)*\._\w+", code):
            offences.append(f"{where}:{number}: private SDK module: {line.strip()}")
        if re.search(r"from singer_sdk\S* import .*\b_[A-Za-z]\w*", code):
            offences.append(f"{where}:{number}: private SDK name: {line.strip()}")
        offences.extend(
            f"{where}:{number}: SDK internal `{name}`: {line.strip()}"
            for name in re.findall(r"\.(_[a-z]\w*)\b", code)
            if name in private_names
        )
        if "ignore[misc]" in line:
            offences.append(f"{where}:{number}: override of a final SDK method: {line.strip()}")
    return offences


def test_no_module_but_the_seam_touches_sdk_internals() -> None:
    private_names = sdk_private_names()
    offences = [
        offence
        for path, text in package_sources()
        for offence in offences_in(str(path.relative_to(PACKAGE.parent)), text, private_names)
    ]
    assert offences == []


def test_the_check_finds_each_kind_of_contact() -> None:
    """Control: the scan flags what the seam does, and not the tap's own names."""
    private_names = sdk_private_names()
    assert not {"_greatest_seen", "_token_headers", "_seen"} & private_names
    seam_text = SEAM.read_text(encoding="utf-8")
    found = offences_in("sdk_seam.py", seam_text, private_names)
    kinds = {offence.split(": ")[1].split(" `")[0] for offence in found}
    assert kinds == {
        "private SDK module",
        "private SDK name",
        "SDK internal",
        "override of a final SDK method",
    }
    snippet = (
        "from singer_sdk.plugin_base import _ConfigInput\n"
        "x = stream._tap\n"
        "from singer_sdk.helpers._util import utc_now\n"
    )
    assert offences_in("x.py", snippet, private_names) == [
        "x.py:1: private SDK name: from singer_sdk.plugin_base import _ConfigInput",
        "x.py:2: SDK internal `_tap`: x = stream._tap",
        "x.py:3: private SDK module: from singer_sdk.helpers._util import utc_now",
    ]


def test_streams_override_the_templates_not_the_sdk_hooks() -> None:
    """get_records and post_process are PinterestStream's: they isolate and count."""
    for stream_type in streams.STREAM_TYPES:
        for klass in stream_type.__mro__:
            if klass is PinterestStream or not klass.__module__.startswith("tap_pinterest"):
                continue
            assert "get_records" not in vars(klass), f"{klass.__name__}: use partition_records"
            assert "post_process" not in vars(klass), f"{klass.__name__}: use finish_record"


def test_a_429_is_retried_whatever_the_sdks_default(
    fake_api: FakePinterestAPI, static_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """singer-sdk 0.55 changed `extra_retry_statuses` from [429] to []: the tap keeps its own."""
    monkeypatch.setattr(RESTStream, "extra_retry_statuses", [])
    fake_api.inject(FOLLOWERS_PATH, 429, times=1, headers={"Retry-After": "0"})

    assert_all_followers(fake_api, sync_followers(static_config))

    assert [r.status for r in fake_api.calls(FOLLOWERS_PATH)] == [429, 200]
    assert frozenset({429}) == RETRIED_STATUSES


def _maps_of(tap: Tap, name: str) -> list[tuple[Any, ...]]:
    """What a stream's maps do: alias, schemas in and out, keys, filter and transform."""
    return [
        (
            type(m).__name__,
            m.stream_alias,
            m.raw_schema,
            m.transformed_schema,
            m.transformed_key_properties,
        )
        for m in tap.mapper.stream_maps[name]
    ]


MAPS_CONFIG = {
    "stream_maps": {
        # On an unselected stream a map naming properties fails on 0.54.9 (its schema
        # has none): maps for the selected streams, the default ones for the others.
        "campaigns": {"__filter__": "'1' in id", "name_upper": "name.upper()"},
        "campaigns_copy": {"__source__": "campaigns"},
        "pins": {"note": None},
    },
    "flattening_enabled": True,
    "flattening_max_depth": 1,
}


@pytest.mark.parametrize("force_select", [False, True], ids=["as-is", "forced-on"])
def test_streams_unselected_at_start_get_the_maps_an_eager_start_makes(
    static_config: dict[str, Any], *, force_select: bool
) -> None:
    # The seam registers a stream unselected at start on its first lookup
    # (StreamMapsOnDemand), with its selection as it was at start: the same maps as the
    # SDK's Tap.setup_mapper, which registers every entry at once, also after a
    # connection test forced the streams on.
    config = {**static_config, **MAPS_CONFIG}
    catalog = catalog_selecting(config, {"campaigns", "pins"})
    tap = TapPinterest(config=config, catalog=catalog, parse_env_config=False)
    eager = TapPinterest(config=config, catalog=catalog, parse_env_config=False)
    Tap.setup_mapper(eager)
    assert not isinstance(eager.mapper.stream_maps, sdk_seam.StreamMapsOnDemand)
    # Only the selected entries were registered at start.
    assert set(dict.keys(tap.mapper.stream_maps)) == {"campaigns", "pins"}
    if force_select:
        for taps in (tap, eager):
            for stream in taps.streams.values():
                stream.selected = True
    names = [entry["tap_stream_id"] for entry in catalog["streams"]]
    assert len(names) == len(eager.mapper.stream_maps)
    for name in names:
        assert name in tap.mapper.stream_maps
        assert _maps_of(tap, name) == _maps_of(eager, name), name
    assert tap.mapper.stream_maps["campaigns"][1].stream_alias == "campaigns_copy"
    with pytest.raises(KeyError):
        tap.mapper.stream_maps["no_such_stream"]
