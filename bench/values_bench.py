"""Benchmark of bot.domain.values.parse_value: microseconds per call.

A plain script (no pytest): ``.venv/bin/python bench/values_bench.py``. It times
typical target values from the seed tables and user input, both through the cache
(``parse_value`` as callers use it; values repeat a lot) and uncached
(``parse_value.__wrapped__``, the real parsing cost), plus the error path.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jixiao.bot.domain.values import ValueParseError, canonical, parse_value

TYPICAL = [
    "≥85.00(%)", "≤ 37.00 (人)", "=721.00(平方米)", "≤15.31(万元)", "≤1327500.00(页)",
    ">90%", "=100%", "<=60个", ">=30000件", "=0", "≥4", "≥15次", "=1.5%",
    "不低于 85%", "95%以上", "≥８５％", "3个工作日内",
    "及时", "合规", "按照合同约定及时支付", "与市场价格相符", "符合国家相关规定",
    "同比下降", "12月31日前", "2026年12月底前", "每季度",
]
INVALID = ["完成率", "≥5斤斤", "≥**人次", "", "80%-90%", "2月30日前"]
ROUNDS = 20_000


def per_call(function, texts, rounds=ROUNDS) -> float:
    """Mean microseconds per call of ``function`` over ``texts``, ``rounds`` times."""
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            function(text)
    return (time.perf_counter() - start) / (rounds * len(texts)) * 1e6


def parse_or_error(text: str) -> None:
    try:
        parse_value.__wrapped__(text)
    except ValueParseError:
        pass


def main() -> None:
    parse_value("≥85%")  # load the data files and compile the patterns once
    uncached = per_call(parse_value.__wrapped__, TYPICAL)
    cached = per_call(parse_value, TYPICAL)
    errors = per_call(parse_or_error, INVALID, ROUNDS // 4)
    printing = per_call(lambda t: canonical(t, "bracketed"), TYPICAL)
    print(f"parse_value, {len(TYPICAL)} typical values × {ROUNDS} rounds")
    print(f"  uncached:            {uncached:6.2f} µs/call")
    print(f"  cached (lru_cache):  {cached:6.2f} µs/call")
    print(f"  invalid (error path):{errors:6.2f} µs/call")
    print(f"  canonical(…, bracketed), cached parse: {printing:6.2f} µs/call")


if __name__ == "__main__":
    main()
