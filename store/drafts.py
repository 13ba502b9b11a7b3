"""Drafts and sessions, one TinyDB file per user, saved after every accepted answer.

Saving one answer touches only that user's file, so it costs in proportion to that
user's data, not everyone's. One answer is one read and one atomic write of that file:
:meth:`DraftStore.load` reads the session and the drafts together, and
:meth:`DraftStore.save` writes them in a single transaction.
"""

from __future__ import annotations

from pathlib import Path

from jixiao.bot.conversation.state import Draft, Session
from jixiao.store.user_files import PerUserDB
from tinydb import Query

_doc = Query()
SESSION, DRAFTS = "session", "drafts"


def _find(table: dict[str, dict], key: str, value: str) -> str | None:
    """The document id in a raw TinyDB table whose ``key`` field is ``value``."""
    return next((doc_id for doc_id, doc in table.items() if doc.get(key) == value), None)


def _next_id(table: dict[str, dict]) -> str:
    return str(max((int(doc_id) for doc_id in table), default=0) + 1)


class DraftStore:
    def __init__(self, directory: Path):
        self.files = PerUserDB(Path(directory) / "users")

    def load(self, user: str) -> tuple[Session, list[Draft]]:
        """The user's session and all their drafts, from one read of their file."""
        data = self.files.db(user).storage.read() or {}
        sessions = list(data.get(SESSION, {}).values())
        session = Session.model_validate(sessions[0]) if sessions else Session(user=user)
        return session, [Draft.model_validate(doc) for doc in data.get(DRAFTS, {}).values()]

    def session(self, user: str) -> Session:
        return self.load(user)[0]

    def drafts(self, user: str) -> list[Draft]:
        return self.load(user)[1]

    def draft(self, user: str, draft_id: str | None) -> Draft | None:
        row = self.files.db(user).table(DRAFTS).get(_doc.id == draft_id)
        return Draft.model_validate(row) if row else None

    def save(self, session: Session, drafts: list[Draft]) -> None:
        """Write the session and the changed drafts in one atomic write; durable when this returns."""
        storage = self.files.db(session.user).storage
        with storage.transaction():  # read-modify-write under the writers' lock
            data = storage.read() or {}
            table = data.setdefault(DRAFTS, {})
            for draft in drafts:
                doc_id = _find(table, "id", draft.id) or _next_id(table)
                table[doc_id] = draft.model_dump(mode="json")
            sessions = data.setdefault(SESSION, {})
            sessions[_find(sessions, "user", session.user) or _next_id(sessions)] = session.model_dump(mode="json")
            storage.write(data)

    def save_draft(self, draft: Draft) -> None:
        """Write one draft (another user's, e.g. a reviewer's verdict on it)."""
        self.files.db(draft.user).table(DRAFTS).upsert(draft.model_dump(mode="json"), _doc.id == draft.id)

    def users(self) -> list[str]:
        return self.files.users()

    def close(self) -> None:
        self.files.close()
