"""Steps that ask for the project's facts: name, units, category, nature, dates, money, goals.

Each step is a pair ``ask_x(draft, ctx) -> Reply`` / ``answer_x(draft, text, ctx) -> Outcome``
(plus ``skip_x`` where the field may be skipped): the answer checks the text, stores it
in the draft it was given and says what comes next. No step reads or writes a store.
The year and the form are in ``forms.py``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from jixiao.bot.conversation.outcomes import Context, Next, Outcome, Retry, Stay
from jixiao.bot.conversation.replies import Choice, Reply, button, join, say
from jixiao.bot.conversation.state import Draft
from jixiao.bot.domain.amounts import parse_period, parse_yuan
from jixiao.bot.domain.limits import (
    GOAL_CHARS,
    GOAL_MIN_CHARS,
    KIND_CHARS,
    MONEY_YUAN,
    NAME_LETTERS,
    PROJECT_NAME_CHARS,
    UNIT_CHARS,
)
from jixiao.bot.domain.validation.arithmetic_rules import budget_of
from jixiao.bot.domain.validation.table_rules import plan_period
from jixiao.bot.texts import all_messages

PHASED = "阶段性项目"
NATURES = ("其他经常性项目", PHASED, "一次性项目")  # 项目性质 of the 2026 form
PREVIOUS_GOAL, SAME_AS_DEPARTMENT, KEEP_GOAL = "__previous_goal__", "__same_as_department__", "__keep_goal__"
AS_TYPED, TIMES_WAN = "__as_typed__", "__times_wan__"  # the buttons of a confirmation (a small amount, a goal)
SMALL_YUAN = 1000  # an amount below this is most likely missing its 万: asked, not refused
BARE_NUMBER = re.compile(r"^\d{1,2}$")  # "2": an option's number, not an answer
AMOUNT_ONLY = re.compile(r"^[-+]?[\d.,，〇零一二三四五六七八九十百千两]*[\d〇零一二三四五六七八九十百千两][\d.,，〇零一二三四五六七八九十百千两万亿]*(?:元)?$")
UNFINISHED = ("，", "、", ",", "；", ";", "：", ":")  # a goal ending so was cut (a pasted line break)
# what a clerk types to press a button or run a step, not a goal
COMMAND_PHRASES = ("确认", "确定", "确认完成", "完成", "下一步", "继续", "跳过", "采用", "好的", "是", "否", "沿用",
                   "同上", "无", "没有", "略")


# ------------------------------------------------------------------ helpers
def current(value) -> str:
    """How an earlier answer is shown when a step is asked again (a goal's last 。 is the message's)."""
    return "" if value in (None, "") else str(value).rstrip("。")


def ask(key: str, draft: Draft, choices=(), columns: int = 1, current: str = "", **params) -> Reply:
    """Step ``key``'s question with its buttons; an earlier answer, if any, is shown under it."""
    question = say(key, choices=choices, token=draft.token, columns=columns, **params)
    if not current:
        return question
    return join(question, say("chat.current_answer" if choices else "chat.current_answer_typed", value=current))


def first(values, limit: int) -> list[str]:
    """The first ``limit`` distinct non-empty values, in order."""
    return list(dict.fromkeys(v for v in values if v))[:limit]


def clean(text: str) -> str:
    return " ".join(text.split())


def letters(text: str) -> int:
    """How many letters (汉字, Latin …) ``text`` has: a name needs some, "1" or "…" has none."""
    return sum(unicodedata.category(c).startswith("L") for c in text)


def looks_like_a_name(text: str, limit: int) -> bool:
    return bool(text) and len(text) <= limit and letters(text) >= NAME_LETTERS


def numbered(text: str, choices) -> str | Retry | None:
    """A bare number typed at a question with buttons: that option's value, a refusal when there
    is no such option ("2" when only [1] exists), ``None`` when ``text`` is no bare number."""
    if not choices or not BARE_NUMBER.match(text):
        return None
    number = int(text)
    if 1 <= number <= len(choices):
        return choices[number - 1].value
    return Retry(say("chat.no_such_option", number=number, count=len(choices)))


def _stem(option: str) -> str:
    """An option without its last word of kind: 特定目标类 → 特定目标, 阶段性项目 → 阶段性."""
    for ending in ("项目", "类"):
        if option.endswith(ending) and len(option) > len(ending) + 1:
            return option[: -len(ending)]
    return option


