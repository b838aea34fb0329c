"""Meltano end to end: `meltano run tap-pinterest <loader>` against the fake Pinterest API.

Every run uses its own system database (so its own state) and its own output files, so
the tests leave the developer's `.meltano` state and `output/` alone. Plugin venvs are
shared: they live in the project's `.meltano/` like for any other `meltano run`.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

from tests import meltano_cli
from tests.fake_api.data import FakeData, column_kind, sync_columns
from tests.fake_api.server import DEFAULT_STATIC_TOKEN, FakePinterestAPI
from tests.fake_api.shopping import targeting_values
from tests.meltano_cli import base_env, meltano_executable

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
# One date for the whole module: the fake is pinned to it, so a run across midnight UTC
# cannot shift the expected numbers.
TODAY = datetime.now(tz=timezone.utc).date()
START = TODAY - timedelta(days=9)
RUN_TIMEOUT = 300
LOOKBACK_DAYS = 7
SCHEMA = "pinterest"
ADS_ANALYTICS = {
    "ad_account_analytics": ("ad_account", "ad_account_id"),
    "campaign_analytics": ("campaign", "campaign_id"),
    "ad_group_analytics": ("ad_group", "ad_group_id"),
    "ad_analytics": ("ad", "ad_id"),
}
# One targeting type keeps the run short: every type multiplies the targeting rows.
TARGETING_TYPE = "GENDER"
TARGETING_ANALYTICS = {
    "ad_account_targeting_analytics": ("ad_account", "ad_account_id"),
    "campaign_targeting_analytics": ("campaign", "campaign_id"),
    "ad_group_targeting_analytics": ("ad_group", "ad_group_id"),
    "ad_targeting_analytics": ("ad", "ad_id"),
}
ANALYTICS_KEYS = {
    **{stream: (key, "date") for stream, (_, key) in ADS_ANALYTICS.items()},
    **{
        stream: (key, "date", "targeting_type", "targeting_value")
        for stream, (_, key) in TARGETING_ANALYTICS.items()
    },
    "product_group_analytics": ("product_group_id", "date"),
    "user_account_analytics": ("date",),
    "pin_analytics": ("pin_id", "date"),
}
TOP_PINS = {
    "top_pins_analytics": ("/v5/user_account/analytics/top_pins", False),
    "top_video_pins_analytics": ("/v5/user_account/analytics/top_video_pins", True),
}


def _meltano(args: list[str], env: dict[str, str], tmp: Path) -> None:
    empty_env_file = tmp / "empty.env"
    empty_env_file.touch()
    # --env-file: a developer's .env (real credentials, other settings) must not leak in.
    command = [meltano_executable(), "--env-file", str(empty_env_file), *args]
    proc = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).splitlines()
        tail = "\n".join(output[-60:])
        pytest.fail(f"`meltano {' '.join(args)}` exited {proc.returncode}:\n{tail}")


@pytest.fixture(scope="module")
def meltano_installed(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Install (or refresh) every plugin venv, once per test run."""
    meltano_cli.install(tmp_path_factory.mktemp("meltano-install"))


@pytest.fixture(scope="module")
def e2e_server() -> Iterator[FakePinterestAPI]:
    with FakePinterestAPI() as api:
        yield api


@pytest.fixture
def fake(e2e_server: FakePinterestAPI, meltano_installed: None) -> FakePinterestAPI:  # noqa: ARG001
    e2e_server.reset()
    e2e_server.data.today_override = TODAY
    return e2e_server


