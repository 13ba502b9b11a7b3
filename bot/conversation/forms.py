"""The year and the form: two separate choices, and what happens to indicators on a change.

Typing or pressing a year sets the budget year and that year's form for the unit's region
(:func:`form_for`: Shanghai's 2020 form only for Shanghai units up to 2023, the national form
elsewhere, the 2026 form from 2026 on); choosing a form ("2024版表格") changes only the form,
never the year, and is the user's choice from then on. Until the user picks a form, the
answer to 主管部门 chooses it again (:func:`answer_department`), since the region is known only
then. When indicators exist, each is placed in the new form's levels
(``bot.retrieval.proposals.place``: the frameworks' ``maps_from`` tables, then meaning); if
some have no place, the ``remap`` step asks what to do with them — put them under one level,
drop them, or keep the old form.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from jixiao.bot.conversation.facts import ask, ask_department, name_answer
from jixiao.bot.conversation.outcomes import Context, Goto, Next, Outcome, Retry
from jixiao.bot.conversation.replies import Choice, Reply, button, join, say
from jixiao.bot.conversation.state import Draft, FormChange
from jixiao.bot.domain.frameworks import Framework, FrameworkChoice, choose_framework, framework_ids, get_framework
from jixiao.bot.domain.models import Indicator
from jixiao.bot.domain.order import in_framework_order

FORM_PREFIX, DROP, KEEP_FORM, LEVEL_PREFIX = "form:", "drop", "keep_form", "level:"
FORM_TEXT = re.compile(r"^(\d{4})\s*(?:年)?\s*版")


# ------------------------------------------------------------------ which form
def choice_for(year: int, department: str | None) -> FrameworkChoice:
    """The form a ``year`` filing of ``department`` uses (its region read from the name)."""
    return choose_framework(year, department=department)


def form_for(year: int, department: str | None) -> str:
    return choice_for(year, department).framework.id


# ------------------------------------------------------------------ placing indicators
def placed(framework: Framework, old_format: str, item: Indicator) -> Indicator | None:
    """``item`` in ``framework``'s levels, or None when it has no place there."""
    from jixiao.bot.retrieval.proposals import place

    where = place(framework, old_format, item)
    if where is None or not framework.contains(*where):
        return None
    return item.model_copy(update={"level1": where[0], "level2": framework.canonical_level2(where[1]) or where[1]})


def mapped(draft: Draft, new_format: str) -> tuple[list[Indicator], list[Indicator]]:
    """The draft's indicators placed in ``new_format`` (in their order), and those with no place."""
    target = get_framework(new_format)
    kept, homeless = [], []
    for item in draft.filing.indicators:
        moved = placed(target, draft.filing.format, item)
        (kept if moved is not None else homeless).append(moved if moved is not None else item)
    return kept, homeless


def _apply(draft: Draft, change: FormChange, indicators: list[Indicator]) -> None:
    old_year = draft.filing.year
    draft.filing.year, draft.filing.format = change.year, change.format
    draft.filing.indicators = in_framework_order(indicators, change.format)
    names = {i.name for i in indicators}
    draft.notes = {name: note for name, note in draft.notes.items() if name in names}
    draft.proposal = []  # proposed for the old form: proposed again when the proposal is shown
    draft.form_change = None
    draft.form_chosen = change.chosen
    _shift_period(draft, old_year)


def _shift_period(draft: Draft, old_year: int) -> None:
    """A plan period inside the old year moves to the same days of the new one."""
    f = draft.filing
    if f.start is None or f.end is None or not f.start.year == f.end.year == old_year or old_year == f.year:
        return
    try:
        f.start, f.end = f.start.replace(year=f.year), f.end.replace(year=f.year)
    except ValueError:  # 29 February
        f.start, f.end = date(f.year, 1, 1), date(f.year, 12, 31)


def change_form(draft: Draft, change: FormChange, note: Reply | None = None) -> Outcome:
    """Switch to ``change``; ask first when some indicators would have no place."""
    if change.format == draft.filing.format:
        _apply(draft, change, draft.filing.indicators)
        return Next(note)
    kept, homeless = mapped(draft, change.format)
    if homeless:
        draft.form_change = change
        return Goto("remap", note)
    _apply(draft, change, kept)
    if kept:
        moved = say("chat.indicators_moved", count=len(kept), form=change.format)
        return Next(join(note, moved) if note else moved)
    return Next(note)


# ------------------------------------------------------------------ year
def _unit(draft: Draft, ctx: Context) -> str | None:
    """The unit whose region chooses the form: the draft's, else the one this user filed for last."""
    return draft.filing.department or ctx.last_department


