"""Steps that ask for the project's facts: year, name, units, category, dates, money, goal."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date

from jixiao.bot.conversation.flow import Context, Next, Outcome, Retry, Step
from jixiao.bot.conversation.replies import Choice, Reply, button, join, say
from jixiao.bot.conversation.state import Draft
from jixiao.bot.domain.amounts import parse_date, parse_yuan
from jixiao.bot.domain.frameworks import framework_for_year, get_framework
from jixiao.bot.domain.models import Indicator
from jixiao.bot.domain.validation.table_rules import plan_period

NAME_LIMIT = 100
UNIT_LIMIT = 60
GOAL_LIMIT = 2000
MONEY_LIMIT = 1e11
DATE_IN_TEXT = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")


# ------------------------------------------------------------------ helpers
def current(value) -> str:
    """How an earlier answer is shown when a step is asked again."""
    return "" if value in (None, "") else str(value)


def ask(key: str, draft: Draft, choices=(), columns: int = 1, current: str = "", **params) -> Reply:
    """Step ``key``'s question with its buttons; an earlier answer, if any, is shown under it."""
    question = say(key, choices=choices, token=draft.token, columns=columns, **params)
    return join(question, say("chat.current_answer", value=current)) if current else question


def common(values, limit: int) -> list[str]:
    counted = Counter(v for v in values if v)
    return [value for value, _ in counted.most_common(limit)]


def clean(text: str) -> str:
    return " ".join(text.split())


def is_2020(draft: Draft) -> bool:
    return draft.filing.format == "2020"


def yuan(amount: float | None) -> str:
    if amount is None:
        return "—"
    return f"{amount:,.2f}"


def remap_indicators(draft: Draft, old_format: str) -> int:
    """Move indicators into the new format's levels; returns how many had no home."""
    target = get_framework(draft.filing.format)
    kept, dropped = [], 0
    for item in draft.filing.indicators:
        place = target.map_level(old_format, item.level1, item.level2)
        if place is None:
            dropped += 1
            continue
        kept.append(Indicator(level1=place[0], level2=place[1], name=item.name, value=item.value))
    draft.filing.indicators = kept
    return dropped


# ------------------------------------------------------------------ year
def ask_year(draft: Draft, ctx: Context) -> Reply:
    budget_year = ctx.today.year + 1
    options = [budget_year, ctx.today.year]
    choices = [
        Choice(button("button.year_option", year=y, form=framework_for_year(y).id), str(y)) for y in options
    ] + [Choice(button("button.form_2024"), "2024"), Choice(button("button.form_2020"), "2020")]
    return ask("chat.ask_year", draft, choices, default=budget_year, form=framework_for_year(budget_year).id)


def answer_year(draft: Draft, text: str, ctx: Context) -> Outcome:
    digits = re.sub(r"[年版表格（）()\s]", "", unicodedata.normalize("NFKC", text))
    if not digits.isdigit() or not 2000 <= int(digits) <= 2100:
        return Retry(say("chat.bad_year", value=text, example=ctx.today.year + 1))
    year = int(digits)
    old_format, old_year = draft.filing.format, draft.filing.year
    draft.filing.year = year
    draft.filing.format = framework_for_year(year).id
    if draft.filing.start and draft.filing.start.year == old_year:
        draft.filing.start, draft.filing.end = date(year, 1, 1), date(year, 12, 31)
    dropped = remap_indicators(draft, old_format) if old_format != draft.filing.format else 0
    if dropped:
        return Next(say("chat.indicators_dropped", count=dropped, form=draft.filing.format))
    return Next()


def skip_year(draft: Draft, ctx: Context) -> Outcome:
    return answer_year(draft, str(ctx.today.year + 1), ctx)


# ------------------------------------------------------------------ name
def ask_name(draft: Draft, ctx: Context) -> Reply:
    return ask("chat.ask_name", draft, current=current(draft.filing.project_name))


def answer_name(draft: Draft, text: str, ctx: Context) -> Outcome:
    name = clean(text)
    if not name or len(name) > NAME_LIMIT or not re.search(r"\w", name):
        return Retry(say("chat.bad_name", limit=NAME_LIMIT))
    draft.filing.project_name = name
    return Next()


# ------------------------------------------------------------------ department / unit
def short_text_answer(attribute: str):
    """The answer function for a short text field of the filing (a unit, a category …)."""

    def answer(draft: Draft, text: str, ctx: Context) -> Outcome:
        value = clean(text)
        if not value or len(value) > UNIT_LIMIT:
            return Retry(say("chat.bad_unit", limit=UNIT_LIMIT))
        setattr(draft.filing, attribute, value)
        return Next()

    return answer


