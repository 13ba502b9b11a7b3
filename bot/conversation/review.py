"""Sharing a finished draft with a reviewer, who approves it or sends it back with a comment.

The drafter sends /share and gets a code; the reviewer (another allowed user) sends
``/review CODE``. The code binds to the first user who opens it (a compare-and-set in
the share store) and opens exactly one version: it dies when a newer version is shared,
when the draft is edited, cancelled or deleted, once that version is decided, and after
``ctx.code_ttl``. Codes that do not exist count against the user who types them.

Everything here is pure: the engine loads the share and the drafter's file first
(``Turn.shared``), the functions change loaded copies and return effects (save the
drafter's draft, keep a code, claim it, add the approved table, notify), and the engine
carries them out. The stages of a review (decide → pick → comment) are declared in
``flow.py`` with the steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jixiao.bot.conversation.effects import AddOwnFiling, AddShare, ClaimShare, Notify, SaveDraft
from jixiao.bot.conversation.limits import CODE_MISS_WINDOW, CODE_MISSES, COMMENT_LIMIT, MAX_VERSIONS
from jixiao.bot.conversation.outcomes import Context, Goto, Outcome, Retry, Turn
from jixiao.bot.conversation.replies import Choice, Reply, button, notify, say
from jixiao.bot.conversation.state import (
    APPROVED,
    FINISHED,
    RETURNED,
    SHARED,
    Comment,
    Draft,
    Reviewing,
    ReviewNote,
    Session,
    Share,
    Version,
)
from jixiao.bot.domain.models import Filing, Source
from jixiao.bot.domain.validation import Finding, validate
from jixiao.bot.domain.validation.findings import WARNING
from jixiao.bot.render.chat_table import render_chat
from jixiao.bot.texts import render_plain

APPROVE, RETURN, WHOLE_TABLE = "approve", "return", "__table__"
RESHARE_ANYWAY = ("仍然提交", "仍要提交")  # /share 仍然提交: a returned table re-shared as it was
END = "review_over"  # the review is over: the reviewer leaves the review menu


def normal_code(code: str) -> str:
    return code.strip().upper()


def shared_version(draft: Draft) -> Version:
    """The version /share hands out: the newest, or a new one if the table changed or that one was decided."""
    newest = draft.versions[-1] if draft.versions else None
    decided = newest is not None and any(note.version == newest.number for note in draft.reviews)
    if newest is None or decided or newest.filing != draft.filing:
        number = newest.number + 1 if newest else 1
        draft.versions.append(Version(number=number, filing=draft.filing.model_copy(deep=True)))
        commented = {note.version for note in draft.reviews}  # what a reviewer's comments were about stays
        while len(draft.versions) > MAX_VERSIONS:
            drop = next((v for v in draft.versions[:-1] if v.number not in commented), draft.versions[0])
            draft.versions.remove(drop)
    return draft.versions[-1]


def returned_unchanged(draft: Draft) -> ReviewNote | None:
    """The reviewer's return of the newest shared version, when the table is still that version."""
    newest = draft.versions[-1] if draft.versions else None
    notes = [note for note in draft.reviews if newest is not None and note.version == newest.number]
    if notes and notes[-1].verdict == RETURNED and newest.filing == draft.filing:
        return notes[-1]
    return None


def review_findings(draft: Draft) -> list[Finding]:
    """The last reviewer's comments, as findings pinned to their indicators."""
    returned = [note for note in draft.reviews if note.verdict == RETURNED]
    if not returned or draft.status == APPROVED:
        return []
    note = returned[-1]
    return [
        Finding(severity=WARNING, rule="review_comment", indicator=c.indicator,
                message=render_plain("review.comment_mark", version=note.version, text=c.text))
        for c in note.comments
    ]


def _table(filing: Filing) -> list[Reply]:
    findings = validate(filing)
    return [Reply(h, p) for h, p in zip(render_chat(filing, findings, html=True), render_chat(filing, findings, html=False))]


# ------------------------------------------------------------------ the drafter
def share(turn: Turn, argument: str, ctx: Context) -> None:
    """/share: a new code for the open finished draft (older codes die); its last reviewer hears of it."""
    draft = turn.draft
    if draft is not None and draft.status == APPROVED:
        turn.say(say("review.already_approved", name=draft.label()))
        return
    if draft is None or draft.status not in (FINISHED, SHARED) or draft.step != "done":
        turn.say(say("review.share_not_finished"))
        return
    unchanged = returned_unchanged(draft)
    if unchanged and argument.strip() not in RESHARE_ANYWAY:
        listed = "\n".join(f"• {c.indicator or button('button.whole_table')}：{c.text}" for c in unchanged.comments)
        turn.say(say("review.unchanged_after_return", version=unchanged.version, comments=listed,
                     anyway=RESHARE_ANYWAY[0]))
        return
    version = shared_version(draft)
    code = ctx.new_code()
    draft.status, draft.share_code = SHARED, code
    turn.effects.append(AddShare(Share(code=code, owner=turn.user, draft=draft.id, version=version.number,
                                       created=ctx.now_iso)))
    days = max(1, round(ctx.code_ttl.total_seconds() / 86400))
    turn.say(say("review.shared", code=code, version=version.number, name=draft.label(), days=days))
    if draft.reviewer:
        key = "review.reshared_unchanged_notice" if unchanged else "review.reshared_notice"
        turn.effects.append(Notify(notify(draft.reviewer, key, name=draft.label(), code=code, version=version.number)))


