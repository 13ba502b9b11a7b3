"""What the engine needs from storage: three small Protocols, and what moves between them.

* :class:`DraftStore` — each user's session and drafts, loaded together with the
  revision of that user's file; :meth:`DraftStore.commit` writes one or more users'
  changes only if none of their files moved past the revision loaded
  (``StaleRevision`` otherwise, and nothing is written). ``store.drafts.DraftStore``
  keeps a JSON file per user (locked across processes); ``MemoryDraftStore`` the same
  in memory.
* :class:`ShareStore` — review codes. ``claim`` is a compare-and-set: the first
  reviewer wins, everyone else gets ``False``.
* :class:`OwnFilings` — where approved tables go (``store.corpus.OwnFilingStore``).

No step touches these: the engine loads a turn's state through them first and carries
out the turn's effects through them afterwards (``engine.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from jixiao.bot.conversation.state import Draft, Session, Share
from jixiao.bot.domain.models import Filing


class StaleRevision(Exception):
    """A user's file changed since the turn loaded it; the turn is re-run on the fresh state."""

    def __init__(self, user: str, loaded: int, found: int):
        super().__init__(user, loaded, found)
        self.user, self.loaded, self.found = user, loaded, found

    def __str__(self) -> str:
        return f"{self.user}: loaded revision {self.loaded}, the file is at {self.found}"


class DamagedStore(Exception):
    """A shared file could not be read and was set aside (``moved_to``); it starts empty."""

    def __init__(self, path: str, moved_to: str):
        super().__init__(path, moved_to)
        self.path, self.moved_to = path, moved_to

    def __str__(self) -> str:
        return f"{self.path} was damaged and set aside as {self.moved_to}"


@dataclass
class UserState:
    """One user's file as loaded: the session, the drafts, and the file's revision."""

    user: str
    session: Session
    drafts: list[Draft]
    revision: int = 0


@dataclass(frozen=True)
class UserWrite:
    """What one turn changes in one user's file, valid only at ``revision``."""

    user: str
    revision: int
    session: Session | None = None  # None: the session is left as it is
    drafts: tuple[Draft, ...] = ()  # written whole, replacing the stored draft of the same id
    deleted: tuple[str, ...] = field(default=())  # draft ids to remove


class DraftStore(Protocol):
    def load(self, user: str) -> UserState:
        """The user's session and drafts (empty for a new user). A damaged file is set aside
        and the user starts afresh, ``session.damaged`` naming where the old file went."""

    def commit(self, writes: list[UserWrite]) -> None:
        """All of ``writes`` or nothing: ``StaleRevision`` if any file is past its revision."""

    def users(self) -> list[str]: ...

    def close(self) -> None: ...


class ShareStore(Protocol):
    def get(self, code: str) -> Share | None:
        """The share of ``code`` (any case); ``DamagedStore`` if the file had to be set aside."""

    def add(self, share: Share, *, forget_before: str | None = None) -> bool:
        """Keep ``share`` (False if its code is taken); shares created before ``forget_before`` are dropped."""

    def claim(self, code: str, reviewer: str) -> bool:
        """Bind ``code`` to ``reviewer`` unless another reviewer holds it; True if ``reviewer`` holds it now."""

    def close(self) -> None: ...


class OwnFilings(Protocol):
    def upsert(self, filings: list[Filing]) -> int:
        """Store ``filings`` by key (replacing older copies); returns how many were new."""
