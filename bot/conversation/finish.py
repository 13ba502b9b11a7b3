"""Steps at the end and the detours: review, done, the /edit menu, the /cancel and /delete questions."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from jixiao.bot.conversation.facts import ask
from jixiao.bot.conversation.outcomes import Context, Goto, Next, Outcome, Retry
from jixiao.bot.conversation.replies import Attachment, Choice, FileRefused, Reply, button, join, say
from jixiao.bot.conversation.state import ABANDONED, APPROVED, DELETED, DRAFTING, FINISHED, SHARED, Draft
from jixiao.bot.domain.validation import Finding, has_errors, validate
from jixiao.bot.domain.validation.findings import WARNING
from jixiao.bot.render.caps import TableTooLarge
from jixiao.bot.render.chat_table import render_chat
from jixiao.bot.texts import render_plain

logger = logging.getLogger(__name__)
CONFIRM, EDIT, YES, NO, BACK = "confirm", "edit", "yes", "no", "back"
KEEPS_FINISHED = ("done", "confirm_cancel", "confirm_delete")  # asked from "done", answered back to it


def leave_done(draft: Draft, target: str) -> None:
    """A finished table that leaves its "done" step is being changed: it is a draft again and
    its review code dies (a reviewer can no longer decide on it)."""
    if draft.step == "done" and target not in KEEPS_FINISHED and draft.status in (FINISHED, SHARED, APPROVED):
        draft.status, draft.share_code = DRAFTING, None


def draft_findings(draft: Draft) -> list[Finding]:
    """What the table shows marked: the validator's findings, the values taken from elsewhere not
    yet confirmed (⚠ 请核对), and the last reviewer's comments."""
    from jixiao.bot.conversation.review import review_findings

    names = {item.name for item in draft.filing.indicators}
    unconfirmed = [Finding(severity=WARNING, rule="value_note", indicator=name, message=note)
                   for name, note in draft.notes.items() if name in names]
    found = validate(draft.filing)
    if not draft.filing.indicators:  # /show before the indicators: "缺少一级指标" ×4 says nothing yet
        found = [f for f in found if f.rule not in NOT_YET]
    return [*found, *unconfirmed, *review_findings(draft)]


#: Findings about the indicators, which a draft not yet at its indicators has none of.
NOT_YET = frozenset({"missing_level1", "missing_level2", "goal_quantity_unmeasured", "goal_quantity_mismatch"})


def table_replies(draft: Draft, *, with_findings: bool = True) -> list[Reply]:
    """The draft's table as chat messages (split to fit), findings and review comments marked."""
    findings = draft_findings(draft) if with_findings else []
    try:
        html = render_chat(draft.filing, findings, html=True)
        plain = render_chat(draft.filing, findings, html=False)
    except TableTooLarge as exc:  # an imported table over the renderers' limits: say which
        return [Reply(exc.message(html=True), exc.message(html=False))]
    return [Reply(html=h, plain=p) for h, p in zip(html, plain)]


# ------------------------------------------------------------------ review
def ask_review(draft: Draft, ctx: Context) -> Reply:
    """Asks to confirm the table shown above it (what it marks counted: findings, unconfirmed
    values, the reviewer's comments — those are in the table, not listed again), or to change it."""
    findings = draft_findings(draft)
    errors = sum(f.blocking for f in findings)
    key = "chat.review_blocked" if errors else "chat.review"
    asked = ask(key, draft, [Choice(button("button.confirm_finish"), CONFIRM), Choice(button("button.edit"), EDIT)], columns=2,
                errors=errors, warnings=len(findings) - errors)
    comments = sum(f.rule == "review_comment" for f in findings)
    if not comments:
        return asked
    return join(say("chat.review_comments", count=comments), asked)


