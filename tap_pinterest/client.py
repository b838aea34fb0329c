"""The base stream: URL, auth, bookmark paging, retries and error classification."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property, partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, final
from urllib.parse import urlparse

import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.jsonpath import extract_jsonpath
from singer_sdk.pagination import BaseAPIPaginator, SinglePagePaginator
from singer_sdk.singerlib.catalog import REPLICATION_FULL_TABLE, REPLICATION_INCREMENTAL
from typing_extensions import override

from tap_pinterest import concurrency, sdk_seam
from tap_pinterest import typed_records as typed
from tap_pinterest.auth import PinterestOAuthAuthenticator
from tap_pinterest.errors import (
    PinterestAPIError,
    PinterestAuthError,
    PinterestNotFoundError,
    PinterestUnreachableError,
    QuotaExhaustedError,
    UrlTooLongError,
    api_error_code,
    api_error_summary,
)
from tap_pinterest.failures import isolate
from tap_pinterest.json_rows import DECIMAL_DECODER, NotAnArrayError, decode, iter_array_items
from tap_pinterest.pagination import BookmarkGuard, BookmarkPaginator
from tap_pinterest.quiet import quiet_sdk_noise
from tap_pinterest.quota import requested_wait
from tap_pinterest.refusal_forms import raise_if_fatal_refusal
from tap_pinterest.retry import retry_on
from tap_pinterest.run_context import Listing
from tap_pinterest.settings import DEFAULT_API_URL, MAX_PAGE_SIZE
from tap_pinterest.spec import oauth_scopes, ratelimit_category
from tap_pinterest.throttle import is_throttle
from tap_pinterest.url_budget import (
    DEFAULT_MAX_URL_BYTES,
    encode_query,
    pack_ids,
    split_in_two,
)

if TYPE_CHECKING:
    from collections.abc import Generator, Sequence

    import singer_sdk.singerlib as singer
    from singer_sdk.helpers.types import Context, Record
    from singer_sdk.singerlib import Catalog

    from tap_pinterest.run_context import RunContext
    from tap_pinterest.tap import TapPinterest

# Bounded retries: 8 tries and 10 minutes of waiting per request, then fail loudly.
MAX_TRIES = 8
MAX_RETRY_SECONDS = 600.0
MAX_BACKOFF_SECONDS = 60.0
# The statuses retried besides every 5xx: the tap's own list, not the SDK's
# `extra_retry_statuses` default (singer-sdk 0.55 changed it from [429] to []).
RETRIED_STATUSES = frozenset({HTTPStatus.TOO_MANY_REQUESTS})
RETRIABLE_ERRORS = (
    ConnectionResetError,
    RetriableAPIError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


T = TypeVar("T")
LIST_ITEMS = "$.items[*]"
# Reads the items of a streamed answer from its chunks; the path names it in errors.
RowParser = Callable[[Iterable[bytes], str], Iterator[Any]]
# Bytes read per step of a streamed answer: about ten rows of every column. Below glibc's
# 128 KiB mmap threshold, so each step's buffers are reused from the heap: 1 MiB steps
# mapped fresh pages for every copy, and the page faults cost ~10 us of system CPU a row.
ROW_CHUNK = 1 << 16


def items_of(body: Any, where: str) -> list[dict[str, Any]]:  # noqa: ANN401
    """The `items` of a list answer ({items, bookmark}, spec); anything else is an error."""
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        msg = f"Pinterest answered {where} without an items list ({type(body).__name__} body)"
        raise PinterestAPIError(msg)
    return items


# A request line longer than a front end accepts (RFC 9110: 414; some answer 431).
URL_TOO_LONG_STATUSES = frozenset({HTTPStatus.REQUEST_URI_TOO_LONG, 431})


class PinterestStream(sdk_seam.SeamStream):
    """Shared behaviour of every Pinterest v5 endpoint the tap reads.

    Streams override `partition_records` (not `get_records`) and `finish_record` (not
    `post_process`): the SDK calls this class's `get_records` and `post_process`, which
    isolate a partition's errors and count what it emits around them.
    """

    records_jsonpath = LIST_ITEMS
    # False for the few list endpoints the spec gives no bookmark (e.g. conversion_tags).
    paginated: ClassVar[bool] = True
    # Query parameters every request of the stream sends (e.g. entity_statuses).
    extra_params: ClassVar[dict[str, Any]] = {}
    # Organic endpoints accept ad_account_id to act as that account's owner (spec 1.3).
    accepts_organic_ad_account_id: ClassVar[bool] = False

    def __init__(self, tap: TapPinterest, **kwargs: Any) -> None:
        """Keep the tap and its run context, typed; quiet the SDK's noise."""
        super().__init__(tap=tap, **kwargs)
        self.pinterest_tap: TapPinterest = tap
        self.run: RunContext = tap.run_context
        quiet_sdk_noise(sdk_seam.filterable_logger(self.logger))
        self.calls_made = 0
        # Calls in flight together (fetch_ahead) count from worker threads.
        self._calls_lock = threading.Lock()
        self.records_emitted = 0
        self._greatest_seen = typed.GreatestSeen()

    @final
    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """The partition's records; a permanent error ends only this partition."""
        records = isolate(
            self,
            self.partition_records,
            self.run.failures,
            continue_on_error=self.pinterest_tap.continues_on_stream_error,
        )(context)
        # Stream classes set `name` as a class attribute (the SDK types it per instance).
        parent = getattr(self.parent_stream_type, "name", None)
        return self.run.progress.partition(self.name, records, parent)

    def partition_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """The partition's records (streams override this): the SDK's paged reading."""
        return super().get_records(context)

    @final
    @override
    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        """`finish_record`, counting the records kept."""
        kept = self.finish_record(row, context)
        self.records_emitted += kept is not None
        return kept

    def finish_record(self, row: dict[str, Any], context: Context | None) -> dict[str, Any] | None:
        """The record as emitted, or None to leave it out (streams override this)."""
        return super().post_process(row, context)

    # ------------------------------------- typed records (`emits_typed_records`, typed.py)
    @cached_property
    def deselected_properties(self) -> frozenset[str]:
        """Schema properties the catalog deselected (typed streams drop them themselves)."""
        return typed.deselected_properties(self)

    @cached_property
    def deselected_in_records(self) -> frozenset[str]:
        """The deselected properties a record may still hold when its messages are made."""
        return self.deselected_properties

    @override
    def generate_child_contexts(
        self, record: Record, context: Context | None
    ) -> Iterable[Context | None]:
        """A typed stream builds (and copies) no child context per record without children."""
        if self.child_streams or not self.emits_typed_records:
            yield from super().generate_child_contexts(record, context)

    @override
    def partition_starting(self, context: Context | None) -> None:
        """No bookmark value handed over yet in this partition."""
        if self.emits_typed_records:
            self._greatest_seen = typed.GreatestSeen()

    @override
    def moves_bookmark(self, record: Record, context: Context | None) -> bool:
        """A typed stream skips the SDK's bookmark step for dates already handed over."""
        if not self.emits_typed_records:
            return True
        return self._greatest_seen.moves_bookmark(self, record, context)

    @override
    def typed_record_messages(
        self, record: dict[str, Any], version: int | None
    ) -> Generator[singer.RecordMessage, None, None]:
        return typed.record_messages(self, record, version)

    @property
    @override
    def url_base(self) -> str:
        return str(self.config.get("api_url") or DEFAULT_API_URL).rstrip("/")

    @property
    @override
    def authenticator(self) -> Any:
        return self.pinterest_tap.authenticator

    @property
    @override
    def timeout(self) -> int:
        return int(self.config.get("request_timeout", 300))

    @cached_property
    @override
    def user_agent(self) -> str:
        return str(self.config.get("user_agent") or "tap-pinterest (singer-sdk)")

    @override
    def get_new_paginator(self) -> BaseAPIPaginator[Any]:
        return BookmarkPaginator() if self.paginated else SinglePagePaginator()

    @override
    def get_url_params(
        self, context: Context | None, next_page_token: str | None
    ) -> dict[str, Any]:
        params: dict[str, Any] = dict(self.extra_params)
        if self.paginated:
            params["page_size"] = int(self.config.get("page_size", MAX_PAGE_SIZE))
            if next_page_token:
                params["bookmark"] = next_page_token
        return {**params, **self.organic_params()}

    def organic_params(self) -> dict[str, Any]:
        """ad_account_id on organic calls, to act as that ad account's owner (spec 1.3)."""
        account = self.config.get("organic_ad_account_id")
        if self.accepts_organic_ad_account_id and account:
            return {"ad_account_id": account}
        return {}

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict[str, Any]]:
        """Records from the body; a list page without an `items` array is an error."""
        body = decode(response.content, DECIMAL_DECODER)
        if self.records_jsonpath == LIST_ITEMS:
            items = items_of(body, urlparse(response.url).path)
            self.run.progress.listed(self.name, len(items), last_page=not body.get("bookmark"))
            yield from items
        else:
            yield from extract_jsonpath(self.records_jsonpath, body)

    @property
    def max_concurrent_requests(self) -> int:
        """Calls of this stream that may be in flight together (1: one at a time).

        The run's value: the setting, or 1 for --test (tap.before_connection_test).
        """
        return self.run.max_concurrent_requests

    def fetch_ahead(
        self, producers: Iterable[Callable[[], Iterable[T]]]
    ) -> Generator[Iterator[T], None, None]:
        """Each producer's items, in order, up to max_concurrent_requests calls in flight.

        Producers are independent calls (concurrency.fetch_ahead): read each iterator to
        its end, in turn, as a plain loop would.
        """
        return concurrency.fetch_ahead(producers, self.ready_workers())

    def chain_ahead(
        self, producers: Iterable[Callable[[], Iterable[T]]]
    ) -> Generator[T, None, None]:
        """Every producer's items in the producers' order (`fetch_ahead`, flattened)."""
        return concurrency.chain_ahead(producers, self.ready_workers())

    def ready_workers(self) -> int:
        """max_concurrent_requests, once what the workers share is made (here, not raced)."""
        workers = self.max_concurrent_requests
        if workers > 1:
            _ = (self.requests_session, self.authenticator, self.http_headers)
        return workers

    @override
    def update_sync_costs(
        self,
        request: requests.PreparedRequest,
        response: requests.Response,
        context: Context | None,
    ) -> dict[str, int]:
        """The SDK's sum of call costs, added to from worker threads too."""
        with self._calls_lock:
            return super().update_sync_costs(request, response, context)

    def fetch(self, path: str, params: dict[str, Any], context: Context | None) -> Any:  # noqa: ANN401
        """GET one URL through the same auth, rate limit, retry and error handling."""
        # Lists repeat their key (explode=true); comma-joined values (columns, metric_types:
        # explode=false) keep literal commas, which also keeps long analytics URLs shorter.
        query = encode_query(params)
        request = self.build_prepared_request(
            method="GET", url=f"{self.url_base}{path}?{query}", headers=self.http_headers
        )
        response = self.request_decorator(partial(sdk_seam.send, self))(request, context)
        self.update_sync_costs(request, response, context)
        try:
            return decode(response.content)
        except ValueError:
            msg = f"Pinterest answered {path} with a body that is not JSON"
            raise PinterestAPIError(msg) from None

    @property
    def max_url_bytes(self) -> int:
        """The longest request URL the tap sends (front ends refuse longer ones: 414)."""
        return int(self.config.get("max_url_length", DEFAULT_MAX_URL_BYTES))

    def id_batches(
        self,
        path: str,
        params: dict[str, Any],
        ids_param: str,
        ids: Sequence[str],
        max_ids: int,
    ) -> list[list[str]]:
        """Ids packed into the fewest calls the spec's cap and the URL budget allow."""
        base_url_bytes = len(f"{self.url_base}{path}?{encode_query(params)}")
        return pack_ids(
            ids,
            param=ids_param,
            base_url_bytes=base_url_bytes,
            max_ids=max_ids,
            max_url_bytes=self.max_url_bytes,
        )

    def fetch_ids(  # noqa: PLR0913
        self,
        path: str,
        params: dict[str, Any],
        ids_param: str,
        batch: list[str],
        context: Context | None,
        *,
        rows: bool = False,
        items: RowParser | None = None,
    ) -> Iterator[Any]:
        """The answers (or, with rows, the streamed rows) for one batch of ids.

        A batch refused as too long (414/431) goes in halves; the refusal comes before
        any row of it, so nothing is yielded twice.
        """
        try:
            if rows:
                yield from self.fetch_rows(path, {**params, ids_param: batch}, context, items)
            else:
                yield self.fetch(path, {**params, ids_param: batch}, context)
        except UrlTooLongError:
            if len(batch) == 1:
                raise
            self.logger.info(
                "%s: the request URL was refused as too long; sending its %d ids in two calls",
                self.name,
                len(batch),
            )
            for half in split_in_two(batch):
                yield from self.fetch_ids(
                    path, params, ids_param, half, context, rows=rows, items=items
                )

    def fetch_rows(
        self,
        path: str,
        params: dict[str, Any],
        context: Context | None,
        items: RowParser | None = None,
    ) -> Iterator[Any]:
        """GET a JSON array and yield its items as they arrive (issue 10: flat memory).

        `items` reads another shape as it arrives (targeting: the `data` array of an
        object, issue 19); it raises PinterestAPIError for a body of the wrong shape.
        Same auth, rate limit, retries and errors as `fetch`. If the connection breaks
        mid-body, the request is sent again and the items already yielded are skipped.
        """
        parse = items or (lambda chunks, _path: iter_array_items(chunks))
        query = encode_query(params)
        request = self.build_prepared_request(
            method="GET", url=f"{self.url_base}{path}?{query}", headers=self.http_headers
        )
        send = self.request_decorator(partial(sdk_seam.send_streamed, self))
        yielded = 0
        for attempt in range(1, MAX_TRIES + 1):
            response = send(request, context)
            self.update_sync_costs(request, response, context)
            try:
                for index, item in enumerate(parse(response.iter_content(ROW_CHUNK), path)):
                    if index >= yielded:
                        yielded += 1
                        yield item
            except NotAnArrayError as exc:
                msg = (
                    f"Pinterest answered {path} with {type(exc.body).__name__}, not a list of rows"
                )
                raise PinterestAPIError(msg) from None
            except ValueError:
                msg = f"Pinterest answered {path} with a body that is not JSON"
                raise PinterestAPIError(msg) from None
            except RETRIABLE_ERRORS as exc:
                if attempt == MAX_TRIES:
                    msg = f"Gave up after {MAX_TRIES} tries: {type(exc).__name__} reading {path}"
                    raise PinterestAPIError(msg) from None
                self.logger.warning(
                    "Reading %s broke off (%s); asking again", path, type(exc).__name__
                )
                continue
            finally:
                response.close()
            return

    def iter_items(
        self, path: str, params: dict[str, Any], context: Context | None
    ) -> Iterable[dict[str, Any]]:
        """Every item of a bookmark-paged list (for lists outside the stream's own paging)."""
        guard = BookmarkGuard()
        page_params = {**params, "page_size": int(self.config.get("page_size", MAX_PAGE_SIZE))}
        while True:
            body = self.fetch(path, page_params, context)
            yield from items_of(body, path)
            bookmark = body.get("bookmark")
            if not bookmark:
                return
            page_params["bookmark"] = guard.follow(str(bookmark), path)

    def ids_of(self, stream_name: str, context: Context | None) -> list[str]:
        """The ids a stream lists here: from its own run this sync, else listed now.

        A listing made here is kept for the rest of the run, and so are its items when
        the stream is selected and still to run (pins, which sync after pin_analytics):
        each list is read once per run, whatever the order the streams sync in.
        """
        listings = self.run.listings
        known = listings.known_ids(stream_name, context)
        if known is not None:
            return known
        entity = self.pinterest_tap.stream(stream_name)
        path = str(entity.path).format(**(context or {}))
        params = {**entity.extra_params, **entity.organic_params()}
        keep = entity.selected
        started_at = self.run.clock.wall()
        items = []
        ids = []
        for item in self.iter_items(path, params, context):
            ids.append(str(item["id"]))
            if keep:
                items.append(item)
        if keep:
            listings.keep(stream_name, context, Listing(items, started_at))
        listings.record_ids(stream_name, context, ids)
        return ids

    @override
    def apply_catalog(self, catalog: Catalog) -> None:
        """FULL_TABLE if the entry or its metadata asks for it.

        The SDK lets the entry's `replication_method` (which discovery fills in) win over
        the metadata's `forced-replication-method`, so a stream forced to FULL_TABLE in
        its metadata alone would silently stay incremental.
        """
        super().apply_catalog(catalog)
        entry = catalog.get_stream(self.name)
        root = entry.metadata.get(()) if entry else None
        forced = getattr(root, "forced_replication_method", None)
        if entry and REPLICATION_FULL_TABLE in {entry.replication_method, forced}:
            self.forced_replication_method = REPLICATION_FULL_TABLE

    def raw_bookmark(self, context: Context | None) -> Any:  # noqa: ANN401
        """The bookmark this partition ended on last run, as stored, or None.

        None when the stream does not run incrementally (a catalog forcing FULL_TABLE):
        a full table read must not be filtered by an earlier run's bookmark.
        """
        if self.replication_method != REPLICATION_INCREMENTAL:
            return None
        state = self.get_context_state(context)
        if state.get("replication_key") != self.replication_key:
            return None
        return state.get("replication_key_value")

    # Errors and retries -------------------------------------------------------------

    def quota_category(self, url: str | None) -> str:
        """The spec's x-ratelimit-category of the operation a URL calls."""
        path = urlparse(url or "").path
        base_path = urlparse(self.url_base).path
        return ratelimit_category(path.removeprefix(base_path))

    @override
    def validate_response(self, response: requests.Response) -> None:
        category = self.quota_category(response.url)
        self.run.rate_limiter.observe(response, category)
        self.run.quota.close_if_spent(response, category)
        authenticator = self.authenticator
        if response.status_code == HTTPStatus.UNAUTHORIZED:
            self._handle_unauthorized(response, authenticator)
        if isinstance(authenticator, PinterestOAuthAuthenticator):
            authenticator.note_accepted()
        # A 400 asking to "Retry after N seconds" is Pinterest throttling (throttle.py).
        throttled = response.status_code in RETRIED_STATUSES or is_throttle(response)
        if throttled:
            self.run.quota.close_if_long(response, category, self.name)
        if throttled or response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise RetriableAPIError(self.response_error_message(response), response)
        if response.status_code >= HTTPStatus.BAD_REQUEST:
            raise_if_fatal_refusal(response, self.config)
            raise self.refusal(response)

    def refusal(self, response: requests.Response) -> PinterestAPIError:
        """The error for a 4xx that retrying cannot fix, with what the user can do."""
        status = response.status_code
        message = self.response_error_message(response)
        code = api_error_code(response)
        if status in URL_TOO_LONG_STATUSES:
            return UrlTooLongError(message, status=status, code=code)
        if status == HTTPStatus.NOT_FOUND:
            return PinterestNotFoundError(message, status=status, code=code)
        hint = None
        if status == HTTPStatus.FORBIDDEN:
            path = urlparse(response.url or "").path.removeprefix(urlparse(self.url_base).path)
            scopes = " and ".join(f"`{scope}`" for scope in oauth_scopes(path))
            hint = (
                f"deselect the stream, or ask for the {scopes or 'needed'} scope and the "
                "Business Access role the endpoint needs (beta endpoints need Pinterest to "
                "enable them for the app)"
            )
        return PinterestAPIError(message, status=status, code=code, hint=hint)

    def _handle_unauthorized(self, response: requests.Response, authenticator: Any) -> None:  # noqa: ANN401
        """Refresh once and retry; a fresh token refused again is a fatal auth error."""
        summary = self.response_error_message(response)
        sent = str(response.request.headers.get("Authorization") or "") if response.request else ""
        if isinstance(authenticator, PinterestOAuthAuthenticator) and authenticator.retry_after_401(
            sent.removeprefix("Bearer ") or None
        ):
            self.logger.info("Access token rejected (HTTP 401); refreshing it once and retrying")
            raise RetriableAPIError(summary, response)
        msg = f"Pinterest rejected the credentials: {summary}"
        raise PinterestAuthError(msg)

    @override
    def response_error_message(self, response: requests.Response) -> str:
        """The API's code and message and the path; never the query string or headers."""
        path = urlparse(response.url).path if response.url else self.path
        return f"{api_error_summary(response)} for {path}"

    @override
    def request_decorator(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Wait for the rate-limit window, retry with backoff, then fail with one clear line."""
        limiter = self.run.rate_limiter

        def limited(request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
            category = self.quota_category(request.url)
            # Calls in flight together each hold their share of the budget (ratelimit.py);
            # one waiting for it gives up when the category closes meanwhile.
            refuse = partial(self.run.quota.refuse_if_closed, category, self.name)
            with limiter.reserve(category, refuse):
                with self._calls_lock:
                    self.calls_made += 1
                self.run.progress.call(self.name)
                return func(request, *args, **kwargs)

        retrying = retry_on(
            self._wait_times,
            RETRIABLE_ERRORS,
            max_tries=MAX_TRIES,
            max_time=MAX_RETRY_SECONDS,
            on_backoff=self.backoff_handler,
            clock=self.run.clock,
        )(limited)

        def give_up_clearly(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
            try:
                return retrying(*args, **kwargs)
            except RetriableAPIError as exc:
                raise self.gave_up(exc) from None
            except RETRIABLE_ERRORS as exc:
                msg = (
                    f"Pinterest is unreachable: {type(exc).__name__} after {MAX_TRIES} tries; "
                    "check api_url and the network, then run again"
                )
                raise PinterestUnreachableError(msg) from None

        return give_up_clearly

    def gave_up(self, exc: RetriableAPIError) -> PinterestAPIError | QuotaExhaustedError:
        """A 429 after every retry spends the run; a 5xx ends only the partition."""
        response = exc.response
        if response is not None and (
            response.status_code == HTTPStatus.TOO_MANY_REQUESTS or is_throttle(response)
        ):
            reset = requested_wait(response)
            when = f"; Pinterest says it resets in {reset:.0f} s" if reset is not None else ""
            msg = (
                f"Pinterest quota exhausted ({exc}) after {MAX_TRIES} tries{when}; "
                "run again later, or sync fewer streams or ad accounts per run"
            )
            return QuotaExhaustedError(msg)
        status = response.status_code if response is not None else None
        msg = f"Gave up after {MAX_TRIES} tries or {MAX_RETRY_SECONDS:.0f} s: {exc}"
        return PinterestAPIError(msg, status=status)

    def _wait_times(self) -> Generator[float, Any, None]:
        """Retry-After (or X-RateLimit-Reset) when Pinterest sends it, else 1, 2, 4... s."""
        attempt = 0
        exc = yield 0.0
        while True:
            wait = min(2.0**attempt, MAX_BACKOFF_SECONDS)
            response = getattr(exc, "response", None)
            if response is not None and response.status_code == HTTPStatus.UNAUTHORIZED:
                wait = 0.0  # the token was refreshed; nothing to wait for
            elif response is not None:
                told = requested_wait(response)
                if told is not None:
                    wait = min(told, MAX_RETRY_SECONDS)
            attempt += 1
            exc = yield wait

    @override
    def backoff_handler(self, details: Any) -> None:
        exc = details.get("exception")
        what = str(exc) if isinstance(exc, RetriableAPIError) else type(exc).__name__
        self.logger.warning(
            "Retrying %s in %.1f s (try %d of %d): %s",
            self.name,
            details.get("wait", 0.0),
            details.get("tries", 0),
            MAX_TRIES,
            what,
        )
