"""The framework's order of indicators (bot/domain/order.py), case by case."""

from __future__ import annotations

from jixiao.bot.domain.models import Indicator
from jixiao.bot.domain.order import in_framework_order


def ind(level1: str, level2: str, name: str) -> Indicator:
    return Indicator(level1=level1, level2=level2, name=name, value="及时")


def names(indicators: list[Indicator]) -> list[str]:
    return [i.name for i in indicators]


def test_2026_levels_in_framework_order_user_order_kept_inside_a_level2():
    entered = [
        ind("满意度指标", "服务对象满意度指标", "满意度"),
        ind("产出指标", "时效指标", "时效1"),
        ind("效益指标", "社会效益指标", "社会"),
        ind("产出指标", "数量指标", "数量b"),
        ind("成本指标", "经济成本指标", "成本"),
        ind("产出指标", "质量指标", "质量"),
        ind("产出指标", "数量指标", "数量a"),
        ind("产出指标", "时效指标", "时效0"),
    ]
    assert names(in_framework_order(entered, "2026")) == ["成本", "数量b", "数量a", "质量", "时效1", "时效0", "社会", "满意度"]


def test_the_same_levels_in_2024_put_cost_under_output():
    entered = [ind("满意度指标", "服务对象满意度指标", "满意度"), ind("产出指标", "成本指标", "成本"), ind("产出指标", "数量指标", "数量")]
    assert names(in_framework_order(entered, "2024")) == ["数量", "成本", "满意度"]


def test_unknown_and_blank_levels_follow_the_known_ones_in_first_seen_order():
    entered = [
        ind("其他指标", "杂项", "未知一级甲"),
        ind("", "生态环境成本指标", "空一级"),
        ind("产出指标", "数量指标", "数量"),
        ind("其他指标", "杂项", "未知一级乙"),
        ind("产出指标", "自定义二级", "未知二级"),
        ind("产出指标", "质量指标", "质量"),
    ]
    assert names(in_framework_order(entered, "2026")) == ["数量", "质量", "未知二级", "未知一级甲", "未知一级乙", "空一级"]


def test_a_level2_under_a_foreign_level1_stays_there_after_its_known_level2s():
    entered = [
        ind("效益指标", "数量指标", "错放的数量"),
        ind("效益指标", "社会效益指标", "社会"),
        ind("产出指标", "数量指标", "数量"),
    ]
    ordered = in_framework_order(entered, "2026")
    assert names(ordered) == ["数量", "社会", "错放的数量"]
    assert ordered[2].level1 == "效益指标"  # never re-placed by meaning


def test_aliases_sort_with_their_level_and_each_spelling_stays_one_block():
    entered = [
        ind("影响力目标", "其它", "其它1"),
        ind("投入与管理", "项目管理", "项目管理1"),
        ind("影响力目标", "其他", "其他1"),
        ind("投入与管理", "投入管理", "投入1"),
        ind("影响力目标", "其它", "其它2"),
        ind("影响力目标", "长效管理", "长效1"),
    ]
    ordered = in_framework_order(entered, "2020")
    assert names(ordered) == ["投入1", "项目管理1", "长效1", "其它1", "其它2", "其他1"]


def test_already_ordered_tables_do_not_move_and_printed_levels_are_kept():
    entered = [
        ind("产出指标", "数量指标", "a"),
        ind("产出指标", "时效指标", "资金使用合规性"),  # an odd level as printed: kept
        ind("效益指标", "社会效益指标", "b"),
    ]
    assert in_framework_order(entered, "2026") == entered
    assert in_framework_order([], "2026") == []


def test_an_unknown_format_keeps_first_seen_blocks():
    entered = [ind("乙", "x", "1"), ind("甲", "y", "2"), ind("乙", "x", "3")]
    assert names(in_framework_order(entered, "1999")) == ["1", "3", "2"]