def run_pipeline(
    fake: FakePinterestAPI,
    tmp: Path,
    loader: str,
    *,
    state_id_suffix: str,
) -> None:
    env = base_env(tmp)
    env.update(
        {
            "TAP_PINTEREST_API_URL": fake.url,
            "TAP_PINTEREST_ACCESS_TOKEN": DEFAULT_STATIC_TOKEN,
            "TAP_PINTEREST_START_DATE": START.isoformat(),
            "TAP_PINTEREST_END_DATE": TODAY.isoformat(),
            "TAP_PINTEREST_LOOKBACK_WINDOW_DAYS": str(LOOKBACK_DAYS),
            "TAP_PINTEREST_TARGETING_TYPES": f'["{TARGETING_TYPE}"]',
            "TARGET_DUCKDB_FILEPATH": str(tmp / "pinterest.duckdb"),
            "TARGET_JSONL_DESTINATION_PATH": str(tmp / "jsonl"),
        },
    )
    _meltano(
        [
            "--environment=fake",
            "run",
            "--state-id-suffix",
            state_id_suffix,
            "tap-pinterest",
            loader,
        ],
        env,
        tmp,
    )


def _total(pool: dict[str, list[dict[str, Any]]]) -> int:
    return sum(len(items) for items in pool.values())


def _top_pins_served(fake: FakePinterestAPI, path: str, *, video: bool) -> int:
    """Distinct (window, sort_by, pin) rows the fake served on the logged top-pins calls.

    The ranking's length depends on the num_of_pins the tap asked for, so it is replayed
    from the request log rather than assumed.
    """
    served: dict[tuple[str, str, str], set[str]] = {}
    for call in fake.calls(path):
        if call.status != 200:
            continue
        q = {name: values[0] for name, values in call.query.items()}
        body = fake.data.top_pins(
            date.fromisoformat(q["start_date"]),
            date.fromisoformat(q["end_date"]),
            q["sort_by"],
            q["metric_types"].split(",") if q.get("metric_types") else None,
            int(q.get("num_of_pins", "10")),
            video=video,
        )
        key = (q["start_date"], q["end_date"], q["sort_by"])
        served.setdefault(key, set()).update(pin["pin_id"] for pin in body["pins"])
    return sum(len(pins) for pins in served.values())


REPORT_ONLY = {
    "keyword_analytics": "KEYWORD",
    "product_group_analytics": "PRODUCT_GROUP",
    "product_item_analytics": "PRODUCT_ITEM",
}


def expected_rows(fake: FakePinterestAPI) -> dict[str, int]:
    """Rows per stream for one sync of [START, TODAY], taken from the fake's data set."""
    data: FakeData = fake.data
    accounts = [account["id"] for account in data.ad_accounts]
    days = len(FakeData.buckets(START, TODAY, "DAY", data.today()))
    sections = [section for group in data.board_sections.values() for section in group]
    expected = {
        "user_account": 1,
        "user_account_followers": len(data.followers),
        "user_account_following": len(data.following),
        "boards": len(data.boards),
        "board_sections": len(sections),
        "board_pins": sum(len(data.pins_of_board(board["id"])) for board in data.boards),
        "board_section_pins": sum(len(data.pins_of_section(s["id"])) for s in sections),
        "pins": len(data.pins),
        "ad_accounts": len(accounts),
        # Every status (ACTIVE, PAUSED, ARCHIVED, DRAFT, DELETED_DRAFT), not the API default.
        "campaigns": _total(data.campaigns),
        "ad_groups": _total(data.ad_groups),
        "ads": _total(data.ads),
        "audiences": _total(data.audiences) + _total(data.received_audiences),
        "customer_lists": _total(data.customer_lists),
        "conversion_tags": _total(data.conversion_tags),
        "keywords": _total(data.keywords),
        "user_account_analytics": days,
        "pin_analytics": len(data.pins) * days,
    }
    for stream, (level, _) in ADS_ANALYTICS.items():
        expected[stream] = sum(
            len(
                data.ads_analytics_rows(
                    account, level, None, START, TODAY, columns=[], granularity="DAY"
                )
            )
            for account in accounts
        )
    for stream, (level, _) in TARGETING_ANALYTICS.items():
        expected[stream] = len(targeting_values(TARGETING_TYPE)) * sum(
            len(
                data.ads_analytics_rows(
                    account, level, None, START, TODAY, columns=[], granularity="DAY"
                )
            )
            for account in accounts
        )
    for stream, level in REPORT_ONLY.items():
        # Async reports only; product items reach 92 days back (START is more recent),
        # one row per item and promoting ad group.
        entities = sum(
            len(data.promoting_ad_groups(a, level, entity))
            for a in accounts
            for entity in data.report_only_entities(a, level)
        )
        expected[stream] = entities * days
        # Its *_TARGETING twin (reports only too): each row split by the one type's values.
        twin = stream.replace("_analytics", "_targeting_analytics")
        if level != "KEYWORD":
            expected[twin] = len(targeting_values(TARGETING_TYPE)) * entities * days
    for stream, (path, video) in TOP_PINS.items():
        expected[stream] = _top_pins_served(fake, path, video=video)
    shopping = fake.shopping
    user = data.user["id"]
    expected["catalogs"] = len(shopping.catalogs[user])
    expected["catalogs_feeds"] = len(shopping.feeds[user])
    expected["catalogs_product_groups"] = len(shopping.product_groups[user])
    expected["product_group_promotions"] = _total(shopping.promotions)
    return expected


