"""Rules that do arithmetic across indicators: cost × quantity vs the budget, and the
quantities the annual goal promises vs the indicators that should measure them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from jixiao.bot.domain.models import Filing
from jixiao.bot.domain.validation.findings import WARNING, Finding, finding, fmt_number
from jixiao.bot.domain.validation.names import is_unit_cost, name_kind, per_year_factor
from jixiao.bot.domain.values import Quantity, ValueParseError, parse_value

MONEY_FACTORS = {"元": 1, "千元": 1_000, "万元": 10_000, "百万元": 1_000_000, "亿元": 100_000_000}
COST_WORDS = re.compile(r"成本|费用|均价|单价|平均|人均|次均|均|每|价格|\(次\)|（次）")
GOAL_TOLERANCE = Decimal("0.10")  # a goal's "about 110 people" is met by ≥100.00(人)
GOAL_QUANTITY_RE = re.compile(
    r"(不少于|不低于|不超过|达到|约|近|共|计)?(\d[\d,]*(?:\.\d+)?)\s*"
    r"(人次|件次|场次|户次|人|件|次|场|页|本|个|户|家|台|套|项|篇|期|批|份|册|张|%)"
)


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


def _pair_score(cost: _Measured, count: _Measured) -> int:
    core = COST_WORDS.sub("", cost.name)
    overlap = len(_bigrams(core) & _bigrams(count.name))
    per_person = "人均" in cost.name or "人(次)均" in cost.name or "人（次）均" in cost.name
    unit_fits = per_person and count.q.unit in ("人", "人次") or "每次" in cost.name and count.q.unit == "次"
    return 2 * overlap + (1 if unit_fits else 0)


def _match_count(cost: _Measured, counts: list[_Measured]) -> _Measured | None:
    scored = sorted(((_pair_score(cost, c), i, c) for i, c in enumerate(counts)), key=lambda t: (-t[0], t[1]))
    if not scored or scored[0][0] == 0:
        return None
    best_score, _, best = scored[0]
    if best_score == 1 and sum(1 for s, _, _ in scored if s == 1) > 1:
        return None  # only the unit fits, and it fits several: too unsure to multiply
    return best


def check_cost_budget(filing: Filing) -> list[Finding]:
    """Unit cost × matching quantity (+ absolute costs) must fit the requested money."""
    budget = budget_of(filing)
    if budget is None:
        return []
    measured = _quantities(filing)
    money = [m for m in measured if m.q.unit in MONEY_FACTORS and name_kind(m.name) == "money"]
    counts = [m for m in measured if m.q.unit_kind == "count" and m.q.number > 0]
    terms: list[tuple[str, float]] = []
    for cost in money:
        yuan = float(cost.q.number) * MONEY_FACTORS[cost.q.unit]
        if not is_unit_cost(cost.name):
            terms.append((f"{cost.name} {fmt_number(yuan)}元", yuan))
            continue
        count = _match_count(cost, counts)
        if count is None:
            continue
        quantity = float(count.q.number) * per_year_factor(count.name)
        text = f"{cost.name} {fmt_number(yuan)}元 × {count.name} {fmt_number(count.q.number)}{count.q.unit}"
        if per_year_factor(count.name) != 1:
            text += f" × {per_year_factor(count.name)}"
        if count.name.startswith("每场"):
            sessions = next((c for c in counts if c.q.unit in ("场", "场次") and c is not count), None)
            if sessions is not None:
                quantity *= float(sessions.q.number)
                text += f" × {sessions.name} {fmt_number(sessions.q.number)}{sessions.q.unit}"
        terms.append((text, yuan * quantity))
    if not any("×" in text for text, _ in terms):
        return []
    total = sum(amount for _, amount in terms)
    if total <= budget + 0.5:
        return []
    arithmetic = " + ".join(f"{text} = {fmt_number(amount)}元" for text, amount in terms)
    return [finding(WARNING, "finding.cost_over_budget", None, arithmetic=arithmetic,
                    total=fmt_number(total), budget=fmt_number(budget))]


def check_goal_quantities(filing: Filing) -> list[Finding]:
    """Each quantity the annual goal promises should be measured by an indicator with that value."""
    if not filing.goal:
        return []
    measured = _quantities(filing)
    found: list[Finding] = []
    seen: set[tuple[Decimal, str]] = set()
    for match in GOAL_QUANTITY_RE.finditer(filing.goal):
        number = Decimal(match[2].replace(",", ""))
        unit = match[3]
        if (number, unit) in seen:
            continue
        seen.add((number, unit))
        promise = match[0].strip()
        same_unit = [m for m in measured if m.q.unit == unit]
        if not same_unit:
            found.append(finding(WARNING, "finding.goal_quantity_unmeasured", None, promise=promise))
            continue
        if any(abs(m.q.number - number) <= GOAL_TOLERANCE * number for m in same_unit):
            continue
        context = filing.goal[max(0, match.start() - 12) : match.start()]
        closest = max(same_unit, key=lambda m: len(_bigrams(context) & _bigrams(m.name)))
        found.append(
            finding(WARNING, "finding.goal_quantity_mismatch", closest.name, promise=promise,
                    name=closest.name, value=next(i.value for i in filing.indicators if i.name == closest.name))
        )
    return found