# ------------------------------------------------------------------ whether a code opens anything
def code_problem(share: Share | None, draft: Draft | None, ctx: Context) -> str | None:
    """Why ``share`` opens nothing now (a prompts key), or None when it opens its version."""
    if share is None:
        return "review.bad_code"
    if ctx.now - datetime.fromisoformat(share.created) > ctx.code_ttl:
        return "review.code_expired"
    if draft is None:
        return "review.gone"
    if draft.share_code == share.code and draft.status == SHARED:
        return None
    if draft.versions and draft.versions[-1].number > share.version:
        return "review.code_superseded"
    if any(note.version == share.version for note in draft.reviews):
        return "review.already_decided"
    return "review.code_dead"  # edited, cancelled or re-shared since


def _recent_misses(session: Session, ctx: Context) -> list[str]:
    since = (ctx.now - CODE_MISS_WINDOW).isoformat(timespec="seconds")
    return [t for t in session.code_misses if t >= since]


def wanted_code(session: Session, text: str) -> str | None:
    """The code whose share (and drafter's file) a turn needs loaded first, if any."""
    name, _, argument = text.strip().partition(" ")
    command = name.split("@")[0].lower()
    if command == "/review":
        return normal_code(argument) or None
    if session.menu == "review" and session.review is not None and (command == "/start" or not text.startswith("/")):
        return session.review.code
    return None


# ------------------------------------------------------------------ the reviewer
def open_review(turn: Turn, argument: str, ctx: Context) -> None:
    """/review CODE: binds the code to this reviewer, shows the shared version, asks for a verdict."""
    session, code = turn.session, normal_code(argument)
    if not code:
        turn.say(say("review.ask_code"))
        return
    misses = _recent_misses(session, ctx)
    if len(misses) >= CODE_MISSES:
        minutes = round(CODE_MISS_WINDOW.total_seconds() / 60)
        turn.say(say("review.too_many_tries", count=len(misses), minutes=minutes))
        return
    shared = turn.shared
    found = shared.share if shared is not None else None
    if found is None:
        session.code_misses = [*misses, ctx.now_iso]
        turn.say(say("review.bad_code", code=code))
        return
    if found.owner == turn.user:
        turn.say(say("review.own_draft"))
        return
    problem = code_problem(found, shared.draft, ctx)
    if problem is not None:
        turn.say(say(problem, code=code))
        return
    if found.reviewer not in (None, turn.user):
        turn.say(say("review.code_taken"))
        return
    turn.effects.append(ClaimShare(code, turn.user))
    session.review = Reviewing(code=code, owner=found.owner, draft=found.draft, version=found.version)
    session.menu = "review"
    session.turn += 1
    view = current_view(turn, ctx)
    turn.say(*_table(view.version.filing), _stage("decide").ask(view, ctx))


def _open_view(turn: Turn, ctx: Context):
    """The review in progress, or None when it is gone (expired, decided …): then it is closed and said why."""
    view = current_view(turn, ctx)
    if isinstance(view, str):
        code = turn.session.review.code if turn.session.review else "—"
        turn.session.menu, turn.session.review = None, None
        turn.say(say(view, code=code))
        return None
    return view


def resume_review(turn: Turn, ctx: Context) -> None:
    """The open review again (after a restart): the version shown and the current stage's question."""
    view = _open_view(turn, ctx)
    if view is None:
        return
    turn.session.menu = "review"
    turn.session.turn += 1
    turn.say(*_table(view.version.filing), _stage(view.session.review.stage).ask(view, ctx))


@dataclass
class ReviewView:
    """What a review stage works on: the reviewer's session and the drafter's draft as loaded."""

    session: Session
    share: Share
    draft: Draft  # the drafter's, a loaded copy: a verdict changes it and saves it by effect
    version: Version
    revision: int  # of the drafter's file, for that save

    @property
    def reviewer(self) -> str:
        return self.session.user


def current_view(turn: Turn, ctx: Context) -> ReviewView | str:
    """The open review, or why it cannot go on (a prompts key)."""
    reviewing, shared = turn.session.review, turn.shared
    if reviewing is None or shared is None or shared.share is None or shared.share.code != reviewing.code:
        return "review.gone"
    problem = code_problem(shared.share, shared.draft, ctx)
    if problem is None and shared.share.reviewer not in (None, turn.user):
        problem = "review.code_taken"
    if problem is not None:
        return problem
    draft = shared.draft
    version = next((v for v in draft.versions if v.number == shared.share.version), None)
    if version is None:
        return "review.gone"
    return ReviewView(turn.session, shared.share, draft, version, shared.owner.revision)


