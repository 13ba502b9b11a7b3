"""A crash-safe TinyDB storage: atomic writes, a writers' lock, corrupt files set aside.

Modelled on ``tinydb.storages.JSONStorage``. The differences:

* **Atomic, durable writes.** ``write()`` never touches the live file: it writes a
  temporary file next to it, fsyncs it, renames it over the target and fsyncs the
  directory. A reader (or a process restarted after a crash) sees either the old file
  or the new one, never a half-written one; when ``write()`` returns, the data is on disk.
* **A writers' lock.** Each write holds an exclusive ``fcntl.flock`` on a sidecar file
  ``<file>.lock`` (between processes, and between storage objects in one process) plus a
  ``threading.RLock`` (between threads sharing this object). ``transaction()`` holds both
  across a read-modify-write; see ``LockingTinyDB`` for TinyDB operations that do so on
  their own.
* **Corrupt files are reported, not replaced.** A file that is not a TinyDB JSON document
  is moved aside to ``<file>.corrupt-<UTC timestamp>`` and ``CorruptStoreError`` names both
  paths (or, with ``on_corrupt="set_aside"``, a warning is logged and the store starts
  empty). Leftover temporary files from an interrupted write are removed on open.

Linux/POSIX only (``fcntl``). The lock is advisory: only writers that go through this
class are serialised. The sidecar lock file is never deleted (deleting lock files races
with processes that are about to lock them).
"""

from __future__ import annotations

import fcntl
import functools
import json
import logging
import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

__all__ = ["AtomicJSONStorage", "CorruptStoreError", "LockingTable", "LockingTinyDB"]

logger = logging.getLogger(__name__)


class CorruptStoreError(Exception):
    """A store file could not be read as TinyDB data and has been moved aside.

    ``path`` is where the file was, ``moved_to`` where its unchanged bytes are now, and
    ``reason`` what was wrong with it. Opening the store again starts from an empty file.
    """

    def __init__(self, path: str | os.PathLike, moved_to: str | os.PathLike, reason: str):
        super().__init__(path, moved_to, reason)  # keeps the exception picklable
        self.path = Path(path)
        self.moved_to = Path(moved_to)
        self.reason = reason

    def __str__(self) -> str:
        return f"store file {self.path} is corrupt ({self.reason}); it was moved aside to {self.moved_to}"


class _Invalid(Exception):
    """Internal: the file's content is not TinyDB data (the message says why)."""


