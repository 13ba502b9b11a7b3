"""What steps are given and what they give back: the context, the turn, the outcomes.

A step's ``answer(draft, text, ctx)`` changes the draft it is given (a copy loaded for
this turn: nothing is stored until the engine commits) and returns an outcome. Commands
and the review's stages work on the whole :class:`Turn`. Anything beyond the user's own
session and drafts — another user's draft, a review code, the corpus — is asked for
through ``effects`` (``effects.py``), which the engine carries out after the turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from jixiao.bot.conversation.effects import Effect
from jixiao.bot.conversation.limits import CODE_TTL
from jixiao.bot.conversation.replies import Reply
from jixiao.bot.conversation.state import Draft, Session, Share
from jixiao.bot.conversation.stores import UserState
from jixiao.store.shares import new_code

if TYPE_CHECKING:  # the corpus types, for readers: steps only ask the corpus questions
    from jixiao.bot.retrieval.corpus import Corpus
    from jixiao.bot.retrieval.index import SearchIndex


# ------------------------------------------------------------------ outcomes
@dataclass(frozen=True)
class Next:
    """Accepted: go on to the next step of the flow (or back to where /edit came from)."""

    note: Reply | None = None
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Goto:
    """Accepted: go to ``step`` (one of the targets the flow table declares for this step)."""

    step: str
    note: Reply | None = None
    effects: tuple[Effect, ...] = ()
    in_place: bool = False  # the question replaces the message whose button was pressed


@dataclass(frozen=True)
class Stay:
    """Accepted, but this step asks again (a toggle, the list after one change)."""

    note: Reply | None = None
    in_place: bool = False
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Retry:
    """Rejected: say why and ask the same question again; nothing is lost."""

    reason: Reply


@dataclass(frozen=True)
class Ask:
    """(Commands and menus only) say ``notes``, then the open draft's current question again.

    ``whole``: the question as on arrival (at the review step, the table first)."""

    notes: tuple[Reply, ...] = ()
    whole: bool = False


Outcome = Next | Goto | Stay | Retry


# ------------------------------------------------------------------ context
def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Context:
    """What steps may read besides the turn: the corpus, its index, the clock, settings."""

    corpus: Corpus  # bot.retrieval.corpus: ask it questions, do not walk it
    index: SearchIndex | None = None  # the corpus's similar-project search (None for an empty corpus)
    today: date = field(default_factory=date.today)
    now: datetime = field(default_factory=_utc_now)
    last_department: str | None = None
    last_unit: str | None = None
    code_ttl: timedelta = CODE_TTL
    new_code: Callable[[], str] = new_code  # a random review code

    @property
    def now_iso(self) -> str:
        return self.now.isoformat(timespec="seconds")


# ------------------------------------------------------------------ the turn
@dataclass
class Shared:
    """For a review: the share of the code in play and its owner's file, as loaded."""

    share: Share | None
    owner: UserState | None = None

    @property
    def draft(self) -> Draft | None:
        if self.share is None or self.owner is None:
            return None
        return next((d for d in self.owner.drafts if d.id == self.share.draft), None)


@dataclass
class Turn:
    """One input's state: the user's session and drafts (loaded copies) and what came of it."""

    session: Session
    drafts: list[Draft]
    draft: Draft | None = None  # the open draft
    shared: Shared | None = None
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    @property
    def user(self) -> str:
        return self.session.user

    def say(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def open(self, draft: Draft | None) -> None:
        """Make ``draft`` the open one (None: none), leaving any menu."""
        self.draft = draft
        self.session.current = draft.id if draft is not None else None
        self.session.menu = None