answer_department = short_text_answer("department")
answer_unit = short_text_answer("implementing_unit")
answer_category = short_text_answer("category")
answer_nature = short_text_answer("nature")


def ask_department(draft: Draft, ctx: Context) -> Reply:
    suggestions = common([ctx.last_department] * 100 + [f.department for f in ctx.corpus], 4)
    key = "chat.ask_department_2020" if is_2020(draft) else "chat.ask_department"
    return ask(key, draft, [Choice(s, s) for s in suggestions], current=current(draft.filing.department))


def ask_unit(draft: Draft, ctx: Context) -> Reply:
    suggestions = common([draft.filing.department] * 50 + [ctx.last_unit] * 100 + [f.implementing_unit for f in ctx.corpus], 4)
    return ask("chat.ask_unit", draft, [Choice(s, s) for s in suggestions], current=current(draft.filing.implementing_unit))


# ------------------------------------------------------------------ category / nature
def ask_category(draft: Draft, ctx: Context) -> Reply:
    same_form = [f.category for f in ctx.corpus if f.format == draft.filing.format]
    suggestions = common(same_form + [f.category for f in ctx.corpus], 6)
    return ask("chat.ask_category", draft, [Choice(s, s) for s in suggestions], columns=2,
               current=current(draft.filing.category))


def ask_nature(draft: Draft, ctx: Context) -> Reply:
    suggestions = common([f.nature for f in ctx.corpus], 4) or ["其他经常性项目"]
    return ask("chat.ask_nature", draft, [Choice(s, s) for s in suggestions], current=current(draft.filing.nature))


# ------------------------------------------------------------------ dates
def ask_dates(draft: Draft, ctx: Context) -> Reply:
    year = draft.filing.year
    whole = button("label.period", start=f"{year}-01-01", end=f"{year}-12-31")
    shown = button("label.period", start=draft.filing.start, end=draft.filing.end) if draft.filing.end else ""
    return ask("chat.ask_dates", draft, [Choice(button("button.whole_year", period=whole), whole)], current=shown, example=button("label.period", start=f"{year}-03-01", end=f"{year}-11-30"))


def answer_dates(draft: Draft, text: str, ctx: Context) -> Outcome:
    year = draft.filing.year
    found = DATE_IN_TEXT.findall(unicodedata.normalize("NFKC", text))
    if text.strip() in ("全年", "整年"):
        found = [f"{year}-01-01", f"{year}-12-31"]
    dates = [parse_date(d) for d in found]
    if len(dates) != 2 or None in dates:
        return Retry(say("chat.bad_dates", value=text, example=button("label.period", start=f"{year}-01-01", end=f"{year}-12-31")))
    start, end = dates
    if start > end:
        return Retry(say("chat.dates_order", start=start.isoformat(), end=end.isoformat()))
    if start.year != year or end.year != year:
        return Retry(say("chat.dates_outside_year", year=year))
    draft.filing.start, draft.filing.end = start, end
    return Next()


def skip_dates(draft: Draft, ctx: Context) -> Outcome:
    draft.filing.start, draft.filing.end = plan_period(draft.filing)
    return Next()


# ------------------------------------------------------------------ money
def ask_money(draft: Draft, ctx: Context) -> Reply:
    if is_2020(draft):
        amount = draft.filing.prior_year.current_budget
        return ask("chat.ask_money_2020", draft, current="" if amount is None else yuan(amount))
    amount = draft.filing.funding.annual_request
    return ask("chat.ask_money", draft, current="" if amount is None else yuan(amount))


def answer_money(draft: Draft, text: str, ctx: Context) -> Outcome:
    amount = parse_yuan(text)
    if amount is None or amount <= 0 or amount > MONEY_LIMIT:
        return Retry(say("chat.bad_money", value=text))
    if is_2020(draft):
        draft.filing.prior_year.total_budget = draft.filing.prior_year.current_budget = amount
        return Next()
    f = draft.filing.funding
    f.total = f.annual_request = f.fiscal = f.current_appropriation = amount
    f.carryover = f.other = 0.0
    return Next()


def _same_name_last_year(draft: Draft, ctx: Context):
    name = draft.filing.project_name
    older = [f for f in ctx.corpus if f.project_name == name and f.year < draft.filing.year]
    return max(older, key=lambda f: f.year, default=None)


def _last_year_money(filing) -> float | None:
    return filing.funding.annual_request or filing.funding.total or filing.prior_year.current_budget


