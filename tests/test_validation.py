"""The validator: each rule with a failing and a passing case, the seeds, and fuzzing."""

import json
import math
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jixiao.bot.cli import app
from jixiao.bot.domain.models import Filing, Funding, Indicator, PriorYear
from jixiao.bot.domain.validation import check_indicator, has_errors, validate
from jixiao.store.corpus import bundled_corpus
from typer.testing import CliRunner

BASE_2026 = [
    ("成本指标", "经济成本指标", "人均培训成本", "≤40.00(元)"),
    ("产出指标", "数量指标", "计划举办培训场次", "=3.00(场)"),
    ("产出指标", "数量指标", "每场参加培训人数", "≥100.00(人)"),
    ("产出指标", "质量指标", "参训人员出勤率", "≥80.00(%)"),
    ("产出指标", "时效指标", "业务培训开展及时性", "及时"),
    ("效益指标", "社会效益指标", "政策知晓情况", "提升"),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90.00(%)"),
]


def make(rows=BASE_2026, fmt="2026", year=2026, goal="计划举办3场，每场参加培训人数约110人。", **fields):
    funding = fields.pop("funding", Funding(annual_request=12000, current_appropriation=12000, carryover=0, other=0))
    return Filing(
        year=year, format=fmt, project_name="业务培训", goal=goal,
        start=fields.pop("start") if "start" in fields else date(year, 1, 1),
        end=fields.pop("end") if "end" in fields else date(year, 12, 31),
        funding=funding,
        indicators=[Indicator(level1=a, level2=b, name=c, value=d) for a, b, c, d in rows],
        **fields,
    )


def rules(findings):
    return {f.rule for f in findings}


def replace(rows, name, value):
    return [(a, b, c, value if c == name else d) for a, b, c, d in rows]


def test_a_clean_table_has_no_findings():
    assert validate(make()) == []


# ------------------------------------------------------------------ value rules
@pytest.mark.parametrize(
    ("name", "bad", "good", "rule"),
    [
        ("参训人员出勤率", None, "≥80.00(%)", "value_empty"),
        ("参训人员出勤率", "≥**(%)", "≥80.00(%)", "value_placeholder"),
        ("参训人员出勤率", "很高很高的样子吧", "≥80.00(%)", "value_unparseable"),
        ("参训人员出勤率", "80%", "≥80%", "missing_operator"),
        ("参训人员出勤率", "≥120.00(%)", "≥99.00(%)", "percent_out_of_range"),
        ("每场参加培训人数", "≥-5.00(人)", "≥5.00(人)", "negative_number"),
        ("参训人员满意度", "≥90.00(人)", "≥90.00(%)", "unit_mismatch"),
        ("人均培训成本", "≤40.00(人)", "≤40.00(元)", "unit_mismatch"),
        ("业务培训开展及时性", "=100.00(%)", "及时", "number_for_quality"),
        ("计划举办培训场次", "=0.00(场)", "=3.00(场)", "zero_target"),
        ("人均培训成本", "≥40.00(元)", "≤40.00(元)", "cost_floor"),
        ("参训人员出勤率", "≤80.00(%)", "≥80.00(%)", "ceiling_on_good_rate"),
        ("参训人员满意度", "≥70.00(%)", "≥85.00(%)", "satisfaction_low"),
        ("参训人员满意度", "满意", "≥85.00(%)", "qualitative_for_measure"),
        ("每场参加培训人数", "同比上升", "≥100.00(人)", "trend_without_figure"),
    ],
)
def test_value_rule_fails_then_passes(name, bad, good, rule):
    assert rule in rules(check_indicator(name, bad))
    assert rule not in rules(check_indicator(name, good))


