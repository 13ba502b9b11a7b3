"""Share codes: a drafter hands a one-time code to a reviewer.

One small file for everyone (codes must be found whoever opens them); written through
the crash-safe, locked storage. A code binds to the first allowed user who opens it;
after that nobody else can use it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from pathlib import Path

from jixiao.store.safe_storage import LockingTinyDB
from tinydb import Query

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped
CODE_LENGTH = 8
_share = Query()


class ShareStore:
    FILE_NAME = "shares.json"

    def __init__(self, directory: Path):
        Path(directory).mkdir(parents=True, exist_ok=True)
        self._db = LockingTinyDB(Path(directory) / self.FILE_NAME, ensure_ascii=False)
        self._table = self._db.table("shares")

    def create(self, owner: str, draft_id: str, version: int) -> str:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        self._table.insert({
            "code": code, "owner": owner, "draft": draft_id, "version": version, "reviewer": None,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        })
        return code

    def get(self, code: str) -> dict | None:
        return self._table.get(_share.code == code.strip().upper())

    def claim(self, code: str, reviewer: str) -> dict | None:
        """The share, bound to ``reviewer`` if nobody opened it yet; ``None`` if someone else did."""
        share = self.get(code)
        if share is None:
            return None
        if share["reviewer"] in (None, reviewer):
            self._table.update({"reviewer": reviewer}, _share.code == share["code"])
            return {**share, "reviewer": reviewer}
        return None

    def close(self) -> None:
        self._db.close()
