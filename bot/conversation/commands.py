"""The commands that work anywhere, and the menus shown outside a draft (drafts, look-ups).

Each command is ``handler(turn, argument, ctx) -> Outcome | None``: it may change the
turn's session and drafts (loaded copies), say things, and return an outcome for the
open draft (``Goto("edit_menu")``, ``Ask(...)`` to ask the current question again).
Menus are ``handler(turn, text, ctx) -> Outcome | None`` for an answer to a menu's
question. The table that binds names to handlers is ``flow.py``.
"""

from __future__ import annotations

from jixiao.bot.conversation.finish import leave_done, table_replies
from jixiao.bot.conversation.outcomes import Ask, Context, Goto, Outcome, Turn
from jixiao.bot.conversation.replies import Choice, Reply, button, say
from jixiao.bot.conversation.state import ABANDONED, APPROVED, DRAFTING, FINISHED, RETURNED, SHARED, Draft
from jixiao.bot.domain.models import Filing

STATUS_KEYS = {DRAFTING: "status.drafting", FINISHED: "status.finished", ABANDONED: "status.abandoned",
               SHARED: "status.shared", RETURNED: "status.returned", APPROVED: "status.approved"}
DETOURS = ("edit_menu", "confirm_cancel", "confirm_delete")  # steps that go back where they came from
CONFIRMATIONS = ("confirm_cancel", "confirm_delete")  # questions that are not left pending
LISTED = 20  # drafts shown by /drafts (the newest)


def _step(draft: Draft):
    from jixiao.bot.conversation.flow import STEPS

    return STEPS[draft.step]


def _detour(draft: Draft, target: str) -> Outcome:
    """Go to ``target`` and, when it is answered, back to where the draft is now."""
    if draft.step not in DETOURS:
        draft.return_to = "review" if draft.step == "done" and target == "edit_menu" else draft.step
    return Goto(target)


# ------------------------------------------------------------------ anywhere
def no_draft(turn: Turn, key: str = "chat.no_draft") -> None:
    """Say ``key`` (the welcome, or "no draft open") with buttons for /new and /drafts (the start menu)."""
    turn.session.turn += 1
    turn.session.menu = "start"
    # keyed: a console clerk's "1" meant for draft 1 of a list gone by opens the list, never an empty draft
    choices = [Choice(button("button.new_draft"), "new", "新")]
    if turn.drafts:
        choices.append(Choice(button("button.my_drafts"), "drafts", "1"))
    turn.say(say(key, choices=choices, token=turn.session.token))


def start_menu(turn: Turn, text: str, ctx: Context) -> Outcome | None:
    """The start menu's buttons: a new draft, or the list of drafts."""
    if text == "drafts":
        list_drafts(turn, "", ctx)
        return None
    return new_draft(turn, "", ctx)


def start(turn: Turn, argument: str, ctx: Context) -> Outcome | None:
    """/start: the menu left open (the drafts list, a review), or welcome, or the open draft's question again."""
    from jixiao.bot.conversation.review import resume_review

    menu, turn.session.menu = turn.session.menu, None
    if menu == "drafts" and turn.drafts:
        list_drafts(turn, "", ctx)
        return None
    if menu == "review" and turn.session.review is not None:
        resume_review(turn, ctx)
        return None
    turn.session.review = None
    if turn.draft is None:
        no_draft(turn, "chat.welcome")
        return None
    return Ask((say("chat.resumed", name=turn.draft.label()),), whole=True)


def help_(turn: Turn, argument: str, ctx: Context) -> Outcome | None:
    """/help: what this step wants, then its question again."""
    if turn.draft is None:
        no_draft(turn, "chat.welcome")
        return None
    return Ask((say(_step(turn.draft).help_key),))


def new_draft(turn: Turn, argument: str, ctx: Context) -> Outcome:
    """/new: a new draft for next year's budget, open at the year question."""
    from jixiao.bot.conversation.forms import form_for

    year = ctx.today.year + 1
    draft = Draft(user=turn.user, filing=Filing(year=year, format=form_for(year, ctx.last_department), project_name=""))
    turn.drafts.append(draft)
    turn.open(draft)
    return Ask((say("chat.new_draft"),), whole=True)


def list_drafts(turn: Turn, argument: str, ctx: Context) -> None:
    """/drafts: the newest drafts as buttons (the drafts menu)."""
    turn.session.turn += 1
    if not turn.drafts:
        turn.session.menu = None
        turn.say(say("chat.no_drafts"))
        return
    newest = _newest(turn)
    lines = "\n".join(f"{i}. {d.label()}（{button(STATUS_KEYS.get(d.status, 'status.drafting'))}，{d.updated[:10]}）"
                      for i, d in enumerate(newest, 1))
    choices = [Choice(button("button.draft_option", number=i, label=d.label()), f"open:{d.id}") for i, d in enumerate(newest, 1)]
    turn.session.menu = "drafts"
    turn.say(say("chat.drafts", choices=choices, token=turn.session.token, drafts=lines))


