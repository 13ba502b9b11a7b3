"""The engine: one input in, replies out, everything the turn changed stored before they leave.

``Engine.handle(user, input)`` works in three parts:

1. **load** what the turn needs: the user's session and drafts (with their file's
   revision) and, when a review code is in play, that share and its drafter's file;
2. **respond** — pure: the flow table (``flow.py``) picks the step, command, menu or
   review stage (a file sent goes to ``uploads.receive``); they change the loaded copies
   and return outcomes carrying effects;
3. **commit** in one place: claims and new codes on the share store, then the user's
   own changes together with any other user's draft (a verdict) in one revision-checked
   write, then the approved table joins the corpus and notices join the replies.

If another writer got in between 1 and 3 (a reviewer's verdict while the drafter
answers, a second process for the same user, a second reviewer claiming the same code)
the commit is refused and the turn is re-run on the fresh state: nothing is lost and
nothing is said that did not happen. Every reply returned names its recipient.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from jixiao.bot.conversation import commands, review
from jixiao.bot.conversation.effects import AddOwnFiling, AddShare, ClaimShare, Notify, SaveDraft
from jixiao.bot.conversation.finish import export_files, leave_done, table_replies
from jixiao.bot.conversation.flow import COMMANDS, MENUS, STEPS, FlowError, next_step
from jixiao.bot.conversation.limits import CODE_TTL, MAX_INPUT
from jixiao.bot.conversation.outcomes import Ask, Context, Goto, Next, Outcome, Retry, Shared, Stay, Turn
from jixiao.bot.conversation.replies import Reply, addressed, in_place, join, say
from jixiao.bot.conversation.state import ABANDONED, APPROVED, DELETED, Draft, now_iso
from jixiao.bot.conversation.stores import DamagedStore, StaleRevision, UserWrite
from jixiao.bot.conversation.uploads import Upload, receive
from jixiao.bot.domain.models import Filing
from jixiao.bot.retrieval.corpus import Corpus
from jixiao.store.drafts import MemoryDraftStore, document_json
from jixiao.store.memory import MemoryOwnFilings
from jixiao.store.shares import MemoryShareStore, new_code

__all__ = ["MAX_INPUT", "Engine", "Input", "Upload", "clean_input", "respond"]

logger = logging.getLogger(__name__)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
SURROGATE_RE = re.compile(r"[\ud800-\udfff]")  # undecodable bytes from a terminal arrive as these
OWN_PREFIX = "own:"  # an approved table's source file: own:<drafter>/<draft id>, its index the version


@dataclass(frozen=True)
class Input:
    """A message (``text``), a button press, or a file sent (``upload``).

    A press carries the ``token`` of the question it belongs to and either the
    choice's value as ``text`` (console) or its position as ``choice`` (Telegram, whose
    64-byte callback data cannot hold long values); the engine looks the value up.
    An upload is the file's bytes as the adapter fetched them (``uploads.Upload``).
    """

    text: str = ""
    token: str | None = None
    choice: int | None = None
    upload: Upload | None = None

    @property
    def is_button(self) -> bool:
        return self.token is not None


class ClaimLost(Exception):
    """Another reviewer holds the code now (or a new code was taken): the turn is re-run."""


def clean_input(text: str) -> str:
    """Line ends unified, control and invisible characters dropped, undecodable ones replaced."""
    return SURROGATE_RE.sub("\ufffd", CONTROL_RE.sub("", text.replace("\r\n", "\n"))).strip()


def stale_reply() -> Reply:
    """The polite refusal of a button that belongs to an earlier question."""
    return replace(say("chat.stale_button"), stale=True)


# ------------------------------------------------------------------ questions and moves
def question(draft: Draft, ctx: Context, *, arriving: bool = False) -> list[Reply]:
    """What the current step asks. On arriving at the end: the closing words with the files (the
    table was shown at the review just before; asked again later, the files are not sent again)."""
    step = STEPS[draft.step]
    if draft.step == "done":
        finished = step.ask(draft, ctx)
        if not arriving:
            return [finished]
        return [Reply(finished.html, finished.plain, files=export_files(draft))]
    if draft.step == "review":  # the whole table with every finding, then the question
        return [*table_replies(draft), step.ask(draft, ctx)]
    return [step.ask(draft, ctx)]


def move(draft: Draft, target: str, ctx: Context) -> None:
    """Go to ``target``: remember where we came from, run its ``enter`` hook."""
    leave_done(draft, target)
    if target != draft.step:
        draft.history.append(draft.step)
        del draft.history[:-50]
    draft.step = target
    if target == draft.return_to:  # back from a detour: resume as it was
        draft.return_to = None
        return
    step = STEPS[target]
    if step.enter is not None:
        step.enter(draft, ctx)


def _next_target(draft: Draft) -> str:
    step = STEPS[draft.step]
    if draft.return_to:
        return draft.return_to
    if step.in_line or step.after:
        return next_step(draft, step.after or step.id)
    if step.returns:  # a detour whose start was not recorded (an old draft): the step before it
        return draft.history[-1] if draft.history and draft.history[-1] in STEPS else "year"
    raise FlowError(f"step {step.id!r} said 'next' but is not in line and goes back nowhere")


def apply(turn: Turn, outcome: Outcome | Ask, ctx: Context, allowed: Callable[[str], None]) -> None:
    """Carry out an outcome on the open draft and queue what to say next."""
    draft = turn.draft
    if isinstance(outcome, Ask):
        asked = question(draft, ctx) if outcome.whole else question(draft, ctx)[-1:]
        turn.say(*outcome.notes, *asked)
        return
    if isinstance(outcome, Retry):
        turn.say(join(outcome.reason, question(draft, ctx)[-1]))
        return
    turn.effects.extend(outcome.effects)
    draft.turn += 1
    note = outcome.note
    if isinstance(outcome, Stay):
        asked = question(draft, ctx)[-1]
        asked = join(note, asked) if note else asked
        turn.say(in_place(asked) if outcome.in_place else asked)
        return
    if isinstance(outcome, Next):
        target = _next_target(draft)
    else:
        allowed(outcome.step)
        target = outcome.step
    move(draft, target, ctx)
    if draft.status in (ABANDONED, DELETED):
        key = "chat.cancelled" if draft.status == ABANDONED else "chat.deleted"
        if draft.status == DELETED:
            turn.drafts.remove(draft)
        turn.open(None)
        turn.say(*([note] if note else []), say(key, name=draft.label()))
        return
    asked = question(draft, ctx, arriving=True)
    if isinstance(outcome, Goto) and outcome.in_place and len(asked) == 1:
        turn.say(in_place(join(note, asked[0]) if note else asked[0]))
        return
    turn.say(*([note] if note else []), *asked)


# ------------------------------------------------------------------ one input
def respond(turn: Turn, inp: Input, ctx: Context) -> None:
    """Work out the replies to one input; the turn's session and drafts change in place."""
    session = turn.session
    if session.damaged:  # the user's file was set aside: the truth, once
        turn.say(say("chat.file_damaged", path=session.damaged))
        session.damaged = None
    if len(inp.text) > MAX_INPUT:
        turn.say(say("chat.too_long", limit=MAX_INPUT, length=len(inp.text)))
        return
    text = clean_input(inp.text)
    if inp.upload is not None:
        session.menu = None
        receive(turn, inp.upload, ctx)
    elif inp.is_button:
        _press(turn, inp, text, ctx)
    elif text.startswith("/"):
        _command(turn, text, ctx)
    else:
        _typed(turn, text, ctx)
    shown = [r for r in turn.replies if r.choices and r.token == session.token]
    if shown:  # a menu's buttons: what their positions mean
        session.choices = [c.value for c in shown[-1].choices]


