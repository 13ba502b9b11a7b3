"""Rules on the whole table: framework levels, duplicates, money sums and dates."""

from __future__ import annotations

from collections import Counter
from datetime import date

from jixiao.bot.corpus.seedtext import is_blank_problem
from jixiao.bot.domain.frameworks import get_framework
from jixiao.bot.domain.models import Filing
from jixiao.bot.domain.validation.findings import ERROR, WARNING, Finding, finding, fmt_number
from jixiao.bot.domain.values import Deadline, ValueParseError, parse_value

MONEY_TOLERANCE = 0.01  # yuan: sums are compared to the cent


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


def check_money(filing: Filing) -> list[Finding]:
    """财政资金 + 其他资金 = 项目资金总额; 当年财政拨款 + 上年结转 = 财政资金; 申请 ≤ 总额."""
    f = filing.funding
    found: list[Finding] = []
    other = f.other or 0.0
    carryover = f.carryover or 0.0
    if f.total is not None and f.fiscal is not None and _differs(f.fiscal + other, f.total):
        found.append(finding(ERROR, "finding.funding_sum", None, fiscal=fmt_number(f.fiscal), other=fmt_number(other),
                             sum=fmt_number(f.fiscal + other), total=fmt_number(f.total)))
    if f.fiscal is not None and f.current_appropriation is not None and _differs(f.current_appropriation + carryover, f.fiscal):
        found.append(finding(ERROR, "finding.fiscal_sum", None, current=fmt_number(f.current_appropriation),
                             carryover=fmt_number(carryover), sum=fmt_number(f.current_appropriation + carryover),
                             fiscal=fmt_number(f.fiscal)))
    if f.fiscal is None and f.annual_request is not None and f.current_appropriation is not None:
        parts = f.current_appropriation + carryover + other
        if _differs(parts, f.annual_request):
            found.append(finding(ERROR, "finding.annual_sum", None, current=fmt_number(f.current_appropriation),
                                 carryover=fmt_number(carryover), other=fmt_number(other), sum=fmt_number(parts),
                                 annual=fmt_number(f.annual_request)))
    if f.total is not None and f.annual_request is not None and f.annual_request > f.total + MONEY_TOLERANCE:
        found.append(finding(ERROR, "finding.annual_over_total", None, annual=fmt_number(f.annual_request), total=fmt_number(f.total)))
    p = filing.prior_year
    if p.last_year_budget and p.last_year_executed is not None and p.last_year_executed > p.last_year_budget + MONEY_TOLERANCE:
        found.append(finding(WARNING, "finding.executed_over_budget", None, executed=fmt_number(p.last_year_executed),
                             budget=fmt_number(p.last_year_budget)))
    for label, amount in [*f.model_dump().items(), *p.model_dump().items()]:
        if amount is not None and amount < 0:
            found.append(finding(ERROR, "finding.negative_money", None, field=label, amount=fmt_number(amount)))
    return found


def plan_period(filing: Filing) -> tuple[date, date]:
    """The plan period, falling back to the filing's calendar year where a date is missing."""
    start = filing.start or date(filing.year, 1, 1)
    end = filing.end or date(filing.year, 12, 31)
    return start, end


def check_dates(filing: Filing) -> list[Finding]:
    """Start before end, both in the budget year; deadline targets inside the plan period."""
    found: list[Finding] = []
    if filing.start and filing.end and filing.start > filing.end:
        found.append(finding(ERROR, "finding.dates_order", None, start=filing.start.isoformat(), end=filing.end.isoformat()))
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
