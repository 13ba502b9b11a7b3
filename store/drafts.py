"""Drafts and sessions, one file per user, with a revision number against lost updates.

A user's file holds TinyDB tables: ``session`` (one document), ``drafts`` (one per draft)
and ``_meta`` (the user key and the file's **revision**). One answer is one read
(:meth:`DraftStore.load`) and one atomic write (:meth:`DraftStore.commit`), which

1. takes the writers' lock of every file it writes (``fcntl`` across processes, in one
   fixed order so two commits never wait on each other),
2. re-reads each file and compares its revision with the one loaded; if any moved on
   (another process, a reviewer's verdict) it raises ``StaleRevision`` and writes
   nothing — the engine re-runs the turn on the fresh state,
3. writes each file with its revision plus one.

A file that is not valid JSON, or valid JSON of the wrong shape, is moved aside to
``<file>.corrupt-<UTC>`` (logged with both paths) and replaced by a fresh one whose
session names where the old one went, so the user is told the truth at their next turn
and can carry on. :class:`MemoryDraftStore` is the same store in memory (engine tests).
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from pathlib import Path

from jixiao.bot.conversation.state import Draft, Session
from jixiao.bot.conversation.stores import StaleRevision, UserState, UserWrite
from jixiao.store.memory import MemoryUserFiles
from jixiao.store.safe_storage import CorruptStoreError
from jixiao.store.user_files import PerUserDB
from pydantic import ValidationError

__all__ = ["DraftStore", "MemoryDraftStore"]

logger = logging.getLogger(__name__)
SESSION, DRAFTS, META = "session", "drafts", PerUserDB.META_TABLE


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


class DraftStore:
    """Each user's session and drafts in their own JSON file under ``<directory>/users``."""

    def __init__(self, directory: Path | None = None, *, files=None):
        self.files = files if files is not None else PerUserDB(Path(directory) / "users")

    # ------------------------------------------------------------------ the protocol
    def load(self, user: str) -> UserState:
        """The user's session and drafts, from one read of their file."""
        try:
            storage = self.files.storage(user)
            data = storage.read()
        except CorruptStoreError as error:  # not JSON: already moved aside by the storage
            return self._start_afresh(user, str(error.moved_to), error.reason)
        try:
            return parse(user, data)
        except (ValidationError, ValueError, TypeError, AttributeError) as error:  # JSON of the wrong shape
            moved_to = str(storage.set_aside())
            return self._start_afresh(user, moved_to, f"{type(error).__name__}: {str(error)[:300]}")

    def commit(self, writes: list[UserWrite]) -> None:
        """Every write, or none if any user's file is past the revision its write was made on."""
        ordered = sorted(writes, key=lambda w: self.files.lock_order(w.user))
        with ExitStack() as held:
            storages = []
            for write in ordered:  # one fixed order of locks: two commits never deadlock
                storage = self.files.storage(write.user)
                held.enter_context(storage.transaction())
                storages.append(storage)
            loaded = [storage.read() or {} for storage in storages]
            for write, data in zip(ordered, loaded):
                if revision_of(data) != write.revision:
                    raise StaleRevision(write.user, write.revision, revision_of(data))
            for write, storage, data in zip(ordered, storages, loaded):
                storage.write(self._applied(data, write))

    def users(self) -> list[str]:
        return self.files.users()

    def close(self) -> None:
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
    def _applied(self, data: dict, write: UserWrite) -> dict:
        """``data`` with ``write`` applied and the revision raised by one."""
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
        meta = data.setdefault(META, {})
        doc_id = next(iter(meta), "1")
        meta[doc_id] = {**meta.get(doc_id, {}), "user_key": write.user, "revision": revision_of(data) + 1}
        return data

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