def _step_rule(turn: Turn) -> Callable[[str], None]:
    return STEPS[turn.draft.step].check


def _press(turn: Turn, inp: Input, text: str, ctx: Context) -> None:
    session, draft = turn.session, turn.draft
    if inp.token == session.token and session.menu in MENUS:
        if inp.choice is not None:
            if not 0 <= inp.choice < len(session.choices):
                turn.say(stale_reply())
                return
            text = session.choices[inp.choice]
        _menu(turn, MENUS[session.menu], text, ctx)
        return
    if draft is not None and inp.token == draft.token:
        step = STEPS[draft.step]
        if inp.choice is not None:
            choices = step.ask(draft, ctx).choices
            if not 0 <= inp.choice < len(choices):
                turn.say(stale_reply(), *question(draft, ctx)[-1:])
                return
            text = choices[inp.choice].value
        apply(turn, step.answer(draft, text, ctx), ctx, step.check)
        return
    turn.say(stale_reply())
    if draft is not None:
        turn.say(*question(draft, ctx)[-1:])


def _menu(turn: Turn, menu, text: str, ctx: Context) -> None:
    turn.session.menu = None  # a handler that keeps its menu open says so again
    outcome = menu.handler(turn, text, ctx)
    if outcome is not None and turn.draft is not None:
        apply(turn, outcome, ctx, _step_rule(turn))


