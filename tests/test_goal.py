"""Reading the quantities a goal promises (bot/domain/goal.py) and the goal-vs-indicator rule."""

from decimal import Decimal

import pytest
from jixiao.bot.domain.goal import goal_quantities, subject_overlap
from jixiao.bot.domain.models import Filing, Funding, Indicator
from jixiao.bot.domain.validation import validate
from jixiao.bot.domain.values import format_value

CORRECTIONS = "全年组织集中教育学习不少于24次，开展心理评估和个案辅导不少于200人次，社区矫正对象再犯罪率控制在0.2%以下"


def read(goal: str) -> list[tuple[str, str, str | None]]:
    """(promise, value as 2026 prints it, per) for every quantity of ``goal``."""
    return [(q.text, format_value(q.value, "bracketed"), q.per) for q in goal_quantities(goal)]


def test_the_issue_goal_gives_three_quantities_with_operators():
    found = goal_quantities(CORRECTIONS)
    assert [(q.text, format_value(q.value, "bracketed")) for q in found] == [
        ("不少于24次", "≥24.00(次)"), ("不少于200人次", "≥200.00(人次)"), ("控制在0.2%以下", "≤0.20(%)")]
    assert [q.name for q in found] == ["集中教育学习次数", "心理评估和个案辅导人次", "社区矫正对象再犯罪率"]
    assert all(q.stated_op for q in found)


@pytest.mark.parametrize("goal, expected", [
    ("全年接听热线电话30000通。", [("30000通", "≥30000.00(通)", None)]),
    ("接通率不低于95%", [("不低于95%", "≥95.00(%)", None)]),
    ("群众来电2小时内响应", [("2小时内", "≤2.00(小时)", None)]),
    ("每场参加培训人数约110人。", [("110人", "≥110.00(人)", "每场")]),
    ("全年案件文书寄送量在18000件左右。", [("18000件左右", "≥18000.00(件)", None)]),
    ("计划每个月安排专家鉴定36人次", [("36人次", "≥36.00(人次)", "每月")]),
    ("投诉率3%", [("3%", "≤3.00(%)", None)]),  # a bad rate defaults to a ceiling
    ("值班律师到岗率100%", [("100%", "=100.00(%)", None)]),  # not ≥100%
    ("到岗率不低于100%", [("不低于100%", "≥100.00(%)", None)]),  # as stated
    ("组织四次专业培训", [("四次", "≥4.00(次)", None)]),
    ("完成1,327,500页档案扫描", [("1,327,500页", "≥1327500.00(页)", None)]),
])
def test_quantities_operators_and_periods(goal, expected):
    assert read(goal) == expected


@pytest.mark.parametrize("goal", [
    "2024年将继续租用该地点房屋办公",  # a year
    "于12月31日前完成，10月份一次性结算全年费用",  # dates, 一次性
    "对2009-2014年的存量纸质档案进行整理",  # a span of years
    "提供7×24小时热线服务",  # always on, not a duration
    "1、保障系统正常使用。2、完善系统",  # list marks
    "进一步提升服务质量，第一时间介入",  # 一 is not read
    "累计3通过考核的人员",  # 通 starting a word is not the unit
    "2027年完成平台二期建设",  # a phase, not two of something
    "启动一期工程和三期项目",
])
def test_numbers_that_are_not_quantities(goal):
    assert goal_quantities(goal) == ()


def test_sessions_are_still_counted_where_a_phase_is_not():
    assert read("全年举办三期培训班") == [("三期", "≥3.00(期)", None)]


def test_words_after_a_verb_name_what_is_counted():
    by_text = {q.text: q.name for q in goal_quantities("每年安排3次上门服务鉴定，每次派出3人专家团队，对约60个重大疑难案件开展鉴定")}
    assert by_text == {"3次": "上门服务鉴定次数", "3人": "每次专家团队人数", "60个": "重大疑难案件数量"}


def test_the_same_value_twice_is_one_quantity_and_empty_goals_give_none():
    assert len(goal_quantities("培训200人次，其中线上培训200人次")) == 1
    assert goal_quantities(None) == () and goal_quantities("") == ()


def test_numbers_print_through_the_value_grammar():
    (q,) = goal_quantities("人均成本1194元")
    assert q.value.unit == "元" and q.value.number == Decimal("1194") and format_value(q.value, "compact") == "≤1194元"


