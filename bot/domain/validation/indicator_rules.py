"""Rules on one indicator: its value alone, and its value against its name.

Errors only for what is truly wrong; what published filings write is a warning. The
decisions, each with the real value that made it:

* no operator (普陀 2026 ``985米``, 湘潭 2023 ``10辆``): read as ``=``, a warning to write it;
* ``万`` alone (湘潭 2023 成本指标 ``250万``): 万元 where the name is about money, a warning;
  elsewhere a warning to name the unit;
* a direction word on a name that wants a number (普陀 2026 ``减少``, ``降低``, ``提高``): a
  warning (trend without a figure), not an error;
* ``不超预算`` on a rate or cost (鄂州 2022 成本控制率): a warning to give the figure;
* a sentence (湘潭 2023 ``全市空气质量达到优良``): a warning to quantify it;
* a plain word where a rate is wanted (满意度 ``满意``) stays an error, as do placeholders,
  unreadable text, a percentage over 100, a negative target and a unit that does not fit;
* a word or phrase where an amount or a count is wanted (池州 2022 单项业务成本 ``符合相关规定``):
  a warning to give the figure;
* a name about money that asks for a judgement (池州 2022 生态效益 ``对控制基建项目成本影响程度``
  ``效果明显``) is not a cost: no amount is asked for;
* a direction check knows an action on a bad thing is good: 发现隐患整改率 ``≥98%`` is right.
"""

from __future__ import annotations

import re

from jixiao.bot.domain.validation.findings import ERROR, WARNING, Finding, finding, fmt_number
from jixiao.bot.domain.validation.names import is_negative, is_positive_rate, is_satisfaction, name_kind
from jixiao.bot.domain.values import Qualitative, Quantity, Trend, ValueParseError, format_value, parse_value, words

PLACEHOLDER_RE = re.compile(r"\*|＊|[xX]{2,}|待定|待填|（空）|\(空\)|…")
RATE_EXAMPLES = ("≥85.00(%)", "=100.00(%)")
COUNT_EXAMPLES = ("≥18000.00(件)", "=3.00(场)")
MONEY_EXAMPLES = ("≤15.00(元)", "≤15.31(万元)")
UNIT_WORD = {"rate": "%", "count": "人、件、次、场等计数单位", "money": "元或万元"}


def check_indicator(name: str | None, value: str | None) -> list[Finding]:
    """Every finding about one indicator's target value (and how it fits the name)."""
    label = name or None
    if value is None or not value.strip():
        return [finding(ERROR, "finding.value_empty", label, name=name or "")]
    if PLACEHOLDER_RE.search(value):
        return [finding(ERROR, "finding.value_placeholder", label, value=value)]
    try:
        parsed = parse_value(value)
    except ValueParseError as exc:
        return [
            finding(
                ERROR, "finding.value_unparseable", label,
                value=value, reason=exc.reason, example1=exc.examples[0], example2=exc.examples[1],
            )
        ]
    if isinstance(parsed, Quantity):
        return _quantity_rules(name or "", parsed, value)
    return _word_rules(name or "", parsed, value)


def _quantity_rules(name: str, q: Quantity, value: str) -> list[Finding]:
    found: list[Finding] = []
    label = name or None
    kind = name_kind(name)
    if q.op_implied:
        found.append(finding(WARNING, "finding.missing_operator", label, value=value,
                             read=format_value(_as_money(q, kind), "bracketed"), example=f"≥{value.strip()}"))
    if q.unit_kind == "scale":
        if kind == "money":
            found.append(finding(WARNING, "finding.wan_as_wan_yuan", label, value=value,
                                 read=format_value(_as_money(q, kind), "bracketed")))
        else:
            found.append(finding(WARNING, "finding.unit_scale_only", label, value=value))
    if q.number < 0:
        found.append(finding(ERROR, "finding.negative_number", label, value=value))
    if q.unit_kind == "percent" and q.unit == "%" and (q.number > 100 or q.number < 0):
        found.append(finding(ERROR, "finding.percent_out_of_range", label, value=value))
    expected = {"rate": "percent", "count": "count", "money": "money"}.get(kind or "")
    if expected and q.unit_kind not in (expected, "scale") and not (kind == "count" and q.unit is None):
        found.append(
            finding(ERROR, "finding.unit_mismatch", label, name=name, value=value, expected=UNIT_WORD[kind])
        )
    if kind == "quality":
        found.append(finding(WARNING, "finding.number_for_quality", label, name=name, value=value))
    if q.op == "=" and q.number == 0 and not is_negative(name) and kind in ("rate", "count", "money"):
        found.append(finding(WARNING, "finding.zero_target", label, name=name, value=value))
    if kind == "money" and q.op in ("≥", ">"):
        found.append(finding(WARNING, "finding.cost_floor", label, name=name, value=value))
    if q.op in ("≤", "<") and is_positive_rate(name):
        found.append(finding(WARNING, "finding.ceiling_on_good_rate", label, name=name, value=value))
    if q.op in ("≥", ">") and kind == "rate" and is_negative(name):
        found.append(finding(WARNING, "finding.floor_on_bad_rate", label, name=name, value=value))
    if is_satisfaction(name) and q.unit == "%" and q.op in ("≥", ">", "=") and q.number < 80:
        found.append(finding(WARNING, "finding.satisfaction_low", label, name=name, value=value, number=fmt_number(q.number)))
    return found


def _as_money(q: Quantity, kind: str | None) -> Quantity:
    """``250万`` under a cost is 250 万元; anything else stays as written."""
    if q.unit == "万" and kind == "money":
        return Quantity(q.op, q.number, "万元")
    return q


def _word_rules(name: str, parsed, value: str) -> list[Finding]:
    kind = name_kind(name)
    label = name or None
    if kind not in ("rate", "count", "money"):
        if isinstance(parsed, Qualitative) and parsed.free:
            return [finding(WARNING, "finding.value_free_text", label, name=name, value=value)]
        return []
    examples = {"rate": RATE_EXAMPLES, "count": COUNT_EXAMPLES, "money": MONEY_EXAMPLES}[kind]
    text = parsed.text if isinstance(parsed, Qualitative) else None
    if isinstance(parsed, Trend) or text in words()["trend_words"]:
        return [finding(WARNING, "finding.trend_without_figure", label, name=name, value=value, example1=examples[0])]
    zero_word = is_negative(name) and value.startswith(("零", "无"))  # 零失误 on a 失误率: means =0%
    bounded = text in words()["budget_bounds"]  # 不超预算: a bound, but not a figure
    worded = isinstance(parsed, Qualitative) and not (zero_word or bounded)
    severity = ERROR if worded and kind == "rate" else WARNING  # 满意度：满意 cannot be judged; a cost 符合相关规定 asks for a figure
    return [
        finding(
            severity, "finding.qualitative_for_measure", label,
            name=name, value=value, example1=examples[0], example2=examples[1],
        )
    ]
