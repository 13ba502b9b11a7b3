"""Effects: what a turn asks the engine to do beyond the user's own session and drafts.

The user's own changes need no effect: the engine compares the session and drafts after
the turn with those it loaded and writes what changed (deleted drafts included). Steps
and review stages return these for everything else; ``Engine.commit`` carries them out
in one place, in this order:

1. ``ClaimShare`` and ``AddShare`` on the share store (a lost claim re-runs the turn),
2. the user's own file together with every ``SaveDraft`` (another user's draft) — one
   commit, refused as a whole if any of those files moved past the revision loaded
   (the turn is then re-run on the fresh state),
3. ``AddOwnFiling``, then every ``Notify`` joins the replies.
"""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.bot.conversation.replies import Reply
from jixiao.bot.conversation.state import Draft, Share
from jixiao.bot.domain.models import Filing


@dataclass(frozen=True)
class SaveDraft:
    """Save ``draft`` (another user's: a verdict on it) if its file is still at ``revision``."""

    draft: Draft
    revision: int


@dataclass(frozen=True)
class AddShare:
    """Keep a new review code."""

    share: Share


@dataclass(frozen=True)
class ClaimShare:
    """Bind ``code`` to ``reviewer``; someone else holding it already makes the turn re-run."""

    code: str
    reviewer: str


@dataclass(frozen=True)
class AddOwnFiling:
    """An approved table, or one read from a file the user sent, joins our own corpus
    (stored apart from the seeds, and searchable at once)."""

    filing: Filing


@dataclass(frozen=True)
class Notify:
    """Tell another user something (``reply.to`` names them), once the turn is stored."""

    reply: Reply


Effect = SaveDraft | AddShare | ClaimShare | AddOwnFiling | Notify