def _newest(turn: Turn) -> list[Draft]:
    return sorted(turn.drafts, key=lambda d: d.updated, reverse=True)[:LISTED]


def is_draft_choice(text: str) -> bool:
    """Typed text that answers the drafts menu (a number or a draft id); anything else goes on."""
    return text.split(".")[0].strip().isdigit() or text.startswith("open:")


def open_draft(turn: Turn, text: str, ctx: Context) -> Outcome | None:
    """The drafts menu: opens the draft chosen, at the step where it was left."""
    newest = _newest(turn)
    wanted = text.strip().removeprefix("open:")
    chosen = next((d for d in turn.drafts if d.id == wanted), None)
    number = wanted.split(".")[0].strip()
    if chosen is None and number.isdigit() and 1 <= int(number) <= len(newest):
        chosen = newest[int(number) - 1]
    if chosen is None:
        turn.say(say("chat.pick_a_draft"))
        return None
    turn.open(chosen)
    drop_confirmation(chosen)
    if chosen.status == ABANDONED:
        chosen.status = DRAFTING
    chosen.turn += 1
    return Ask((say("chat.resumed", name=chosen.label()),), whole=True)


def drop_confirmation(draft: Draft) -> None:
    """A /cancel or /delete question left unanswered is dropped: the draft is back at the step
    it was at before (a draft opened again must not open on "确定删除？ [1] 是")."""
    from jixiao.bot.conversation.flow import STEPS

    while draft.step in CONFIRMATIONS:
        before = draft.history.pop() if draft.history and draft.history[-1] in STEPS else draft.return_to or "year"
        draft.step = before
        if before not in DETOURS:
            draft.return_to = None


def lookup(turn: Turn, query: str, ctx: Context) -> Outcome | None:
    """/lookup 名称 [详细]: the project's past filings, the asking unit's first, in a short answer
    (the details on request); the closest names as buttons if none; then the current question again."""
    from jixiao.bot.lookup import lookup as find
    from jixiao.bot.lookup import parse_query, render_lookup

    turn.session.turn += 1
    query, detail = parse_query(query)
    if not query:
        turn.session.menu = "lookup_query"
        turn.say(say("lookup.ask"))
        return
    unit = (turn.draft.filing.department if turn.draft else None) or turn.session.last_department
    result = find(ctx.corpus, query, unit=unit)
    html = render_lookup(result, html=True, detail=detail)
    plain = render_lookup(result, html=False, detail=detail)
    turn.session.menu = None if result.found else "lookup"
    replies = [Reply(h, p) for h, p in zip(html, plain)]
    if result.suggestions:
        last = replies[-1]
        choices = tuple(Choice(name, name) for name in result.suggestions)
        replies[-1] = Reply(last.html, last.plain, choices, turn.session.token)
        turn.say(*replies)
        return None
    if turn.draft is None:
        turn.say(*replies)
        return None
    return Ask(tuple(replies))  # the answer, then the draft's current question again


def lookup_menu(turn: Turn, text: str, ctx: Context) -> Outcome | None:
    """The look-up menus: a suggested name pressed, or the query typed after a bare /lookup."""
    return lookup(turn, text, ctx)


# ------------------------------------------------------------------ on the open draft
def show(turn: Turn, argument: str, ctx: Context) -> Outcome:
    """/show: the whole table with its findings, then the current question."""
    return Ask(tuple(table_replies(turn.draft)))


def back(turn: Turn, argument: str, ctx: Context) -> Outcome:
    """/back: the step before, its answer kept and shown."""
    from jixiao.bot.conversation.flow import STEPS

    draft = turn.draft
    while draft.history and not (draft.history[-1] in STEPS and STEPS[draft.history[-1]].applies(draft)):
        draft.history.pop()  # a step that no longer applies (the form changed)
    if not draft.history:
        return Ask((say("chat.cannot_back"),))
    target = draft.history.pop()
    leave_done(draft, target)
    draft.step, draft.turn = target, draft.turn + 1
    return Ask(whole=True)


def skip(turn: Turn, argument: str, ctx: Context) -> Outcome:
    """/skip: the step's default, where the form allows a blank or a default."""
    step = _step(turn.draft)
    if step.skip is None:
        return Ask((say("chat.cannot_skip"),))
    return step.skip(turn.draft, ctx)


def edit(turn: Turn, argument: str, ctx: Context) -> Outcome:
    """/edit: the field menu (a finished table is being changed: its review code dies)."""
    return _detour(turn.draft, "edit_menu")


def cancel(turn: Turn, argument: str, ctx: Context) -> Outcome:
    """/cancel: asks whether to give the draft up."""
    return _detour(turn.draft, "confirm_cancel")


def delete(turn: Turn, argument: str, ctx: Context) -> Outcome:
    """/delete: asks whether to delete the draft for good."""
    return _detour(turn.draft, "confirm_delete")
