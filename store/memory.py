"""In-memory twins of the file stores, for fast engine tests (as tinydb's ``MemoryStorage``).

:class:`MemoryStorage` keeps the ``AtomicJSONStorage`` contract that the stores rely on
(``read()`` returns ``None`` when empty, ``write()`` replaces everything, ``transaction()``
holds a lock across a read-modify-write). It keeps the data as JSON text, as a file
would: a caller that changes what it read changes nothing until it writes, and data
that a file could not hold fails here too. :class:`MemoryUserFiles` is a
set of them, one per user, as ``PerUserDB`` is a directory of files.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jixiao.bot.domain.models import Filing
from tinydb.storages import Storage

__all__ = ["MemoryOwnFilings", "MemoryStorage", "MemoryUserFiles"]


class MemoryStorage(Storage):
    """A TinyDB storage in memory, with a re-entrant lock for read-modify-write."""

    def __init__(self, name: str = "memory"):
        super().__init__()
        self.name = name  # how it is named in messages (a file store names its path)
        self._text: str | None = None
        self._writes = 0
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[MemoryStorage]:
        """Hold this storage's lock for the ``with`` block (re-entrant within a thread)."""
        with self._lock:
            yield self

    def read(self) -> dict[str, dict[str, Any]] | None:
        """A copy of the data; ``None`` when nothing was written yet."""
        with self._lock:
            return None if self._text is None else json.loads(self._text)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass"))

    def write_bytes(self, payload: bytes) -> None:
        """Replace the data with the JSON ``payload`` (refused, as a file store would, if it is not JSON)."""
        text = payload.decode("utf-8", "surrogatepass")
        json.loads(text)
        with self._lock:
            self._text = text
            self._writes += 1

    def head(self, size: int) -> bytes:
        with self._lock:
            return b"" if self._text is None else self._text.encode("utf-8", "surrogatepass")[:size]

    def stamp(self) -> int | None:
        """Which write the data is from (``None`` before the first)."""
        with self._lock:
            return None if self._text is None else self._writes

    def set_aside(self) -> str:
        """Forget the data (a file store moves a damaged file away); returns where it went."""
        with self._lock:
            self._text = None
            self._writes += 1
        return f"{self.name} (discarded)"

    def close(self) -> None:
        pass


class MemoryUserFiles:
    """One :class:`MemoryStorage` per user key: ``PerUserDB``'s interface, without files."""

    def __init__(self):
        self._storages: dict[str, MemoryStorage] = {}
        self._lock = threading.Lock()

    def storage(self, user_key: str) -> MemoryStorage:
        with self._lock:
            if user_key not in self._storages:
                self._storages[user_key] = MemoryStorage(f"memory:{user_key}")
            return self._storages[user_key]

    def lock_order(self, user_key: str) -> str:
        """The key that orders locks when several users' storages are held at once."""
        return user_key

    def users(self) -> list[str]:
        with self._lock:
            return sorted(key for key, storage in self._storages.items() if storage.read() is not None)

    def close(self) -> None:
        pass


class MemoryOwnFilings:
    """Approved tables kept in memory (the file one is ``store.corpus.OwnFilingStore``:
    staged before the approval is stored, confirmed after)."""

    def __init__(self):
        self._filings: dict[str, Filing] = {}
        self._pending: set[str] = set()
        self._lock = threading.Lock()

    def upsert(self, filings: list[Filing]) -> int:
        """Store ``filings`` confirmed, replacing any with the same key; returns how many were new."""
        with self._lock:
            added = sum(f.key not in self._filings for f in filings)
            self._filings.update({f.key: f.model_copy(deep=True) for f in filings})
            self._pending.difference_update(f.key for f in filings)
            return added

    def stage(self, filings: list[Filing]) -> None:
        with self._lock:
            for filing in filings:
                self._filings[filing.key] = filing.model_copy(deep=True)
                self._pending.add(filing.key)

    def discard(self, keys: list[str]) -> None:
        with self._lock:
            for key in set(keys) & self._pending:
                del self._filings[key]
                self._pending.discard(key)

    def pending(self) -> list[Filing]:
        with self._lock:
            return [f.model_copy(deep=True) for key, f in self._filings.items() if key in self._pending]

    def all(self) -> list[Filing]:
        with self._lock:
            return [f.model_copy(deep=True) for key, f in self._filings.items() if key not in self._pending]

    def close(self) -> None:
        pass
