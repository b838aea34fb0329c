"""The fake API for the benchmark: the same answers, computed several times faster.

The fake hashes every analytics cell (sha256 of a joined string); with every column that
is minutes per run, which hides nothing about the tap (its CPU is measured in its own
process) but makes the large benchmark crawl. `fast_ads_analytics_rows` computes the
very same rows (tests/test_benchmark_script.py compares them) with one hash state per
entity, day and hour and the per-column parts prepared once.

Usage: python scripts/benchmark_fake.py [the options of python -m tests.fake_api]
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.fake_api import __main__ as fake_main  # noqa: E402
from tests.fake_api.data import (  # noqa: E402
    DEFAULT_ATTRIBUTION,
    HOURS_PER_DAY,
    LEVEL_ID_KEYS,
    ROLLED_UP_COLUMNS,
    Attribution,
    FakeData,
    _aggregate,
    column_kind,
    metric_value,
)

if TYPE_CHECKING:
    from datetime import date

ValueOf = Callable[[int], Any]


def _value_of(column: str) -> ValueOf:
    """metric_value's arithmetic for a numeric column, given the cell's hash."""
    if column_kind(column) == "integer":
        modulus = 50_000_000 if "MICRO_DOLLAR" in column else 10_000
        return lambda h: h % modulus
    if "RATE" in column or "CTR" in column or column.endswith("FREQUENCY"):
        return lambda h: round((h % 1_000_000) / 1_000_000, 6)
    return lambda h: round((h % 100_000) / 100, 2)


def fast_ads_analytics_rows(  # noqa: C901, PLR0913, PLR0917 - FakeData's signature
    self: FakeData,
    ad_account_id: str,
    level: str,
    entity_ids: list[str] | None,
    start: date,
    end: date,
    *,
    columns: list[str],
    granularity: str,
    attribution: Attribution = DEFAULT_ATTRIBUTION,
) -> list[dict[str, Any]]:
    """FakeData.ads_analytics_rows, the same rows, faster."""
    id_key = LEVEL_ID_KEYS[level]
    entities = self._entities(ad_account_id, level)
    wanted = list(entities) if entity_ids is None else list(dict.fromkeys(entity_ids))
    buckets = self.buckets(start, end, granularity, self.today())
    kinds = {column: column_kind(column) for column in columns if column != id_key}
    ads_under = self.ads_under(ad_account_id, level)
    rolled = _rolled_up(
        self, ad_account_id, ads_under, start, end, columns, granularity, attribution
    )
    numeric = [
        c
        for c, kind in kinds.items()
        if kind in ("integer", "number") and (ads_under is None or c not in ROLLED_UP_COLUMNS)
    ]
    value_of = {column: _value_of(column) for column in numeric}
    key = attribution.key()
    revisions = {d: self.revision_of(d) for _, days in buckets for d in days}
    suffixes = {
        (column, revision): f"{column}|{revision}|{key}".encode()
        for column in numeric
        for revision in set(revisions.values())
    }
    hours: list[int | None] = list(range(HOURS_PER_DAY)) if granularity == "HOUR" else [None]
    rows: list[dict[str, Any]] = []
    for eid in wanted:
        entity = entities.get(eid)
        if entity is None:
            continue
        ctx = self._context(ad_account_id, level, entity)
        for bucket, days in buckets:
            for hour in hours:
                numbers: dict[str, list[Any]] = {column: [] for column in numeric}
                for day in days:
                    prefix = f"{eid}|{day.isoformat()}|{'' if hour is None else hour}|"
                    state = hashlib.sha256(prefix.encode())
                    revision = revisions[day]
                    for column in numeric:
                        cell = state.copy()
                        cell.update(suffixes[column, revision])
                        h = int.from_bytes(cell.digest()[:8], "big")
                        numbers[column].append(value_of[column](h))
                row: dict[str, Any] = {id_key: eid}
                if bucket is not None:
                    row["DATE"] = bucket.isoformat()
                if hour is not None:
                    row["HOUR"] = hour
                for column, kind in kinds.items():
                    if kind in ("string", "boolean"):
                        row[column] = ctx.get(column, metric_value(eid, days[0], column))
                    elif column not in numbers:
                        row[column] = rolled.get((eid, row.get("DATE"), hour, column), 0)
                    else:
                        row[column] = _aggregate(numbers[column], kind)
                rows.append(row)
    return rows


def _rolled_up(  # noqa: PLR0913, PLR0917 - the rows' arguments, passed on
    data: FakeData,
    ad_account_id: str,
    ads_under: dict[str, list[str]] | None,
    start: date,
    end: date,
    columns: list[str],
    granularity: str,
    attribution: Attribution,
) -> dict[tuple[str, str | None, int | None, str], int]:
    """{(parent, DATE, HOUR, column): sum of its ads' values} of the rolled-up columns."""
    wanted = [c for c in columns if c in ROLLED_UP_COLUMNS]
    if ads_under is None or not wanted:
        return {}
    parent_of = {ad: parent for parent, ads in ads_under.items() for ad in ads}
    sums: dict[tuple[str, str | None, int | None, str], int] = {}
    for row in fast_ads_analytics_rows(
        data,
        ad_account_id,
        "ad",
        list(parent_of),
        start,
        end,
        columns=wanted,
        granularity=granularity,
        attribution=attribution,
    ):
        for column in wanted:
            key = (parent_of[row["AD_ID"]], row.get("DATE"), row.get("HOUR"), column)
            sums[key] = sums.get(key, 0) + row[column]
    return sums


def main(argv: list[str] | None = None) -> int:
    """Serve the fake with the fast analytics rows."""
    FakeData.ads_analytics_rows = fast_ads_analytics_rows  # type: ignore[method-assign]
    return fake_main.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
