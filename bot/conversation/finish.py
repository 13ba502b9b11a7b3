"""Steps at the end and the menus: review, done, the /edit menu, the /cancel question."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from jixiao.bot.conversation.facts import ask
from jixiao.bot.conversation.flow import Context, Goto, Outcome, Retry, Step, flow
from jixiao.bot.conversation.replies import Attachment, Choice, Reply, button, join, say
from jixiao.bot.conversation.state import ABANDONED, FINISHED, Draft
from jixiao.bot.domain.validation import has_errors, validate
from jixiao.bot.render.chat_table import render_chat

logger = logging.getLogger(__name__)
CONFIRM, EDIT, YES, NO, BACK = "confirm", "edit", "yes", "no", "back"


def table_replies(draft: Draft, *, with_findings: bool = True) -> list[Reply]:
    """The draft's table as chat messages (split to fit), findings and review comments marked."""
    from jixiao.bot.conversation.review import review_findings

    findings = [*validate(draft.filing), *review_findings(draft)] if with_findings else []
    html = render_chat(draft.filing, findings, html=True)
    plain = render_chat(draft.filing, findings, html=False)
    return [Reply(html=h, plain=p) for h, p in zip(html, plain)]


# ------------------------------------------------------------------ review
def ask_review(draft: Draft, ctx: Context) -> Reply:
    from jixiao.bot.conversation.review import review_findings

    findings = validate(draft.filing)
    errors = sum(f.blocking for f in findings)
    key = "chat.review_blocked" if errors else "chat.review"
    asked = ask(key, draft, [Choice(button("button.confirm_finish"), CONFIRM), Choice(button("button.edit"), EDIT)], columns=2,
                errors=errors, warnings=len(findings) - errors)
    comments = review_findings(draft)
    if not comments:
        return asked
    listed = "\n".join(f"• {c.indicator or button('button.whole_table')}：{c.message}" for c in comments)
    return join(say("chat.review_comments", comments=listed), asked)


def answer_review(draft: Draft, text: str, ctx: Context) -> Outcome:
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
    """The table as an .xlsx or a .png; a rendering failure never loses the draft."""
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
    except Exception:  # noqa: BLE001 - the table is still in the chat
        logger.exception("%s export failed for draft %s", suffix, draft.id)
        return None


def export_files(draft: Draft) -> tuple[Attachment, ...]:
    """The finished table as .xlsx and .png, made when the adapter sends them."""
    snapshot = draft.model_copy(deep=True)
    stem = f"{draft.filing.year}-{draft.filing.project_name or 'draft'}".replace("/", "_")
    return (
        Attachment("document", f"{stem}.xlsx", lambda: _render(snapshot, ".xlsx")),
        Attachment("photo", f"{stem}.png", lambda: _render(snapshot, ".png")),
    )


def ask_done(draft: Draft, ctx: Context) -> Reply:
    return ask("chat.finished", draft, name=draft.filing.project_name)


def answer_done(draft: Draft, text: str, ctx: Context) -> Outcome:
    return Retry(say("chat.already_finished"))


# ------------------------------------------------------------------ /edit menu
def editable_steps(draft: Draft) -> list[Step]:
    return [s for s in flow().values() if s.edit_label and s.applies(draft)]


def ask_edit_menu(draft: Draft, ctx: Context) -> Reply:
    from jixiao.bot.texts import render_plain

    choices = [Choice(render_plain(s.edit_label), s.id) for s in editable_steps(draft)]
    return ask("chat.edit_menu", draft, [*choices, Choice(button("button.back"), BACK)], columns=3)


def answer_edit_menu(draft: Draft, text: str, ctx: Context) -> Outcome:
    from jixiao.bot.texts import render_plain

    text = text.strip()
    if text in (BACK, button("button.back")):
        return Goto(draft.return_to or "year")
    for step in editable_steps(draft):
        if text in (step.id, render_plain(step.edit_label)):
            return Goto(step.id)
    return Retry(say("chat.pick_a_choice"))


# ------------------------------------------------------------------ /cancel question
def ask_cancel(draft: Draft, ctx: Context) -> Reply:
    return ask("chat.confirm_cancel", draft, [Choice(button("button.cancel_yes"), YES), Choice(button("button.cancel_no"), NO)], columns=2,
               name=draft.label())


def answer_cancel(draft: Draft, text: str, ctx: Context) -> Outcome:
    text = text.strip()
    if text in (YES, "是", button("button.cancel_yes")):
        draft.status = ABANDONED
        return Goto(draft.return_to or "year")
    if text in (NO, "否", "不", button("button.cancel_no")):
        return Goto(draft.return_to or "year")
    return Retry(say("chat.pick_a_choice"))


STEPS = [
    Step("review", ask_review, answer_review, "chat.help_review"),
    Step("done", ask_done, answer_done, "chat.help_done", in_line=False),
    Step("edit_menu", ask_edit_menu, answer_edit_menu, "chat.help_edit", in_line=False),
    Step("confirm_cancel", ask_cancel, answer_cancel, "chat.help_cancel", in_line=False),
]

__all__ = ["STEPS", "table_replies", "export_files"]
