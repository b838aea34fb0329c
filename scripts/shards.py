"""Write Meltano plugins and jobs that split the ad accounts over parallel shards.

    uv run python scripts/shards.py --shards 3 --ad-account-ids 111,222,333,444
    uv run python scripts/shards.py --shards 3 --from-api [--environment prod]
    meltano run pinterest-shard-1 & meltano run pinterest-shard-2 & ...

Each shard is an extractor `tap-pinterest--shard-K` that inherits from `tap-pinterest`
(`inherit_from`: same settings, selection, token store and plugin venv) with its own
`ad_account_ids`; its Meltano state id differs by plugin name, so every shard keeps a
state of its own in the shared system database. Organic streams (user account, boards,
pins and their analytics) do not depend on the ad accounts: shard 1 runs them, and shards
2..N keep only the per-ad-account streams (`select_filter`), which this script reads off
the tap's own stream tree, so a stream added to the tap is placed without editing here.

Ad accounts are dealt round-robin over the sorted ids, so shards differ by one account
at most. Re-running with other accounts can move an account to another shard: it is then
read again from `start_date` there (the old shard's state for it is simply unused).

The output (default `shards.meltano.yml`) is listed in `include_paths` of meltano.yml.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tap_pinterest.streams import STREAM_TYPES  # noqa: E402 - needs the path above
from tap_pinterest.streams.ads import AdAccountsStream  # noqa: E402

BASE_PLUGIN = "tap-pinterest"
HEADER = (
    "# Written by scripts/shards.py; re-run it instead of editing (README, Production).\n"
    "# {shards} shards of {base} over {accounts} ad accounts.\n"
)


def stream_name(stream_type: type[Any]) -> str:
    """A stream class's name (the SDK types ``name`` as an instance attribute)."""
    return str(stream_type.name)


def per_ad_account_streams() -> list[str]:
    """Streams whose records belong to one ad account: `ad_accounts` and its descendants."""
    names = []
    for stream_type in STREAM_TYPES:
        ancestor: type[Any] | None = stream_type
        while ancestor is not None and ancestor is not AdAccountsStream:
            ancestor = getattr(ancestor, "parent_stream_type", None)
        if ancestor is AdAccountsStream:
            names.append(stream_name(stream_type))
    return names


def organic_streams() -> list[str]:
    """Streams that do not depend on the ad accounts (run in shard 1 only)."""
    per_account = set(per_ad_account_streams())
    return [stream_name(t) for t in STREAM_TYPES if stream_name(t) not in per_account]


def deal(ad_account_ids: list[str], shards: int) -> list[list[str]]:
    """Round-robin over the sorted, de-duplicated ids; every shard gets at least one."""
    ids = sorted(set(ad_account_ids))
    if shards < 1:
        msg = f"--shards must be at least 1, not {shards}"
        raise ValueError(msg)
    if len(ids) < shards:
        # An empty ad_account_ids means "every account" to the tap: never write one.
        msg = f"{shards} shards need at least {shards} ad accounts, got {len(ids)}"
        raise ValueError(msg)
    return [ids[k::shards] for k in range(shards)]


def shard_name(k: int, base: str = BASE_PLUGIN) -> str:
    """Extractor name of shard k (1-based)."""
    return f"{base}--shard-{k}"


def job_name(k: int) -> str:
    """Meltano job name of shard k (1-based)."""
    return f"pinterest-shard-{k}"


def shards_project(
    ad_account_ids: list[str], shards: int, loader: str, base: str = BASE_PLUGIN
) -> dict[str, Any]:
    """The include file's content: one extractor and one job per shard."""
    groups = deal(ad_account_ids, shards)
    per_account = per_ad_account_streams()
    extractors = []
    for k, ids in enumerate(groups, start=1):
        plugin: dict[str, Any] = {
            "name": shard_name(k, base),
            "inherit_from": base,
            "config": {"ad_account_ids": ids},
        }
        if k > 1:
            plugin["select_filter"] = per_account
        extractors.append(plugin)
    jobs = [
        {"name": job_name(k), "tasks": [f"{shard_name(k, base)} {loader}"]}
        for k in range(1, len(groups) + 1)
    ]
    return {"plugins": {"extractors": extractors}, "jobs": jobs}


def render(project: dict[str, Any], base: str = BASE_PLUGIN) -> str:
    """YAML text with a header saying where it comes from."""
    extractors = project["plugins"]["extractors"]
    accounts = sum(len(p["config"]["ad_account_ids"]) for p in extractors)
    header = HEADER.format(shards=len(extractors), base=base, accounts=accounts)
    return header + str(yaml.safe_dump(project, sort_keys=False, default_flow_style=False))


def ids_from_api(project_dir: Path, environment: str | None, base: str) -> list[str]:
    """The ad accounts the configured credentials can read (GET /ad_accounts).

    The config is Meltano's for the base plugin (meltano.yml, .env, environment), read
    the way `meltano run` would; the tap's own stream lists the accounts, so paging,
    retries and the token store behave as in a sync.
    """
    from tap_pinterest.tap import TapPinterest  # noqa: PLC0415 - only for --from-api

    beside_python = Path(sys.executable).with_name("meltano")
    meltano = str(beside_python) if beside_python.exists() else "meltano"
    command = [meltano, "--log-level=warning"]
    if environment:
        command.append(f"--environment={environment}")
    command += ["config", "--unsafe", "print", base]
    printed = subprocess.run(command, cwd=project_dir, capture_output=True, text=True, check=False)
    if printed.returncode != 0:
        # stderr only: the printed config holds secrets.
        msg = f"`meltano config print {base}` failed: {printed.stderr.strip()[-500:]}"
        raise RuntimeError(msg)
    config = json.loads(printed.stdout)
    config.pop("ad_account_ids", None)  # list them all, whatever the base restricts
    tap = TapPinterest(config=config, parse_env_config=False, validate_config=True)
    ids: list[str] = []
    for record in tap.streams["ad_accounts"].get_records(None):
        # get_records may yield (record, child context) pairs; this stream yields records.
        row = record[0] if isinstance(record, tuple) else record
        ids.append(str(row["id"]))
    return ids


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--ad-account-ids", help="comma-separated ad account ids")
    source.add_argument(
        "--from-api", action="store_true", help="list the ad accounts with the configured token"
    )
    parser.add_argument("--shards", type=int, required=True, help="number of shards")
    parser.add_argument("--loader", default="target-postgres", help="loader of every job")
    parser.add_argument("--environment", help="Meltano environment for --from-api")
    parser.add_argument(
        "--project-dir", type=Path, default=Path(), help="Meltano project (default: cwd)"
    )
    parser.add_argument(
        "--output", type=Path, help="file to write (default: <project-dir>/shards.meltano.yml)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Write the shards file; one line on stderr for bad input."""
    args = _parse(argv)
    output = args.output or args.project_dir / "shards.meltano.yml"
    try:
        if args.from_api:
            ids = ids_from_api(args.project_dir, args.environment, BASE_PLUGIN)
        else:
            ids = [i.strip() for i in args.ad_account_ids.split(",") if i.strip()]
        project = shards_project(ids, args.shards, args.loader)
    except Exception as exc:  # noqa: BLE001 - any failure is one line (tap errors are redacted)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    output.write_text(render(project), encoding="utf-8")
    jobs = ", ".join(job["name"] for job in project["jobs"])
    print(f"wrote {output}: {len(project['jobs'])} shards over {len(set(ids))} ad accounts")
    print(f"jobs: {jobs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
