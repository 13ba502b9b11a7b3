"""The engine: one input in, replies out, the draft saved before the replies leave.

``respond(session, draft, input, ctx)`` is the pure part: it changes the session and
draft it is given and returns replies. ``Engine.handle`` loads them from the store,
calls ``respond`` and saves them. Commands (/new, /back, /edit …) work at any step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable

from jixiao.bot.conversation import review
from jixiao.bot.conversation.finish import export_files, table_replies
from jixiao.bot.conversation.flow import Context, Goto, Next, Outcome, Retry, Stay, flow, next_step
from jixiao.bot.conversation.indicators import back_in_values
from jixiao.bot.conversation.replies import Choice, Reply, button, join, say
from jixiao.bot.conversation.state import (
    ABANDONED,
    APPROVED,
    DRAFTING,
    FINISHED,
    RETURNED,
    SHARED,
    Draft,
    Session,
    now_iso,
)
from jixiao.bot.domain.frameworks import framework_for_year
from jixiao.bot.domain.models import Filing

MAX_INPUT = 4000  # characters; longer messages are refused with a clear limit message
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
STATUS_KEYS = {DRAFTING: "status.drafting", FINISHED: "status.finished", ABANDONED: "status.abandoned",
               SHARED: "status.shared", RETURNED: "status.returned", APPROVED: "status.approved"}


@dataclass(frozen=True)
class Input:
    """A message (``text``) or a button press.

    A press carries the ``token`` of the question it belongs to and either the
    choice's value as ``text`` (console) or its position as ``choice`` (Telegram, whose
    64-byte callback data cannot hold long values); the engine looks the value up.
    """

    text: str = ""
    token: str | None = None
    choice: int | None = None

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


def stale_reply() -> Reply:
    """The polite refusal of a button that belongs to an earlier question."""
    return replace(say("chat.stale_button"), stale=True)


# ------------------------------------------------------------------ questions
def question(draft: Draft, ctx: Context, *, arriving: bool = False) -> list[Reply]:
    """What the current step asks. On arriving at the end: the finished table and its files
    (asked again later, only the closing words: the files are not made and sent again)."""
    step = flow()[draft.step]
    if draft.step == "done":
        finished = step.ask(draft, ctx)
        if not arriving:
            return [finished]
        tables = table_replies(draft, with_findings=False)
        return [*tables, Reply(finished.html, finished.plain, files=export_files(draft))]
    if draft.step == "review":  # the whole table with every finding, then the question
        return [*table_replies(draft), step.ask(draft, ctx)]
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
    asked = question(draft, ctx, arriving=True)
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
        f"{i}. {d.label()}（{button(STATUS_KEYS[d.status])}，{d.updated[:10]}）" for i, d in enumerate(newest, 1)
    )
    choices = [Choice(button("button.draft_option", number=i, label=d.label()), f"open:{d.id}")
               for i, d in enumerate(newest, 1)]
    turn.session.choices = [c.value for c in choices]
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


def run_lookup(turn: Turn, query: str, ctx: Context) -> None:
    """/lookup 名称: matching past filings in one answer; closest names as buttons if none."""
    from jixiao.bot.lookup import lookup, render_lookup

    turn.session.turn += 1
    if not query.strip():
        turn.session.menu = "lookup_query"
        turn.replies.append(say("lookup.ask"))
        return
    result = lookup(ctx.corpus, query)
    html, plain = render_lookup(result, html=True), render_lookup(result, html=False)
    turn.session.menu = None if result.found else "lookup"
    replies = [Reply(h, p) for h, p in zip(html, plain)]
    if result.suggestions:
        last = replies[-1]
        choices = tuple(Choice(name, name) for name in result.suggestions)
        turn.session.choices = [c.value for c in choices]
        replies[-1] = Reply(last.html, last.plain, choices, turn.session.token)
    turn.replies.extend(replies)


def _active(turn: Turn) -> Draft | None:
    draft = turn.draft
    return draft if draft is not None and draft.status != ABANDONED else None


def command(turn: Turn, name: str, ctx: Context, argument: str = "") -> None:
    draft = _active(turn)
    if turn.session.menu == "review" and name != "/review":
        turn.session.menu, turn.session.review = None, {}
    if name == "/lookup":
        run_lookup(turn, argument, ctx)
        return
    if name == "/review":
        review.open_review(turn, argument, ctx)
        return
    if name == "/share":
        review.share(turn, ctx)
        return
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
        if draft.status in (FINISHED, SHARED, APPROVED):
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
    if inp.is_button and inp.token == turn.session.token and turn.session.menu in ("lookup", "drafts", "review"):
        if inp.choice is not None:
            if not 0 <= inp.choice < len(turn.session.choices):
                turn.replies.append(stale_reply())
                return
            text = turn.session.choices[inp.choice]
        if turn.session.menu == "lookup":
            run_lookup(turn, text, ctx)
        elif turn.session.menu == "review":
            review.review_input(turn, text, ctx)
        else:
            open_draft(turn, text, ctx)
        return
    if inp.is_button:
        if draft is not None and inp.token == draft.token:
            if inp.choice is not None:
                choices = flow()[draft.step].ask(draft, ctx).choices
                if not 0 <= inp.choice < len(choices):
                    turn.replies.append(stale_reply())
                    turn.replies.extend(question(draft, ctx)[-1:])
                    return
                text = choices[inp.choice].value
            apply(turn, flow()[draft.step].answer(draft, text, ctx), ctx)
        else:
            turn.replies.append(stale_reply())
            if draft is not None:
                turn.replies.extend(question(draft, ctx)[-1:])
        return
    if text.startswith("/"):
        name, _, argument = text.partition(" ")
        command(turn, name.split("@")[0].lower(), ctx, argument.strip())
        return
    if turn.session.menu == "review":
        review.review_input(turn, text, ctx)
        return
    menu, turn.session.menu = turn.session.menu, None
    if menu == "drafts" and (text.split(".")[0].isdigit() or text.startswith("open:")):
        open_draft(turn, text, ctx)
        return
    if menu == "lookup_query":
        run_lookup(turn, text, ctx)
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

    def __init__(self, store, corpus: list[Filing], index=None, today: Callable[[], date] = date.today,
                 shares=None, own_filings=None, index_builder=None):
        self.store = store
        self.corpus = corpus
        self.index = index
        self.today = today
        self.shares = shares  # store.shares.ShareStore: review codes
        self.own_filings = own_filings  # store.corpus.OwnFilingStore: approved tables
        self.index_builder = index_builder

    def context(self, session: Session) -> Context:
        return Context(
            corpus=self.corpus, index=self.index, today=self.today(),
            last_department=session.last_department, last_unit=session.last_unit, services=self,
        )

    def add_own_filing(self, filing: Filing) -> None:
        """An approved table joins the corpus: stored apart from the seeds, searchable at once."""
        if self.own_filings is not None:
            self.own_filings.upsert([filing])
        self.corpus = [f for f in self.corpus if f.key != filing.key] + [filing]
        if self.index_builder is not None:
            self.index = self.index_builder(self.corpus)

    def handle(self, user: str, inp: Input) -> list[Reply]:
        session, drafts = self.store.load(user)
        before = session.model_dump()
        draft = next((d for d in drafts if d.id == session.current), None)
        turn = Turn(session=session, draft=draft, drafts=drafts)
        respond(turn, inp, self.context(session))
        if turn.draft is not None:
            session.last_department = turn.draft.filing.department or session.last_department
            session.last_unit = turn.draft.filing.implementing_unit or session.last_unit
        changed = [d for d in turn.drafts if d.id in turn.changed]
        for draft in changed:
            draft.updated = now_iso()
            if draft.versions:  # shared once: every change to the table is kept as a version
                review.snapshot(draft)
        if changed or session.model_dump() != before:  # read-only commands (/show, /lookup …) write nothing
            self.store.save(session, changed)
        return turn.replies
