"""Cost indicators from the budget: a total (≤ the budget) or a unit cost (budget ÷ quantity).

The arithmetic is shown to the user in the indicator's reason, so it is done here once, in
:class:`Cost`, with its parts: 800,000 元 ÷ 200人次 = 4,000 元/人次, or
12,000 元 ÷ (3场 × 110人) = 36.36 元/人 when the goal counts people per session.

A unit cost is rounded to the cent (half up: 650,000 ÷ 120 = 5,416.67). The divisor is the
project's main output — of the goal's counts in the units the type's unit cost is per, the
largest yearly one (360家次 of inspections, not the 120人次 of experts who help) —, and a count
in 万 (120万页, 3.5万人) is divided as what it is (1,200,000页). When the goal buys several
kinds of things (64台 fridges and 32套 terminals) one price per item would mislead: the cost
is a total (:func:`several_kinds`). An amount of 100,000 元 or more per unit is printed in
万元, as filings do (人均用工成本 ≤15.31(万元)). A cost the goal states per item (每人每餐5元)
is multiplied out by :func:`goal_product` so the user sees it fits the budget.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from jixiao.bot.domain.goal import GoalQuantity
from jixiao.bot.domain.validation.arithmetic_rules import base_count, money_factor
from jixiao.bot.domain.validation.findings import fmt_number
from jixiao.bot.domain.validation.names import per_year_factor
from jixiao.bot.domain.values import Quantity, ValueParseError, parse_value
from jixiao.bot.texts import render_plain

WAN = Decimal(10_000)
WAN_FROM = Decimal(100_000)  # a unit cost at least this is printed in 万元
CENT = Decimal("0.01")
SESSION_UNITS = ("场", "场次", "期", "批", "批次", "次", "班")  # what 每场/每期 … counts are multiplied by
PER_ITEM = ("每场", "每期", "每批", "每次", "每班")
# what a cost stated "per X" in a goal is multiplied by: 每人 → the persons, 每餐/每次 → the person-times
PER_COUNTS = {"人": ("人", "名", "万人"), "名": ("名", "人"), "户": ("户",), "餐": ("人次", "万人次", "餐", "次"),
              "次": ("人次", "万人次", "次"), "人次": ("人次", "万人次"), "场": ("场", "场次"), "期": ("期", "班"),
              "件": ("件", "万件"), "台": ("台",), "套": ("套",), "页": ("页", "万页"), "家": ("家", "家次"),
              "所": ("所",), "个": ("个",), "人均": ("人", "名", "万人", "人次", "万人次")}
PER_PERIODS = {"月": 12, "季度": 4, "季": 4, "年": 1}
PER_WORD = re.compile(r"每(季度|人次|" + "|".join(sorted({*PER_COUNTS, *PER_PERIODS} - {"人次", "季度"}, key=len, reverse=True)) + ")")
PER_PERSON = ("人均", "人（次）均", "人(次)均")
MONTHLY = re.compile(r"月人均|月均|按月|月标准")  # a per-person amount of a month, without 每


@dataclass(frozen=True)
class Cost:
    """A cost target and how it was reckoned."""

    value: Quantity
    reason: str


def quantity_of(value: str | None) -> Quantity | None:
    """The quantity a printed target value holds (≤4000.00(元) → Quantity), None for any other value."""
    try:
        parsed = parse_value(value or "")
    except ValueParseError:
        return None
    return parsed if isinstance(parsed, Quantity) else None


def yuan(q: Quantity) -> Decimal | None:
    """A money quantity in yuan (≤15.31(万元) → 153100); None when it is not money."""
    factor = money_factor(q.unit)  # 元/人·月 is in 元
    return None if factor is None else q.number * factor


def total_cost(budget: float, kinds: list[GoalQuantity] | None = None) -> Cost:
    """≤ the budget, in yuan; with ``kinds`` (several things bought) the reason names them."""
    amount = Decimal(str(budget)).quantize(CENT, ROUND_DOWN)
    if kinds:
        items = "、".join(f"{fmt_number(q.value.number)}{q.value.unit}" for q in kinds)
        reason = render_plain("proposal.reason_budget_several", budget=fmt_number(budget), items=items)
    else:
        reason = render_plain("proposal.reason_budget_total", budget=fmt_number(budget))
    return Cost(Quantity("≤", amount, "元"), reason)


def _sessions(quantity: GoalQuantity, quantities: tuple[GoalQuantity, ...]) -> GoalQuantity | None:
    """For 每场110人: the goal's count of sessions (举办3场), if it states one."""
    if quantity.per not in PER_ITEM:
        return None
    return next((q for q in quantities if q is not quantity and q.per is None and q.value.unit in SESSION_UNITS
                 and q.value.unit_kind == "count"), None)


def divisor(quantity: GoalQuantity, quantities: tuple[GoalQuantity, ...]) -> tuple[Decimal, str]:
    """The yearly count a unit cost divides by, and how it is written (3场 × 110人, 36人次 × 12,
    1,200,000页 for 120万页)."""
    number, unit = base_count(quantity.value)
    shown = f"{fmt_number(number)}{unit}"
    factor = per_year_factor(quantity.per or "")
    if factor != 1:
        return number * factor, f"（{shown} × {factor}）"
    sessions = _sessions(quantity, quantities)
    if sessions is not None:
        s = sessions.value
        return number * s.number, f"（{fmt_number(s.number)}{s.unit} × {shown}）"
    return number, shown


