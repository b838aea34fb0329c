"""The benchmark's floor: a bare loop making the tap's ad_analytics calls, standard library only.

It lists the ad accounts and their ads, asks the same analytics questions the tap asks
(250 ad ids per call, one call per <= 91 days, the same columns and attribution), parses
each answer with `json.loads`, shapes the rows like the tap (ids as strings, the account
and the attribution settings added) and writes the same Singer RECORD lines, buffered.
No retries, no types, no state bookkeeping: the least work that produces the output.

Usage (from scripts/benchmark.py): python scripts/benchmark_floor.py JOB.json
"""

from __future__ import annotations

import http.client
import json
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

IDS_PER_CALL = 250
# The tap keeps every URL within this many bytes (max_url_length), as a front end needs.
MAX_URL_BYTES = 8000
DAYS_PER_CALL = 91


def ids_per_call(url: str, params: dict[str, Any], ids: list[str]) -> int:
    """As many ids as the tap sends in one call: the spec's 250, or what fits the URL."""
    if not ids:
        return IDS_PER_CALL
    base = len(url) + 1 + len(urlencode(params, doseq=True, safe=","))
    cost = max(len("&ad_ids=") + len(i) for i in ids)
    return max(1, min(IDS_PER_CALL, (MAX_URL_BYTES - base) // cost))


class Client:
    """One keep-alive connection to the API."""

    def __init__(self, api_url: str, token: str) -> None:
        """Connect lazily; remember the base path and the auth header."""
        split = urlsplit(api_url)
        self.base = split.path.rstrip("/")
        self.connection = http.client.HTTPConnection(split.netloc, timeout=300)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, params: dict[str, Any]) -> Any:  # noqa: ANN401
        """GET and parse one answer."""
        query = urlencode(params, doseq=True, safe=",")
        self.connection.request("GET", f"{self.base}{path}?{query}", headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:  # noqa: PLR2004
            msg = f"{path}: HTTP {response.status}"
            raise RuntimeError(msg)
        return json.loads(body)

    def items(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of a bookmark-paged list."""
        out: list[dict[str, Any]] = []
        page = {**params, "page_size": 250}
        while True:
            body = self.get(path, page)
            out.extend(body["items"])
            if not body.get("bookmark"):
                return out
            page["bookmark"] = body["bookmark"]


def main(argv: list[str]) -> int:
    """Run the job described by the JSON file argv[0]."""
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    client = Client(job["api_url"], job["access_token"])
    out = sys.stdout
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    start = date.fromisoformat(job["start_date"])
    today = datetime.now(tz=timezone.utc).date()
    attribution = job["attribution"]
    params_base = {
        "columns": ",".join(job["columns"]),
        "granularity": "DAY",
        "click_window_days": attribution["CLICK_WINDOW_DAYS"],
        "engagement_window_days": attribution["ENGAGEMENT_WINDOW_DAYS"],
        "view_window_days": attribution["VIEW_WINDOW_DAYS"],
        "conversion_report_time": attribution["CONVERSION_REPORT_TIME"],
    }
    extracted = datetime.now(tz=timezone.utc).isoformat()
    for account in client.items("/ad_accounts", {"include_shared_accounts": "true"}):
        account_id = str(account["id"])
        out.write(dumps({"type": "RECORD", "stream": "ad_accounts", "record": account}) + "\n")
        ads = client.items(
            f"/ad_accounts/{account_id}/ads", {"entity_statuses": job["entity_statuses"]}
        )
        ids = [str(ad["id"]) for ad in ads]
        path = f"/ad_accounts/{account_id}/ads/analytics"
        window_start = start
        while window_start <= today:
            window_end = min(window_start + timedelta(days=DAYS_PER_CALL - 1), today)
            dated = {
                **params_base,
                "start_date": window_start.isoformat(),
                "end_date": window_end.isoformat(),
            }
            per_call = ids_per_call(job["api_url"] + path, dated, ids)
            for first in range(0, len(ids), per_call):
                params = {**dated, "ad_ids": ids[first : first + per_call]}
                rows = client.get(path, params)
                for row in rows:
                    row.pop("AD_ACCOUNT_ID", None)
                    row["AD_ID"] = str(row["AD_ID"])
                    row.update(attribution)
                    row["ad_account_id"] = account_id
                    message = {
                        "type": "RECORD",
                        "stream": "ad_analytics",
                        "record": row,
                        "time_extracted": extracted,
                    }
                    out.write(dumps(message) + "\n")
            window_start = window_end + timedelta(days=1)
    state = {"bookmarks": {"ad_analytics": {"replication_key_value": today.isoformat()}}}
    out.write(dumps({"type": "STATE", "value": state}) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
