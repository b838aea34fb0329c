"""Serve the fake Pinterest API until SIGINT/SIGTERM (demos, e2e runs).

Usage: ``python -m tests.fake_api --port 8757 [--scale-ad-accounts N ...]``.
Prints one line with the base URL; the static token ``demo-access-token`` works.
With ``--print-calls``, prints on exit one JSON line: request count per path and status.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import threading
from typing import Any

from tests.fake_api.data import Scale
from tests.fake_api.server import FakePinterestAPI


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8757, help="0 picks a free port")
    parser.add_argument(
        "--print-calls", action="store_true", help="on exit, print calls per path and status"
    )
    for f in dataclasses.fields(Scale):
        parser.add_argument(
            f"--scale-{f.name.replace('_', '-')}",
            dest=f"scale_{f.name}",
            type=int,
            default=f.default,
            help=f"Scale.{f.name} (default {f.default})",
        )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the server in the foreground."""
    args = _parse(argv)
    scale = Scale(**{f.name: getattr(args, f"scale_{f.name}") for f in dataclasses.fields(Scale)})
    stop = threading.Event()

    def _on_signal(signum: int, frame: Any) -> None:  # noqa: ARG001
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    with FakePinterestAPI(args.host, args.port, scale) as api:
        sys.stdout.write(f"Fake Pinterest API listening on {api.url}\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
        if args.print_calls:
            calls: dict[str, int] = {}
            for request in api.log:
                key = f"{request.status} {request.path}"
                calls[key] = calls.get(key, 0) + 1
            sys.stdout.write(json.dumps(calls) + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