def _command(turn: Turn, text: str, ctx: Context) -> None:
    name, _, argument = text.partition(" ")
    name = name.split("@")[0].lower()
    session = turn.session
    if name != "/start":  # /start (a console's or a restarted client's first word) shows the open menu again
        session.menu, session.review = None, None  # a command leaves any menu (and a review in progress)
    command = COMMANDS.get(name)
    if command is None:
        turn.say(say("chat.unknown_command", command=name), *(question(turn.draft, ctx)[-1:] if turn.draft else ()))
        return
    if command.on_draft and turn.draft is None:
        commands.no_draft(turn)
        return
    outcome = command.handler(turn, argument.strip(), ctx)
    if outcome is None or turn.draft is None:
        return
    step = STEPS[turn.draft.step]

    def allowed(target: str) -> None:
        if target not in command.to:
            step.check(target)

    apply(turn, outcome, ctx, allowed)


def _typed(turn: Turn, text: str, ctx: Context) -> None:
    session, draft = turn.session, turn.draft
    menu = MENUS.get(session.menu or "")
    if menu is not None and menu.typed(text):
        _menu(turn, menu, text, ctx)
        return
    session.menu = None
    if draft is None:
        commands.no_draft(turn)
        return
    if not text:
        turn.say(join(say("chat.empty_answer"), question(draft, ctx)[-1]))
        return
    step = STEPS[draft.step]
    apply(turn, step.answer(draft, text, ctx), ctx, step.check)