def ask_money_detail(draft: Draft, ctx: Context) -> Reply:
    if is_2020(draft):
        previous = _same_name_last_year(draft, ctx)
        choices = []
        if previous is not None and _last_year_money(previous):
            amount = _last_year_money(previous)
            label = button("button.prior_year_from_corpus", amount=yuan(amount), year=previous.year)
            choices.append(Choice(label, f"{amount} {amount}"))
        p = draft.filing.prior_year
        shown = "" if p.last_year_budget is None else f"{yuan(p.last_year_budget)} / {yuan(p.last_year_executed)}"
        return ask("chat.ask_prior_year", draft, choices, current=shown)
    f = draft.filing.funding
    return ask("chat.ask_money_detail", draft, total=yuan(f.annual_request), current=f"{yuan(f.current_appropriation)} / {yuan(f.carryover)} / {yuan(f.other)}")


def answer_money_detail(draft: Draft, text: str, ctx: Context) -> Outcome:
    parts = [parse_yuan(p) for p in re.split(r"[\s,，、/;；]+", re.sub(r"[^\d.,，、/;；\s万元]", " ", text).strip()) if p]
    if is_2020(draft):
        if len(parts) != 2 or None in parts or any(p < 0 for p in parts):
            return Retry(say("chat.bad_prior_year", value=text))
        draft.filing.prior_year.last_year_budget, draft.filing.prior_year.last_year_executed = parts
        return Next()
    if len(parts) != 3 or None in parts or any(p < 0 for p in parts):
        return Retry(say("chat.bad_money_detail", value=text))
    current_appropriation, carryover, other = parts
    f = draft.filing.funding
    if abs(current_appropriation + carryover + other - (f.annual_request or 0)) > 0.01:
        return Retry(say("chat.money_detail_sum", current=yuan(current_appropriation), carryover=yuan(carryover),
                         other=yuan(other), sum=yuan(current_appropriation + carryover + other), total=yuan(f.annual_request)))
    f.current_appropriation, f.carryover, f.other = current_appropriation, carryover, other
    f.fiscal = current_appropriation + carryover
    return Next()


def skip_money_detail(draft: Draft, ctx: Context) -> Outcome:
    """/skip: all of the request is this year's appropriation (2020: no prior-year figures)."""
    if is_2020(draft):
        draft.filing.prior_year.last_year_budget = draft.filing.prior_year.last_year_executed = None
        return Next()
    f = draft.filing.funding
    f.fiscal = f.current_appropriation = f.annual_request
    f.carryover = f.other = 0.0
    return Next()


# ------------------------------------------------------------------ goal
def ask_goal(draft: Draft, ctx: Context) -> Reply:
    previous = _same_name_last_year(draft, ctx)
    choices = []
    if previous is not None and previous.goal:
        choices.append(Choice(button("button.previous_goal", year=previous.year), "__previous_goal__"))
    return ask("chat.ask_goal", draft, choices, current=current(draft.filing.goal), limit=GOAL_LIMIT)


def answer_goal(draft: Draft, text: str, ctx: Context) -> Outcome:
    if text == "__previous_goal__":
        previous = _same_name_last_year(draft, ctx)
        text = previous.goal if previous is not None and previous.goal else ""
    goal = clean(text)
    if len(goal) < 4 or len(goal) > GOAL_LIMIT:
        return Retry(say("chat.bad_goal", limit=GOAL_LIMIT))
    draft.filing.goal = goal
    return Next()


STEPS = [
    Step("year", ask_year, answer_year, "chat.help_year", optional=True, on_skip=skip_year, edit_label="chat.field_year"),
    Step("name", ask_name, answer_name, "chat.help_name", edit_label="chat.field_name"),
    Step("department", ask_department, answer_department, "chat.help_department", edit_label="chat.field_department"),
    Step("unit", ask_unit, answer_unit, "chat.help_unit", optional=True, applies=lambda d: not is_2020(d),
         edit_label="chat.field_unit"),
    Step("category", ask_category, answer_category, "chat.help_category", optional=True, edit_label="chat.field_category"),
    Step("nature", ask_nature, answer_nature, "chat.help_nature", optional=True,
         applies=lambda d: d.filing.format == "2026", edit_label="chat.field_nature"),
    Step("dates", ask_dates, answer_dates, "chat.help_dates", optional=True, on_skip=skip_dates, edit_label="chat.field_dates"),
    Step("money", ask_money, answer_money, "chat.help_money", edit_label="chat.field_money"),
    Step("money_detail", ask_money_detail, answer_money_detail, "chat.help_money_detail", optional=True,
         on_skip=skip_money_detail, edit_label="chat.field_money_detail"),
    Step("goal", ask_goal, answer_goal, "chat.help_goal", edit_label="chat.field_goal"),
]