def test_subject_overlap_separates_different_measures():
    counselling, rate = goal_quantities(CORRECTIONS)[1:]
    assert subject_overlap(counselling, "心理评估和个案辅导人次") > 0
    assert subject_overlap(counselling, "走访社区矫正对象人次") == 0
    assert subject_overlap(rate, "社区矫正对象再犯罪率") > 0
    assert subject_overlap(rate, "服务对象满意度") == 0


# -- the goal-vs-indicator rule: issue 12's false alarms ------------------------------------
def filing(goal: str, rows) -> Filing:
    return Filing(year=2027, format="2026", project_name="社区矫正教育帮扶经费", goal=goal,
                  funding=Funding(annual_request=800000),
                  indicators=[Indicator(level1=a, level2=b, name=c, value=d) for a, b, c, d in rows])


def goal_findings(f: Filing) -> list[tuple[str, str | None, str]]:
    return [(x.rule, x.indicator, x.message) for x in validate(f) if x.rule.startswith("goal_")]


def test_sixty_visits_are_not_compared_with_two_hundred_counselling_sessions():
    """Issue 12: “年度目标承诺“不少于60人次”… ≥200.00(人次) 两者不一致” when the goal says 200人次."""
    goal = "全年走访社区矫正对象不少于60人次，开展心理评估和个案辅导200人次。"
    rows = [("产出指标", "数量指标", "心理评估和个案辅导人次", "≥200.00(人次)")]
    found = goal_findings(filing(goal, rows))
    assert [rule for rule, _, _ in found] == ["goal_quantity_unmeasured"]
    assert "走访社区矫正对象不少于60人次" in found[0][2]
    assert not any("两者不一致" in message for _, _, message in found)


def test_rates_in_the_goal_are_not_paired_with_satisfaction_by_accident():
    """Issue 12: the rule paired 95% and 98% with 满意度."""
    goal = "案件结案率达到95%，文书送达率98%。"
    rows = [("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90.00(%)")]
    found = goal_findings(filing(goal, rows))
    assert [(rule, indicator) for rule, indicator, _ in found] == [
        ("goal_quantity_unmeasured", None), ("goal_quantity_unmeasured", None)]


def test_a_real_disagreement_on_the_same_measure_is_still_reported():
    goal = "服务对象满意度达到95%，开展心理评估和个案辅导不少于200人次。"
    rows = [("产出指标", "数量指标", "心理评估和个案辅导人次", "≥150.00(人次)"),
            ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90.00(%)")]
    found = goal_findings(filing(goal, rows))
    assert [(rule, indicator) for rule, indicator, _ in found] == [
        ("goal_quantity_mismatch", "服务对象满意度"), ("goal_quantity_mismatch", "心理评估和个案辅导人次")]


def test_a_goal_percentage_is_not_paired_with_a_rate_of_something_else():
    """A phased project's demo: “完成…设备采购不低于60%” was compared with 设备采购及时率 =100%."""
    goal = "2027年完成服务器及存储设备采购部署不低于60%，系统可用率不低于99%。"
    rows = [("产出指标", "时效指标", "设备采购及时率", "=100.00(%)"),
            ("产出指标", "质量指标", "系统可用率", "≥99.00(%)")]
    found = goal_findings(filing(goal, rows))
    assert [(rule, indicator) for rule, indicator, _ in found] == [("goal_quantity_unmeasured", None)]
    assert "60%" in found[0][2] and not any("两者不一致" in message for _, _, message in found)


def test_a_rate_the_goal_names_is_still_compared():
    goal = "设备采购及时率达到100%，全年完成设备采购部署不低于60%。"
    rows = [("产出指标", "时效指标", "设备采购及时率", "≥95.00(%)"),
            ("产出指标", "数量指标", "设备采购部署完成率", "≥60.00(%)")]
    found = goal_findings(filing(goal, rows))
    assert [(rule, indicator) for rule, indicator, _ in found] == [("goal_quantity_mismatch", "设备采购及时率")]


def test_an_indicator_with_the_goals_value_measures_it_whatever_its_name():
    rows = [("产出指标", "数量指标", "计划举办培训场次", "=3.00(场)"),
            ("产出指标", "数量指标", "专家鉴定人次", "≥432.00(人次)")]  # 36 a month, counted per year
    assert goal_findings(filing("计划举办3场。计划每个月安排专家鉴定36人次。", rows)) == []


def test_the_budget_restated_in_the_goal_is_not_a_promise():
    assert goal_findings(filing("本项目预算80万元，用于教育帮扶。", [])) == []
