"""The table of steps: what each step asks, how it takes an answer, what comes next.

Steps are listed in ``FLOW`` in the order a draft walks them; each is a small record
of plain functions over the draft (see ``facts.py``, ``indicators.py``, ``finish.py``).
The engine (``engine.py``) runs them and handles the commands that work anywhere.
The diagram ``flow.mmd`` beside this file shows the same table; change them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from jixiao.bot.conversation.replies import Reply
from jixiao.bot.conversation.state import Draft
from jixiao.bot.domain.models import Filing


# ------------------------------------------------------------------ outcomes
@dataclass(frozen=True)
class Next:
    """Accepted: go on to the next step of the flow (or back to where /edit came from)."""

    note: Reply | None = None


@dataclass(frozen=True)
class Goto:
    """Accepted: go to ``step``."""

    step: str
    note: Reply | None = None


@dataclass(frozen=True)
class Stay:
    """Accepted, but this step asks again (a toggle, the next value to confirm)."""

    note: Reply | None = None
    edit_in_place: bool = False


@dataclass(frozen=True)
class Retry:
    """Rejected: say why and ask the same question again; nothing is lost."""

    reason: Reply


Outcome = Next | Goto | Stay | Retry


# ------------------------------------------------------------------ context
@dataclass
class Context:
    """What steps may read besides the draft: the corpus, its index, today."""

    corpus: list[Filing]
    index: object | None = None  # bot.retrieval.index.SearchIndex when available
    today: date = field(default_factory=date.today)
    last_department: str | None = None
    last_unit: str | None = None
    services: object | None = None  # the Engine: other users' drafts, share codes, own filings


# ------------------------------------------------------------------ steps
def _always(draft: Draft) -> bool:
    return True


def _keep(draft: Draft, ctx: Context) -> Outcome:
    return Next()


@dataclass(frozen=True)
class Step:
    id: str
    ask: Callable[[Draft, Context], Reply]
    answer: Callable[[Draft, str, Context], Outcome]
    help_key: str
    optional: bool = False
    on_skip: Callable[[Draft, Context], Outcome] = _keep
    applies: Callable[[Draft], bool] = _always
    in_line: bool = True  # reached by "next"; False: only by an explicit Goto
    edit_label: str | None = None  # prompts key of the field's name in the /edit menu
    enter: Callable[[Draft, Context], None] | None = None  # prepares the draft on arrival


def build_flow() -> dict[str, Step]:
    from jixiao.bot.conversation import facts, finish, indicators

    steps = [*facts.STEPS, *indicators.STEPS, *finish.STEPS]
    return {step.id: step for step in steps}


FLOW: dict[str, Step] = {}


def flow() -> dict[str, Step]:
    if not FLOW:
        FLOW.update(build_flow())
    return FLOW


def next_step(draft: Draft, after: str) -> str:
    """The first in-line step after ``after`` that applies to this draft."""
    order = list(flow())
    for step_id in order[order.index(after) + 1 :]:
        step = flow()[step_id]
        if step.in_line and step.applies(draft):
            return step_id
    return "done"