class AtomicJSONStorage(Storage):
    """Store the database as one JSON file, replaced atomically on every write.

    ``read()`` returns ``None`` when the file is missing or empty (so TinyDB starts an
    empty database), the parsed tables otherwise. It takes no lock: the file is only
    ever replaced whole, so a read sees one complete version.

    **Concurrent writers must use** ``transaction()``. TinyDB updates a table by reading
    the whole database, changing it and writing it back; two writers doing that at once
    lose one of the changes even though each write is atomic. ``with
    storage.transaction(): ...`` holds the lock across the read and the write (it is
    re-entrant, and ``write()`` takes it too). TinyDB's tables also remember things between
    calls (the next document id, query results) that another process can make stale, so
    the simplest correct use is ``LockingTinyDB``, whose tables run every write operation
    in a transaction and drop those memories first.

    **Corrupt files** (invalid JSON or encoding, JSON nested too deeply or with a number
    too long to convert, a top level that is not an object, a table or document that is
    not an object) are always moved aside to
    ``<file>.corrupt-<UTC timestamp>`` with their bytes unchanged; ``on_corrupt`` decides
    what happens next:

    * ``"raise"`` (the default, ``ON_CORRUPT``): raise ``CorruptStoreError`` naming both
      paths. The default because the store's promise is that an acknowledged answer is
      never lost: a store that quietly comes up empty looks to the user exactly like
      lost work, and the next write would make the empty state the live one. Raising
      stops the caller at the point where it can tell someone (the operator at start-up,
      the user in a chat) where the data went. Since the file is already set aside,
      opening again afterwards succeeds with an empty store; nothing loops or is lost.
    * ``"set_aside"``: log a warning naming both paths and continue with an empty store,
      for callers that have nobody to tell.

    Leftover temporary files from an interrupted write (``.<name>.tmp-<hex>``) are
    removed when the storage is opened. That scans the file's directory, so opening
    costs time in proportion to the number of files there (reads and writes do not).

    Extra keyword arguments go to ``json.dumps`` on top of ``JSON_DEFAULTS``. Never pass
    untrusted values there (``cls`` and ``default`` are called on every write).
    """

    #: What a corrupt file leads to when the constructor is not told: "raise" or "set_aside".
    ON_CORRUPT = "raise"
    #: ``json.dumps`` arguments used unless the caller overrides them (readable non-ASCII text).
    JSON_DEFAULTS: ClassVar[dict[str, Any]] = {"ensure_ascii": False}
    #: Appended to the store's file name to name the sidecar lock file.
    LOCK_SUFFIX = ".lock"
    #: Temporary files are ``.<name><TEMP_MARKER><TEMP_TOKEN_BYTES * 2 hex digits>``.
    TEMP_MARKER = ".tmp-"
    #: Random bytes in a temporary file's name (so two writers could never share one).
    TEMP_TOKEN_BYTES = 8
    #: A corrupt file is moved to ``<name><CORRUPT_MARKER><UTC timestamp>``.
    CORRUPT_MARKER = ".corrupt-"
    #: fsync the file and its directory on every write. Only tests about something other
    #: than durability (lost updates between writers, say) turn this off, to run faster.
    DURABLE = True

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        encoding: str = "utf-8",
        on_corrupt: str | None = None,
        **json_kwargs: Any,
    ):
        """Open the store at ``path`` (its directory is created if missing; the file is not).

        Removes leftover temporary files and checks the existing file, so a corrupt file
        is reported here, when the store is opened.
        """
        super().__init__()
        self.path = Path(path)
        self.encoding = encoding
        self.on_corrupt = self.ON_CORRUPT if on_corrupt is None else on_corrupt
        if self.on_corrupt not in ("raise", "set_aside"):
            raise ValueError(f"on_corrupt must be 'raise' or 'set_aside', not {self.on_corrupt!r}")
        self.json_kwargs = {**self.JSON_DEFAULTS, **json_kwargs}
        self.lock_path = self.path.with_name(self.path.name + self.LOCK_SUFFIX)
        self._thread_lock = threading.RLock()
        self._lock_fd: int | None = None  # set while this object holds the file lock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.transaction():
            self._remove_leftover_temp_files()
            self.read()  # reports a corrupt file now rather than at the first use

    @contextmanager
    def transaction(self) -> Iterator[AtomicJSONStorage]:
        """Hold the writers' lock (this thread, then other processes) for the ``with`` block.

        Re-entrant within a thread. Blocks until the lock is free; the operating system
        releases it if the holding process dies.
        """
        with self._thread_lock:
            if self._lock_fd is not None:
                # This thread already holds the file lock (only it can, holding the RLock).
                yield self
                return
            # Open the lock file for each transaction rather than once: a descriptor
            # inherited through fork() would share the lock with the parent.
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._lock_fd = fd
                yield self
            finally:
                self._lock_fd = None
                os.close(fd)  # closing the descriptor releases the lock

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            return self._load()
        except _Invalid:
            pass
        with self.transaction():
            try:
                # Look again under the lock: a writer may have replaced the file meanwhile.
                return self._load()
            except _Invalid as error:
                reason = str(error)
                moved_to = self._set_aside()
        if self.on_corrupt == "raise":
            raise CorruptStoreError(self.path, moved_to, reason)
        logger.warning(
            "Store file %s is corrupt (%s); moved it aside to %s and started an empty store",
            self.path, reason, moved_to,
        )
        return None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        # Serialize the database state before taking the lock, using the configured
        # arguments. Text the encoding cannot represent (a lone surrogate from a broken
        # client, say) is written as \u escapes rather than failing the save.
        try:
            payload = json.dumps(data, **self.json_kwargs).encode(self.encoding)
        except UnicodeEncodeError:
            payload = json.dumps(data, **{**self.json_kwargs, "ensure_ascii": True}).encode(self.encoding)
        self.write_bytes(payload)

    def head(self, size: int) -> bytes:
        """The file's first ``size`` bytes (``b""`` if it is missing): enough to read a
        revision kept at the start, without reading or parsing the rest."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return b""
        try:
            return os.pread(fd, size, 0)
        finally:
            os.close(fd)

    def stamp(self) -> tuple[int, int, int] | None:
        """What tells this version of the file from others (inode, size, modification time),
        cheaply; ``None`` if there is no file. A hint for caches: two versions could share a
        stamp in rare cases, so a writer checks the content under the lock as well."""
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return None
        return status.st_ino, status.st_size, status.st_mtime_ns

    def write_bytes(self, payload: bytes, *, durable: bool = True) -> None:
        """Replace the file with ``payload`` (JSON the caller serialized), atomically and durably.

        ``durable=False`` skips both fsyncs: the new file is what every reader sees at once,
        but a power failure may leave the old one (or, on some file systems, an empty one):
        for a caller that has made the same bytes durable elsewhere first (``store.journal``).
        """
        durable = durable and self.DURABLE
        with self.transaction():
            # Create a new temporary file in the same directory (so the rename below
            # stays on one file system and is atomic) under a name nobody else uses
            temp_path = self._temp_path(secrets.token_hex(self.TEMP_TOKEN_BYTES))
            fd = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                with open(fd, "wb") as handle:
                    # Write the serialized data to the temporary file
                    handle.write(payload)

                    # Ensure the data has left Python's buffers and reached the disk
                    handle.flush()
                    if durable:
                        os.fsync(handle.fileno())

                # Atomically put the new file in place of the old one: readers and a
                # process restarted after a crash see either the old file or the new one
                os.replace(temp_path, self.path)
            except BaseException:
                # The old file is untouched; do not leave the half-done new one behind
                try:
                    os.unlink(temp_path)
                except FileNotFoundError:
                    pass
                raise

            # Ensure the rename itself is on disk (it is recorded in the directory)
            if durable:
                self._fsync_directory()

    def sync(self) -> None:
        """Make the file as it is now durable (its data, then its directory entry)."""
        if not self.DURABLE:
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        self._fsync_directory()

    def set_aside(self) -> Path:
        """Move the file aside as damaged; returns where it went.

        For a caller that read valid JSON of the wrong shape (a draft that does not
        validate, say): the file is kept, byte for byte, as ``<file>.corrupt-<UTC>``, and
        the next read finds no file.
        """
        with self.transaction():
            return self._set_aside()

    def close(self) -> None:
        # Nothing stays open between calls (the lock file is opened per transaction)
        pass

    def _load(self) -> dict[str, dict[str, Any]] | None:
        """The file's tables, ``None`` if it is missing or empty; ``_Invalid`` if corrupt."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw:
            return None
        try:
            data = json.loads(raw.decode(self.encoding))
        except UnicodeDecodeError as error:
            raise _Invalid(f"not valid {self.encoding}: {error}") from None
        except json.JSONDecodeError as error:
            raise _Invalid(f"invalid JSON: {error}") from None
        except RecursionError:  # valid JSON nested deeper than Python's parser goes
            raise _Invalid("JSON nested too deeply") from None
        except ValueError as error:  # e.g. an integer of more than 4,300 digits
            raise _Invalid(f"unusable JSON: {error}") from None
        if not isinstance(data, dict):
            raise _Invalid(f"the top level is a JSON {type(data).__name__}, not an object of tables")
        for name, table in data.items():
            if not isinstance(table, dict):
                raise _Invalid(f"table {name!r} is a JSON {type(table).__name__}, not an object of documents")
            for doc_id, document in table.items():
                if not isinstance(document, dict):
                    raise _Invalid(f"document {doc_id!r} in table {name!r} is a JSON {type(document).__name__}, not an object")
        return data

    def _set_aside(self) -> Path:
        """Move the (corrupt) file to a new ``.corrupt-<UTC timestamp>`` name; return that path."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        moved_to = self.path.with_name(f"{self.path.name}{self.CORRUPT_MARKER}{stamp}")
        counter = 1
        while moved_to.exists():
            moved_to = self.path.with_name(f"{self.path.name}{self.CORRUPT_MARKER}{stamp}-{counter}")
            counter += 1
        os.rename(self.path, moved_to)
        self._fsync_directory()
        return moved_to

    def _temp_path(self, token: str) -> Path:
        return self.path.with_name(f".{self.path.name}{self.TEMP_MARKER}{token}")

    def _remove_leftover_temp_files(self) -> None:
        """Delete temporary files left by a writer that died; call holding the lock.

        A live writer holds the lock for as long as its temporary file exists, so any
        temporary file seen under the lock belongs to a dead one.
        """
        prefix = self._temp_path("").name
        token = re.compile(f"[0-9a-f]{{{2 * self.TEMP_TOKEN_BYTES}}}")
        with os.scandir(self.path.parent) as entries:
            leftovers = [
                entry.path for entry in entries
                if entry.name.startswith(prefix) and token.fullmatch(entry.name[len(prefix):])
            ]
        for leftover in leftovers:
            os.unlink(leftover)
            logger.info("Removed %s, left by an interrupted write to %s", leftover, self.path)

    def _fsync_directory(self) -> None:
        if not self.DURABLE:
            return
        fd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _in_transaction(method):
    """Run a ``Table`` method inside its storage's ``transaction()``, with fresh state."""

    @functools.wraps(method)
    def locked(self: Table, *args, **kwargs):
        with self.storage.transaction():
            # Another writer may have added documents since this table counted them
            self._next_id = None
            return method(self, *args, **kwargs)

    return locked


