"""Rules that do arithmetic across indicators: cost × quantity vs the budget, and the
quantities the annual goal promises vs the indicators that should measure them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from jixiao.bot.domain.goal import goal_quantities, subject_overlap
from jixiao.bot.domain.models import Filing
from jixiao.bot.domain.validation.findings import WARNING, Finding, finding, fmt_number
from jixiao.bot.domain.validation.names import is_unit_cost, name_kind, per_year_factor
from jixiao.bot.domain.values import Quantity, ValueParseError, base_unit, parse_value

MONEY_FACTORS = {"元": 1, "千元": 1_000, "万元": 10_000, "百万元": 1_000_000, "亿元": 100_000_000}
COST_WORDS = re.compile(r"成本|费用|均价|单价|平均|人均|次均|均|每|价格|\(次\)|（次）")
COUNT_SCALES = {"万": 10_000, "亿": 100_000_000}  # 43.00(万人次) is 430,000 人次
PER_MARKERS = {"人均": "人", "户均": "户", "件均": "件", "场均": "场", "次均": "次"}  # a cost per …
PERIOD_WORDS = set("月年日天周季")  # 每月 is how often, not what a cost is paid per
COUNTED_AS = {"人": ("名", "人次"), "餐": ("份", "人次"), "次": ("人次", "件次", "场次")}  # 每人 ↔ 4000名
GOAL_TOLERANCE = Decimal("0.10")  # a goal's "about 110 people" is met by ≥100.00(人); rates must agree exactly


@dataclass(frozen=True)
class _Measured:
    name: str
    q: Quantity


def _quantities(filing: Filing) -> list[_Measured]:
    measured = []
    for indicator in filing.indicators:
        try:
            parsed = parse_value(indicator.value or "")
        except ValueParseError:
            continue
        if isinstance(parsed, Quantity) and parsed.op is not None:
            measured.append(_Measured(indicator.name, parsed))
    return measured


def budget_of(filing: Filing) -> float | None:
    """The money the table asks for this year."""
    f, p = filing.funding, filing.prior_year
    for amount in (f.annual_request, f.total, p.current_budget, p.total_budget):
        if amount:
            return amount
    return None


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def money_factor(unit: str | None) -> int | None:
    """元 per unit of a money value: 万元 → 10,000; 元/人·月 is in 元; None for no money unit."""
    return MONEY_FACTORS.get(base_unit(unit) or "")


def base_count(q: Quantity) -> tuple[Decimal, str]:
    """A count in what it counts: 120万页 → (1200000, 页); 43万人次 → (430000, 人次); 1人/年 → (1, 人)."""
    unit = base_unit(q.unit) or ""
    if len(unit) > 1 and unit[0] in COUNT_SCALES:
        return q.number * COUNT_SCALES[unit[0]], unit[1:]
    return q.number, unit


def _per_units(name: str) -> list[str]:
    """What a unit cost is paid per: 每人每餐补贴 → [人, 餐]; 人均培训成本 → [人]; 每月 is a period, not a unit."""
    found = [unit for marker, unit in PER_MARKERS.items() if marker in name]
    for m in re.finditer(r"每(?:个|一)?([\u4e00-\u9fff])", name):
        unit = m.group(1)
        if unit not in PERIOD_WORDS and unit not in found:
            found.append(unit)
    return found


def _fits(per: str, unit: str) -> bool:
    """Does a count in ``unit`` count what a cost per ``per`` is paid for? (人 ↔ 名, 人次; 餐 ↔ 人次, 份)."""
    return unit in (per, per + "次") or unit in COUNTED_AS.get(per, ())


def _pair_score(cost: _Measured, count: _Measured) -> int:
    core = COST_WORDS.sub("", cost.name)
    overlap = len(_bigrams(core) & _bigrams(count.name))
    unit = base_count(count.q)[1]
    fits = sum(1 for per in _per_units(cost.name) if _fits(per, unit))
    return 2 * overlap + fits


def _match_count(cost: _Measured, counts: list[_Measured]) -> _Measured | None:
    scored = sorted(((_pair_score(cost, c), i, c) for i, c in enumerate(counts)), key=lambda t: (-t[0], t[1]))
    if not scored or scored[0][0] == 0:
        return None
    best_score, _, best = scored[0]
    if best_score == 1 and sum(1 for s, _, _ in scored if s == 1) > 1:
        return None  # only the unit fits, and it fits several: too unsure to multiply
    return best


def _yuan(q: Quantity) -> float:
    return float(q.number) * money_factor(q.unit)


def _ceiling(filing: Filing) -> float | None:
    """The most any one cost target may name: the year's request (a multi-year project: its total)."""
    amounts = [a for a in (budget_of(filing), filing.funding.total) if a]
    return max(amounts) if amounts else None