def matching_options(typed: str, options: list[str]) -> list[str]:
    """The offered options ``typed`` clearly means: the one it equals, else the one whose stem it
    equals (特定目标 → 特定目标类), else every one it begins, 其他 left out (阶段性 → 阶段性项目,
    经常性 → 其他经常性项目). A name that is only part of an option's middle (专项业务费) means none."""
    if typed in options:
        return [typed]
    stems = [o for o in options if _stem(o) == typed]
    if len(stems) == 1:
        return stems
    return [o for o in options if len(typed) >= 2 and (o.startswith(typed) or o.removeprefix("其他").startswith(typed))]


def wait(draft: Draft, key: str, value: str) -> Stay:
    """Keeps ``value`` to be confirmed by the step's next answer; the step asks about it (once:
    any later accepted input, /back or /edit included, leaves it stale)."""
    draft.pending[key] = value
    draft.pending[f"{key}.turn"] = str(draft.turn + 1)  # the turn of the question Stay asks
    return Stay()


def waiting(draft: Draft, key: str, *, take: bool = False) -> str | None:
    """The value :func:`wait` kept for this question, or None; ``take`` forgets it."""
    value, turn = draft.pending.get(key), draft.pending.get(f"{key}.turn")
    if take:
        draft.pending.pop(key, None)
        draft.pending.pop(f"{key}.turn", None)
    return value if value is not None and turn == str(draft.turn) else None


def is_2020(draft: Draft) -> bool:
    return draft.filing.format == "2020"


def is_phased(draft: Draft) -> bool:
    """A 阶段性项目 (项目性质): several years, with a total over all of them."""
    return PHASED in (draft.filing.nature or "")


def spans_years(draft: Draft) -> bool:
    f = draft.filing
    return f.start is not None and f.end is not None and f.start.year != f.end.year


def multi_year(draft: Draft) -> bool:
    """Asks 项目总目标 and 项目资金总额 (all years) besides this year's figures."""
    return is_phased(draft) or spans_years(draft)


def may_span_years(draft: Draft) -> bool:
    """The 2026 form says so in 项目性质; the older forms have no such field."""
    return is_phased(draft) or draft.filing.format != "2026"


def yuan(amount: float | None) -> str:
    if amount is None:
        return "—"
    return f"{amount:,.2f}"


# ------------------------------------------------------------------ name
def ask_name(draft: Draft, ctx: Context) -> Reply:
    """Asks the project's name."""
    return ask("chat.ask_name", draft, current=current(draft.filing.project_name))