class LockingTable(Table):
    """A TinyDB table whose every write is one transaction on its ``AtomicJSONStorage``.

    Each write operation takes the lock, re-reads the file, makes its change and writes
    it back before letting go, so concurrent writers (threads, processes) never overwrite
    each other's changes and never hand out the same document id. The query cache is off
    (``cache_size=0``), as results cached here go stale when another process writes.
    """

    def __init__(self, storage: Storage, name: str, cache_size: int = 0, persist_empty: bool = False):
        super().__init__(storage, name, cache_size=cache_size, persist_empty=persist_empty)

    # update, update_multiple, remove and truncate are one _update_table call each;
    # insert and insert_multiple pick document ids first; upsert is update then insert.
    insert = _in_transaction(Table.insert)
    insert_multiple = _in_transaction(Table.insert_multiple)
    upsert = _in_transaction(Table.upsert)
    _update_table = _in_transaction(Table._update_table)


class LockingTinyDB(TinyDB):
    """``TinyDB`` on an ``AtomicJSONStorage`` (by default) with ``LockingTable`` tables.

    ``LockingTinyDB(path)`` is the safe way for several threads or processes to write one
    file. Pass ``on_corrupt=...`` or ``json.dumps`` arguments as with ``TinyDB``.
    """

    table_class = LockingTable
    default_storage_class = AtomicJSONStorage

    def drop_table(self, name: str) -> None:
        with self.storage.transaction():
            super().drop_table(name)
