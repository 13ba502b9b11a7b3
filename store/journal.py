"""A write-ahead journal with group commit: one fsync makes several users' saves durable.

Saving an answer durably used to cost two fsyncs of its own (the new file, then its
directory). With several users answering at once those fsyncs queue behind each other in
the file system's journal, and every other file operation waits with them. Here a save

1. appends the new content of each file it writes (a *record*) to this process's journal
   and waits until the journal is on disk — if another thread is already syncing the
   journal, it waits for that sync and the next one covers its record together with
   everyone else's that arrived meanwhile (**group commit**: one ``fdatasync`` for all);
2. then replaces each file atomically *without* fsync (every reader sees the new version
   at once; only a power failure could lose it, and the journal holds it);
3. returns: the caller may acknowledge.

**Why nothing acknowledged is lost.** Step 3 comes after step 1, so an acknowledged save
is in a synced record. A file is replaced only after its record is synced, so whatever a
power failure leaves of the file (the old version, or a torn or empty one), a synced
record holds the version it must have. At start-up :meth:`Journal.recover` replays the
journals of processes that are gone (a live process holds its journal's ``flock``): for
each file the latest record is written back, durably, where the file is older (same
generation, lower revision) or unreadable. A record cut short by the crash fails its
CRC and ends the replay of that journal; it was never acknowledged.

**Segments.** The journal is written in segment files (up to :attr:`Journal.SEGMENT_BYTES`),
each made full of zeros (and synced) before the first record goes in, so that writing a
record changes no metadata and its ``fdatasync`` flushes data alone — a sync of a growing
file would force a commit of the file system's journal, which every file operation of
every thread then waits for. When a segment is full the next records go to a new one and,
once every save that used the old one has replaced its files, a background thread fsyncs
each file the old segment touched and deletes it. A closed journal does the same at once.

A record is ``MAGIC``, the body's length and CRC-32 (4 bytes each, little-endian), then the
body: one line of JSON (``{"user", "revision", "generation", "at"}``) and the file's bytes.
The zeros after the last record end the replay.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import secrets
import threading
import time
import weakref
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

MAGIC = b"JXR1"
PREFIX, SUFFIX = ".journal-", ".wal"


class JournalError(OSError):
    """The journal could not be written: the save did not happen (nothing was replaced)."""


@dataclass(frozen=True)
class Record:
    """The whole new content of one user's file at one revision."""

    user: str
    revision: int
    generation: str
    payload: bytes
    at: int = 0  # time.time_ns() when written: orders records of one file across journals


def encode(record: Record) -> bytes:
    header = json.dumps({"user": record.user, "revision": record.revision, "generation": record.generation,
                         "at": record.at or time.time_ns()}, ensure_ascii=False).encode("utf-8", "surrogatepass")
    body = header + b"\n" + record.payload
    return MAGIC + len(body).to_bytes(4, "little") + zlib.crc32(body).to_bytes(4, "little") + body


def decode(data: bytes) -> Iterator[Record]:
    """The whole records at the start of ``data``, up to the first that is cut short or damaged."""
    at = 0
    while at + 12 <= len(data) and data[at:at + 4] == MAGIC:
        length = int.from_bytes(data[at + 4:at + 8], "little")
        crc = int.from_bytes(data[at + 8:at + 12], "little")
        body = data[at + 12:at + 12 + length]
        if len(body) != length or zlib.crc32(body) != crc:
            return
        line, _, payload = body.partition(b"\n")
        try:
            header = json.loads(line.decode("utf-8", "surrogatepass"))
            yield Record(header["user"], int(header["revision"]), str(header["generation"]), payload, int(header["at"]))
        except (ValueError, KeyError, TypeError):
            return
        at += 12 + length


@dataclass(eq=False)  # compared (and hashed) by identity
class _Segment:
    path: Path
    fd: int
    capacity: int  # bytes written as zeros when it was made
    size: int = 0  # bytes given to records so far
    broken: bool = False  # a write failed: no more records go here
    active: int = 0  # saves that appended here and have not yet replaced their files
    touched: dict[str, Any] = field(default_factory=dict)  # user → storage of each file written
    current: bool = True