def duckdb_counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_catalog, table_name FROM information_schema.tables"
            " WHERE table_schema = ? ORDER BY table_name",
            [SCHEMA],
        ).fetchall()
        counts = {}
        for catalog, table in tables:
            # Identifiers come from information_schema, not from input.
            query = f'SELECT count(*) FROM "{catalog}"."{SCHEMA}"."{table}"'  # noqa: S608
            row = con.execute(query).fetchone()
            assert row is not None
            counts[table] = int(row[0])
        return counts


def jsonl_counts(directory: Path, streams: list[str]) -> dict[str, int]:
    counts = {}
    for stream in streams:
        file = directory / f"{stream}.jsonl"
        # target-jsonl writes a file on a stream's first record only.
        counts[stream] = len(file.read_text(encoding="utf-8").splitlines()) if file.exists() else 0
    extra = sorted(p.name for p in directory.glob("*.jsonl") if p.stem not in streams)
    assert not extra, f"files for streams this test does not know: {extra}"
    return counts


@dataclass(frozen=True)
class FirstDuckDBRun:
    """One `meltano run tap-pinterest target-duckdb` of [START, TODAY], kept for the module.

    Its folder holds the DuckDB file and Meltano's system database (with the run's state);
    `expected` is taken right after the run (top pins are replayed from the fake's log).
    """

    folder: Path
    suffix: str
    expected: dict[str, int]

    def copy_to(self, tmp: Path) -> None:
        """The loaded DuckDB file and Meltano's state, as a test's own copies in `tmp`."""
        for name in ("pinterest.duckdb", "meltano.db"):
            shutil.copy2(self.folder / name, tmp / name)


@pytest.fixture(scope="module")
def first_duckdb_run(
    e2e_server: FakePinterestAPI,
    meltano_installed: None,  # noqa: ARG001
    tmp_path_factory: pytest.TempPathFactory,
) -> FirstDuckDBRun:
    """The first DuckDB run both DuckDB tests start from: one run of about a minute, not two."""
    folder = tmp_path_factory.mktemp("duckdb-first-run")
    e2e_server.reset()
    e2e_server.data.today_override = TODAY
    suffix = f"duckdb-{folder.name}"
    run_pipeline(e2e_server, folder, "target-duckdb", state_id_suffix=suffix)
    return FirstDuckDBRun(folder, suffix, expected_rows(e2e_server))


def test_duckdb_exact_row_counts(first_duckdb_run: FirstDuckDBRun) -> None:
    db = first_duckdb_run.folder / "pinterest.duckdb"
    assert duckdb_counts(db) == first_duckdb_run.expected


def test_jsonl_exact_line_counts(fake: FakePinterestAPI, tmp_path: Path) -> None:
    run_pipeline(fake, tmp_path, "target-jsonl", state_id_suffix=f"jsonl-{tmp_path.name}")

    # No upserts here: a record emitted twice would show as an extra line.
    expected = expected_rows(fake)
    assert jsonl_counts(tmp_path / "jsonl", sorted(expected)) == expected


