"""The engine: one input in, replies out, the draft saved before the replies leave.

``respond(session, draft, input, ctx)`` is the pure part: it changes the session and
draft it is given and returns replies. ``Engine.handle`` loads them from the store,
calls ``respond`` and saves them. Commands (/new, /back, /edit …) work at any step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from bot.conversation.finish import export_files, table_replies
from bot.conversation.flow import Context, Goto, Next, Outcome, Retry, Stay, flow, next_step
from bot.conversation.indicators import back_in_values
from bot.conversation.replies import Choice, Reply, join, say
from bot.conversation.state import ABANDONED, DRAFTING, FINISHED, Draft, Session, now_iso
from bot.domain.frameworks import framework_for_year
from bot.domain.models import Filing

MAX_INPUT = 4000  # characters; longer messages are refused with a clear limit message
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
STATUS_LABEL = {DRAFTING: "填写中", FINISHED: "已完成", ABANDONED: "已放弃"}


@dataclass(frozen=True)
class Input:
    """A message (``text``) or a button press (``text`` = its value, ``token`` = what it carried)."""

    text: str = ""
    token: str | None = None

    @property
    def is_button(self) -> bool:
        return self.token is not None


@dataclass
class Turn:
    """The state one input works on, and what it produced."""

    session: Session
    draft: Draft | None
    drafts: list[Draft]  # all of the user's drafts, for /drafts
    replies: list[Reply] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # draft ids to save


# ------------------------------------------------------------------ questions
def question(draft: Draft, ctx: Context) -> list[Reply]:
    """What the current step asks (the finished table, at the end)."""
    step = flow()[draft.step]
    if draft.step == "done":
        finished = step.ask(draft, ctx)
        tables = table_replies(draft, with_findings=False)
        return [*tables, Reply(finished.html, finished.plain, files=export_files(draft))]
    return [step.ask(draft, ctx)]


def move(draft: Draft, target: str, ctx: Context, *, remember: bool = True) -> None:
    """Go to ``target``: remember where we came from, run its ``enter`` hook."""
    if target != draft.step and remember:
        draft.history.append(draft.step)
        del draft.history[:-50]
    draft.step = target
    if target == draft.return_to:  # back from an /edit detour: resume as it was
        draft.return_to = None
        return
    step = flow()[target]
    if step.enter is not None:
        step.enter(draft, ctx)


def apply(turn: Turn, outcome: Outcome, ctx: Context) -> None:
    """Carry out a step's outcome and queue what to say next."""
    draft = turn.draft
    turn.changed.add(draft.id)  # even a refused answer may have moved on partly (全部保留)
    if isinstance(outcome, Retry):
        turn.replies.append(join(outcome.reason, *question(draft, ctx)[-1:]))
        return
    draft.turn += 1
    note = outcome.note
    if isinstance(outcome, Stay):
        asked = question(draft, ctx)[-1]
        if outcome.edit_in_place:
            asked = Reply(asked.html, asked.plain, asked.choices, asked.token, asked.files, True, asked.columns)
        turn.replies.append(join(note, asked) if note else asked)
        return
    if isinstance(outcome, Next):
        target = draft.return_to or next_step(draft, draft.step)
    else:
        target = outcome.step
    move(draft, target, ctx)
    if draft.status == ABANDONED:
        turn.session.current = None
        turn.replies.append(say("chat.cancelled", name=draft.label()))
        return
    asked = question(draft, ctx)
    if note:
        turn.replies.append(note)
    turn.replies.extend(asked)


# ------------------------------------------------------------------ commands
def new_draft(turn: Turn, ctx: Context) -> None:
    year = ctx.today.year + 1
    filing = Filing(year=year, format=framework_for_year(year).id, project_name="")
    draft = Draft(user=turn.session.user, filing=filing)
    turn.drafts.append(draft)
    turn.draft = draft
    turn.session.current = draft.id
    turn.session.menu = None
    turn.changed.add(draft.id)
    turn.replies.append(say("chat.new_draft"))
    turn.replies.extend(question(draft, ctx))


def list_drafts(turn: Turn, ctx: Context) -> None:
    turn.session.menu = "drafts"
    turn.session.turn += 1
    if not turn.drafts:
        turn.session.menu = None
        turn.replies.append(say("chat.no_drafts"))
        return
    newest = sorted(turn.drafts, key=lambda d: d.updated, reverse=True)[:20]
    lines = "\n".join(
        f"{i}. {d.label()}（{STATUS_LABEL.get(d.status, d.status)}，{d.updated[:10]}）" for i, d in enumerate(newest, 1)
    )
    choices = [Choice(f"{i}. {d.label()}", f"open:{d.id}") for i, d in enumerate(newest, 1)]
    turn.replies.append(say("chat.drafts", choices=choices, token=turn.session.token, drafts=lines))


def open_draft(turn: Turn, text: str, ctx: Context) -> None:
    newest = sorted(turn.drafts, key=lambda d: d.updated, reverse=True)[:20]
    wanted = text.strip().removeprefix("open:")
    chosen = next((d for d in turn.drafts if d.id == wanted), None)
    if chosen is None and wanted.split(".")[0].isdigit() and 1 <= int(wanted.split(".")[0]) <= len(newest):
        chosen = newest[int(wanted.split(".")[0]) - 1]
    if chosen is None:
        turn.replies.append(say("chat.pick_a_draft"))
        return
    turn.session.menu = None
    turn.session.current = chosen.id
    turn.draft = chosen
    if chosen.status == ABANDONED:
        chosen.status = DRAFTING
    chosen.turn += 1
    turn.changed.add(chosen.id)
    turn.replies.append(say("chat.resumed", name=chosen.label()))
    turn.replies.extend(question(chosen, ctx))


