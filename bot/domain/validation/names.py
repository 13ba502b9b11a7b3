"""What an indicator's name asks for: a rate, a count, money, a time, or a quality word.

The word lists are data (``bot/domain/data/indicator_names.json``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "indicator_names.json"


@cache
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@cache
def name_kind(name: str) -> str | None:
    """``"quality" | "rate" | "money" | "count" | "time"`` or ``None`` when the name says nothing."""
    kinds = _data()["kinds"]
    if any(name.endswith(s) for s in kinds["quality"]["suffixes"]):
        return "quality"
    rate = kinds["rate"]
    if any(name.endswith(s) for s in rate["suffixes"]) and not any(name.endswith(s) for s in rate["except"]):
        return "rate"
    money = kinds["money"]
    if any(word in name for word in money["contains"]) and not name.endswith(tuple(money["except_suffixes"])):
        return "money"
    endings = sorted(((s, kind) for kind in ("count", "time") for s in kinds[kind]["suffixes"]), key=lambda e: -len(e[0]))
    return next((kind for suffix, kind in endings if name.endswith(suffix)), None)  # the longest ending wins


def is_negative(name: str) -> bool:
    """A measure that should be low (故障次数, 投诉率): zero is a good target.

    Not when an action on the bad thing follows it: 隐患整改率, 投诉办结率 and 故障修复率 should be high.
    """
    last = max((name.rfind(word) + len(word) for word in _data()["negative"] if word in name), default=-1)
    if last < 0:
        return False
    return not any(action in name[last:] for action in _data()["positive_actions"])


def is_positive_rate(name: str) -> bool:
    """A rate of something good (完成率, 满意度): a ceiling (≤) on it is odd."""
    return name_kind(name) == "rate" and not is_negative(name) and any(w in name for w in _data()["positive_rate"])


def is_satisfaction(name: str) -> bool:
    return any(word in name for word in _data()["satisfaction"])


def is_unit_cost(name: str) -> bool:
    """A price per unit: 每份文书邮寄成本, 人均培训成本, 每张纸质档案扫描均价."""
    return name_kind(name) == "money" and any(m in name for m in _data()["unit_cost_markers"])


def per_year_factor(name: str) -> int:
    """How many times a year a per-period count happens (每月出席… → 12), else 1."""
    for marker, factor in sorted(_data()["per_period"].items(), key=lambda kv: -len(kv[0])):
        if marker in name:
            return factor
    return 1