def _metric_column(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> str:
    """A metric column the table has and the fake computes (and revises) as a number."""
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_catalog = ? AND table_schema = ? AND table_name = ?",
            [catalog, SCHEMA, table],
        ).fetchall()
    }
    numeric = [
        c
        for c in sync_columns()
        if c.lower() in columns and column_kind(c) in ("integer", "number")
    ]
    assert numeric, f"{table} has no numeric metric column the fake knows"
    # Micro-dollar columns span 50 million values: a revision practically always changes them.
    return min(numeric, key=lambda c: ("MICRO_DOLLAR" not in c, c))


def campaign_metric(fake: FakePinterestAPI, db: Path) -> dict[tuple[str, str], tuple[Any, Any]]:
    """{(campaign_id, date): (value in DuckDB, value the fake serves now)} for one metric."""
    data = fake.data
    owner = {c["id"]: account for account, camps in data.campaigns.items() for c in camps}
    with duckdb.connect(str(db), read_only=True) as con:
        catalog_row = con.execute("SELECT current_database()").fetchone()
        assert catalog_row is not None
        catalog = str(catalog_row[0])
        column = _metric_column(con, catalog, "campaign_analytics")
        table = f'"{catalog}"."{SCHEMA}"."campaign_analytics"'
        query = f'SELECT CAST(campaign_id AS VARCHAR), CAST("date" AS VARCHAR), "{column.lower()}"'
        rows = con.execute(f"{query} FROM {table}").fetchall()
    values = {}
    for campaign_id, day_text, stored in rows:
        day = date.fromisoformat(day_text[:10])
        (served,) = data.ads_analytics_rows(
            owner[campaign_id],
            "campaign",
            [campaign_id],
            day,
            day,
            columns=[column],
            granularity="DAY",
        )
        values[campaign_id, day.isoformat()] = (stored, served[column])
    return values


def test_incremental_rerun_upserts_revised_analytics(
    fake: FakePinterestAPI, first_duckdb_run: FirstDuckDBRun, tmp_path: Path
) -> None:
    # Starts from a copy of the module's first run (its DuckDB file and Meltano state):
    # the same run this test made itself before, on the same fake data (reset, TODAY).
    first_duckdb_run.copy_to(tmp_path)
    suffix = first_duckdb_run.suffix
    db = tmp_path / "pinterest.duckdb"
    expected = first_duckdb_run.expected
    assert duckdb_counts(db) == expected
    before = campaign_metric(fake, db)
    assert all(stored == pytest.approx(served) for stored, served in before.values())

    fake.revise(days=3)
    revised = campaign_metric(fake, db)
    stale = {key for key, (stored, served) in revised.items() if stored != pytest.approx(served)}
    assert stale, "fake.revise() changed no campaign metric: the test would prove nothing"
    # Same state id: the second run is incremental and re-reads the lookback window only.
    fake.clear_log()
    run_pipeline(fake, tmp_path, "target-duckdb", state_id_suffix=suffix)
    starts = {
        call.query["start_date"][0]
        for call in fake.calls(r"/v5/ad_accounts/[^/]+/campaigns/analytics")
    }
    assert starts == {(TODAY - timedelta(days=LOOKBACK_DAYS)).isoformat()}

    # Upserts on the primary keys: the restated rows replace the old ones.
    assert duckdb_counts(db) == expected
    with duckdb.connect(str(db), read_only=True) as con:
        catalog_row = con.execute("SELECT current_database()").fetchone()
        assert catalog_row is not None
        for stream, keys in ANALYTICS_KEYS.items():
            table = f'"{catalog_row[0]}"."{SCHEMA}"."{stream}"'
            query = f"SELECT count(DISTINCT ({', '.join(keys)})) FROM {table}"  # noqa: S608
            distinct = con.execute(query)
            row = distinct.fetchone()
            assert row is not None
            assert (stream, int(row[0])) == (stream, expected[stream])
    after = campaign_metric(fake, db)
    assert after.keys() == before.keys()
    wrong = {key for key, (stored, served) in after.items() if stored != pytest.approx(served)}
    assert not wrong, f"restated rows not replaced: {sorted(wrong)[:5]}"
