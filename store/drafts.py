"""Drafts and sessions, one file per user, with a revision number against lost updates.

A user's file holds TinyDB tables: ``_meta`` (the file's **revision**, a **generation**
drawn when the file is made, and the user key — written first, so the start of the file
says which version it is), ``session`` (one document) and ``drafts`` (one per draft).
An answer is one load (:meth:`DraftStore.load`) and one atomic write
(:meth:`DraftStore.commit`), which

1. takes the writers' lock of every file it writes (``fcntl`` across processes, in one
   fixed order so two commits never wait on each other),
2. reads the revision at the start of each file and compares it with the one loaded; if
   any moved on (another process, a reviewer's verdict) it raises ``StaleRevision`` and
   writes nothing — the engine re-runs the turn on the fresh state,
3. writes each file with its revision plus one.

**Each file is read once, not at every answer.** The store keeps the last version of each
file it read or wrote (every document as its JSON text; the least recently used are
dropped past :attr:`DraftStore.CACHE_BYTES`). A load uses it while the file's stamp
(inode, size, modification time) is unchanged; a commit uses it as the base of the new
version only when the file's start shows the cached revision *and* generation, under the
lock — so a file changed by another process, or set aside and made again, is always read
afresh. Documents that did not change are written back as the text they were read as.

A file that is not valid JSON, or valid JSON of the wrong shape, is moved aside to
``<file>.corrupt-<UTC>`` (logged with both paths) and replaced by a fresh one whose
session names where the old one went, so the user is told the truth at their next turn
and can carry on. :class:`MemoryDraftStore` is the same store in memory (engine tests).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from collections import OrderedDict
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.bot.conversation.state import Draft, Session
from jixiao.bot.conversation.stores import StaleRevision, UserState, UserWrite
from jixiao.store.journal import Journal, JournalError, Record, latest
from jixiao.store.memory import MemoryUserFiles
from jixiao.store.safe_storage import AtomicJSONStorage, CorruptStoreError
from jixiao.store.user_files import PerUserDB
from pydantic import BaseModel, ValidationError

__all__ = ["DraftStore", "MemoryDraftStore"]

logger = logging.getLogger(__name__)
SESSION, DRAFTS, META = "session", "drafts", PerUserDB.META_TABLE
HEAD = 512  # bytes read from the start of a file to find its revision and generation
HEAD_RE = re.compile(rb'\{"_meta": \{"1": \{"revision": (\d+), "generation": "([0-9a-f]+)"')


def document_json(model: BaseModel) -> str:
    """A document's JSON text; text that UTF-8 cannot hold (a lone surrogate) as \\u escapes."""
    try:
        return model.model_dump_json()
    except ValueError:  # pydantic refuses to encode a lone surrogate
        return json.dumps(model.model_dump(mode="json"), ensure_ascii=True)


@dataclass
class LoadedState(UserState):
    """A ``UserState`` with each document's JSON text as stored (draft id, ``""`` for the
    session): what the engine compares with to see what a turn changed."""

    texts: dict[str, str] = field(default_factory=dict)


@dataclass
class _Version:
    """One version of a user's file as this store last read or wrote it."""

    revision: int
    generation: str
    stamp: object  # the storage's stamp of this version (None: unknown, check the content)
    tables: dict[str, dict[str, str]]  # table → document id → JSON text (_meta apart)
    ids: dict[str, str] = field(default_factory=dict)  # draft id → its document id

    @property
    def size(self) -> int:
        return sum(len(text) for table in self.tables.values() for text in table.values())


def _find(table: dict[str, dict], key: str, value: str) -> str | None:
    """The document id in a raw TinyDB table whose ``key`` field is ``value``."""
    return next((doc_id for doc_id, doc in table.items() if doc.get(key) == value), None)


def _next_id(table: dict[str, dict]) -> str:
    return str(max((int(doc_id) for doc_id in table if doc_id.isdigit()), default=0) + 1)


def revision_of(data: dict | None) -> int:
    """The revision recorded in a user's raw file (0 for a new one)."""
    meta = next(iter((data or {}).get(META, {}).values()), {})
    revision = meta.get("revision", 0) if isinstance(meta, dict) else 0
    return revision if isinstance(revision, int) else 0


def parse(user: str, data: dict | None) -> UserState:
    """A raw file as a ``UserState``; ``ValueError`` (or ``ValidationError``) if its shape is wrong."""
    data = data or {}
    sessions = list(data.get(SESSION, {}).values())
    if len(sessions) > 1:
        raise ValueError(f"{len(sessions)} sessions in one user's file")
    session = Session.model_validate(sessions[0]) if sessions else Session(user=user)
    drafts = [Draft.model_validate(doc) for doc in data.get(DRAFTS, {}).values()]
    if session.user != user or any(d.user != user for d in drafts):
        raise ValueError("a session or draft of another user")
    return UserState(user, session, drafts, revision_of(data))


