"""Request URLs that fit: ids packed per call so the URL stays under a byte budget.

With every metric column selected and 250 ids, an analytics URL is about 9 KB, and many
front ends refuse request lines over 8 KB (HTTP 414). The spec caps ids per call (250,
pins 100), but the URL is what a proxy sees, so both limits apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

DEFAULT_MAX_URL_BYTES = 8000


def encode_query(params: Mapping[str, Any]) -> str:
    """The query string the tap sends.

    Lists repeat their key (explode=true); comma-joined values (columns, metric_types:
    explode=false) keep literal commas, which also keeps long analytics URLs shorter.
    """
    return urlencode({k: v for k, v in params.items() if v is not None}, doseq=True, safe=",")


def id_cost(param: str, value: str) -> int:
    """Bytes one more id adds to a query: '&<param>=<value>' as encoded."""
    return len(param) + len(quote(str(value), safe=",")) + 2


def pack_ids(
    ids: Sequence[str],
    *,
    param: str,
    base_url_bytes: int,
    max_ids: int,
    max_url_bytes: int,
) -> list[list[str]]:
    """Ids in consecutive batches, each within the spec's cap and the URL budget.

    Filling each batch as far as both limits allow gives the fewest calls for ids in
    this order. An id that alone overflows the budget still gets its own batch: the
    request may pass, and if it is refused (414) the error names the stream.
    """
    batches: list[list[str]] = []
    current: list[str] = []
    used = base_url_bytes
    for value in ids:
        cost = id_cost(param, value)
        if current and (len(current) >= max_ids or used + cost > max_url_bytes):
            batches.append(current)
            current, used = [], base_url_bytes
        current.append(value)
        used += cost
    if current:
        batches.append(current)
    return batches


def split_in_two(ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """Halves of a batch a front end refused as too long; never drops an id."""
    middle = (len(ids) + 1) // 2
    return list(ids[:middle]), list(ids[middle:])
