"""The validator: ``validate(filing) -> list[Finding]``.

Errors block submission, warnings inform. Each rule lives in a small module:
``indicator_rules`` (one value and its name), ``table_rules`` (levels, duplicates,
money, dates) and ``arithmetic_rules`` (cost × quantity, goal ↔ indicators). Messages
are prompts' ``finding.*`` keys.
"""

from __future__ import annotations

from jixiao.bot.domain.models import Filing
from jixiao.bot.domain.validation.arithmetic_rules import check_cost_budget, check_cost_ceiling, check_goal_quantities
from jixiao.bot.domain.validation.findings import ERROR, WARNING, Finding
from jixiao.bot.domain.validation.indicator_rules import check_indicator
from jixiao.bot.domain.validation.table_rules import (
    check_completeness,
    check_dates,
    check_framework,
    check_money,
    money_is_finite,
    years_are_possible,
)

__all__ = ["ERROR", "WARNING", "Finding", "check_indicator", "validate", "has_errors"]


def validate(filing: Filing) -> list[Finding]:
    """Every finding for ``filing``: table-level first, then indicator by indicator."""
    found = [
        *check_completeness(filing),
        *check_framework(filing),
        *check_money(filing),
        *check_dates(filing),
    ]
    for indicator in filing.indicators:
        if indicator.value is None and not filing.complete:
            continue  # the table could not be read whole: table_incomplete says so once
        found.extend(check_indicator(indicator.name, indicator.value))
    if money_is_finite(filing) and years_are_possible(filing):  # the arithmetic needs real figures
        found.extend(check_cost_ceiling(filing))
        found.extend(check_cost_budget(filing))
    found.extend(check_goal_quantities(filing))
    return found


def has_errors(findings: list[Finding]) -> bool:
    return any(f.blocking for f in findings)
