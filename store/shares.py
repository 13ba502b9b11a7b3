"""Review codes: a drafter hands a one-time code to a reviewer.

One small file for everyone (a code must be found whoever opens it), a table ``shares``
of :class:`~jixiao.bot.conversation.state.Share` documents, written through the
crash-safe storage under its writers' lock. ``claim`` is a compare-and-set inside that
lock: the first reviewer to open a code holds it, everyone else is refused. Whether a
code still opens anything (expired, superseded, decided) is the engine's business; the
store only forgets shares older than the engine says (``add(..., forget_before=)``), so
the file stays small.

A file that cannot be read (bad JSON, or shares of the wrong shape) is set aside as
``shares.json.corrupt-<UTC>`` and logged; the call that found it raises ``DamagedStore``
so the user in front of it hears the truth, and the store starts empty.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from jixiao.bot.conversation.state import Share
from jixiao.bot.conversation.stores import DamagedStore
from jixiao.store.memory import MemoryStorage
from jixiao.store.safe_storage import AtomicJSONStorage, CorruptStoreError
from pydantic import ValidationError

__all__ = ["ALPHABET", "CODE_LENGTH", "MemoryShareStore", "ShareStore", "new_code"]

logger = logging.getLogger(__name__)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped
CODE_LENGTH = 8
TABLE = "shares"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal(code: str) -> str:
    return code.strip().upper()


class ShareStore:
    """Share codes in ``<directory>/shares.json``."""

    FILE_NAME = "shares.json"

    def __init__(self, directory: Path | None = None, *, storage=None):
        if storage is None:
            Path(directory).mkdir(parents=True, exist_ok=True)
            storage = self._open(Path(directory) / self.FILE_NAME)
        self.storage = storage

    @staticmethod
    def _open(path: Path) -> AtomicJSONStorage:
        try:
            return AtomicJSONStorage(path)
        except CorruptStoreError as error:  # at start-up: set aside already; start anyway
            logger.error("event=shares_file_damaged path=%s moved_to=%s reason=%s", path, error.moved_to, error.reason)
            return AtomicJSONStorage(path)

    # ------------------------------------------------------------------ the protocol
    def get(self, code: str) -> Share | None:
        return self._shares().get(normal(code))

    def add(self, share: Share, *, forget_before: str | None = None) -> bool:
        with self.storage.transaction():
            shares = self._shares()
            if share.code in shares:  # drawn twice (1 in 10^12): the caller draws again
                return False
            if forget_before is not None:
                shares = {code: s for code, s in shares.items() if s.created >= forget_before}
            shares[share.code] = share
            self._write(shares)
            return True

    def claim(self, code: str, reviewer: str) -> bool:
        with self.storage.transaction():  # compare and set: one reviewer wins
            shares = self._shares()
            share = shares.get(normal(code))
            if share is None or share.reviewer not in (None, reviewer):
                return False
            if share.reviewer is None:
                shares[share.code] = share.model_copy(update={"reviewer": reviewer})
                self._write(shares)
            return True

    def close(self) -> None:
        self.storage.close()

    # ------------------------------------------------------------------ inside
    def _shares(self) -> dict[str, Share]:
        try:
            data = self.storage.read() or {}
        except CorruptStoreError as error:
            raise self._damaged(str(error.moved_to), error.reason) from None
        try:
            shares = [Share.model_validate(doc) for doc in data.get(TABLE, {}).values()]
        except (ValidationError, TypeError, AttributeError) as error:
            moved_to = str(self.storage.set_aside())
            raise self._damaged(moved_to, f"{type(error).__name__}: {str(error)[:300]}") from None
        return {share.code: share for share in shares}

    def _damaged(self, moved_to: str, reason: str) -> DamagedStore:
        path = str(getattr(self.storage, "path", self.storage))
        logger.error("event=shares_file_damaged path=%s moved_to=%s reason=%s", path, moved_to, reason)
        return DamagedStore(path, moved_to)

    def _write(self, shares: dict[str, Share]) -> None:
        self.storage.write({TABLE: {str(i): s.model_dump(mode="json") for i, s in enumerate(shares.values(), 1)}})


class MemoryShareStore(ShareStore):
    """The same codes in memory (engine tests, and an engine built without a data directory)."""

    def __init__(self):
        super().__init__(storage=MemoryStorage("memory:shares"))