def parse_version(user: str, version: _Version) -> LoadedState:
    """The state a cached version holds (as :func:`parse`, from the documents' JSON)."""
    sessions = list(version.tables.get(SESSION, {}).values())
    if len(sessions) > 1:
        raise ValueError(f"{len(sessions)} sessions in one user's file")
    session = Session.model_validate_json(sessions[0]) if sessions else Session(user=user)
    drafts = [Draft.model_validate_json(text) for text in version.tables.get(DRAFTS, {}).values()]
    if session.user != user or any(d.user != user for d in drafts):
        raise ValueError("a session or draft of another user")
    texts = {d.id: text for d, text in zip(drafts, version.tables.get(DRAFTS, {}).values())}
    texts[""] = sessions[0] if sessions else document_json(session)
    return LoadedState(user, session, drafts, version.revision, texts)


def _generation_of(data: dict | None) -> str:
    meta = next(iter((data or {}).get(META, {}).values()), {})
    generation = meta.get("generation", "") if isinstance(meta, dict) else ""
    return generation if isinstance(generation, str) and re.fullmatch(r"[0-9a-f]*", generation) else ""


class DraftStore:
    """Each user's session and drafts in their own JSON file under ``<directory>/users``."""

    #: Characters of documents kept from the files last read or written (least recently used
    #: dropped first); Chinese text takes two bytes a character, so about twice as many bytes.
    CACHE_BYTES = 32 * 2**20

    def __init__(self, directory: Path | None = None, *, files=None, journal: bool = True):
        """The store of ``<directory>/users`` (or of ``files``: ``MemoryUserFiles`` for tests).
        Saves go through a write-ahead journal there (``store.journal``: one fsync for the
        saves of several users) unless ``journal=False``; journals left by processes that
        died are replayed first."""
        self.files = files if files is not None else PerUserDB(Path(directory) / "users")
        self._versions: OrderedDict[str, _Version] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()
        self.reads = 0  # whole files read and parsed (a statistic for benchmarks)
        self.journal: Journal | None = None
        users_dir = getattr(self.files, "directory", None)
        if journal and users_dir is not None:
            self.recover()
            self.journal = Journal(users_dir, durable=AtomicJSONStorage.DURABLE)

    # ------------------------------------------------------------------ the protocol
    def load(self, user: str) -> UserState:
        """The user's session and drafts: from the version kept of their file while the file
        is unchanged, else from one read of it."""
        try:
            storage = self.files.storage(user)  # opening a file checks it
            stamp = storage.stamp()
            version = self._cached(user)
            if version is not None and version.stamp is not None and version.stamp == stamp:
                try:
                    return parse_version(user, version)
                except (ValidationError, ValueError, TypeError, AttributeError):
                    self._forget(user)  # read the file itself below: it decides
            data = storage.read()
        except CorruptStoreError as error:  # not JSON: already moved aside by the storage
            return self._start_afresh(user, str(error.moved_to), error.reason)
        self.reads += 1
        try:
            state = parse(user, data)
        except (ValidationError, ValueError, TypeError, AttributeError) as error:  # JSON of the wrong shape
            moved_to = str(storage.set_aside())
            return self._start_afresh(user, moved_to, f"{type(error).__name__}: {str(error)[:300]}")
        texts = {d.id: document_json(d) for d in state.drafts}
        texts[""] = document_json(state.session)
        if data:  # stamped before the read: a file replaced meanwhile only makes the next load read again
            self._remember(user, self._version_of(data, stamp, texts))
        return LoadedState(user, state.session, state.drafts, state.revision, texts)

    def commit(self, writes: list[UserWrite]) -> None:
        """Every write, or none if any user's file is past the revision its write was made on."""
        ordered = sorted(writes, key=lambda w: self.files.lock_order(w.user))
        with ExitStack() as held:
            storages = []
            for write in ordered:  # one fixed order of locks: two commits never deadlock
                storage = self.files.storage(write.user)
                held.enter_context(storage.transaction())
                storages.append(storage)
            bases = [self._current(write.user, storage) for write, storage in zip(ordered, storages)]
            for write, base in zip(ordered, bases):
                if base.revision != write.revision:
                    self._forget(write.user)
                    raise StaleRevision(write.user, write.revision, base.revision)
            versions = [self._next(base, write) for write, base in zip(ordered, bases)]
            payloads = [self._payload(write.user, version) for write, version in zip(ordered, versions)]
            try:
                self._write(ordered, storages, versions, payloads)
            except BaseException:
                for write in ordered:
                    self._forget(write.user)
                raise
            for write, storage, version in zip(ordered, storages, versions):
                version.stamp = storage.stamp()  # still under the lock: nobody else has written
                self._remember(write.user, version)

    def _write(self, writes: list[UserWrite], storages: list, versions: list[_Version], payloads: list[bytes]) -> None:
        """The new files: through the journal (durable there first, then replaced without
        fsync), or each written durably on its own."""
        if self.journal is None:
            for storage, payload in zip(storages, payloads):
                storage.write_bytes(payload)
            return
        records = [Record(w.user, v.revision, v.generation, p) for w, v, p in zip(writes, versions, payloads)]

        def replace() -> None:
            for storage, payload in zip(storages, payloads):
                storage.write_bytes(payload, durable=False)

        try:
            self.journal.save(records, replace, {w.user: s for w, s in zip(writes, storages)})
        except JournalError as error:  # a new segment could not be made (a full disk, say): save directly
            logger.warning("event=journal_unavailable error=%s", error)
            for storage, payload in zip(storages, payloads):
                storage.write_bytes(payload)

    def recover(self) -> int:
        """Replays the journals of processes that died (see ``store.journal``): each file
        older than its latest record there, or unreadable, gets that record's content,
        durably. Returns how many files were written."""
        written = 0
        for path, records in Journal.leftovers(self.files.directory):
            for user, record in latest(records).items():
                try:
                    storage = self.files.storage(user)
                except CorruptStoreError as error:  # torn by the crash: set aside; the record replaces it
                    logger.error("event=user_file_damaged user=%s moved_to=%s reason=%s", user, error.moved_to,
                                 error.reason)
                    storage = self.files.storage(user)
                with storage.transaction():
                    if self._older(storage, record):
                        storage.write_bytes(record.payload)
                        written += 1
                self._forget(user)
            logger.info("event=journal_recovered path=%s records=%d", path, len(records))
        return written

    @staticmethod
    def _older(storage, record: Record) -> bool:
        """Whether the file is older than ``record`` (a missing or unreadable file is)."""
        found = HEAD_RE.match(storage.head(HEAD))
        if found is not None:  # a file made again since (another generation) is newer than any record of the old one
            return found[2].decode() == record.generation and int(found[1]) < record.revision
        try:
            data = storage.read()
        except CorruptStoreError:
            return True
        if not data:
            return True
        return _generation_of(data) in ("", record.generation) and revision_of(data) < record.revision

    def users(self) -> list[str]:
        return self.files.users()

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()
        self.files.close()

    # ------------------------------------------------------------------ conveniences (tests, benches, tools)
    def session(self, user: str) -> Session:
        return self.load(user).session

    def drafts(self, user: str) -> list[Draft]:
        return self.load(user).drafts

    def draft(self, user: str, draft_id: str | None) -> Draft | None:
        return next((d for d in self.load(user).drafts if d.id == draft_id), None)

    def save_draft(self, draft: Draft) -> None:
        """Write one draft whatever the revision (tools and tests; the engine uses ``commit``)."""
        storage = self.files.storage(draft.user)
        with storage.transaction():
            data = storage.read() or {}
            storage.write(self._applied(data, UserWrite(draft.user, revision_of(data), drafts=(draft,))))

    # ------------------------------------------------------------------ inside
    def _current(self, user: str, storage) -> _Version:
        """The file as it is now (call holding its lock): the kept version if the file's start
        shows its revision and generation, else read."""
        found = HEAD_RE.match(storage.head(HEAD))
        version = self._cached(user)
        if found is not None and version is not None and version.generation \
                and (int(found[1]), found[2].decode()) == (version.revision, version.generation):
            return version
        data = storage.read() or {}
        self.reads += 1
        return self._version_of(data, None, None)

    @staticmethod
    def _version_of(data: dict, stamp, texts: dict[str, str] | None) -> _Version:
        """A version from a file's parsed data; ``texts`` (from :meth:`load`) are the drafts'
        and session's canonical JSON, the other documents keep their own."""
        tables = {}
        for name, table in data.items():
            if name == META:
                continue
            tables[name] = {doc_id: json.dumps(doc, ensure_ascii=False) for doc_id, doc in table.items()}
        ids = {doc.get("id"): doc_id for doc_id, doc in data.get(DRAFTS, {}).items() if isinstance(doc, dict)}
        if texts is not None:
            for draft_id, doc_id in ids.items():
                tables[DRAFTS][doc_id] = texts.get(draft_id, tables[DRAFTS][doc_id])
            for doc_id in data.get(SESSION, {}):
                tables[SESSION][doc_id] = texts[""]
        return _Version(revision_of(data), _generation_of(data), stamp, tables, ids)

    @staticmethod
    def _next(base: _Version, write: UserWrite) -> _Version:
        """The version after ``write`` (the base is left as it is)."""
        tables = {name: dict(table) for name, table in base.tables.items()}
        drafts, ids = tables.setdefault(DRAFTS, {}), dict(base.ids)
        for draft in write.drafts:
            doc_id = ids.get(draft.id) or _next_id(drafts)
            drafts[doc_id] = document_json(draft)
            ids[draft.id] = doc_id
        for draft_id in write.deleted:
            doc_id = ids.pop(draft_id, None)
            if doc_id is not None:
                drafts.pop(doc_id, None)
        if write.session is not None:
            sessions = tables.setdefault(SESSION, {})
            sessions[next(iter(sessions), "1")] = document_json(write.session)
        return _Version(base.revision + 1, base.generation or secrets.token_hex(8), None, tables, ids)

    @staticmethod
    def _payload(user: str, version: _Version) -> bytes:
        """The file's bytes: ``_meta`` first (revision, generation, then the user key), then each table."""
        meta = {"revision": version.revision, "generation": version.generation, "user_key": user}
        parts = [f'{{"_meta": {{"1": {json.dumps(meta, ensure_ascii=False)}}}']
        for name, table in version.tables.items():
            documents = ", ".join(f"{json.dumps(doc_id)}: {text}" for doc_id, text in table.items())
            parts.append(f"{json.dumps(name, ensure_ascii=False)}: {{{documents}}}")
        return (", ".join(parts) + "}").encode("utf-8", "surrogatepass")

    def _cached(self, user: str) -> _Version | None:
        with self._lock:
            version = self._versions.get(user)
            if version is not None:
                self._versions.move_to_end(user)
            return version

    def _remember(self, user: str, version: _Version) -> None:
        with self._lock:
            old = self._versions.pop(user, None)
            self._cached_bytes -= old.size if old is not None else 0
            self._versions[user] = version
            self._cached_bytes += version.size
            while self._cached_bytes > self.CACHE_BYTES and len(self._versions) > 1:
                _, dropped = self._versions.popitem(last=False)
                self._cached_bytes -= dropped.size

    def _forget(self, user: str) -> None:
        with self._lock:
            old = self._versions.pop(user, None)
            self._cached_bytes -= old.size if old is not None else 0

    def _applied(self, data: dict, write: UserWrite) -> dict:
        """``data`` with ``write`` applied and the revision raised by one (``_meta`` first, as
        :meth:`_payload` writes it); the version kept of the file is dropped."""
        table = data.setdefault(DRAFTS, {})
        for draft in write.drafts:
            table[_find(table, "id", draft.id) or _next_id(table)] = draft.model_dump(mode="json")
        for draft_id in write.deleted:
            doc_id = _find(table, "id", draft_id)
            if doc_id is not None:
                del table[doc_id]
        if write.session is not None:
            sessions = data.setdefault(SESSION, {})
            sessions[_find(sessions, "user", write.user) or _next_id(sessions)] = write.session.model_dump(mode="json")
        meta = data.pop(META, {})
        doc_id = next(iter(meta), "1")
        old = meta.get(doc_id, {}) if isinstance(meta.get(doc_id), dict) else {}
        fields = {k: v for k, v in old.items() if k not in ("revision", "generation", "user_key")}
        meta = {doc_id: {"revision": revision_of({META: meta}) + 1,
                         "generation": _generation_of({META: meta}) or secrets.token_hex(8),
                         "user_key": write.user, **fields}}
        self._forget(write.user)
        return {META: meta, **data}

    def _start_afresh(self, user: str, moved_to: str, reason: str) -> UserState:
        """A new file for ``user`` whose session says where the damaged one went."""
        logger.error("event=user_file_damaged user=%s moved_to=%s reason=%s", user, moved_to, reason)
        storage = self.files.storage(user)
        with storage.transaction():
            data = storage.read() or {}  # empty now, unless a writer got in first
            try:
                state = parse(user, data)
            except (ValidationError, ValueError, TypeError, AttributeError):
                state, data = UserState(user, Session(user=user), []), {}
            state.session.damaged = moved_to
            storage.write(self._applied(data, UserWrite(user, state.revision, session=state.session)))
            return parse(user, storage.read())


class MemoryDraftStore(DraftStore):
    """The same store with every user's file in memory (``store.memory.MemoryUserFiles``)."""

    def __init__(self):
        super().__init__(files=MemoryUserFiles())