def answer_review(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Finishes the draft when nothing blocks it; "修改" opens the /edit menu."""
    text = text.strip()
    if text in (CONFIRM, button("button.confirm_finish"), "确认", "确认完成"):
        findings = validate(draft.filing)
        if has_errors(findings):
            errors = "\n".join(f"• {f.indicator + '：' if f.indicator else ''}{f.message}" for f in findings if f.blocking)
            return Retry(say("chat.cannot_finish", errors=errors))
        draft.status = FINISHED
        return Goto("done")
    if text in (EDIT, button("button.edit")):
        draft.return_to = "review"
        return Goto("edit_menu")
    return Retry(say("chat.pick_a_choice"))


# ------------------------------------------------------------------ done
def _render(draft: Draft, suffix: str) -> bytes | None:
    """The table as an .xlsx or a .png; a rendering failure never loses the draft.

    A table over a renderer's limits (a picture too tall to draw) is refused with the
    reason for the user (:class:`FileRefused`); any other failure is logged."""
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"export{suffix}"
            if suffix == ".xlsx":
                from jixiao.bot.render.xlsx import write_xlsx

                write_xlsx(draft.filing, path)
            else:
                from jixiao.bot.render.png import render_png

                render_png(draft.filing, path)
            return path.read_bytes()
    except TableTooLarge as exc:
        raise FileRefused(Reply(exc.message(html=True), exc.message(html=False))) from exc
    except Exception:  # noqa: BLE001 - the table is still in the chat
        logger.exception("%s export failed for draft %s", suffix, draft.id)
        return None


def export_files(draft: Draft) -> tuple[Attachment, ...]:
    """The finished table as .xlsx and .png, made when the adapter sends them."""
    from jixiao.bot.render import export_stem

    snapshot = draft.model_copy(deep=True)
    stem = export_stem(draft.filing)  # short enough in bytes for any file system
    return (
        Attachment("document", f"{stem}.xlsx", lambda: _render(snapshot, ".xlsx")),
        Attachment("photo", f"{stem}.png", lambda: _render(snapshot, ".png")),
    )


def ask_done(draft: Draft, ctx: Context) -> Reply:
    """Says the table is finished (the table and its files come with it the first time)."""
    return ask("chat.finished", draft, name=draft.filing.project_name)


def answer_done(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Nothing left to answer: says what can be done with a finished table."""
    return Retry(say("chat.already_finished"))


# ------------------------------------------------------------------ /edit menu
def ask_edit_menu(draft: Draft, ctx: Context) -> Reply:
    """Lists the fields that can be changed; each goes back to where /edit came from."""
    from jixiao.bot.conversation.flow import editable_steps

    choices = [Choice(render_plain(s.edit_label), s.id) for s in editable_steps(draft)]
    return ask("chat.edit_menu", draft, [*choices, Choice(button("button.back"), BACK)], columns=3)


def answer_edit_menu(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Goes to the field chosen, or back."""
    from jixiao.bot.conversation.flow import editable_steps

    text = text.strip()
    if text in (BACK, button("button.back")):
        return Next() if draft.return_to else Goto("review")
    for step in editable_steps(draft):
        if text in (step.id, render_plain(step.edit_label)):
            return Goto(step.id)
    return Retry(say("chat.pick_a_choice"))


# ------------------------------------------------------------------ /cancel and /delete questions
def _yes_no(key: str, yes_label: str):
    """The question and answer of a yes/no detour; "yes" gives the draft ``status`` and kills its review code."""

    def ask_it(draft: Draft, ctx: Context) -> Reply:
        choices = [Choice(button(yes_label), YES), Choice(button("button.cancel_no"), NO)]
        return ask(key, draft, choices, columns=2, name=draft.label())

    def answer_it(draft: Draft, text: str, ctx: Context, status: str) -> Outcome:
        text = text.strip()
        if text in (YES, "是", button(yes_label)):
            draft.status, draft.share_code = status, None
            return Next()
        if text in (NO, "否", "不", button("button.cancel_no")):
            return Next()
        return Retry(say("chat.pick_a_choice"))

    return ask_it, answer_it


ask_cancel, _answer_cancel = _yes_no("chat.confirm_cancel", "button.cancel_yes")
ask_delete, _answer_delete = _yes_no("chat.confirm_delete", "button.delete_yes")


def answer_cancel(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Gives the draft up (kept in /drafts; its review code dies) or goes back to where it was."""
    return _answer_cancel(draft, text, ctx, ABANDONED)


def answer_delete(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Deletes the draft (the engine drops it from the user's file) or goes back."""
    return _answer_delete(draft, text, ctx, DELETED)


__all__ = ["table_replies", "export_files"]
