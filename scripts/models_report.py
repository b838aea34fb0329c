"""The demos' closing report, read from the dbt models (README, Models).

    python scripts/models_report.py output/pinterest.duckdb      # DuckDB (scripts/demo.sh)

scripts/demo_postgres.py calls `print_report` with its own connection. Prints the last 7 days
per campaign (spend, clicks, CTR, ROAS) and the top promoted pins, as the models computed them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, SupportsFloat

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

SCHEMA = "pinterest_models"  # the transformers' `schema` setting (meltano.yml)


def _money(value: SupportsFloat, currency: str) -> str:
    return f"{float(value):,.2f} {currency}"


def _ratio(value: SupportsFloat | None, fmt: str) -> str:
    return "-" if value is None else format(float(value), fmt)


def _table(header: Sequence[str], rows: list[Sequence[str]], right: set[int]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for line in [header, *rows]:
        cells = [
            str(cell).rjust(width) if index in right else str(cell).ljust(width)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        print("  " + "  ".join(cells).rstrip())


def print_report(query: Callable[[str], Sequence[Sequence[Any]]]) -> None:
    """Campaigns by spend over the last 7 days, then the top pins; `query` runs one SELECT."""
    campaigns = query(
        "SELECT campaign_name, ad_account_name, currency, spend, clicks, ctr, roas,"
        " CAST(first_day AS VARCHAR), CAST(last_day AS VARCHAR)"
        " FROM pinterest_models.pinterest_ads__campaign_last_7_days"
        " ORDER BY spend DESC, campaign_id LIMIT 10"
    )
    if not campaigns:
        print("  (no campaign rows in the last 7 days)")
        return
    first, last = campaigns[0][7], campaigns[0][8]
    print(f"==> top 10 campaigns by spend, {first} to {last} ({SCHEMA})")
    _table(
        ["campaign", "ad account", "spend", "clicks", "CTR", "ROAS"],
        [
            [
                name,
                account,
                _money(spend, currency),
                f"{int(clicks):,}",
                _ratio(ctr, ".2%"),
                _ratio(roas, ".2f"),
            ]
            for name, account, currency, spend, clicks, ctr, roas, _, _ in campaigns
        ],
        right={2, 3, 4, 5},
    )
    pins = query(
        "SELECT currency, spend_rank, pin_id, pin_title, ads, spend, clicks, saves, roas"
        " FROM pinterest_models.pinterest_ads__top_pins_last_7_days"
        " WHERE spend_rank <= 5 ORDER BY currency, spend_rank"
    )
    print("==> top 5 promoted pins by spend per currency, same 7 days")
    _table(
        ["#", "pin", "title", "ads", "spend", "clicks", "saves", "ROAS"],
        [
            [
                str(rank),
                pin_id,
                title or "",
                str(ads),
                _money(spend, currency),
                f"{int(clicks):,}",
                f"{int(saves):,}",
                _ratio(roas, ".2f"),
            ]
            for currency, rank, pin_id, title, ads, spend, clicks, saves, roas in pins
        ],
        right={0, 3, 4, 5, 6, 7},
    )


def main(argv: list[str]) -> int:
    """Report from a DuckDB file built by `meltano run ... dbt-duckdb:build`."""
    import duckdb  # noqa: PLC0415 - the Postgres demo imports this module without DuckDB

    if len(argv) != 1:
        print("usage: python scripts/models_report.py DUCKDB_FILE", file=sys.stderr)
        return 2
    with duckdb.connect(argv[0], read_only=True) as con:
        print_report(lambda sql: con.execute(sql).fetchall())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