PUBLISHED = json.loads((Path(__file__).parent / "fixtures" / "published_values.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", PUBLISHED["published"], ids=lambda c: f"{c['name']}={c['value']}")
def test_published_values_are_accepted_with_warnings_only(case):
    found = check_indicator(case["name"], case["value"])
    assert not has_errors(found), [f.message for f in found]
    assert sorted(f.rule for f in found) == sorted(case["warns"])


@pytest.mark.parametrize("case", PUBLISHED["clear_mistakes"], ids=lambda c: f"{c['name']}={c['value']}")
def test_clear_mistakes_stay_errors(case):
    found = check_indicator(case["name"], case["value"])
    assert any(f.rule == case["rule"] and f.severity == "error" for f in found), [f.message for f in found]


def test_implied_operator_message_says_how_it_was_read():
    (item,) = check_indicator("下立交道路长度", "985米")
    assert item.severity == "warning"
    assert "=985.00(米)" in item.message and "≥985米" in item.message
    wan = [f for f in check_indicator("控制在预算成本内", "250万") if f.rule == "wan_as_wan_yuan"]
    assert "=250.00(万元)" in wan[0].message
    assert [f.rule for f in check_indicator("培训人数", "≥2万")] == ["unit_scale_only"]


def test_negative_measures_may_be_zero_and_capped():
    assert check_indicator("运维故障发生次数", "=0.00(次)") == []
    assert check_indicator("有责投诉率", "=0.00(%)") == []
    assert "floor_on_bad_rate" in rules(check_indicator("有责投诉率", "≥5.00(%)"))


def test_unparseable_message_quotes_value_and_gives_two_examples():
    (item,) = check_indicator("参训人员出勤率", "很高很高的样子吧")
    assert "“很高很高的样子吧”" in item.message
    assert item.message.count("或") >= 1 and "例" not in item.rule
    assert item.severity == "error"


def test_efficiency_is_not_a_rate():
    assert check_indicator("信息化办案效率", "提升") == []


# ------------------------------------------------------------------ table rules
def test_unknown_and_misplaced_levels():
    bad = make(rows=BASE_2026 + [("产出目标", "数量", "发放宣传手册", "=2500.00(本)")])
    assert "unknown_level1" in rules(validate(bad))
    misplaced = make(rows=BASE_2026 + [("效益指标", "数量指标", "发放宣传手册", "=2500.00(本)")])
    assert "unknown_level2" in rules(validate(misplaced))
    assert {"unknown_level1", "unknown_level2"}.isdisjoint(rules(validate(make())))


def test_required_levels():
    no_benefit = make(rows=[r for r in BASE_2026 if r[0] != "效益指标"])
    found = validate(no_benefit)
    assert any(f.rule == "missing_level1" and "效益指标" in f.message for f in found)
    assert has_errors(found)
    no_timeliness = make(rows=[r for r in BASE_2026 if r[1] != "时效指标"])
    missing2 = [f for f in validate(no_timeliness) if f.rule == "missing_level2"]
    assert missing2 and missing2[0].severity == "warning" and "时效指标" in missing2[0].message


def test_duplicate_names():
    dup = make(rows=BASE_2026 + [("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥95.00(%)")])
    (item,) = [f for f in validate(dup) if f.rule == "duplicate_indicator"]
    assert "≥90.00(%)、≥95.00(%)" in item.message


def test_money_sums():
    ok = make(funding=Funding(total=100, annual_request=100, fiscal=80, current_appropriation=70, carryover=10, other=20))
    assert not {"funding_sum", "fiscal_sum"} & rules(validate(ok))
    bad = make(funding=Funding(total=100, annual_request=100, fiscal=80, current_appropriation=60, carryover=10, other=10))
    found = rules(validate(bad))
    assert {"funding_sum", "fiscal_sum"} <= found
    over = make(funding=Funding(total=100, annual_request=150, fiscal=100, current_appropriation=100))
    assert "annual_over_total" in rules(validate(over))
    annual = make(funding=Funding(annual_request=12000, current_appropriation=11000, carryover=0, other=0))
    assert "annual_sum" in rules(validate(annual))


def test_prior_year_execution_over_budget_2020():
    rows = [("产出目标", "数量", "发放宣传手册", "=2500本")]
    f = make(rows=rows, fmt="2020", year=2020, goal=None, funding=Funding(),
             prior_year=PriorYear(last_year_budget=100, last_year_executed=120))
    assert "executed_over_budget" in rules(validate(f))


def test_multi_year_project_money():
    # 阶段性项目: 项目资金总额 is over 2024–2026, the annual columns add up to this year's request
    staged = Funding(total=30_000_000, fiscal=30_000_000, other=0, annual_request=12_000_000,
                     current_appropriation=12_000_000, carryover=0)
    found = rules(validate(make(funding=staged, nature="阶段性项目", start=date(2024, 1, 1), end=date(2026, 12, 31))))
    assert not {"funding_sum", "fiscal_sum", "annual_sum", "annual_over_total", "date_outside_year"} & found
    one_year = validate(make(funding=staged, nature="其他经常性项目"))  # a one-year plan, yet a larger total
    assert [(f.rule, f.severity) for f in one_year if f.rule == "total_over_annual_one_year"] == [
        ("total_over_annual_one_year", "warning")]
    wrong = staged.model_copy(update={"current_appropriation": 11_000_000})
    assert "annual_sum" in rules(validate(make(funding=wrong, nature="阶段性项目", start=date(2024, 1, 1), end=date(2026, 12, 31))))
    over = staged.model_copy(update={"annual_request": 40_000_000, "current_appropriation": 40_000_000})
    assert "annual_over_total" in rules(validate(make(funding=over, nature="阶段性项目")))
    too_much = staged.model_copy(update={"fiscal": 31_000_000})
    assert "fiscal_over_total" in rules(validate(make(funding=too_much, nature="阶段性项目")))
    assert "funding_sum_multi_year" not in found  # 30,000,000 + 0 = the total over all years
    # a clerk's chat draft: 项目资金总额 9,000,000 over 2026–2028, 财政资金 left at this year's 3,000,000
    annual = staged.model_copy(update={"total": 9_000_000, "fiscal": 3_000_000, "annual_request": 3_000_000,
                                       "current_appropriation": 3_000_000})
    (item,) = [f for f in validate(make(funding=annual, nature="阶段性项目", start=date(2024, 1, 1), end=date(2026, 12, 31)))
               if f.rule == "funding_sum_multi_year"]
    assert not item.blocking and "9,000,000" in item.message and "3,000,000" in item.message


def test_multi_year_dates_must_contain_the_budget_year():
    span = dict(nature="阶段性项目", start=date(2024, 1, 1), end=date(2026, 12, 31))
    assert not {"date_outside_year", "year_outside_plan"} & rules(validate(make(**span)))
    past = dict(nature="阶段性项目", start=date(2022, 1, 1), end=date(2025, 12, 31))
    assert "year_outside_plan" in rules(validate(make(**past)))


@pytest.mark.parametrize("amount", [math.nan, math.inf, -math.inf])
def test_impossible_money_is_an_error_not_a_crash(amount):
    funding = Funding(total=amount, annual_request=12000, fiscal=amount, current_appropriation=12000)
    found = validate(make(funding=funding))
    assert [f.rule for f in found if f.rule == "money_not_finite"] == ["money_not_finite", "money_not_finite"]
    assert has_errors(found)


@pytest.mark.parametrize("year", [10**30, -5, 1899, 2101])
def test_impossible_years_are_errors_not_crashes(year):
    found = validate(make(year=year, start=None, end=None))
    assert "year_out_of_range" in rules(found) and has_errors(found)
    found = validate(make(start=date(1, 1, 1)))
    assert "year_out_of_range" in rules(found)


def test_dates():
    assert "dates_order" in rules(validate(make(start=date(2026, 12, 1), end=date(2026, 1, 1))))
    assert "date_outside_year" in rules(validate(make(end=date(2027, 3, 1))))
    late = make(rows=BASE_2026 + [("产出指标", "时效指标", "上门鉴定服务完成时间", "2027年3月底前")])
    assert "deadline_outside_period" in rules(validate(late))
    on_time = make(rows=BASE_2026 + [("产出指标", "时效指标", "上门鉴定服务完成时间", "2026年12月底前")])
    assert "deadline_outside_period" not in rules(validate(on_time))


# ------------------------------------------------------------------ arithmetic
def test_cost_times_quantity_fits_the_budget():
    # 40 元 × 100 人 × 3 场 = 12,000 = the budget
    assert "cost_over_budget" not in rules(validate(make()))
    costly = make(rows=replace(BASE_2026, "人均培训成本", "≤50.00(元)"))
    (item,) = [f for f in validate(costly) if f.rule == "cost_over_budget"]
    assert "50元 × 每场参加培训人数 100人 × 计划举办培训场次 3场 = 15,000元" in item.message
    assert "> 申请 12,000 元" in item.message


def test_cost_in_wan_yuan_times_people():
    rows = [
        ("成本指标", "经济成本指标", "人均用工成本", "≤15.31(万元)"),
        ("产出指标", "数量指标", "非编人员数", "≤15.00(人)"),
    ]
    funding = Funding(annual_request=1693995, current_appropriation=1693995, carryover=0, other=0)
    (item,) = [f for f in validate(make(rows=rows, goal=None, funding=funding)) if f.rule == "cost_over_budget"]
    assert "2,296,500" in item.message


def _money(amount: float, total: float | None = None) -> Funding:
    return Funding(total=total or amount, annual_request=amount, current_appropriation=amount, carryover=0, other=0)


def test_one_cost_above_the_request_is_flagged():
    # a tester typed 热线运行总成本 ≤2000000元 on a 1,380,000 元 hotline: 0 findings before
    rows = BASE_2026[1:] + [("成本指标", "经济成本指标", "热线运行总成本", "≤2000000.00(元)")]
    (item,) = [f for f in validate(make(rows=rows, goal=None, funding=_money(1_380_000))) if f.rule == "cost_above_budget"]
    assert item.indicator == "热线运行总成本" and "2,000,000" in item.message and "1,380,000" in item.message
    assert not item.blocking
    fits = replace(rows, "热线运行总成本", "≤138.00(万元)")
    assert "cost_above_budget" not in rules(validate(make(rows=fits, goal=None, funding=_money(1_380_000))))
    # a multi-year project: a cost over all years may reach 项目资金总额
    phased = _money(1_000_000, total=2_500_000)
    whole = replace(rows, "热线运行总成本", "≤2500000.00(元)")
    assert "cost_above_budget" not in rules(validate(make(rows=whole, goal=None, funding=phased)))
    over = replace(rows, "热线运行总成本", "≤2600000.00(元)")
    assert "cost_above_budget" in rules(validate(make(rows=over, goal=None, funding=phased)))


def test_cost_per_person_per_meal_times_meals_in_wan():
    # 老年人助餐: 每人每餐 5 元 × 43 万人次 = 2,150,000 ≤ 2,160,000; at 8 元 it is 3,440,000
    rows = [
        ("成本指标", "经济成本指标", "每人每餐补贴金额", "≤5.00(元)"),
        ("产出指标", "数量指标", "受益老人人数", "≥1200.00(人)"),
        ("产出指标", "数量指标", "助餐数量", "≥43.00(万人次)"),
    ]
    assert "cost_over_budget" not in rules(validate(make(rows=rows, goal=None, funding=_money(2_160_000))))
    dear = replace(rows, "每人每餐补贴金额", "≤8.00(元)")
    (item,) = [f for f in validate(make(rows=dear, goal=None, funding=_money(2_160_000))) if f.rule == "cost_over_budget"]
    assert "8元 × 助餐数量 43万人次 = 3,440,000元" in item.message


def test_cost_per_person_per_month_is_twelve_times_a_year():
    # 灵活就业社保补贴: 每月每人 200 元 × 4000 名 × 12 = 9,600,000 = the request; 300 元 is 14,400,000
    rows = [
        ("成本指标", "经济成本指标", "每月每人补贴金额", "≤200.00(元)"),
        ("产出指标", "数量指标", "补贴发放人数", "≥4000.00(名)"),
    ]
    assert "cost_over_budget" not in rules(validate(make(rows=rows, goal=None, funding=_money(9_600_000))))
    dear = replace(rows, "每月每人补贴金额", "≤300.00(元)")
    (item,) = [f for f in validate(make(rows=dear, goal=None, funding=_money(9_600_000))) if f.rule == "cost_over_budget"]
    assert "300元 × 补贴发放人数 4,000名 × 12 = 14,400,000元" in item.message


def test_a_cost_in_a_compound_unit_is_money_in_the_arithmetic():
    # ≤50.00(元/人) is 50 元 a person: 50 × 100 × 3 = 15,000 > 12,000 (a compound unit skipped the check)
    costly = make(rows=replace(BASE_2026, "人均培训成本", "≤50.00(元/人)"))
    (item,) = [f for f in validate(costly) if f.rule == "cost_over_budget"]
    assert "15,000元" in item.message
    assert "cost_over_budget" not in rules(validate(make(rows=replace(BASE_2026, "人均培训成本", "≤40.00(元/人)"))))


@pytest.mark.parametrize(("name", "value"), [("服务天数", "≥5.00(天)"), ("每周服务天数", "=5.00(天)"), ("值守小时数", "≥24.00(小时)")])
def test_a_number_of_days_or_hours_takes_a_time_unit(name, value):
    rows = BASE_2026 + [("产出指标", "数量指标", name, value)]
    assert "unit_mismatch" not in rules(validate(make(rows=rows)))


def test_a_unit_cost_rounded_to_the_fen_is_not_over_the_budget():
    # 650,000 元 ÷ 360家次 = 1,805.555… → ≤1805.56(元); × 360 = 650,001.60, rounding, not a real excess
    rows = [
        ("成本指标", "经济成本指标", "每次检查平均成本", "≤1805.56(元)"),
        ("产出指标", "数量指标", "执法检查次数", "≥360.00(次)"),
    ]
    assert "cost_over_budget" not in rules(validate(make(rows=rows, goal=None, funding=_money(650_000))))
    dear = replace(rows, "每次检查平均成本", "≤1806.00(元)")  # 650,160: 160 元 over
    assert "cost_over_budget" in rules(validate(make(rows=dear, goal=None, funding=_money(650_000))))


@pytest.mark.parametrize("name", ["发现隐患整改率", "不合格食品核查处置率", "设备故障修复率", "群众投诉办结率"])
def test_an_action_on_a_bad_thing_should_be_high(name):
    rows = BASE_2026 + [("产出指标", "质量指标", name, "≥98.00(%)")]
    assert "floor_on_bad_rate" not in rules(validate(make(rows=rows)))
    assert "ceiling_on_good_rate" not in rules(validate(make(rows=rows)))


@pytest.mark.parametrize("name", ["设备故障率", "群众投诉率", "安全事故发生率"])
def test_a_bad_thing_alone_should_be_low(name):
    rows = BASE_2026 + [("产出指标", "质量指标", name, "≥2.00(%)")]
    assert "floor_on_bad_rate" in rules(validate(make(rows=rows)))


def test_words_on_costs_ask_for_figures_but_do_not_block():
    # 池州 2022 (a published table): 单项业务成本 符合相关规定; 生态效益 对控制基建项目成本影响程度 效果明显
    rows = BASE_2026 + [
        ("成本指标", "经济成本指标", "单项业务成本", "符合相关规定"),
        ("效益指标", "生态效益指标", "对控制基建项目成本影响程度", "效果明显"),
    ]
    found = validate(make(rows=rows))
    flagged = [(f.rule, f.indicator, f.blocking) for f in found if f.rule == "qualitative_for_measure"]
    assert flagged == [("qualitative_for_measure", "单项业务成本", False)]
    worded = replace(BASE_2026, "参训人员满意度", "满意")  # a rate stays an error
    assert any(f.rule == "qualitative_for_measure" and f.blocking for f in validate(make(rows=worded)))


def test_goal_quantities_against_indicators():
    goal = "完成鉴定案件不少于3300件。计划每个月安排专家鉴定36人次。"
    rows = BASE_2026 + [
        ("产出指标", "数量指标", "完成鉴定任务件数", "≥3300.00(件)"),
        ("产出指标", "数量指标", "每月出席鉴定会专家人次", "≥25.00(人次)"),
    ]
    found = [f for f in validate(make(rows=rows, goal=goal)) if f.rule.startswith("goal_")]
    assert [(f.rule, f.indicator) for f in found] == [("goal_quantity_mismatch", "每月出席鉴定会专家人次")]
    assert "36人次" in found[0].message and "≥25.00(人次)" in found[0].message
    unmeasured = validate(make(goal="每次派出3人专家团队。"))
    assert "goal_quantity_unmeasured" in rules(unmeasured)  # 每场参加培训人数 counts trainees, not experts
    unmeasured = validate(make(goal="全年寄送文书18000件。"))
    assert "goal_quantity_unmeasured" in rules(unmeasured)


# ------------------------------------------------------------------ the seeds
def test_seed_findings_are_the_real_mistakes():
    by_name = {(f.year, f.project_name): validate(f) for f in bundled_corpus()}
    work_injury = rules(by_name[(2026, "工伤鉴定")])
    assert {"duplicate_indicator", "goal_quantity_mismatch"} <= work_injury
    assert "cost_over_budget" in rules(by_name[(2026, "编外人员工作经费")])
    assert "cost_over_budget" not in rules(by_name[(2026, "辅助业务管理与支持")])  # 0.21 × 1,327,500 = 278,775
    assert "value_empty" in rules(by_name[(2024, "医患纠纷办案补贴")])
    assert rules(by_name[(2020, "征地养老医药费报销管理系统")]) >= {"table_incomplete"}
    assert "value_empty" not in rules(by_name[(2020, "征地养老医药费报销管理系统")])
    assert by_name[(2024, "村(居)委专职调解岗位工作津贴")] == []
    assert not any(f.rule == "value_unparseable" for found in by_name.values() for f in found)


# ------------------------------------------------------------------ the CLI
runner = CliRunner()


def test_validate_cli_json_lines_and_exit_status(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps(make().to_json_dict(), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 0 and result.output == ""
    bad = make(rows=replace(BASE_2026, "参训人员满意度", "满意"))
    path.write_text(json.dumps([bad.to_json_dict()], ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert json.loads(line) == {
        "severity": "error", "indicator": "参训人员满意度", "rule": "qualitative_for_measure",
        "message": "“参训人员满意度”需要一个可量化的目标，而不是“满意”。例如：≥85.00(%) 或 =100.00(%)。",
    }
    human = runner.invoke(app, ["validate", str(path)])
    assert "error: [参训人员满意度]" in human.output


def test_value_cli():
    result = runner.invoke(app, ["value", "不低于 85%", "--name", "群众满意度", "--year", "2026"])
    assert (result.exit_code, result.output.splitlines()[0]) == (0, "≥85.00(%)")
    result = runner.invoke(app, ["value", "不低于 85%", "--year", "2020"])
    assert result.output.splitlines()[0] == "≥85%"
    result = runner.invoke(app, ["value", "满意", "--name", "群众满意度"])
    assert result.exit_code == 1 and "可量化" in result.output
    result = runner.invoke(app, ["value", "abc%"])
    assert result.exit_code == 1 and "“abc%”" in result.output


# ------------------------------------------------------------------ fuzzing
indicator_st = st.builds(
    Indicator,
    level1=st.sampled_from(["产出指标", "效益指标", "成本指标", "满意度指标", "产出目标", ""]) | st.text(max_size=5),
    level2=st.sampled_from(["数量指标", "质量指标", "经济成本指标", "数量"]) | st.text(max_size=5),
    name=st.sampled_from(["人均培训成本", "完成率", "满意度", "次数", "及时性", ""]) | st.text(max_size=12),
    value=st.none() | st.text(max_size=30) | st.sampled_from(["≥85.00(%)", "=0", "2026年12月底前", "同比下降", "≤1.5(万元)"]),
)
money_st = st.none() | st.floats(min_value=-1e12, max_value=1e12) | st.sampled_from([math.nan, math.inf, 1e308])


@settings(max_examples=300, deadline=None)
@given(
    indicators=st.lists(indicator_st, max_size=12),
    goal=st.none() | st.text(max_size=200) | st.just("计划举办3场，每场参加培训人数约110人，满意率90%以上。"),
    fmt=st.sampled_from(["2020", "2024", "2026"]),
    total=money_st,
    fiscal=money_st,
    annual=money_st,
)
def test_validator_never_crashes(indicators, goal, fmt, total, fiscal, annual):
    filing = Filing(
        year=int(fmt), format=fmt, project_name="x", goal=goal, indicators=indicators,
        funding=Funding(total=total, fiscal=fiscal, annual_request=annual),
    )
    for item in validate(filing):
        assert item.severity in ("error", "warning") and item.message


def test_validate_cli_flags_nan_money_and_impossible_years(tmp_path):
    data = make().to_json_dict()
    data["funding"]["annual_request"] = float("nan")
    data["year"] = 10**30
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # NaN as JSON writes it
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    found = {json.loads(line)["rule"] for line in result.output.splitlines()}
    assert {"money_not_finite", "year_out_of_range"} <= found