def check_cost_ceiling(filing: Filing) -> list[Finding]:
    """One cost target alone above the money the table asks for (总成本 ≤2,000,000元 on a 1,380,000 request)."""
    ceiling = _ceiling(filing)
    if ceiling is None:
        return []
    return [
        finding(WARNING, "finding.cost_above_budget", m.name, name=m.name, amount=fmt_number(_yuan(m.q)),
                budget=fmt_number(ceiling))
        for m in _quantities(filing)
        if money_factor(m.q.unit) and name_kind(m.name) == "money" and m.q.op in ("≤", "<", "=")
        and _yuan(m.q) > ceiling + 0.5
    ]


def check_cost_budget(filing: Filing) -> list[Finding]:
    """Unit cost × matching quantity (+ absolute costs) must fit the requested money.

    The quantity a unit cost is multiplied by is the count that speaks of the same thing
    (shared words) or is counted in what the cost is paid per (每人每餐 ↔ 人次, 每通 ↔ 通,
    人均 ↔ 人/名); a cost per month (每人每月) is ×12 unless the count is per month itself.
    """
    budget = budget_of(filing)
    if budget is None:
        return []
    measured = _quantities(filing)
    money = [m for m in measured if money_factor(m.q.unit) and name_kind(m.name) == "money"]
    counts = [m for m in measured if m.q.unit_kind == "count" and m.q.number > 0]
    terms: list[tuple[str, float]] = []
    slack = 0.5
    for cost in money:
        yuan = _yuan(cost.q)
        if not is_unit_cost(cost.name):
            terms.append((f"{cost.name} {fmt_number(yuan)}元", yuan))
            continue
        count = _match_count(cost, counts)
        if count is None:
            continue
        factor = per_year_factor(count.name)
        if factor == 1:
            factor = per_year_factor(cost.name)  # 每人每月补贴 × 人数 → × 12
        quantity = float(base_count(count.q)[0]) * factor
        text = f"{cost.name} {fmt_number(yuan)}元 × {count.name} {fmt_number(count.q.number)}{count.q.unit}"
        if factor != 1:
            text += f" × {factor}"
        if count.name.startswith("每场"):
            sessions = next((c for c in counts if c.q.unit in ("场", "场次") and c is not count), None)
            if sessions is not None:
                quantity *= float(base_count(sessions.q)[0])
                text += f" × {sessions.name} {fmt_number(sessions.q.number)}{sessions.q.unit}"
        terms.append((text, yuan * quantity))
        slack += 0.005 * quantity  # a unit cost rounded to the fen (1,805.56 × 360 = 650,001.60 on 650,000)
    if not any("×" in text for text, _ in terms):
        return []
    total = sum(amount for _, amount in terms)
    if total <= budget + slack:
        return []
    arithmetic = " + ".join(f"{text} = {fmt_number(amount)}元" for text, amount in terms)
    return [finding(WARNING, "finding.cost_over_budget", None, arithmetic=arithmetic,
                    total=fmt_number(total), budget=fmt_number(budget))]


def _annual(number: Decimal, per: str | None, name: str | None = None) -> Decimal:
    """A per-period number as a yearly one (每月36人次 → 432); per-item numbers stay as they are."""
    factor = per_year_factor(per or name or "")
    return number * factor


def check_goal_quantities(filing: Filing) -> list[Finding]:
    """Each quantity the annual goal promises should be measured by an indicator with that value.

    A goal quantity (:func:`bot.domain.goal.goal_quantities`) is paired only with indicators of
    the same unit that speak of the same thing (:func:`bot.domain.goal.subject_overlap` > 0),
    so 不少于60人次 of home visits is not compared with the ≥200人次 of counselling, and a 结案率
    of 95% not with a 满意度 of 90%. An indicator of the same unit and value measures it
    whatever its name (计划举办3场 ↔ 计划举办培训场次 =3场). A per-month promise is compared per
    year when the indicator is not per month too. The money the table asks for, restated in
    the goal, is not a promise.
    """
    if not filing.goal:
        return []
    measured = _quantities(filing)
    budget = budget_of(filing)
    found: list[Finding] = []
    for promise in goal_quantities(filing.goal):
        q = promise.value
        if q.unit_kind == "money" and budget and abs(float(q.number) * (money_factor(q.unit) or 1) - budget) <= 0.01 * budget:
            continue
        wanted = _annual(q.number, promise.per)
        tolerance = Decimal(0) if q.unit_kind == "percent" else GOAL_TOLERANCE  # 95% is not met by ≥90%
        same_unit = [m for m in measured if m.q.unit == q.unit]
        if any(abs(_annual(m.q.number, None, m.name) - wanted) <= tolerance * wanted
               or abs(m.q.number - q.number) <= tolerance * q.number for m in same_unit):
            continue
        agreeing = [(subject_overlap(promise, m.name), -i, m) for i, m in enumerate(same_unit)]
        agreeing = [a for a in agreeing if a[0] > 0]
        if not agreeing:
            found.append(finding(WARNING, "finding.goal_quantity_unmeasured", None, promise=promise.quote))
            continue
        closest = max(agreeing)[2]
        found.append(
            finding(WARNING, "finding.goal_quantity_mismatch", closest.name, promise=promise.quote,
                    name=closest.name, value=next(i.value for i in filing.indicators if i.name == closest.name))
        )
    return found
