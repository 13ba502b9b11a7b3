"""Cost indicators from the budget: a total (≤ the budget) or a unit cost (budget ÷ quantity).

The arithmetic is shown to the user in the indicator's reason, so it is done here once, in
:class:`Cost`, with its parts: 800,000 元 ÷ 200人次 = 4,000 元/人次, or
12,000 元 ÷ (3场 × 110人) = 36.36 元/人 when the goal counts people per session.

A unit cost is rounded *down* to the cent, so the unit cost times the quantity never exceeds
the budget (the validator's ``check_cost_budget`` multiplies them back). An amount of 100,000
元 or more per unit is printed in 万元, as filings do (人均用工成本 ≤15.31(万元)).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from jixiao.bot.domain.goal import GoalQuantity
from jixiao.bot.domain.validation.arithmetic_rules import MONEY_FACTORS
from jixiao.bot.domain.validation.findings import fmt_number
from jixiao.bot.domain.validation.names import per_year_factor
from jixiao.bot.domain.values import Quantity, ValueParseError, parse_value
from jixiao.bot.texts import render_plain

WAN = Decimal(10_000)
WAN_FROM = Decimal(100_000)  # a unit cost at least this is printed in 万元
CENT = Decimal("0.01")
SESSION_UNITS = ("场", "场次", "期", "批", "批次", "次", "班")  # what 每场/每期 … counts are multiplied by
PER_ITEM = ("每场", "每期", "每批", "每次", "每班")


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
    factor = MONEY_FACTORS.get(q.unit or "")
    return None if factor is None else q.number * factor


def total_cost(budget: float) -> Cost:
    """≤ the budget, in yuan."""
    amount = Decimal(str(budget)).quantize(CENT, ROUND_DOWN)
    return Cost(Quantity("≤", amount, "元"), render_plain("proposal.reason_budget_total", budget=fmt_number(budget)))


def _sessions(quantity: GoalQuantity, quantities: tuple[GoalQuantity, ...]) -> GoalQuantity | None:
    """For 每场110人: the goal's count of sessions (举办3场), if it states one."""
    if quantity.per not in PER_ITEM:
        return None
    return next((q for q in quantities if q is not quantity and q.per is None and q.value.unit in SESSION_UNITS
                 and q.value.unit_kind == "count"), None)


def divisor(quantity: GoalQuantity, quantities: tuple[GoalQuantity, ...]) -> tuple[Decimal, str]:
    """The yearly count a unit cost divides by, and how it is written (3场 × 110人, 36人次 × 12)."""
    q = quantity.value
    shown = f"{fmt_number(q.number)}{q.unit}"
    factor = per_year_factor(quantity.per or "")
    if factor != 1:
        return q.number * factor, f"（{shown} × {factor}）"
    sessions = _sessions(quantity, quantities)
    if sessions is not None:
        s = sessions.value
        return q.number * s.number, f"（{fmt_number(s.number)}{s.unit} × {shown}）"
    return q.number, shown


def main_quantity(per: tuple[str, ...], quantities: tuple[GoalQuantity, ...],
                  keys: tuple[str, ...] = ()) -> GoalQuantity | None:
    """The goal quantity a unit cost in ``per`` units divides by: about one of ``keys`` (none: any),
    in the first unit of ``per`` the goal counts in, and of those the largest yearly count (a
    ceiling like ≤3次 is not a count of output). A 人均补贴 does not divide by 5000人次 of 法律咨询."""
    for unit in per:
        found = [q for q in quantities if q.value.unit == unit and q.value.number > 0 and q.value.op != "≤"
                 and (not keys or any(k in q.words or k in q.context for k in keys))]
        if found:
            return max(found, key=lambda q: divisor(q, quantities)[0])
    return None


def unit_cost(budget: float, quantity: GoalQuantity, quantities: tuple[GoalQuantity, ...]) -> Cost:
    """The budget ÷ the yearly count of ``quantity``, rounded down to the cent, ≤."""
    count, shown = divisor(quantity, quantities)
    per_unit = (Decimal(str(budget)) / count).quantize(CENT, ROUND_DOWN)
    if per_unit >= WAN_FROM:
        value = Quantity("≤", (per_unit / WAN).quantize(CENT, ROUND_DOWN), "万元")
    else:
        value = Quantity("≤", per_unit, "元")
    reason = render_plain("proposal.reason_budget_unit", budget=fmt_number(budget), divisor=shown,
                          result=fmt_number(per_unit), unit=quantity.value.unit)
    return Cost(value, reason)


def scaled_total(amount: Decimal, theirs: float, ours: float, source: str) -> Cost:
    """Another project's total amount scaled by the two budgets (rounded down to the yuan)."""
    scaled = (amount * Decimal(str(ours)) / Decimal(str(theirs))).quantize(Decimal(1), ROUND_DOWN)
    reason = render_plain("proposal.reason_scaled", source=source, amount=fmt_number(amount),
                          ours=fmt_number(ours), theirs=fmt_number(theirs))
    return Cost(Quantity("≤", scaled, "元"), reason)