def _active(turn: Turn) -> Draft | None:
    draft = turn.draft
    return draft if draft is not None and draft.status != ABANDONED else None


def command(turn: Turn, name: str, ctx: Context) -> None:
    draft = _active(turn)
    if name in ("/start", "/help") and draft is None:
        turn.replies.append(say("chat.welcome"))
        return
    if name == "/new":
        new_draft(turn, ctx)
        return
    if name == "/drafts":
        list_drafts(turn, ctx)
        return
    if draft is None:
        turn.replies.append(say("chat.no_draft"))
        return
    step = flow()[draft.step]
    if name == "/start":
        turn.replies.append(say("chat.resumed", name=draft.label()))
        turn.replies.extend(question(draft, ctx))
    elif name == "/help":
        turn.replies.append(join(say(step.help_key), question(draft, ctx)[-1]))
    elif name == "/show":
        turn.replies.extend(table_replies(draft))
        turn.replies.extend(question(draft, ctx)[-1:])
    elif name == "/back":
        go_back(turn, ctx)
    elif name == "/skip":
        if step.optional:
            apply(turn, step.on_skip(draft, ctx), ctx)
        else:
            turn.replies.append(join(say("chat.cannot_skip"), question(draft, ctx)[-1]))
    elif name == "/edit":
        if draft.status == FINISHED:
            draft.status = DRAFTING
        if draft.step not in ("edit_menu", "confirm_cancel"):
            draft.return_to = "review" if draft.step == "done" else draft.step
        apply(turn, Goto("edit_menu"), ctx)
    elif name == "/cancel":
        if draft.step not in ("edit_menu", "confirm_cancel"):
            draft.return_to = draft.step
        apply(turn, Goto("confirm_cancel"), ctx)
    else:
        turn.replies.append(join(say("chat.unknown_command", command=name), question(draft, ctx)[-1]))


def go_back(turn: Turn, ctx: Context) -> None:
    draft = turn.draft
    if back_in_values(draft):
        draft.turn += 1
        turn.changed.add(draft.id)
        turn.replies.extend(question(draft, ctx))
        return
    if not draft.history:
        turn.replies.append(join(say("chat.cannot_back"), question(draft, ctx)[-1]))
        return
    draft.step = draft.history.pop()
    draft.turn += 1
    turn.changed.add(draft.id)
    turn.replies.extend(question(draft, ctx))


# ------------------------------------------------------------------ one input
def clean_input(text: str) -> str:
    return CONTROL_RE.sub("", text.replace("\r\n", "\n")).strip()


def respond(turn: Turn, inp: Input, ctx: Context) -> None:
    """Work out the replies to one input; the session and draft in ``turn`` change in place."""
    if len(inp.text) > MAX_INPUT:
        turn.replies.append(say("chat.too_long", limit=MAX_INPUT, length=len(inp.text)))
        return
    text = clean_input(inp.text)
    draft = _active(turn)
    if inp.is_button:
        if turn.session.menu == "drafts" and inp.token == turn.session.token:
            open_draft(turn, text, ctx)
        elif draft is not None and inp.token == draft.token:
            apply(turn, flow()[draft.step].answer(draft, text, ctx), ctx)
        else:
            turn.replies.append(say("chat.stale_button"))
            if draft is not None:
                turn.replies.extend(question(draft, ctx)[-1:])
        return
    if text.startswith("/"):
        command(turn, text.split()[0].split("@")[0].lower(), ctx)
        return
    if turn.session.menu == "drafts":
        open_draft(turn, text, ctx)
        return
    if draft is None:
        turn.replies.append(say("chat.no_draft"))
        return
    if not text:
        turn.replies.append(join(say("chat.empty_answer"), question(draft, ctx)[-1]))
        return
    apply(turn, flow()[draft.step].answer(draft, text, ctx), ctx)


# ------------------------------------------------------------------ the engine
class Engine:
    """Loads a user's session and drafts, runs :func:`respond`, saves, returns the replies."""

    def __init__(self, store, corpus: list[Filing], index=None, today: Callable[[], date] = date.today):
        self.store = store
        self.corpus = corpus
        self.index = index
        self.today = today

    def context(self, session: Session) -> Context:
        return Context(
            corpus=self.corpus, index=self.index, today=self.today(),
            last_department=session.last_department, last_unit=session.last_unit,
        )

    def handle(self, user: str, inp: Input) -> list[Reply]:
        session = self.store.session(user)
        drafts = self.store.drafts(user)
        draft = next((d for d in drafts if d.id == session.current), None)
        turn = Turn(session=session, draft=draft, drafts=drafts)
        respond(turn, inp, self.context(session))
        if turn.draft is not None:
            session.last_department = turn.draft.filing.department or session.last_department
            session.last_unit = turn.draft.filing.implementing_unit or session.last_unit
        changed = [d for d in turn.drafts if d.id in turn.changed]
        for draft in changed:
            draft.updated = now_iso()
        self.store.save(session, changed)
        return turn.replies
