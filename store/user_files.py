"""One TinyDB file per user, so saving one user's answer costs in proportion to their data.

TinyDB rewrites its whole file on every write. With every user's drafts in one file, a
save costs time in proportion to all users' data; with one file per user it costs only
that user's. Each file is written by ``AtomicJSONStorage`` (atomic, fsynced, locked), and
there is deliberately no ``CachingMiddleware``: every write is on disk when it returns.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Self

from jixiao.store.safe_storage import AtomicJSONStorage, LockingTinyDB
from tinydb import TinyDB

__all__ = ["PerUserDB"]

logger = logging.getLogger(__name__)


class PerUserDB:
    """A directory of TinyDB files, one per user key, opened on demand and kept open.

    ``db(user_key)`` returns that user's ``LockingTinyDB`` (a ``tinydb.TinyDB``), so each
    write operation is atomic, durable and serialised with other threads and processes
    writing the same user's file. User keys can be any string ("tg:12345",
    "console:张三"); the file name is a readable ASCII slug of the key plus a hash of it
    (``file_name``). The original key is kept in the file's ``META_TABLE`` so ``users()``
    can list the keys; do not drop that table.

    ``on_corrupt`` is passed to ``AtomicJSONStorage`` (``None``: its default, "raise"), so
    ``db()`` raises ``CorruptStoreError`` for a user whose file is corrupt.
    """

    #: File name ending of user files.
    SUFFIX = ".json"
    #: Longest readable part of a file name, in characters.
    SLUG_MAX = 40
    #: Hex digits of the key's SHA-256 in the file name (64 bits: collisions are detected anyway).
    HASH_HEX = 16
    #: Table holding one document ``{"user_key": ...}``.
    META_TABLE = "_meta"

    def __init__(self, directory: str | os.PathLike, *, on_corrupt: str | None = None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.on_corrupt = on_corrupt
        self._dbs: dict[str, TinyDB] = {}
        self._paths: dict[str, Path] = {}
        self._lock = threading.Lock()

    @classmethod
    def file_name(cls, user_key: str) -> str:
        """``<slug>-<hash>.json``: letters, digits, ``_`` and ``-`` only, never hidden."""
        digest = hashlib.sha256(user_key.encode("utf-8", "surrogatepass")).hexdigest()[: cls.HASH_HEX]
        slug = re.sub(r"[^A-Za-z0-9_-]+", "_", user_key).strip("_-")[: cls.SLUG_MAX] or "user"
        return f"{slug}-{digest}{cls.SUFFIX}"

    def path(self, user_key: str) -> Path:
        path = self._paths.get(user_key)
        if path is None:  # a hash and a regular expression: worth keeping, it is asked at every answer
            path = self._paths[user_key] = self.directory / self.file_name(user_key)
        return path

    def db(self, user_key: str) -> TinyDB:
        """The user's database, opened (and its file created) on first use."""
        with self._lock:
            db = self._dbs.get(user_key)
            if db is None:
                db = LockingTinyDB(self.path(user_key), on_corrupt=self.on_corrupt)
                self._claim(db, user_key)
                self._dbs[user_key] = db
            return db

    def storage(self, user_key: str) -> AtomicJSONStorage:
        """The user's file as a storage (``read``/``write``/``transaction``/``set_aside``)."""
        return self.db(user_key).storage

    def lock_order(self, user_key: str) -> str:
        """The key that orders locks when several users' files are held at once (their names)."""
        return self.path(user_key).name

    def users(self) -> list[str]:
        """The user keys that have a file here, sorted. Unreadable files are skipped with a warning."""
        keys = []
        for path in sorted(self.directory.glob("*" + self.SUFFIX)):
            try:
                # Files are only ever replaced whole, so this reads one complete version
                rows = json.loads(path.read_bytes().decode("utf-8")).get(self.META_TABLE, {})
                key = next(iter(rows.values()))["user_key"]
            except (OSError, ValueError, AttributeError, StopIteration, KeyError, TypeError) as error:
                logger.warning("Skipping %s: no user key readable in it (%s)", path, error)
                continue
            if isinstance(key, str) and self.file_name(key) == path.name:
                keys.append(key)
            else:
                logger.warning("Skipping %s: its user key %r does not match its name", path, key)
        return sorted(keys)

    def close(self) -> None:
        with self._lock:
            for db in self._dbs.values():
                db.close()
            self._dbs.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _claim(self, db: TinyDB, user_key: str) -> None:
        """Record ``user_key`` in a new file; refuse a file that belongs to another key."""
        meta = db.table(self.META_TABLE)
        with db.storage.transaction():
            rows = meta.all()
            if not rows:
                if not db.storage.read():  # a new file; one with data but no key is left as it is for its reader to judge
                    meta.insert({"user_key": user_key})
            elif rows[0].get("user_key") != user_key:
                raise ValueError(
                    f"{self.path(user_key)} belongs to user key {rows[0].get('user_key')!r}, not {user_key!r}"
                )
