"""Rules on the whole table: framework levels, duplicates, money sums and dates.

Money and dates know multi-year projects (阶段性项目, e.g. the real 普陀 2026 兰溪路-真南路下立交
tables: 项目资金总额 is the total over 2024–2026, 年度资金申请总额 this year's part, the plan
period 2024-01-01 to 2026-12-31). For them the total may exceed the annual request, the
annual columns add up to the annual request, and the dates may span years as long as the
budget year lies inside them. Impossible figures (NaN, infinite, negative money; a year
outside 2000–2100) are errors, and the sums are not attempted with them.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

from jixiao.bot.corpus.grid import is_blank_problem
from jixiao.bot.domain.frameworks import get_framework
from jixiao.bot.domain.models import Filing
from jixiao.bot.domain.validation.findings import ERROR, WARNING, Finding, finding, fmt_number
from jixiao.bot.domain.values import Deadline, ValueParseError, parse_value

MONEY_TOLERANCE = 0.01  # yuan: sums are compared to the cent
YEARS = range(2000, 2101)  # a budget year or a plan date outside these is a typing accident
MULTI_YEAR_WORD = "阶段"  # 项目性质 阶段性项目


def check_completeness(filing: Filing) -> list[Finding]:
    if filing.complete:
        return []
    unplaced = [p for p in filing.problems if not is_blank_problem(p)]
    return [finding(ERROR, "finding.table_incomplete", None, problems="；".join(unplaced) or "—")]


def check_framework(filing: Filing) -> list[Finding]:
    """Level names known for the year's form, required levels filled, no duplicate names."""
    framework = get_framework(filing.format)
    found: list[Finding] = []
    for indicator in filing.indicators:
        if not framework.is_level1(indicator.level1):
            found.append(finding(ERROR, "finding.unknown_level1", indicator.name, level=indicator.level1, form=filing.format))
        elif not framework.contains(indicator.level1, indicator.level2):
            found.append(
                finding(ERROR, "finding.unknown_level2", indicator.name,
                        level1=indicator.level1, level2=indicator.level2, form=filing.format)
            )
    used1 = {i.level1 for i in filing.indicators}
    used2 = {framework.canonical_level2(i.level2) for i in filing.indicators}
    for level in framework.levels:
        if level.required and level.name not in used1:
            found.append(finding(ERROR, "finding.missing_level1", None, level=level.name))
            continue
        for child in level.children:
            if child.required and child.name not in used2:
                found.append(finding(WARNING, "finding.missing_level2", None, level1=level.name, level2=child.name))
    counts = Counter(i.name for i in filing.indicators)
    for name, count in counts.items():
        if count > 1:
            values = "、".join(i.value or "（空）" for i in filing.indicators if i.name == name)
            found.append(finding(ERROR, "finding.duplicate_indicator", name, name=name, count=count, values=values))
    return found


def _differs(a: float, b: float) -> bool:
    return abs(a - b) > MONEY_TOLERANCE


def is_multi_year(filing: Filing) -> bool:
    """A 阶段性项目: its 项目性质 says so, or its total is larger than this year's request."""
    f = filing.funding
    if MULTI_YEAR_WORD in (filing.nature or ""):
        return True
    return all(_finite(x) for x in (f.total, f.annual_request)) and f.annual_request is not None \
        and f.total is not None and f.total > f.annual_request + MONEY_TOLERANCE


def _finite(amount: float | None) -> bool:
    return amount is not None and math.isfinite(amount)


