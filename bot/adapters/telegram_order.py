"""Per-user order for concurrent updates: many users at once, each user's updates one by one.

PTB's ``concurrent_updates`` runs updates as parallel tasks, which could apply a user's
second message before their first. :class:`PerUserOrder` (PTB's hook for exactly this, a
``BaseUpdateProcessor``) makes each user's updates wait for the previous one: asyncio
locks are fair and tasks start in arrival order, so updates are handled in the order
Telegram delivered them. Locks exist only while a user has updates in flight.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 256


class PerUserOrder(BaseUpdateProcessor):
    """Updates run concurrently across users, strictly one after another for each user."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES):
        super().__init__(max_concurrent_updates)
        self._locks: dict[object, tuple[asyncio.Lock, int]] = {}

    @staticmethod
    def key(update: object) -> object:
        if isinstance(update, Update) and update.effective_user is not None:
            return update.effective_user.id
        return ("update", getattr(update, "update_id", id(update)))

    async def do_process_update(self, update, coroutine) -> None:
        key = self.key(update)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
