"""Drafts and sessions, one TinyDB file per user, saved after every accepted answer.

Saving one answer touches only that user's file, so it costs in proportion to that
user's data, not everyone's.
"""

from __future__ import annotations

from pathlib import Path

from tinydb import Query

from bot.conversation.state import Draft, Session
from store.user_files import PerUserDB

_doc = Query()


class DraftStore:
    def __init__(self, directory: Path):
        self.files = PerUserDB(Path(directory) / "users")

    def session(self, user: str) -> Session:
        rows = self.files.db(user).table("session").all()
        return Session.model_validate(rows[0]) if rows else Session(user=user)

    def drafts(self, user: str) -> list[Draft]:
        return [Draft.model_validate(row) for row in self.files.db(user).table("drafts").all()]

    def draft(self, user: str, draft_id: str) -> Draft | None:
        row = self.files.db(user).table("drafts").get(_doc.id == draft_id)
        return Draft.model_validate(row) if row else None

    def save(self, session: Session, drafts: list[Draft]) -> None:
        """Write the session and the changed drafts; durable when this returns."""
        db = self.files.db(session.user)
        for draft in drafts:
            db.table("drafts").upsert(draft.model_dump(mode="json"), _doc.id == draft.id)
        db.table("session").upsert(session.model_dump(mode="json"), _doc.user == session.user)

    def save_draft(self, draft: Draft) -> None:
        """Write one draft (another user's, e.g. a reviewer's verdict on it)."""
        self.files.db(draft.user).table("drafts").upsert(draft.model_dump(mode="json"), _doc.id == draft.id)

    def users(self) -> list[str]:
        return self.files.users()

    def close(self) -> None:
        self.files.close()