def answer_name(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Stores the name if it looks like one (some letters, not too long, not an amount like 八十万)."""
    name = clean(text)
    if letters(name) and AMOUNT_ONLY.match(unicodedata.normalize("NFKC", name).replace(" ", "")):  # 八十万, 80万
        return Retry(say("chat.name_is_amount", value=name))
    if not looks_like_a_name(name, PROJECT_NAME_CHARS):
        return Retry(say("chat.bad_name", value=name, limit=PROJECT_NAME_CHARS, least=NAME_LETTERS))
    draft.filing.project_name = name
    return Next()


# ------------------------------------------------------------------ department / unit / category / nature
def name_answer(attribute: str, limit: int = UNIT_CHARS, refusal: str = "chat.bad_unit", asked=None,
                snap: bool = False):
    """The answer function for a field that holds a name (a unit, a category …).

    ``asked``: the step's question, whose buttons a typed option number presses; with ``snap``,
    a typed answer that clearly means one offered option (阶段性 → 阶段性项目) is stored as that
    option, one that could mean several is asked again, and any other name is kept as typed."""

    def answer(draft: Draft, text: str, ctx: Context) -> Outcome:
        choices = asked(draft, ctx).choices if asked is not None else ()
        pressed = numbered(text.strip(), choices)
        if isinstance(pressed, Retry):
            return pressed
        text = pressed if pressed is not None else text
        if text == SAME_AS_DEPARTMENT:
            text = draft.filing.department or ""
        value = clean(text)
        if not looks_like_a_name(value, limit):
            return Retry(say(refusal, value=value, limit=limit, least=NAME_LETTERS))
        if snap:
            offered = [c.value for c in choices]
            meant = matching_options(unicodedata.normalize("NFKC", value), offered)
            if len(meant) > 1:
                return Retry(say("chat.ambiguous_choice", value=value, options="、".join(meant)))
            value = meant[0] if meant else value
        setattr(draft.filing, attribute, value)
        return Next()

    answer.__name__ = answer.__qualname__ = f"answer_{attribute}"
    return answer


def ask_department(draft: Draft, ctx: Context) -> Reply:
    """Asks 主管部门 (2020: 申报单位), offering the units used before."""
    suggestions = first([ctx.last_department, *ctx.corpus.common("department", 4)], 4)
    key = "chat.ask_department_2020" if is_2020(draft) else "chat.ask_department"
    return ask(key, draft, [Choice(s, s) for s in suggestions], current=current(draft.filing.department))


def ask_unit(draft: Draft, ctx: Context) -> Reply:
    """Asks 实施单位, with 同主管部门 as the first button."""
    department = draft.filing.department
    others = first([ctx.last_unit, *ctx.corpus.common("implementing_unit", 4)], 4)
    choices = [Choice(button("button.same_as_department", department=department), SAME_AS_DEPARTMENT)] if department else []
    choices += [Choice(s, s) for s in others if s != department][:3]
    return ask("chat.ask_unit", draft, choices, current=current(draft.filing.implementing_unit))


def ask_category(draft: Draft, ctx: Context) -> Reply:
    """Asks 项目类别, offering the categories of past filings."""
    same_form = ctx.corpus.common("category", 6, format=draft.filing.format)
    suggestions = first([*same_form, *ctx.corpus.common("category", 6)], 6)
    return ask("chat.ask_category", draft, [Choice(s, s) for s in suggestions], columns=2,
               current=current(draft.filing.category))


def ask_nature(draft: Draft, ctx: Context) -> Reply:
    """Asks 项目性质 (2026 form): 阶段性项目 leads to the multi-year questions."""
    suggestions = first([*NATURES, *ctx.corpus.common("nature", 4)], len(NATURES) + 4)
    return ask("chat.ask_nature", draft, [Choice(s, s) for s in suggestions], current=current(draft.filing.nature))


answer_unit = name_answer("implementing_unit", asked=ask_unit)
answer_category = name_answer("category", KIND_CHARS, "chat.bad_kind", asked=ask_category, snap=True)
answer_nature = name_answer("nature", KIND_CHARS, "chat.bad_kind", asked=ask_nature, snap=True)


# ------------------------------------------------------------------ dates
def _whole_year(draft: Draft) -> str:
    year = draft.filing.year
    return button("label.period", start=f"{year}-01-01", end=f"{year}-12-31")


def ask_dates(draft: Draft, ctx: Context) -> Reply:
    """Asks the plan period; the whole budget year is one button."""
    year, f = draft.filing.year, draft.filing
    shown = button("label.period", start=f.start, end=f.end) if f.end else ""
    key = "chat.ask_dates_years" if may_span_years(draft) else "chat.ask_dates"
    return ask(key, draft, [Choice(button("button.whole_year", period=_whole_year(draft)), _whole_year(draft))],
               current=shown, year=year, example=button("label.period", start=f"{year}-03-01", end=f"{year}-11-30"),
               span=button("label.period", start=f"{year - 1}-01-01", end=f"{year + 1}-12-31"))


def answer_dates(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Stores the period: inside the budget year, or around it for a multi-year project."""
    year = draft.filing.year
    pressed = numbered(text.strip(), ask_dates(draft, ctx).choices)
    if isinstance(pressed, Retry):
        return pressed
    text = pressed if pressed is not None else text
    period = parse_period(text, year)
    if text.strip() in ("全年", "整年"):
        period = parse_period(_whole_year(draft), year)
    if period is None:
        return Retry(say("chat.bad_dates", value=text, example=_whole_year(draft)))
    start, end = period
    if start > end:
        return Retry(say("chat.dates_order", start=start.isoformat(), end=end.isoformat()))
    if not start.year <= year <= end.year:
        return Retry(say("chat.dates_miss_year", year=year))
    if (start.year != year or end.year != year) and not may_span_years(draft):
        return Retry(say("chat.dates_outside_year", year=year))
    draft.filing.start, draft.filing.end = start, end
    return Next()


def skip_dates(draft: Draft, ctx: Context) -> Outcome:
    """/skip: the whole budget year."""
    draft.filing.start, draft.filing.end = plan_period(draft.filing)
    return Next()


# ------------------------------------------------------------------ money
def settle_fiscal(draft: Draft) -> None:
    """财政资金 as the form prints it: this year's 当年财政拨款 + 上年结转 for a one-year project;
    for a multi-year one the whole period's — 项目资金总额 less 其他资金 (普陀 2026: 86,500,000)."""
    f = draft.filing.funding
    if multi_year(draft) and f.total is not None:
        f.fiscal = f.total - (f.other or 0.0)
    elif f.current_appropriation is not None:
        f.fiscal = f.current_appropriation + (f.carryover or 0.0)


def _small_amount(draft: Draft, key: str) -> Reply | None:
    """The confirmation of an amount under SMALL_YUAN typed at this step (``key``), if one waits."""
    amount = waiting(draft, key)
    if amount is None:
        return None
    amount = float(amount)
    choices = [Choice(button("chat.small_amount_wan", amount=f"{amount:g}"), TIMES_WAN),  # first: what is meant most
               Choice(button("chat.small_amount_yes", amount=yuan(amount)), AS_TYPED)]
    return ask("chat.small_total" if key == "small_total" else "chat.small_annual", draft, choices, amount=yuan(amount))


def _checked_amount(draft: Draft, text: str, key: str) -> float | Stay | Retry:
    """The amount typed, or its confirmation's answer; an amount under SMALL_YUAN (1 for 1万,
    80 for 80万) is asked about first (``Stay``: the step asks "是不是少写了“万”？")."""
    kept = waiting(draft, key, take=True)
    if kept is not None and text in (AS_TYPED, TIMES_WAN):
        amount = float(kept) * (10_000 if text == TIMES_WAN else 1)
        return amount if amount <= MONEY_YUAN else Retry(say("chat.bad_money", value=yuan(amount)))
    amount = _amount(text)
    if amount is None:
        return Retry(say("chat.bad_money", value=text))
    if amount < SMALL_YUAN:
        return wait(draft, key, str(amount))
    return amount


def ask_money(draft: Draft, ctx: Context) -> Reply:
    """Asks this year's amount (2020: 项目当年预算)."""
    confirm = _small_amount(draft, "small_annual")
    if confirm is not None:
        return confirm
    if is_2020(draft):
        amount = draft.filing.prior_year.current_budget
        return ask("chat.ask_money_2020", draft, current="" if amount is None else yuan(amount))
    amount = draft.filing.funding.annual_request
    return ask("chat.ask_money", draft, current="" if amount is None else yuan(amount))


def _amount(text: str) -> float | None:
    amount = parse_yuan(text)
    return amount if amount is not None and 0 < amount <= MONEY_YUAN else None


def answer_money(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Stores this year's amount; for a one-year project it is also the project's total."""
    amount = _checked_amount(draft, text, "small_annual")
    if isinstance(amount, (Stay, Retry)):
        return amount
    several = multi_year(draft)
    if is_2020(draft):
        p = draft.filing.prior_year
        p.current_budget = amount
        p.total_budget = p.total_budget if several and p.total_budget else amount
        return Next()
    f = draft.filing.funding
    before = f.annual_request
    f.annual_request = f.current_appropriation = amount
    f.total = f.total if several and f.total else amount
    f.carryover = f.other = 0.0
    settle_fiscal(draft)
    if before is not None and before != amount:
        from jixiao.bot.conversation.indicators import refresh_costs  # the costs made from the old amount

        return Next(note=refresh_costs(draft, ctx))
    return Next()


def ask_money_total(draft: Draft, ctx: Context) -> Reply:
    """Asks the total over all the project's years (multi-year projects)."""
    confirm = _small_amount(draft, "small_total")
    if confirm is not None:
        return confirm
    f = draft.filing
    total, annual = (f.prior_year.total_budget, f.prior_year.current_budget) if is_2020(draft) else \
        (f.funding.total, f.funding.annual_request)
    start, end = plan_period(f)
    return ask("chat.ask_money_total", draft, current="" if total is None or total == annual else yuan(total),
               start=start.year, end=end.year, annual=yuan(annual))


def answer_money_total(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Stores 项目资金总额 (2020: 项目总预算); it cannot be less than this year's amount."""
    amount = _checked_amount(draft, text, "small_total")
    if isinstance(amount, (Stay, Retry)):
        return amount
    f = draft.filing
    annual = f.prior_year.current_budget if is_2020(draft) else f.funding.annual_request
    if annual is not None and amount < annual:
        return Retry(say("chat.total_below_annual", total=yuan(amount), annual=yuan(annual)))
    if is_2020(draft):
        f.prior_year.total_budget = amount
    else:
        f.funding.total = amount
        settle_fiscal(draft)
    return Next()


def _same_name_last_year(draft: Draft, ctx: Context):
    """The latest earlier filing of this project's name (one filing read, whatever the corpus's size)."""
    return ctx.corpus.latest(draft.filing.project_name, before=draft.filing.year)


def ask_money_detail(draft: Draft, ctx: Context) -> Reply:
    """Asks how this year's amount splits (2020: last year's budget and spending)."""
    if is_2020(draft):
        previous = _same_name_last_year(draft, ctx)
        choices = []
        if previous is not None and budget_of(previous):
            amount = budget_of(previous)
            label = button("button.prior_year_from_corpus", amount=yuan(amount), year=previous.year)
            choices.append(Choice(label, f"{amount} {amount}"))
        p = draft.filing.prior_year
        shown = "" if p.last_year_budget is None else f"{yuan(p.last_year_budget)} / {yuan(p.last_year_executed)}"
        return ask("chat.ask_prior_year", draft, choices, current=shown)
    f = draft.filing.funding
    choices = []
    if f.annual_request:
        whole = button("button.all_appropriation", amount=yuan(f.annual_request))
        choices.append(Choice(whole, f"{f.annual_request} 0 0"))
    return ask("chat.ask_money_detail", draft, choices, total=yuan(f.annual_request),
               current=f"{yuan(f.current_appropriation)} / {yuan(f.carryover)} / {yuan(f.other)}")


def answer_money_detail(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Stores the split; the parts must add up to this year's amount."""
    parts = [parse_yuan(p) for p in re.split(r"[\s,，、/;；]+", re.sub(r"[^\d.,，、/;；\s万元]", " ", text).strip()) if p]
    if is_2020(draft):
        if len(parts) != 2 or None in parts or any(p < 0 or p > MONEY_YUAN for p in parts):
            return Retry(say("chat.bad_prior_year", value=text))
        draft.filing.prior_year.last_year_budget, draft.filing.prior_year.last_year_executed = parts
        return Next()
    if len(parts) != 3 or None in parts or any(p < 0 or p > MONEY_YUAN for p in parts):
        return Retry(say("chat.bad_money_detail", value=text))
    current_appropriation, carryover, other = parts
    f = draft.filing.funding
    if abs(current_appropriation + carryover + other - (f.annual_request or 0)) > 0.01:
        return Retry(say("chat.money_detail_sum", current=yuan(current_appropriation), carryover=yuan(carryover),
                         other=yuan(other), sum=yuan(current_appropriation + carryover + other), total=yuan(f.annual_request)))
    f.current_appropriation, f.carryover, f.other = current_appropriation, carryover, other
    settle_fiscal(draft)
    return Next()


def skip_money_detail(draft: Draft, ctx: Context) -> Outcome:
    """/skip: all of the request is this year's appropriation (2020: no prior-year figures)."""
    if is_2020(draft):
        draft.filing.prior_year.last_year_budget = draft.filing.prior_year.last_year_executed = None
        return Next()
    f = draft.filing.funding
    f.current_appropriation = f.annual_request
    f.carryover = f.other = 0.0
    settle_fiscal(draft)
    return Next()


# ------------------------------------------------------------------ goals
def _goal(text: str) -> str | None:
    goal = clean(text)
    return goal if GOAL_MIN_CHARS <= len(goal) <= GOAL_CHARS and letters(goal) >= NAME_LETTERS else None


def _bare(text: str) -> str:
    """A button's or a message's words without marks around them (✓ 确认完成 → 确认完成)."""
    return re.sub(r"^[✓✅⬜＋+\s]+|[。.！!\s]+$", "", unicodedata.normalize("NFKC", text))


@cache
def _button_patterns() -> tuple[re.Pattern, ...]:
    """Every button's text from prompts as a pattern, a {placeholder} standing for a short value
    (a year, a name); buttons with fewer than two words of their own (1. {label}) are left out."""
    patterns = []
    for key, template in all_messages().items():
        parts = re.split(r"\{[a-z0-9_]+\}", _bare(template.replace("\\", "")))
        if key.startswith("button.") and letters("".join(parts)) >= NAME_LETTERS:
            patterns.append(re.compile("^" + "[^。；;!?！？]{1,40}?".join(re.escape(p) for p in parts) + "$"))
    return tuple(patterns)


def _is_command(text: str) -> bool:
    """Text that presses a button or runs a step (全部采用, 从去年的表开始, 确认), not a goal."""
    bare = _bare(text)
    return bare in COMMAND_PHRASES or any(pattern.match(bare) for pattern in _button_patterns())


def _goal_outcome(draft: Draft, text: str, attribute: str) -> Outcome:
    """Stores a goal typed at its step, unless it is a command or clearly unfinished (asked first)."""
    key = f"unfinished_{attribute}"
    kept = waiting(draft, key, take=True)
    if kept is not None and text == AS_TYPED:
        setattr(draft.filing, attribute, kept)
        return Next()
    if kept is not None and not _is_command(text) and not clean(text).startswith(kept[:GOAL_MIN_CHARS]):
        text = kept + clean(text)  # the rest of the goal (a paste's second line): joined
    if _is_command(text):
        return Retry(say("chat.goal_is_command", value=clean(text)))
    goal = _goal(text)
    if goal is None:
        key_ = "chat.goal_too_short" if len(clean(text)) < GOAL_MIN_CHARS else "chat.bad_goal"
        return Retry(say(key_, value=clean(text), least=GOAL_MIN_CHARS, limit=GOAL_CHARS))
    if goal.endswith(UNFINISHED):
        return wait(draft, key, goal)
    setattr(draft.filing, attribute, goal)
    return Next()


def _unfinished(draft: Draft, attribute: str) -> Reply | None:
    """The question about a goal that ends in "，" (cut), if one waits."""
    goal = waiting(draft, f"unfinished_{attribute}")
    if goal is None:
        return None
    return ask("chat.goal_unfinished", draft, [Choice(button("chat.goal_as_typed"), AS_TYPED)],
               goal=goal, end=goal[-1])


def _keep(value: str | None) -> list[Choice]:
    """A button that keeps a goal already written (from a table the draft started from, or /back)."""
    return [Choice(button("button.keep_goal"), KEEP_GOAL)] if value else []


def ask_overall_goal(draft: Draft, ctx: Context) -> Reply:
    """Asks 项目总目标: what the whole multi-year project achieves."""
    cut = _unfinished(draft, "overall_goal")
    if cut is not None:
        return cut
    start, end = plan_period(draft.filing)
    return ask("chat.ask_overall_goal", draft, _keep(draft.filing.overall_goal), current=current(draft.filing.overall_goal),
               limit=GOAL_CHARS, start=start.year, end=end.year)


def answer_overall_goal(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Stores 项目总目标 (or keeps the one written)."""
    if text == KEEP_GOAL and draft.filing.overall_goal:
        return Next()
    pressed = numbered(text.strip(), ask_overall_goal(draft, ctx).choices)
    if isinstance(pressed, Retry):
        return pressed
    if pressed is not None:
        return answer_overall_goal(draft, pressed, ctx)
    return _goal_outcome(draft, text, "overall_goal")


def ask_goal(draft: Draft, ctx: Context) -> Reply:
    """Asks 年度总体目标, offering last year's goal of the project of the same name."""
    cut = _unfinished(draft, "goal")
    if cut is not None:
        return cut
    previous = _same_name_last_year(draft, ctx)
    choices = _keep(draft.filing.goal)
    if previous is not None and previous.goal and previous.goal != draft.filing.goal:
        choices.append(Choice(button("button.previous_goal", year=previous.year), PREVIOUS_GOAL))
    return ask("chat.ask_goal", draft, choices, current=current(draft.filing.goal), limit=GOAL_CHARS)


def answer_goal(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Stores 年度总体目标 (or keeps the one written, or takes last year's, by their buttons)."""
    if text == KEEP_GOAL and draft.filing.goal:
        return Next()
    pressed = numbered(text.strip(), ask_goal(draft, ctx).choices)
    if isinstance(pressed, Retry):
        return pressed
    if pressed is not None:
        return answer_goal(draft, pressed, ctx)
    if text == PREVIOUS_GOAL:
        previous = _same_name_last_year(draft, ctx)
        goal = _goal(previous.goal if previous is not None and previous.goal else "")
        if goal is None:
            return Retry(say("chat.bad_goal", least=GOAL_MIN_CHARS, limit=GOAL_CHARS))
        draft.filing.goal = goal  # last year's own text, as filed
        return Next()
    return _goal_outcome(draft, text, "goal")