def check_money(filing: Filing) -> list[Finding]:
    """财政资金 + 其他资金 = 项目资金总额; 当年财政拨款 + 上年结转 = 财政资金; 申请 ≤ 总额.

    A multi-year project: 项目资金总额 ≥ 年度资金申请总额 (not equal), and the annual column
    adds up: 当年财政拨款 + 上年结转 + 其他资金 = 年度资金申请总额 (the project-total 财政资金
    is larger than this year's appropriation, so it is not compared with it).
    """
    f, p = filing.funding, filing.prior_year
    amounts = [*f.model_dump().items(), *p.model_dump().items()]
    found: list[Finding] = []
    for label, amount in amounts:
        if amount is not None and not math.isfinite(amount):
            found.append(finding(ERROR, "finding.money_not_finite", None, field=label, amount=str(amount)))
        elif amount is not None and amount < 0:
            found.append(finding(ERROR, "finding.negative_money", None, field=label, amount=fmt_number(amount)))
    if found:
        return found  # sums of impossible amounts say nothing more
    multi_year = is_multi_year(filing)
    other = f.other or 0.0
    carryover = f.carryover or 0.0
    if not multi_year and f.total is not None and f.fiscal is not None and _differs(f.fiscal + other, f.total):
        found.append(finding(ERROR, "finding.funding_sum", None, fiscal=fmt_number(f.fiscal), other=fmt_number(other),
                             sum=fmt_number(f.fiscal + other), total=fmt_number(f.total)))
    if multi_year and f.total is not None and f.fiscal is not None and f.fiscal > f.total + MONEY_TOLERANCE:
        found.append(finding(ERROR, "finding.fiscal_over_total", None, fiscal=fmt_number(f.fiscal), total=fmt_number(f.total)))
    elif multi_year and f.total is not None and f.fiscal is not None and _differs(f.fiscal + other, f.total):
        # 普陀 2026 prints 财政资金 + 其他资金 over all years (86,500,000 = 项目资金总额); some forms print this
        # year's 财政资金 there: a warning, not an error
        found.append(finding(WARNING, "finding.funding_sum_multi_year", None, fiscal=fmt_number(f.fiscal),
                             other=fmt_number(other), sum=fmt_number(f.fiscal + other), total=fmt_number(f.total)))
    one_year_fiscal = not multi_year and f.fiscal is not None
    if one_year_fiscal and f.current_appropriation is not None and _differs(f.current_appropriation + carryover, f.fiscal):
        found.append(finding(ERROR, "finding.fiscal_sum", None, current=fmt_number(f.current_appropriation),
                             carryover=fmt_number(carryover), sum=fmt_number(f.current_appropriation + carryover),
                             fiscal=fmt_number(f.fiscal)))
    if not one_year_fiscal and f.annual_request is not None and f.current_appropriation is not None:
        parts = f.current_appropriation + carryover + other
        if _differs(parts, f.annual_request):
            found.append(finding(ERROR, "finding.annual_sum", None, current=fmt_number(f.current_appropriation),
                                 carryover=fmt_number(carryover), other=fmt_number(other), sum=fmt_number(parts),
                                 annual=fmt_number(f.annual_request)))
    if f.total is not None and f.annual_request is not None and f.annual_request > f.total + MONEY_TOLERANCE:
        found.append(finding(ERROR, "finding.annual_over_total", None, annual=fmt_number(f.annual_request), total=fmt_number(f.total)))
    if multi_year and MULTI_YEAR_WORD not in (filing.nature or "") and _one_year_plan(filing):
        found.append(finding(WARNING, "finding.total_over_annual_one_year", None, total=fmt_number(f.total),
                             annual=fmt_number(f.annual_request)))
    if p.last_year_budget and p.last_year_executed is not None and p.last_year_executed > p.last_year_budget + MONEY_TOLERANCE:
        found.append(finding(WARNING, "finding.executed_over_budget", None, executed=fmt_number(p.last_year_executed),
                             budget=fmt_number(p.last_year_budget)))
    return found


def _one_year_plan(filing: Filing) -> bool:
    """The plan period (where printed) lies in one calendar year."""
    return all(d is None or d.year == filing.year for d in (filing.start, filing.end))


def money_is_finite(filing: Filing) -> bool:
    """Every amount is a real number (the arithmetic rules need that)."""
    amounts = [*filing.funding.model_dump().values(), *filing.prior_year.model_dump().values()]
    return all(a is None or math.isfinite(a) for a in amounts)


def years_are_possible(filing: Filing) -> bool:
    """The budget year and the plan dates lie in 2000–2100."""
    return filing.year in YEARS and all(d is None or d.year in YEARS for d in (filing.start, filing.end))


def plan_period(filing: Filing) -> tuple[date, date]:
    """The plan period, falling back to the filing's calendar year where a date is missing."""
    start = filing.start or date(filing.year, 1, 1)
    end = filing.end or date(filing.year, 12, 31)
    return start, end


def check_dates(filing: Filing) -> list[Finding]:
    """Start before end, both in the budget year (a multi-year project: the budget year inside
    the plan period); deadline targets inside the plan period; years that can exist."""
    found: list[Finding] = []
    if not years_are_possible(filing):
        for label, year in (("预算年度", filing.year), ("计划开始日期", filing.start), ("计划完成日期", filing.end)):
            shown = year if isinstance(year, int) or year is None else year.year
            if shown is not None and shown not in YEARS:
                found.append(finding(ERROR, "finding.year_out_of_range", None, field=label, year=shown,
                                     first=YEARS[0], last=YEARS[-1]))
        return found
    if filing.start and filing.end and filing.start > filing.end:
        found.append(finding(ERROR, "finding.dates_order", None, start=filing.start.isoformat(), end=filing.end.isoformat()))
    if is_multi_year(filing):
        start, end = plan_period(filing)
        if not start <= date(filing.year, 12, 31) or not date(filing.year, 1, 1) <= end:
            found.append(finding(ERROR, "finding.year_outside_plan", None, year=filing.year,
                                 start=start.isoformat(), end=end.isoformat()))
    else:
        for label, day in (("计划开始日期", filing.start), ("计划完成日期", filing.end)):
            if day is not None and day.year != filing.year:
                found.append(finding(ERROR, "finding.date_outside_year", None, field=label, date=day.isoformat(), year=filing.year))
    start, end = plan_period(filing)
    for indicator in filing.indicators:
        try:
            parsed = parse_value(indicator.value or "")
        except ValueParseError:
            continue
        if isinstance(parsed, Deadline):
            due = parsed.resolve(filing.year)
            if not start <= due <= end:
                found.append(finding(ERROR, "finding.deadline_outside_period", indicator.name, value=indicator.value,
                                     due=due.isoformat(), start=start.isoformat(), end=end.isoformat()))
    return found