def _counts(per: tuple[str, ...], quantities: tuple[GoalQuantity, ...], keys: tuple[str, ...]) -> list[GoalQuantity]:
    """The goal's counts of output in ``per`` units about one of ``keys`` (none: any); a ceiling
    like ≤3次 is not a count of output."""
    return [q for q in quantities if q.value.unit in per and q.value.number > 0 and q.value.op != "≤"
            and (not keys or any(k in q.words or k in q.context for k in keys))]


def main_quantity(per: tuple[str, ...], quantities: tuple[GoalQuantity, ...],
                  keys: tuple[str, ...] = ()) -> GoalQuantity | None:
    """The goal quantity a unit cost in ``per`` units divides by: the project's main output, the
    largest yearly count about one of ``keys`` in any unit of ``per`` (ties: the earlier unit of
    ``per``) — 220家次 of 比对监测, not 每季度1次. A 人均补贴 does not divide by 5000人次 of 法律咨询."""
    found = _counts(per, quantities, keys)
    if not found:
        return None
    return max(found, key=lambda q: (divisor(q, quantities)[0], -per.index(q.value.unit)))


def several_kinds(per: tuple[str, ...], quantities: tuple[GoalQuantity, ...],
                  keys: tuple[str, ...] = ()) -> list[GoalQuantity]:
    """The different things the goal buys (64台 冰箱, 32套 终端), when it buys more than one kind:
    then one price per item would divide the whole budget by one of them. Only counts whose own
    words say they are bought (not 32个 of 为32个门诊更新…, the places they go to)."""
    found = [q for q in _counts(per, quantities, ()) if not keys or any(k in q.words for k in keys)]
    kinds: dict[str, GoalQuantity] = {}
    for q in sorted(found, key=lambda q: per.index(q.value.unit)):
        kinds.setdefault(q.words, q)  # one thing counted twice (32个 … 64台 of one phrase): its first unit
    return list(kinds.values()) if len(kinds) >= 2 else []


def unit_cost(budget: float, quantity: GoalQuantity, quantities: tuple[GoalQuantity, ...]) -> Cost:
    """The budget ÷ the yearly count of ``quantity``, rounded to the cent, ≤."""
    count, shown = divisor(quantity, quantities)
    per_unit = (Decimal(str(budget)) / count).quantize(CENT, ROUND_HALF_UP)
    if per_unit >= WAN_FROM:
        value = Quantity("≤", (per_unit / WAN).quantize(CENT, ROUND_HALF_UP), "万元")
    else:
        value = Quantity("≤", per_unit, "元")
    reason = render_plain("proposal.reason_budget_unit", budget=fmt_number(budget), divisor=shown,
                          result=fmt_number(per_unit), unit=base_count(quantity.value)[1])
    return Cost(value, reason)


def goal_product(cost: GoalQuantity, quantities: tuple[GoalQuantity, ...]) -> tuple[Decimal, str] | None:
    """A cost the goal states per item (每人每餐补贴不超过5元, 每人每月200元, 人均培训补贴1000元)
    times the count it is per (43万人次; 4000名 × 12): the yuan and the arithmetic written out,
    or None when the goal does not say what it is per or does not count it."""
    amount = yuan(cost.value)
    if amount is None:
        return None
    pers = PER_WORD.findall(cost.context[: cost.context.find(cost.text)] if cost.text in cost.context else cost.context)
    factor, items = 1, []
    for word in pers:
        if word in PER_PERIODS:
            factor *= PER_PERIODS[word]
        else:
            items.append(word)
    if factor == 1 and MONTHLY.search(cost.words or cost.context):
        factor = 12  # 月人均保障标准1510元 (崇明 低保): a month's, paid every month
    if not items and any(m in cost.words or m in cost.context for m in PER_PERSON):
        items = ["人均"]
    if not items:
        return None
    count = main_quantity(PER_COUNTS.get(items[-1], ()), tuple(q for q in quantities if q is not cost))
    if count is None:
        return None
    number, shown = divisor(count, quantities)
    total = amount * number * factor
    text = f"{fmt_number(amount)}元 × {shown}" + (f" × {factor}" if factor != 1 else "")
    return total, f"{text} = {fmt_number(total)}元"


def scaled_total(amount: Decimal, theirs: float, ours: float, source: str) -> Cost:
    """Another project's total amount scaled by the two budgets (rounded down to the yuan)."""
    scaled = (amount * Decimal(str(ours)) / Decimal(str(theirs))).quantize(Decimal(1), ROUND_DOWN)
    reason = render_plain("proposal.reason_scaled", source=source, amount=fmt_number(amount),
                          ours=fmt_number(ours), theirs=fmt_number(theirs))
    return Cost(Quantity("≤", scaled, "元"), reason)
