"""Per-pin analytics within a per-run call budget: every pin in turn, over several runs.

When Pinterest refuses the beta bulk GET /pins/analytics, each pin costs one call of
GET /pins/{pin_id}/analytics per date window: 20,000 pins would spend a Trial app's
1,000 daily calls twenty times over. So a run reads at most `pin_analytics_call_budget`
calls' worth of pins, in pin id order from a cursor kept in state, and the next run goes
on from there: a *cycle* covers every pin once, over as many runs as it takes.

Dates stay whole per pin: a cycle fixes its first date when it starts (the bookmark less
the lookback, as usual), and every run of the cycle fetches its pins from that date to the
run's today. The stream's bookmark moves only when a cycle ends, to the earliest date
every run of the cycle covered, so the next cycle starts where the slowest pin stopped.
Pure functions of their arguments, apart from reading and writing the state dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from tap_pinterest.errors import InvalidStateError

if TYPE_CHECKING:
    from collections.abc import Sequence

# The partition state's key for the cycle under way (absent: none is).
CYCLE_KEY = "per_pin_cycle"
DEFAULT_CALL_BUDGET = 200


def pin_order(pin_ids: Sequence[str]) -> list[str]:
    """Pins in numeric id order (ids are digit strings), duplicates dropped.

    A stable order lets a cursor say which pins are due; pins created during a cycle
    have higher ids and so are still ahead of it.
    """
    return sorted(dict.fromkeys(pin_ids), key=lambda pin: (len(pin), pin))


@dataclass(frozen=True)
class Cycle:
    """One pass over every pin: where it resumes, its first date, the dates it covered."""

    next_pin: str | None  # the first pin still due (None: from the first pin)
    first_date: date  # every run of the cycle fetches from here
    covered_to: date | None  # the earliest last date any run of the cycle covered
    pins_read: int  # pins read so far in this cycle

    def to_state(self) -> dict[str, Any]:
        """The cycle as kept in the partition's state."""
        return {
            "next_pin_id": self.next_pin,
            "first_date": self.first_date.isoformat(),
            "covered_to": self.covered_to.isoformat() if self.covered_to else None,
            "pins_read": self.pins_read,
        }


def load_cycle(state: dict[str, Any], stream: str) -> Cycle | None:
    """The cycle under way in this partition's state, if any."""
    raw = state.get(CYCLE_KEY)
    if raw is None:
        return None
    try:
        covered = raw.get("covered_to")
        return Cycle(
            next_pin=None if raw.get("next_pin_id") is None else str(raw["next_pin_id"]),
            first_date=date.fromisoformat(str(raw["first_date"])),
            covered_to=date.fromisoformat(str(covered)) if covered else None,
            pins_read=int(raw.get("pins_read", 0)),
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        msg = (
            f"State for {stream} has a {CYCLE_KEY} the tap cannot read ({raw!r}); delete "
            f"bookmarks.{stream}.{CYCLE_KEY} to start the pins' cycle over"
        )
        raise InvalidStateError(msg) from None


@dataclass(frozen=True)
class RunPlan:
    """The pins this run reads, and the first pin due after them (None: cycle complete)."""

    pins: list[str]
    next_pin: str | None
    due_before: int  # pins the cycle still had to read before this run


def plan_run(
    ordered_pins: Sequence[str], next_pin: str | None, budget: int, windows: int
) -> RunPlan:
    """As many due pins as the budget pays for (each costs `windows` calls), at least one."""
    due = [pin for pin in ordered_pins if next_pin is None or (len(pin), pin) >= _key(next_pin)]
    count = max(1, budget // max(1, windows))
    pins = due[:count]
    following = due[count] if len(due) > count else None
    return RunPlan(pins, following, len(due))


def _key(pin: str) -> tuple[int, str]:
    return (len(pin), pin)


def after_run(cycle: Cycle, plan: RunPlan, covered_to: date) -> Cycle:
    """The cycle once this run's pins were read up to `covered_to`."""
    earliest = covered_to if cycle.covered_to is None else min(cycle.covered_to, covered_to)
    return Cycle(plan.next_pin, cycle.first_date, earliest, cycle.pins_read + len(plan.pins))
