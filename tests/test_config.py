"""Bad config: one clear line naming the setting, no traceback, no secret echoed.

The CLI cases run the real entry point in a subprocess (sync mode, with an empty
catalog so a config wrongly accepted exits 0 at once instead of calling any API).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tap_pinterest.tap import TapPinterest

REPO = Path(__file__).resolve().parents[1]
# Nothing listens on the discard port: a config that slipped through cannot reach an API.
OFFLINE_API = "http://127.0.0.1:9/v5"
STATIC = {"access_token": "cfg-test-token", "api_url": OFFLINE_API}
OAUTH = {
    "client_id": "cfg-client-id",
    "client_secret": "cfg-client-secret",
    "refresh_token": "cfg-refresh-token",
    "api_url": OFFLINE_API,
}

# (case id, config, setting the error must name)
BAD_CONFIGS: list[tuple[str, dict[str, Any], str]] = [
    ("no_credentials", {"api_url": OFFLINE_API}, "access_token"),
    ("static_and_oauth", {**STATIC, **OAUTH}, "client_id"),
    (
        "oauth_missing_client_secret",
        {k: v for k, v in OAUTH.items() if k != "client_secret"},
        "client_secret",
    ),
    ("page_size_0", {**STATIC, "page_size": 0}, "page_size"),
    ("page_size_251", {**STATIC, "page_size": 251}, "page_size"),
    ("concurrent_0", {**STATIC, "max_concurrent_requests": 0}, "max_concurrent_requests"),
    ("concurrent_11", {**STATIC, "max_concurrent_requests": 11}, "max_concurrent_requests"),
    ("reports_in_flight_0", {**STATIC, "max_reports_in_flight": 0}, "max_reports_in_flight"),
    ("reports_in_flight_51", {**STATIC, "max_reports_in_flight": 51}, "max_reports_in_flight"),
    (
        "poll_not_before_deadline",
        {**STATIC, "report_poll_seconds": 60, "report_deadline_seconds": 60},
        "report_poll_seconds",
    ),
    ("lookback_negative", {**STATIC, "lookback_window_days": -1}, "lookback_window_days"),
    ("granularity_total", {**STATIC, "analytics_granularity": "TOTAL"}, "analytics_granularity"),
    ("granularity_yearly", {**STATIC, "analytics_granularity": "YEARLY"}, "analytics_granularity"),
    ("click_window_3", {**STATIC, "click_window_days": 3}, "click_window_days"),
    (
        "end_before_start",
        {**STATIC, "start_date": "2025-03-10", "end_date": "2025-03-01"},
        "end_date",
    ),
    (
        "unknown_pin_metric",
        {**STATIC, "pin_metric_types": ["IMPRESSION", "NOT_A_METRIC"]},
        "pin_metric_types",
    ),
    ("start_not_a_date", {**STATIC, "start_date": "not-a-date"}, "start_date"),
    ("api_url_ftp", {**STATIC, "api_url": "ftp://x"}, "api_url"),
]


def run_cli(tmp_path: Path, config: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """`python -m tap_pinterest --config ... --catalog <empty>`, as an orchestrator runs it."""
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config), "utf-8")
    catalog_file = tmp_path / "catalog.json"
    catalog_file.write_text(json.dumps({"streams": []}), "utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tap_pinterest",
            "--config",
            str(config_file),
            "--catalog",
            str(catalog_file),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


@pytest.mark.subprocess
def test_valid_config_is_accepted_by_the_cli(tmp_path: Path) -> None:
    """Control: the harness itself succeeds, so the failures below mean something."""
    for config in (STATIC, OAUTH):
        result = run_cli(tmp_path, config)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("config", "setting"), [pytest.param(c, s, id=i) for i, c, s in BAD_CONFIGS]
)
def test_bad_config_cli_prints_one_line_naming_the_setting(
    tmp_path: Path, config: dict[str, Any], setting: str
) -> None:
    """Exit non-zero with a log line that names the setting, and no traceback."""
    result = run_cli(tmp_path, config)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    error_lines = [
        line for line in result.stderr.splitlines() if "ERROR" in line and setting in line
    ]
    assert error_lines, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("config", "setting"), [pytest.param(c, s, id=i) for i, c, s in BAD_CONFIGS]
)
def test_bad_config_raises_config_validation_error_in_process(
    config: dict[str, Any], setting: str
) -> None:
    """The SDK's ConfigValidationError carries one error per problem, naming the setting."""
    with pytest.raises(ConfigValidationError) as info:
        TapPinterest(config=config, parse_env_config=False)

    errors = info.value.errors
    assert errors
    assert any(setting in error for error in errors), errors
    assert all("\n" not in error for error in errors)


def test_valid_config_builds_a_tap_in_process() -> None:
    """Control: the same base configs pass validation."""
    for config in (STATIC, OAUTH):
        tap = TapPinterest(config=config, parse_env_config=False)
        assert tap.config["page_size"] == 250


def test_several_problems_are_all_reported() -> None:
    """One run should list every mistake, not make the user fix them one at a time."""
    config = {**STATIC, "page_size": 0, "lookback_window_days": -1, "api_url": "ftp://x"}
    with pytest.raises(ConfigValidationError) as info:
        TapPinterest(config=config, parse_env_config=False)

    errors = info.value.errors
    assert len(errors) == 3
    for setting in ("page_size", "lookback_window_days", "api_url"):
        assert any(setting in error for error in errors)


@pytest.mark.subprocess
def test_secret_in_a_bad_config_is_not_echoed(tmp_path: Path) -> None:
    """A failing config is logged by schedulers: its secrets must stay out of stderr."""
    config = {
        "access_token": "SECRET-XYZ",
        "page_size": 0,
        "api_url": OFFLINE_API,
    }
    result = run_cli(tmp_path, config)
    assert result.returncode != 0
    assert "page_size" in result.stderr
    assert "SECRET-XYZ" not in result.stderr
    assert "SECRET-XYZ" not in result.stdout

    with pytest.raises(ConfigValidationError) as info:
        TapPinterest(config=config, parse_env_config=False)
    assert "SECRET-XYZ" not in str(info.value)
    assert all("SECRET-XYZ" not in error for error in info.value.errors)


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("config", "setting", "secret"),
    [
        pytest.param(
            {**OAUTH, "client_id": 1484362},
            "client_id",
            "1484362",
            id="numeric_client_id",
        ),
        pytest.param(
            {"access_token": ["SECRET-XYZ"], "api_url": OFFLINE_API},
            "access_token",
            "SECRET-XYZ",
            id="access_token_as_list",
        ),
    ],
)
def test_wrongly_typed_secret_is_named_but_not_echoed(
    tmp_path: Path, config: dict[str, Any], setting: str, secret: str
) -> None:
    """A YAML config easily turns a numeric client id into an int; the error names the
    setting, not its value (client_id and access_token are marked secret)."""
    result = run_cli(tmp_path, config)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert setting in result.stderr
    assert secret not in result.stderr

    with pytest.raises(ConfigValidationError) as info:
        TapPinterest(config=config, parse_env_config=False)
    assert any(setting in error for error in info.value.errors)
    assert all(secret not in error for error in info.value.errors)
    assert secret not in str(info.value)