def ask_year(draft: Draft, ctx: Context) -> Reply:
    """Asks the budget year; the other forms are separate buttons that keep the year."""
    budget_year, year, unit = ctx.today.year + 1, draft.filing.year, _unit(draft, ctx)
    years = list(dict.fromkeys([budget_year, ctx.today.year]))
    choices = [Choice(button("button.year_option", year=y, form=form_for(y, unit)), str(y)) for y in years]
    default_form = form_for(year, unit)
    choices += [Choice(button("button.form_option", year=year, form=fid), f"{FORM_PREFIX}{fid}")
                for fid in reversed(framework_ids()) if fid not in (default_form, draft.filing.format)]
    return ask("chat.ask_year", draft, choices, default=budget_year, form=form_for(budget_year, unit),
               current=button("label.year_and_form", year=year, form=draft.filing.format) if draft.turn else "")


def answer_year(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Stores the year (and its form for the unit's region), or only the form ("2024版表格", its button)."""
    typed = unicodedata.normalize("NFKC", text).strip()
    form = typed.removeprefix(FORM_PREFIX) if typed.startswith(FORM_PREFIX) else None
    if form is None and FORM_TEXT.match(typed):
        form = FORM_TEXT.match(typed)[1]
    if form is not None:
        if form not in framework_ids():
            return Retry(say("chat.bad_form", value=text, forms="、".join(framework_ids())))
        return change_form(draft, FormChange(year=draft.filing.year, format=form, chosen=True))
    digits = re.sub(r"[年\s]", "", typed)
    if not digits.isdigit() or not 2000 <= int(digits) <= 2100:
        return Retry(say("chat.bad_year", value=text, example=ctx.today.year + 1))
    year = int(digits)
    return change_form(draft, FormChange(year=year, format=form_for(year, _unit(draft, ctx))))


# ------------------------------------------------------------------ department: its region chooses the form
_answer_department_name = name_answer("department", asked=ask_department)


def answer_department(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Stores 主管部门; until the user picks a form, the unit's region chooses it again
    (a Shanghai unit's 2023 filing: the 2020 form), and says so."""
    outcome = _answer_department_name(draft, text, ctx)
    f = draft.filing
    if not isinstance(outcome, Next) or draft.form_chosen:
        return outcome
    choice = choice_for(f.year, f.department)
    if choice.framework.id == f.format:
        return outcome
    note = say("chat.form_by_region", form=choice.framework.id, year=f.year, reason=_reason(choice, f.year))
    changed = change_form(draft, FormChange(year=f.year, format=choice.framework.id), note)
    if isinstance(changed, Goto) and draft.return_to is None:
        draft.return_to = "department"  # asked where the indicators go: then this question again
    return changed


def _reason(choice: FrameworkChoice, year: int) -> str:
    from jixiao.bot.retrieval.proposals import framework_reason

    return framework_reason(choice, year)


def skip_year(draft: Draft, ctx: Context) -> Outcome:
    """/skip: the next budget year."""
    return answer_year(draft, str(ctx.today.year + 1), ctx)


# ------------------------------------------------------------------ remap
def ask_remap(draft: Draft, ctx: Context) -> Reply:
    """Lists the indicators that have no place in the new form and asks what to do."""
    change = draft.form_change
    if change is None:  # nothing pending (an old button): say where we are
        return ask("chat.remap_nothing", draft, [Choice(button("button.keep_form"), KEEP_FORM)])
    _, homeless = mapped(draft, change.format)
    target = get_framework(change.format)
    choices = [Choice(button("button.move_all_to", level=f"{l1.name}/{l2.name}"), f"{LEVEL_PREFIX}{l1.name}/{l2.name}")
               for l1 in target.levels for l2 in l1.children]
    choices += [Choice(button("button.drop_homeless", count=len(homeless)), DROP), Choice(button("button.keep_form"), KEEP_FORM)]
    listed = "\n".join(f"• {i.level1}/{i.level2}：{i.name}" for i in homeless)
    return ask("chat.remap", draft, choices, columns=2, count=len(homeless), form=change.format,
               old=draft.filing.format, indicators=listed)


def answer_remap(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Puts the homeless indicators under the chosen level, drops them, or keeps the old form."""
    change, text = draft.form_change, text.strip()
    if change is None or text in (KEEP_FORM, button("button.keep_form")):
        draft.form_change = None
        draft.form_chosen = draft.form_chosen or change is not None  # keeping the form is choosing it
        return Next(say("chat.form_kept", form=draft.filing.format, year=draft.filing.year))
    kept, homeless = mapped(draft, change.format)
    if text in (DROP, button("button.drop_homeless", count=len(homeless))):
        _apply(draft, change, kept)
        return Next(say("chat.indicators_dropped", count=len(homeless), form=change.format))
    level = text.removeprefix(LEVEL_PREFIX)
    level1, _, level2 = level.partition("/")
    if not get_framework(change.format).contains(level1, level2):
        return Retry(say("chat.pick_a_choice"))
    moved = [i.model_copy(update={"level1": level1, "level2": level2}) for i in homeless]
    _apply(draft, change, [*kept, *moved])
    return Next(say("chat.indicators_moved_to", count=len(moved), level=level))
