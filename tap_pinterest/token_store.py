"""A small file that carries Pinterest's rotated tokens from one run to the next.

Pinterest issues a new refresh token on every refresh and the one in a static config
stops working 60 days after it was issued; keeping the newest one on disk is what lets a
scheduled sync outlive that.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

try:  # POSIX; elsewhere jobs must not share a store (README, "Sharded jobs")
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from collections.abc import Iterator


def fingerprint(token: str) -> str:
    """Identify a token without storing or logging it a second time."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredTokens:
    """What one successful refresh leaves behind."""

    config_fingerprint: str
    refresh_token: str
    refresh_token_expires_at: int | None
    access_token: str | None
    access_token_expires_at: float | None


class TokenStoreError(Exception):
    """The token store file cannot be read or written."""


class TokenStore:
    """Reads and atomically rewrites the token file (mode 0600)."""

    def __init__(self, path: str | Path) -> None:
        """Remember where the file lives; nothing is read until asked."""
        self.path = Path(path).expanduser()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's lock file: one job at a time reads, refreshes and writes.

        Jobs sharing a store (a sync sharded by ad_account_ids) would otherwise each
        refresh with the same rotating refresh token, and all but one would lose theirs.
        """
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            msg = f"token_store_path lock {lock_path} cannot be opened: {exc.strerror}"
            raise TokenStoreError(msg) from None
        try:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)
            os.close(handle)

    def load(self) -> StoredTokens | None:
        """The stored tokens, or None when there is no file yet."""
        try:
            raw = self.path.read_text("utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            msg = f"token_store_path {self.path} cannot be read: {exc.strerror}"
            raise TokenStoreError(msg) from None
        try:
            data = json.loads(raw)
            return StoredTokens(
                config_fingerprint=str(data["config_fingerprint"]),
                refresh_token=str(data["refresh_token"]),
                refresh_token_expires_at=data.get("refresh_token_expires_at"),
                access_token=data.get("access_token"),
                access_token_expires_at=data.get("access_token_expires_at"),
            )
        except (ValueError, KeyError, TypeError):
            msg = f"token_store_path {self.path} is not a token file written by this tap"
            raise TokenStoreError(msg) from None

    def save(self, tokens: StoredTokens) -> None:
        """Replace the file in one step so a crash never leaves half a token."""
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(prefix=".token-", dir=directory)
            try:
                os.fchmod(handle, 0o600)
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    json.dump(asdict(tokens), file)
                    file.flush()
                    os.fsync(file.fileno())
                Path(temp_name).replace(self.path)
            except BaseException:
                Path(temp_name).unlink(missing_ok=True)
                raise
        except OSError as exc:
            msg = f"token_store_path {self.path} cannot be written: {exc.strerror}"
            raise TokenStoreError(msg) from None
