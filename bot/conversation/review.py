"""Sharing a finished draft with a reviewer, who approves it or sends it back with a comment.

The drafter sends /share and gets a one-time code; the reviewer (another allowed user)
sends ``/review CODE``. The code binds to the first user who opens it. The reviewer sees
the version that was shared, with the validator's findings, and approves it or picks an
indicator and writes a comment. The drafter is notified; a returned draft shows the
comment at its indicator; an approved one joins our own corpus for next year.
"""

from __future__ import annotations

from jixiao.bot.conversation.replies import Choice, Reply, button, notify, say
from jixiao.bot.conversation.state import APPROVED, FINISHED, RETURNED, SHARED, Comment, Draft, ReviewNote, Version
from jixiao.bot.domain.models import Filing, Source
from jixiao.bot.domain.validation import Finding, validate
from jixiao.bot.domain.validation.findings import WARNING
from jixiao.bot.render.chat_table import render_chat
from jixiao.bot.texts import render_plain

APPROVE, RETURN, WHOLE_TABLE = "approve", "return", "__table__"
COMMENT_LIMIT = 1000


def snapshot(draft: Draft) -> Version:
    """The latest version of a shared draft, adding one when the table changed since."""
    if not draft.versions or draft.versions[-1].filing != draft.filing:
        draft.versions.append(Version(number=len(draft.versions) + 1, filing=draft.filing.model_copy(deep=True)))
    return draft.versions[-1]


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


def _table(filing: Filing, extra: list[Finding] = ()) -> list[Reply]:
    findings = [*validate(filing), *extra]
    return [Reply(h, p) for h, p in zip(render_chat(filing, findings, html=True), render_chat(filing, findings, html=False))]


# ------------------------------------------------------------------ the drafter
def share(turn, ctx) -> None:
    """/share: a one-time code for the current finished draft; its reviewer hears of a re-share."""
    draft = turn.draft
    if draft is None or draft.status not in (FINISHED, SHARED):
        turn.replies.append(say("review.share_not_finished"))
        return
    version = snapshot(draft)
    code = ctx.services.shares.create(draft.user, draft.id, version.number)
    draft.status = SHARED
    turn.changed.add(draft.id)
    turn.replies.append(say("review.shared", code=code, version=version.number, name=draft.label()))
    if draft.reviewer:
        turn.replies.append(notify(draft.reviewer, "review.reshared_notice", name=draft.label(), code=code,
                                   version=version.number))


# ------------------------------------------------------------------ the reviewer
def _shared_draft(turn, ctx) -> tuple[Draft, Version] | None:
    review = turn.session.review
    draft = ctx.services.store.draft(review.get("owner", ""), review.get("draft", ""))
    if draft is None:
        return None
    version = next((v for v in draft.versions if str(v.number) == review.get("version")), None)
    return (draft, version) if version is not None else None


def open_review(turn, code: str, ctx) -> None:
    """/review CODE: show the shared version and ask for a verdict."""
    user = turn.session.user
    shares = ctx.services.shares
    share_record = shares.get(code) if code.strip() else None
    if share_record is None:
        turn.replies.append(say("review.bad_code", code=code or "—"))
        return
    if share_record["owner"] == user:
        turn.replies.append(say("review.own_draft"))
        return
    if shares.claim(code, user) is None:
        turn.replies.append(say("review.code_taken"))
        return
    turn.session.review = {"owner": share_record["owner"], "draft": share_record["draft"],
                           "version": str(share_record["version"]), "stage": "decide"}
    found = _shared_draft(turn, ctx)
    if found is None:
        turn.session.review = {}
        turn.replies.append(say("review.bad_code", code=code))
        return
    draft, version = found
    turn.session.menu = "review"
    turn.session.turn += 1
    turn.replies.extend(_table(version.filing))
    turn.replies.append(_ask_verdict(turn, draft, version))


def _ask_verdict(turn, draft: Draft, version: Version) -> Reply:
    choices = [Choice(button("button.approve"), APPROVE), Choice(button("button.return"), RETURN)]
    turn.session.choices = [c.value for c in choices]
    return say("review.decide", choices=choices, token=turn.session.token, columns=2,
               name=version.filing.project_name, version=version.number)


def review_input(turn, text: str, ctx) -> None:
    """The reviewer's answer at the current stage: verdict, indicator, then comment."""
    found = _shared_draft(turn, ctx)
    if found is None:
        turn.session.menu, turn.session.review = None, {}
        turn.replies.append(say("review.gone"))
        return
    draft, version = found
    stage = turn.session.review.get("stage")
    turn.session.turn += 1
    if stage == "decide" and text in (APPROVE, button("button.approve"), "批准"):
        _approve(turn, draft, version, ctx)
    elif stage == "decide" and text in (RETURN, button("button.return"), "退回"):
        names = [i.name for i in version.filing.indicators]
        choices = [Choice(button("button.whole_table"), WHOLE_TABLE), *(Choice(name, name) for name in names)]
        turn.session.choices = [c.value for c in choices]
        turn.session.review["stage"] = "pick"
        turn.replies.append(say("review.pick_indicator", choices=choices, token=turn.session.token, columns=2))
    elif stage == "pick" and (text == WHOLE_TABLE or any(i.name == text for i in version.filing.indicators)):
        turn.session.review.update(stage="comment", indicator=text)
        target = button("button.whole_table") if text == WHOLE_TABLE else text
        turn.replies.append(say("review.ask_comment", target=target))
    elif stage == "comment" and 0 < len(text.strip()) <= COMMENT_LIMIT:
        indicator = turn.session.review.get("indicator")
        _return(turn, draft, version, None if indicator == WHOLE_TABLE else indicator, text.strip(), ctx)
    else:
        turn.replies.append(say("review.pick_or_write", limit=COMMENT_LIMIT))


def _finish_review(turn, draft: Draft, verdict: str, version: Version, comments: list[Comment], ctx) -> None:
    draft.reviews.append(ReviewNote(version=version.number, reviewer=turn.session.user, verdict=verdict, comments=comments))
    draft.reviewer = turn.session.user
    draft.status = verdict
    draft.turn += 1
    ctx.services.store.save_draft(draft)
    turn.session.menu, turn.session.review, turn.session.choices = None, {}, []


def _approve(turn, draft: Draft, version: Version, ctx) -> None:
    _finish_review(turn, draft, APPROVED, version, [], ctx)
    own = version.filing.model_copy(deep=True)
    own.source = Source(file=f"own:{draft.user}/{draft.id}", index=version.number)
    ctx.services.add_own_filing(own)
    turn.replies.append(say("review.approved_done", name=draft.label(), version=version.number))
    turn.replies.append(notify(draft.user, "review.approved_notice", name=draft.label(), version=version.number))


def _return(turn, draft: Draft, version: Version, indicator: str | None, text: str, ctx) -> None:
    draft.step = "review"  # the drafter comes back to the table, comments pinned to it
    draft.history.append("done")
    _finish_review(turn, draft, RETURNED, version, [Comment(indicator=indicator, text=text)], ctx)
    target = indicator or button("button.whole_table")
    turn.replies.append(say("review.returned_done", name=draft.label(), target=target))
    turn.replies.append(notify(draft.user, "review.returned_notice", name=draft.label(), version=version.number,
                               target=target, text=text))