# ------------------------------------------------------------------ the engine
def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Engine:
    """Loads a turn's state, runs :func:`respond`, carries out its effects, returns the replies."""

    #: How often a turn is re-run when another writer got in first, before giving up.
    ATTEMPTS = 40

    def __init__(self, store=None, corpus: Corpus | Iterable[Filing] = (), *, today: Callable[[], date] = date.today,
                 shares=None, own_filings=None, now: Callable[[], datetime] = _utc_now,
                 code_ttl: timedelta = CODE_TTL, new_code: Callable[[], str] = new_code):
        self.store = store if store is not None else MemoryDraftStore()  # a DraftStore
        self.corpus = corpus if isinstance(corpus, Corpus) else Corpus(corpus)  # past filings, searchable
        self.today = today
        self.now = now
        self.shares = shares if shares is not None else MemoryShareStore()  # a ShareStore: review codes
        self.own_filings = own_filings if own_filings is not None else MemoryOwnFilings()  # approved tables
        self.code_ttl = code_ttl
        self.new_code = new_code
        self.reruns = 0  # turns re-run because another writer got in first (a statistic)

    @property
    def index(self):
        """The corpus's similar-project search (None for an empty corpus)."""
        return self.corpus.index

    def context(self, turn: Turn) -> Context:
        return Context(corpus=self.corpus, index=self.corpus.index, today=self.today(), now=self.now(),
                       last_department=turn.session.last_department, last_unit=turn.session.last_unit,
                       code_ttl=self.code_ttl, new_code=self.new_code)

    def handle(self, user: str, inp: Input) -> list[Reply]:
        notices: list[Reply] = []
        for attempt in range(self.ATTEMPTS):
            try:
                turn, before, revision = self.load(user, inp)
                respond(turn, inp, self.context(turn))
                notified = self.commit(turn, before, revision)
            except DamagedStore as damaged:  # shares.json was set aside: say so, go on without it
                notices.append(say("chat.shares_damaged", path=damaged.moved_to))
                continue
            except (StaleRevision, ClaimLost) as conflict:
                self.reruns += 1
                logger.debug("event=turn_rerun user=%s attempt=%d why=%s", user, attempt, conflict)
                time.sleep(random.uniform(0, 0.001 * (attempt + 1)))
                continue
            return [addressed(reply, user) for reply in (*notices, *turn.replies, *notified)]
        logger.warning("event=turn_given_up user=%s attempts=%d", user, self.ATTEMPTS)
        return [addressed(reply, user) for reply in (*notices, say("chat.busy"))]

    # ------------------------------------------------------------------ 1. load
    def load(self, user: str, inp: Input) -> tuple[Turn, dict[str, str], int]:
        """The turn's state, a fingerprint of it (to see what changed) and the file's revision."""
        state = self.store.load(user)
        session = state.session
        draft = next((d for d in state.drafts if d.id == session.current and d.status != ABANDONED), None)
        turn = Turn(session=session, drafts=state.drafts, draft=draft)
        code = review.wanted_code(session, clean_input(inp.text) if len(inp.text) <= MAX_INPUT else "")
        if code is not None:
            share = self.shares.get(code)
            owner = self.store.load(share.owner) if share is not None and share.owner != user else None
            turn.shared = Shared(share, owner)
        before = getattr(state, "texts", None)  # the documents' JSON as stored (store.drafts.LoadedState)
        if before is None:
            before = {d.id: document_json(d) for d in state.drafts} | {"": document_json(session)}
        return turn, before, state.revision

    # ------------------------------------------------------------------ 3. commit
    def commit(self, turn: Turn, before: dict[str, str], revision: int) -> list[Reply]:
        """Carry out the turn's effects and store its changes; the notices to deliver."""
        for effect in turn.effects:
            if isinstance(effect, ClaimShare) and not self.shares.claim(effect.code, effect.reviewer):
                raise ClaimLost(effect.code)
        forget_before = (self.now() - 2 * self.code_ttl).isoformat(timespec="seconds")
        for effect in turn.effects:
            if isinstance(effect, AddShare) and not self.shares.add(effect.share, forget_before=forget_before):
                raise ClaimLost(effect.share.code)  # the code was drawn before: a new one on the re-run
        writes = self._own_write(turn, before, revision)
        for effect in turn.effects:
            if isinstance(effect, SaveDraft):
                writes.append(UserWrite(effect.draft.user, effect.revision, drafts=(self._touched(effect.draft),)))
        own = [effect.filing for effect in turn.effects if isinstance(effect, AddOwnFiling)]
        if own:  # staged first: a crash after the verdict is stored leaves it to recover_own_filings
            self.own_filings.stage(own)
        try:
            if writes:
                self.store.commit(writes)  # all or nothing; StaleRevision re-runs the turn
        except StaleRevision:
            if own:
                self.own_filings.discard([f.key for f in own])
            raise
        if own:
            self.add_own_filings(own)
        return [effect.reply for effect in turn.effects if isinstance(effect, Notify)]

    def _own_write(self, turn: Turn, before: dict[str, str], revision: int) -> list[UserWrite]:
        session = turn.session
        if turn.draft is not None:
            session.last_department = turn.draft.filing.department or session.last_department
            session.last_unit = turn.draft.filing.implementing_unit or session.last_unit
        changed = [self._touched(d) for d in turn.drafts if before.get(d.id) != document_json(d)]
        deleted = tuple(i for i in before if i and i not in {d.id for d in turn.drafts})
        if not changed and not deleted and document_json(session) == before[""]:
            return []  # read-only (/show, a stale button …): nothing is written
        return [UserWrite(session.user, revision, session, tuple(changed), deleted)]

    @staticmethod
    def _touched(draft: Draft) -> Draft:
        draft.updated = now_iso()
        return draft

    def add_own_filings(self, filings: list[Filing]) -> None:
        """Our own tables (approved, or sent by a user) join the corpus: stored apart from the
        seeds (confirmed, if they were staged), searchable at once — in one add, so a file of
        many tables renews the index's weights once."""
        self.own_filings.upsert(filings)
        self.corpus.add(filings)

    def recover_own_filings(self) -> int:
        """Settles what a crash left staged (at start-up): an approved table whose verdict is in
        its drafter's file, and a table a user sent, are confirmed and join the corpus; an
        approval whose verdict is not there (the turn was refused, or died before storing it)
        is dropped. Returns how many joined."""
        confirmed, dropped = [], []
        for filing in self.own_filings.pending():
            (confirmed if self._settled(filing) else dropped).append(filing)
        if confirmed:
            self.add_own_filings(confirmed)
        if dropped:
            self.own_filings.discard([f.key for f in dropped])
        if confirmed or dropped:
            logger.warning("event=own_filings_recovered confirmed=%d dropped=%d", len(confirmed), len(dropped))
        return len(confirmed)

    def _settled(self, filing: Filing) -> bool:
        """Whether a staged table stays: an approval only if the drafter's file holds the verdict
        on that version; any other (a table sent by a user) always — it was theirs to keep, at
        worst kept without the reply saying so, as an answer saved just before a crash is."""
        source = filing.source
        if source is None or not source.file.startswith(OWN_PREFIX):
            return True
        user, _, draft_id = source.file[len(OWN_PREFIX):].rpartition("/")
        draft = next((d for d in self.store.load(user).drafts if d.id == draft_id), None) if user else None
        return draft is not None and any(r.version == source.index and r.verdict == APPROVED for r in draft.reviews)
