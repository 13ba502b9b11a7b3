"""The framework's order of indicators: one idea, used by every view of a table.

A filed table lists its 一级 groups in the order of its framework (2026: 成本, 产出, 效益,
满意度) and, inside a 一级, its 二级 groups in the framework's order too (产出: 数量, 质量,
时效), each group one block. Users add indicators in any order; the chat text, the .xlsx,
the PNG and ``jixiao export --text`` all go through :func:`in_framework_order`, so they
can never disagree.

What the framework does not know is kept, never dropped and never moved by meaning: a
level printed under an unknown name (or a blank one) follows the known ones in the
order it was first seen. A 二级 printed under a 一级 it does not belong to (数量指标 under
效益指标) stays under that 一级, after its known 二级. A 二级 printed with an alias
(项目管理 for 实施管理) sorts where its level sits; two spellings of one level stay two
blocks, in the order they were first seen. Inside a 二级 the user's order is kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from jixiao.bot.domain.frameworks import Framework, all_frameworks
from jixiao.bot.domain.models import Indicator


def in_framework_order(indicators: Iterable[Indicator], format: str) -> list[Indicator]:
    """``indicators`` in the order of framework ``format`` (a stable sort; see the module)."""
    indicators = list(indicators)
    framework = all_frameworks().get(format)
    level1_seen: dict[str, int] = {}
    level2_seen: dict[tuple[str, str], int] = {}
    for indicator in indicators:
        level1_seen.setdefault(indicator.level1, len(level1_seen))
        level2_seen.setdefault((indicator.level1, indicator.level2), len(level2_seen))

    def key(indicator: Indicator) -> tuple[int, int, int, int]:
        rank1, rank2 = _ranks(framework, indicator.level1, indicator.level2)
        return rank1, level1_seen[indicator.level1], rank2, level2_seen[(indicator.level1, indicator.level2)]

    return sorted(indicators, key=key)


def _ranks(framework: Framework | None, level1: str, level2: str) -> tuple[int, int]:
    """Where a 一级 and a 二级 under it sit in ``framework``; unknown ones get a rank after
    every known one (ties then fall to the order of first appearance)."""
    if framework is None:
        return 0, 0
    names = framework.level1_names
    if level1 not in names:
        return len(names), 0
    children = framework.levels[names.index(level1)].children
    found = framework.level2(level2)
    if found is None or found.parent != level1:
        return names.index(level1), len(children)
    return names.index(level1), [child.name for child in children].index(found.name)