@dataclass
class _Ticket:
    segment: _Segment
    offset: int
    data: bytes
    done: bool = False
    error: BaseException | None = None


class Journal:
    """This process's journal in ``directory`` (segments made on first use)."""

    #: Bytes of a segment (written as zeros when it is made); the next records then go to a new one.
    #: The first segment is FIRST_SEGMENT_BYTES and each next one twice the last, up to SEGMENT_BYTES
    #: (a console session makes a small one; a busy bot soon writes in full-size segments).
    SEGMENT_BYTES = 4 * 2**20
    FIRST_SEGMENT_BYTES = 256 * 2**10

    def __init__(self, directory: Path, *, durable: bool = True):
        self.directory = Path(directory)
        self.durable = durable
        self._cond = threading.Condition()
        self._segment: _Segment | None = None
        self._queue: list[_Ticket] = []
        self._flushing = False
        self._retiring: list[threading.Thread] = []
        self.syncs = 0  # fdatasyncs of the journal (a statistic: saves ÷ syncs is the group size)
        self.saves = 0
        self._capacity = self.FIRST_SEGMENT_BYTES
        self._fds: list[int] = []  # every segment's descriptor: closed (the lock let go) when the journal goes
        weakref.finalize(self, _close_all, self._fds)
        atexit.register(_close_at_exit, weakref.ref(self))

    # ------------------------------------------------------------------ saving
    def save(self, records: list[Record], replace: Callable[[], None], touched: dict[str, Any]) -> None:
        """Make ``records`` durable here, then ``replace()`` the files they describe (``touched``:
        user → storage). Returns once both are done; raises, having replaced nothing, if the
        journal could not be written."""
        data = b"".join(encode(r) for r in records)
        with self._cond:
            try:
                segment = self._current(len(data))
            except OSError as error:
                raise JournalError(f"no journal segment could be made: {error}") from error
            ticket = _Ticket(segment, segment.size, data)
            segment.size += len(data)
            segment.active += 1
            segment.touched.update(touched)
            self._queue.append(ticket)
            self.saves += 1
        try:
            self._wait(ticket)
            replace()
        finally:
            with self._cond:
                segment.active -= 1
                self._retire_if_done(segment)

    def _current(self, size: int) -> _Segment:
        """The segment ``size`` more bytes of records go to: the current one if they fit, else
        a new one (the full one is retired once its saves are done)."""
        segment = self._segment
        if segment is not None and (segment.broken or segment.size + size > segment.capacity):
            segment.current = False
            self._segment = None
            self._retire_if_done(segment)
        if self._segment is None:
            self._segment = self._new_segment(max(min(self._capacity, self.SEGMENT_BYTES), size))
            self._capacity *= 2
        return self._segment

    def _new_segment(self, capacity: int) -> _Segment:
        """A segment file written full of zeros and synced, so that writing records into it
        later changes no metadata: its ``fdatasync`` flushes the data alone, without forcing a
        commit of the file system's own journal that every other file operation would wait for."""
        path = self.directory / f"{PREFIX}{os.getpid()}-{secrets.token_hex(6)}{SUFFIX}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # held while this process lives: recovery leaves it alone
            zeros = bytes(min(capacity, 2**20))
            for at in range(0, capacity, len(zeros)):
                os.pwrite(fd, zeros[: capacity - at], at)
            if self.durable:
                os.fsync(fd)
                _fsync_directory(self.directory)
        except BaseException:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        self._fds.append(fd)
        return _Segment(path, fd, capacity)

    def _retire_if_done(self, segment: _Segment) -> None:
        """Call holding the condition: a full segment whose saves are all done goes."""
        if not segment.current and segment.active == 0 and segment.fd >= 0:
            segment.active = -1  # retired once
            self._retire_later(segment)

    def _wait(self, ticket: _Ticket) -> None:
        """Until ``ticket``'s record is on disk: flush the queue ourselves, or wait for whoever is."""
        with self._cond:
            while not ticket.done:
                if self._flushing:
                    self._cond.wait()
                    continue
                batch, self._queue = self._queue, []
                self._flushing = True
                self._cond.release()
                try:
                    self._flush(batch)
                finally:
                    self._cond.acquire()
                    self._flushing = False
                    self._cond.notify_all()
            if ticket.error is not None:
                raise JournalError(f"the journal could not be written: {ticket.error}") from ticket.error

    def _flush(self, batch: list[_Ticket]) -> None:
        """Write and sync ``batch`` (called by one thread at a time, without the condition held)."""
        for segment in dict.fromkeys(t.segment for t in batch):
            mine = [t for t in batch if t.segment is segment]  # in the order of their offsets: one run
            data = b"".join(t.data for t in mine)
            try:
                at, view = mine[0].offset, memoryview(data)
                while view:
                    written = os.pwrite(segment.fd, view, at)
                    at, view = at + written, view[written:]
                if self.durable:
                    os.fdatasync(segment.fd)
                    self.syncs += 1
            except OSError as error:  # an I/O error: these saves fail, and later records go elsewhere
                segment.broken = True
                for ticket in mine:
                    ticket.error = error
            for ticket in mine:
                ticket.done = True

    # ------------------------------------------------------------------ retiring segments
    def _retire_later(self, segment: _Segment) -> None:
        thread = threading.Thread(target=self._retire, args=(segment,), name="journal-retire", daemon=True)
        self._retiring.append(thread)
        thread.start()

    def _retire(self, segment: _Segment) -> None:
        """Every file the segment's records describe is made durable; then the segment goes."""
        fd, segment.fd = segment.fd, -1
        if fd < 0:
            return
        try:
            for storage in segment.touched.values():
                storage.sync()
            os.unlink(segment.path)
            if self.durable:
                _fsync_directory(self.directory)
        except FileNotFoundError:  # the whole directory is gone (a temporary one, at exit): nothing to keep
            pass
        except OSError as error:  # left for the next start-up's recovery, which is harmless
            logger.warning("event=journal_retire_failed path=%s error=%s", segment.path, error)
        finally:
            if fd in self._fds:
                self._fds.remove(fd)
            os.close(fd)

    def close(self) -> None:
        """Retire the current segment now (waiting for saves in progress)."""
        with self._cond:
            segment, self._segment = self._segment, None
            while segment is not None and segment.active > 0:
                self._cond.wait(0.01)
            threads, self._retiring = self._retiring, []
        for thread in threads:
            thread.join()
        if segment is not None:
            self._retire(segment)

    # ------------------------------------------------------------------ after a crash
    @staticmethod
    def leftovers(directory: Path) -> Iterator[tuple[Path, list[Record]]]:
        """The records of each journal in ``directory`` whose process is gone, oldest first;
        each journal is deleted once the caller has gone on to the next (so a crash during
        recovery leaves it to be replayed again: replaying is idempotent)."""
        for path in sorted(Path(directory).glob(f"{PREFIX}*{SUFFIX}")):
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:  # retired meanwhile
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # its process is alive and owns it
                    continue
                with open(fd, "rb", closefd=False) as handle:
                    records = list(decode(handle.read()))
                yield path, records
                os.unlink(path)
            finally:
                os.close(fd)
        _fsync_directory(Path(directory))


def _close_all(fds: list[int]) -> None:
    """A journal dropped without ``close()``: let its locks go (its segments stay for recovery)."""
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
    fds.clear()


def _close_at_exit(ref: weakref.ref) -> None:
    journal = ref()
    if journal is not None:
        journal.close()


def latest(records: list[Record]) -> dict[str, Record]:
    """The newest record of each user's file."""
    newest: dict[str, Record] = {}
    for record in records:
        if record.user not in newest or record.at >= newest[record.user].at:
            newest[record.user] = record
    return newest


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