def _stage(stage_id: str):
    from jixiao.bot.conversation.flow import REVIEW_STAGES

    return REVIEW_STAGES[stage_id]


def review_menu(turn: Turn, text: str, ctx: Context) -> None:
    """The reviewer's answer at the current stage (the review menu's handler)."""
    view = _open_view(turn, ctx)
    if view is None:
        return
    stage = _stage(view.session.review.stage)
    outcome = stage.answer(view, text, ctx)
    turn.session.menu = "review"
    if isinstance(outcome, Retry):
        turn.say(outcome.reason, stage.ask(view, ctx))
        return
    stage.check(outcome.step)
    turn.session.turn += 1
    turn.effects.extend(outcome.effects)
    if outcome.step == END:
        turn.session.menu, turn.session.review = None, None
        turn.say(outcome.note)
        return
    view.session.review.stage = outcome.step
    turn.say(*([outcome.note] if outcome.note else []), _stage(outcome.step).ask(view, ctx))


# ------------------------------------------------------------------ the stages
def ask_decide(view: ReviewView, ctx: Context) -> Reply:
    """Asks for a verdict on the version shown."""
    choices = [Choice(button("button.approve"), APPROVE), Choice(button("button.return"), RETURN)]
    return say("review.decide", choices=choices, token=view.session.token, columns=2,
               name=view.version.filing.project_name, version=view.version.number, owner=view.share.owner)


def answer_decide(view: ReviewView, text: str, ctx: Context) -> Outcome:
    """Approves (the review ends) or goes on to say what to change."""
    if text in (APPROVE, button("button.approve"), "批准"):
        return _verdict(view, APPROVED, [], ctx)
    if text in (RETURN, button("button.return"), "退回"):
        return Goto("pick")
    return Retry(say("review.pick_or_write", limit=COMMENT_LIMIT))


def ask_pick(view: ReviewView, ctx: Context) -> Reply:
    """Asks which indicator the comment is about (or the whole table)."""
    names = [i.name for i in view.version.filing.indicators]
    choices = [Choice(button("button.whole_table"), WHOLE_TABLE), *(Choice(name, name) for name in names)]
    return say("review.pick_indicator", choices=choices, token=view.session.token, columns=2)


def answer_pick(view: ReviewView, text: str, ctx: Context) -> Outcome:
    """Keeps the indicator chosen and asks for the comment."""
    if text == WHOLE_TABLE or text == button("button.whole_table"):
        view.session.review.indicator = None
        return Goto("comment")
    if any(i.name == text for i in view.version.filing.indicators):
        view.session.review.indicator = text
        return Goto("comment")
    return Retry(say("review.pick_or_write", limit=COMMENT_LIMIT))


def ask_comment(view: ReviewView, ctx: Context) -> Reply:
    """Asks for the comment."""
    target = view.session.review.indicator or button("button.whole_table")
    return say("review.ask_comment", target=target, limit=COMMENT_LIMIT)


def answer_comment(view: ReviewView, text: str, ctx: Context) -> Outcome:
    """Returns the draft with the comment (the review ends)."""
    text = text.strip()
    if not 0 < len(text) <= COMMENT_LIMIT:
        return Retry(say("review.pick_or_write", limit=COMMENT_LIMIT))
    return _verdict(view, RETURNED, [Comment(indicator=view.session.review.indicator, text=text)], ctx)


def _verdict(view: ReviewView, verdict: str, comments: list[Comment], ctx: Context) -> Outcome:
    """The verdict on the drafter's draft (a loaded copy, saved by effect), the drafter told."""
    draft, version, reviewer = view.draft, view.version, view.reviewer
    draft.reviews.append(ReviewNote(version=version.number, reviewer=reviewer, verdict=verdict, comments=comments,
                                    at=ctx.now_iso))
    draft.reviewer, draft.status, draft.share_code = reviewer, verdict, None
    draft.turn += 1  # the drafter's buttons of before are stale now
    effects = [SaveDraft(draft, view.revision)]
    if verdict == APPROVED:
        own = version.filing.model_copy(deep=True)
        own.source = Source(file=f"own:{draft.user}/{draft.id}", index=version.number)
        effects.append(AddOwnFiling(own))
        effects.append(Notify(notify(draft.user, "review.approved_notice", name=draft.label(), version=version.number)))
        return Goto(END, say("review.approved_done", name=draft.label(), version=version.number), tuple(effects))
    if draft.step == "done":  # the drafter comes back to the table, comments pinned to it
        draft.history.append("done")
        draft.step = "review"
    target = comments[0].indicator or button("button.whole_table")
    text = comments[0].text
    effects.append(Notify(notify(draft.user, "review.returned_notice", name=draft.label(), version=version.number,
                                 target=target, text=text)))
    return Goto(END, say("review.returned_done", name=draft.label(), target=target), tuple(effects))
