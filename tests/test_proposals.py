"""Indicator proposals: the goal, the budget, history, similar projects and the library, the CLI."""

import json
from decimal import Decimal

import pytest
from jixiao.bot.cli import app
from jixiao.bot.domain.frameworks import get_framework
from jixiao.bot.domain.models import Filing, Funding, Indicator
from jixiao.bot.domain.validation import validate
from jixiao.bot.domain.validation.arithmetic_rules import budget_of
from jixiao.bot.domain.validation.table_rules import check_framework
from jixiao.bot.domain.values import parse_value
from jixiao.bot.retrieval import Query, SearchIndex
from jixiao.bot.retrieval.costs import quantity_of, yuan
from jixiao.bot.retrieval.proposals import Proposal, ProposedIndicator, propose
from jixiao.store.corpus import bundled_corpus, dump_filings_json
from typer.testing import CliRunner

CORPUS = bundled_corpus()
FORENSIC = "上海市司法鉴定中心"
BAOSHAN = "上海市宝山区司法局"
runner = CliRunner()


def filing(year: int, name: str) -> Filing:
    return next(f for f in CORPUS if f.year == year and f.project_name == name)


def make(name: str, rows, *, year=2024, fmt="2024", department="上海市甲区某局", category=None, goal=None) -> Filing:
    return Filing(
        year=year, format=fmt, project_name=name, department=department, category=category, goal=goal,
        indicators=[Indicator(level1=a, level2=b, name=c, value=d) for a, b, c, d in rows],
    )


def by_name(proposal: Proposal) -> dict[str, ProposedIndicator]:
    return {i.name: i for i in proposal.indicators}


def query_of(target: Filing) -> Query:
    return Query(target.project_name, target.category, target.department, target.goal, target.year)


def draft_of(proposal: Proposal, fmt: str, year: int, goal=None, budget=None) -> Filing:
    """The proposal accepted as a whole, as a filing."""
    return Filing(year=year, format=fmt, project_name="新项目", goal=goal,
                  funding=Funding(annual_request=budget) if budget else Funding(),
                  indicators=[Indicator(level1=i.level1, level2=i.level2, name=i.name, value=i.value)
                              for i in proposal.indicators])


def yuan_of(value: str) -> Decimal:
    return yuan(parse_value(value))


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(CORPUS)


# -- the 2020 table mapped into 2026 -------------------------------------------------
@pytest.fixture(scope="module")
def from_2020(index) -> Proposal:
    """残疾人就业保障金 for 2026 with Baoshan's 2024 table left out: the 2020 table leads."""
    baoshan = filing(2024, "残疾人就业保障金")
    return propose(index, Query("残疾人就业保障金", department=FORENSIC, year=2026), "2026",
                   exclude=lambda f: f is baoshan)


def test_2020_items_land_in_2026_levels(from_2020):
    framework = get_framework("2026")
    assert from_2020.similar[0].filing.year == 2020
    for item in from_2020.indicators:
        assert framework.contains(item.level1, item.level2), item
        assert item.level1 not in ("投入与管理", "产出目标", "效果目标", "影响力目标")
    found = by_name(from_2020)
    assert (found["应缴尽缴率"].level1, found["应缴尽缴率"].level2) == ("产出指标", "数量指标")
    assert (found["缴纳残疾人就业保障金"].level1, found["缴纳残疾人就业保障金"].level2) == ("成本指标", "经济成本指标")
    assert (found["社会稳定和谐"].level1, found["社会稳定和谐"].level2) == ("效益指标", "可持续影响指标")


def test_2020_input_and_management_items_are_dropped(from_2020):
    names = set(by_name(from_2020))
    assert not names & {"预算执行率", "预算目标合理性", "财务制度健全性", "资金使用合规性", "项目管理制度健全性"}


def test_values_are_reprinted_in_the_target_style(from_2020):
    found = by_name(from_2020)
    assert found["应缴尽缴率"].value == "=100.00(%)"  # 2020 printed =100%
    assert found["缴纳残疾人就业保障金"].value == "=1.50(%)"  # 2020 printed =1.5%
    assert found["费用缴纳及时性"].value == "及时"


def test_values_stay_compact_for_a_2020_target(index):
    target = filing(2020, "信息化运维")
    proposal = propose(index, Query("信息化运维", department="上海市第一中级人民法院", year=2020), "2020",
                       exclude=lambda f: f is target)
    values = {i.name: i.value for i in proposal.indicators}
    assert values["预算执行率"] == "=100%"
    assert all("(" not in (v or "") for v in values.values())


def test_sources_name_year_unit_and_project(from_2020):
    item = by_name(from_2020)["应缴尽缴率"]
    assert item.sources == ("2020 上海市司法鉴定中心 残疾人就业保障金",)
    assert not item.generic


# -- required levels, the library, no corpus --------------------------------------------
def test_required_levels_are_filled_from_the_library():
    only = make("社区矫正中心物业费", [
        ("产出指标", "数量指标", "物业服务面积", "=721.00(平方米)"),
        ("效益指标", "社会效益指标", "办公环境整洁度", "良好"),
    ])
    proposal = propose(SearchIndex([only]), Query("社区矫正中心物业费", year=2026), "2026")
    levels = [i.level1 for i in proposal.indicators]
    assert levels == sorted(levels, key=["成本指标", "产出指标", "效益指标", "满意度指标"].index)
    assert set(levels) == {"成本指标", "产出指标", "效益指标", "满意度指标"}
    assert proposal.project_type.ids == ("property", "corrections")
    found = by_name(proposal)
    assert found["物业服务面积"].origin == "similar"
    satisfaction = [i for i in proposal.indicators if i.level1 == "满意度指标"]
    assert [(i.name, i.value, i.origin) for i in satisfaction] == [("工作人员满意度", "≥90.00(%)", "library")]
    assert satisfaction[0].reason == "同类项目（物业管理）常用"
    assert found["成本控制合理性"].generic  # no budget: the common, unquantified cost


def test_no_index_and_an_empty_corpus_give_the_same_full_table():
    query = Query("法律援助案件补贴", department="杭州市西湖区司法局", year=2024,
                  goal="全年办理法律援助案件不少于300件，受援人满意度不低于95%")
    bare = propose(None, query, "2024", budget=600000)
    empty = propose(SearchIndex([]), query, "2024", budget=600000)
    assert bare.indicators == empty.indicators and bare.similar == []
    found = by_name(bare)
    assert found["法律援助案件数量"].value == "≥300.00(件)" and found["法律援助案件数量"].origin == "goal"
    assert found["受援人满意度"].value == "≥95.00(%)"  # the goal's own figure beats the default
    assert found["法律援助案件件均成本"].value == "≤2000.00(元)"  # 600,000 ÷ 300件: a unit cost before a total
    assert not check_framework(draft_of(bare, "2024", 2024))


def test_every_proposal_of_the_corpus_passes_the_table_rules(index):
    """Leave-one-out over the corpus, with the budget: no error and no missing level."""
    for target in CORPUS:
        proposal = propose(index, query_of(target), target.format, budget=budget_of(target),
                           exclude=lambda f, t=target: f is t)
        draft = target.model_copy(update={"indicators": [
            Indicator(level1=i.level1, level2=i.level2, name=i.name, value=i.value) for i in proposal.indicators],
            "complete": True, "problems": []})
        found = [f for f in validate(draft) if f.blocking or f.rule.startswith("missing_level")]
        assert found == [], (target.project_name, [f.message for f in found])


# -- the goal, the budget, reasons --------------------------------------------------------
CORRECTIONS_GOAL = "全年组织集中教育学习不少于24次，开展心理评估和个案辅导不少于200人次，社区矫正对象再犯罪率控制在0.2%以下"


def _is_money(value: str | None) -> bool:
    q = quantity_of(value)
    return q is not None and q.unit_kind == "money"


@pytest.fixture(scope="module")
def corrections(index) -> Proposal:
    """Issue 11's example: a new 2027 project of a district justice bureau."""
    query = Query("社区矫正教育帮扶经费", category="特定目标类", department="上海市松江区司法局", goal=CORRECTIONS_GOAL, year=2027)
    return propose(index, query, budget=800000)


def test_the_goals_numbers_become_indicators_with_their_values(corrections):
    found = by_name(corrections)
    assert (found["集中教育学习次数"].value, found["集中教育学习次数"].level2) == ("≥24.00(次)", "数量指标")
    assert found["心理辅导人次"].value == "≥200.00(人次)"
    assert (found["社区矫正对象再犯罪率"].value, found["社区矫正对象再犯罪率"].level2) == ("≤0.20(%)", "社会效益指标")
    assert found["集中教育学习次数"].reason == "来自年度目标：不少于24次"
    assert {found[n].origin for n in ("集中教育学习次数", "心理辅导人次", "社区矫正对象再犯罪率")} == {"goal"}


def test_the_budget_gives_a_unit_cost_with_its_arithmetic(corrections):
    assert corrections.framework == "2026" and corrections.budget == 800000
    (cost,) = [i for i in corrections.indicators if i.origin == "budget"]
    assert (cost.level1, cost.level2, cost.name, cost.value) == ("成本指标", "经济成本指标", "人均教育帮扶成本", "≤4000.00(元)")
    assert cost.reason == "按预算 800,000 元 ÷ 200人次 = 4,000 元/人次"


def test_reasons_are_plain_words(corrections):
    for item in corrections.indicators:
        assert item.reason and item.origin in ("goal", "budget", "history", "similar", "library"), item
        assert "0." not in item.reason.replace("0.2%", ""), item.reason  # no scores


def test_no_money_above_the_budget_and_other_units_totals_are_scaled(index):
    """Songjiang's 运维成本 ≤192430元 (of 198,415) is not copied into a 30万 project of another unit."""
    query = Query("信息系统运行维护", department="上海市宝山区司法局", year=2027, goal="全年开展系统巡检维护不少于24次")
    proposal = propose(index, query, "2026", budget=300000)
    money = [(i.name, i.value) for i in proposal.indicators if _is_money(i.value)]
    assert money and all(yuan_of(v) <= 300000 for _, v in money)
    assert not any(v == "≤192430.00(元)" for _, v in money)
    assert by_name(proposal)["每次运维平均成本"].value == "≤12500.00(元)"  # 300,000 ÷ 24次


def test_training_per_session_counts_are_multiplied():
    query = Query("业务培训", year=2027, goal="计划举办3场，每场参加培训人数约110人。")
    proposal = propose(None, query, "2026", budget=12000)
    found = by_name(proposal)
    assert found["人均培训成本"].value == "≤36.36(元)"
    assert found["人均培训成本"].reason == "按预算 12,000 元 ÷ （3场 × 110人） = 36.36 元/人"
    assert found["培训场次"].value == "≥3.00(场)" and found["每场参训人数"].value == "≥110.00(人)"
    draft = draft_of(proposal, "2026", 2027, goal=query.goal, budget=12000)
    assert "cost_over_budget" not in {f.rule for f in validate(draft)}


def test_type_override_and_explanation():
    query = Query("综合保障经费", year=2027)
    assert propose(None, query, "2026").project_type.explanation.startswith("未能从名称和目标判断")
    chosen = propose(None, query, "2026", project_type="培训").project_type
    assert chosen.ids == ("training",) and chosen.explanation == "按你的选择：培训"
    with pytest.raises(KeyError):
        propose(None, query, "2026", project_type="no-such-type")


def test_the_format_is_chosen_by_region_and_year_when_not_given():
    other_province = propose(None, Query("法律援助", department="杭州市西湖区司法局", year=2022), None)
    shanghai = propose(None, Query("法律援助", department="上海市宝山区司法局", year=2022), None)
    assert (other_province.framework, shanghai.framework) == ("2024", "2020")
    assert not any(i.level1 == "投入与管理" for i in other_province.indicators)
    assert {"投入与管理", "产出目标", "效果目标", "影响力目标"} <= {i.level1 for i in shanghai.indicators}


# -- the unit's own history -------------------------------------------------------------
def test_start_from_last_years_table(index):
    query = Query("工伤鉴定", department="上海市松江区社会保障服务中心", year=2027)
    proposal = propose(index, query, "2026", budget=700000)
    last = proposal.last_year
    assert last is not None and last.same_name and last.filing.year == 2026
    assert last.reason == "2026 年本单位同名项目"
    found = {i.name: i for i in last.indicators}
    assert found["完成鉴定任务件数"].value == "≥3300.00(件)"  # values kept
    assert found["每份文书邮寄成本"].note == "金额是 2026 年的数，请按今年预算核对"
    assert found["上门鉴定服务完成时间"].value == "2027年12月底前"
    assert all(i.origin == "history" for i in last.indicators if i.level1 != "效益指标")
    assert by_name(proposal)["完成鉴定任务件数"].origin == "history"  # the main proposal starts from it too


def test_2020_input_and_management_items_are_not_carried_into_2026():
    old = make("档案管理", [
        ("投入与管理", "投入管理", "预算执行率", "=100%"),
        ("投入与管理", "实施管理", "立项依据的充分性", "充分"),
        ("产出目标", "数量", "档案整理数量", ">=3000件"),
    ], year=2020, fmt="2020", department="上海市甲区档案馆")
    proposal = propose(SearchIndex([old]), Query("档案管理", department="上海市甲区档案馆", year=2026), "2026")
    found = by_name(proposal)
    assert "预算执行率" not in found and "立项依据的充分性" not in found
    assert found["档案整理数量"].value == "≥3000.00(件)"
    assert proposal.last_year is not None and "预算执行率" not in {i.name for i in proposal.last_year.indicators}


# -- merging, ordering ----------------------------------------------------------------
def test_near_duplicates_from_different_filings_merge():
    a = make("档案数字化一期", [("产出指标", "质量指标", "资金使用合规性", "合规"),
                             ("效益指标", "可持续影响指标", "立项依据的充分性", "充分")])
    b = make("档案数字化二期", [("产出指标", "质量指标", "资金使用规范性", "规范"),
                             ("效益指标", "可持续影响指标", "立项依据充分性", "充分")])
    proposal = propose(SearchIndex([a, b]), Query("档案数字化三期", year=2024), "2024")
    found = by_name(proposal)
    assert "资金使用规范性" not in found and "立项依据充分性" not in found
    assert len(found["资金使用合规性"].sources) == 2
    assert len(found["立项依据的充分性"].sources) == 2


def test_similar_names_within_one_table_stay_apart(index):
    """系统软件售后服务次数 and 系统硬件售后服务次数 (similarity 90) come from one table: two measures."""
    proposal = propose(index, Query("网络信息系统运行与维护", department="松江区社会保障服务中心", year=2027), "2026")
    names = [i.name for i in proposal.indicators]
    assert "系统软件售后服务次数" in names and "系统硬件售后服务次数" in names
    assert names.count("群众满意度") <= 1


def test_order_follows_levels_then_use_count(index):
    target = filing(2024, "人民调解员办案补贴")
    proposal = propose(index, Query(target.project_name, target.category, target.department, target.goal, 2024),
                       "2024", exclude=lambda f: f is target)
    framework = get_framework("2024")
    order = [(l1.name, l2.name) for l1 in framework.levels for l2 in l1.children]
    positions = [order.index((i.level1, i.level2)) for i in proposal.indicators]
    assert positions == sorted(positions)
    for level in order:
        counts = [len(i.sources) for i in proposal.indicators if (i.level1, i.level2) == level]
        assert counts == sorted(counts, reverse=True)
    sustained = [i for i in proposal.indicators if i.level2 == "可持续影响指标"]
    assert sustained[0].name in ("立项依据的充分性", "项目立项的规范性") and len(sustained[0].sources) >= 3


def test_newer_tables_map_back_into_2020():
    new = make("档案管理", [("产出指标", "数量指标", "档案整理数量", "≥3000.00(件)"),
                        ("效益指标", "可持续影响指标", "档案查询便捷度", "便捷")], year=2024, fmt="2024")
    proposal = propose(SearchIndex([new]), Query("档案管理", year=2020), "2020")
    found = by_name(proposal)
    assert (found["档案整理数量"].level1, found["档案整理数量"].level2, found["档案整理数量"].value) == ("产出目标", "数量", "≥3000件")
    assert (found["档案查询便捷度"].level1, found["档案查询便捷度"].level2) == ("影响力目标", "长效管理")


# -- notes: nothing is scaled silently -------------------------------------------------
@pytest.fixture(scope="module")
def mediation() -> list[Filing]:
    rows = [("产出指标", "数量指标", "维持调解员人数", "≤490.00(人)"),
            ("成本指标", "经济成本指标", "人均调解补贴", "≤1200.00(元)"),
            ("产出指标", "质量指标", "调解成功率", "≥85.00(%)"),
            ("产出指标", "质量指标", "调解差错次数", "=0.00(次)"),
            ("产出指标", "时效指标", "调解响应时间", "≤24.00(小时)")]
    return [make("专职调解员津贴", rows, year=2026, fmt="2026", department=BAOSHAN)]


def test_counts_from_another_unit_carry_a_note(mediation):
    proposal = propose(SearchIndex(mediation), Query("专职调解员津贴", department="上海市松江区司法局", year=2027), "2026")
    found = by_name(proposal)
    assert found["维持调解员人数"].value == "≤490.00(人)"  # copied, not scaled
    assert "其他单位" in found["维持调解员人数"].note and BAOSHAN in found["维持调解员人数"].note
    assert "金额" in found["人均调解补贴"].note
    assert found["调解成功率"].note is None  # a percentage does not depend on size
    assert found["调解差错次数"].note is None  # nor does a zero target
    assert found["调解响应时间"].note is None


def test_counts_from_the_same_project_need_no_note(mediation):
    proposal = propose(SearchIndex(mediation), Query("专职调解员津贴", department="宝山区司法局", year=2027), "2026")
    assert by_name(proposal)["维持调解员人数"].note is None


def test_counts_from_another_project_of_the_unit_carry_a_note(mediation):
    proposal = propose(SearchIndex(mediation), Query("专职调解员工作津贴", department=BAOSHAN, year=2027), "2026")
    note = by_name(proposal)["维持调解员人数"].note
    assert "本单位其他项目" in note and "专职调解员津贴" in note


def test_note_on_a_bundled_proposal(index):
    proposal = propose(index, Query("工伤鉴定", department="上海市普陀区社会保障管理服务中心", year=2027), "2026")
    found = by_name(proposal)
    assert found["工伤鉴定认定邮寄数"].value == "≥18000.00(件)"
    assert "请按本单位实际修改" in found["工伤鉴定认定邮寄数"].note


def test_deadlines_move_to_the_query_year(index):
    proposal = propose(index, Query("工伤鉴定", department="松江区社会保障服务中心", year=2027), "2026")
    item = by_name(proposal)["上门鉴定服务完成时间"]
    assert item.value == "2027年12月底前"
    assert "2026" in item.note and "2027" in item.note


# -- exclusion -----------------------------------------------------------------------
def test_excluded_filing_does_not_leak(index):
    target = filing(2026, "工伤鉴定")
    proposal = propose(index, Query("工伤鉴定", department="松江区社会保障服务中心", year=2026), "2026",
                       exclude=lambda f: f is target)
    assert target not in [h.filing for h in proposal.similar]
    unique = {i.name for i in target.indicators}
    assert not unique & {i.name for i in proposal.indicators}
    assert not any("工伤鉴定" == s.split(" ", 2)[2] for i in proposal.indicators for s in i.sources)


def test_values_the_validator_refuses_are_left_out():
    odd = make("宣传活动", [("产出指标", "数量指标", "宣传活动场次", "若干场"),
                        ("产出指标", "质量指标", "宣传覆盖面", None),
                        ("产出指标", "时效指标", "宣传活动开展及时性", "及时")])
    found = by_name(propose(SearchIndex([odd]), Query("宣传活动", year=2024), "2024"))
    assert "宣传活动场次" not in found and "宣传覆盖面" not in found
    assert found["宣传活动开展及时性"].origin == "similar"


# -- jixiao propose ------------------------------------------------------------------
def test_cli_json_shape_on_the_bundled_corpus():
    result = runner.invoke(app, ["propose", "--name", "残疾人就业保障金", "--department", BAOSHAN, "--year", "2026", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"similar", "indicators", "project_type", "format", "budget", "last_year"}
    first = data["similar"][0]
    assert set(first) == {"project_name", "department", "year", "score", "source"}
    assert first["project_name"] == "残疾人就业保障金" and first["year"] == 2024
    assert first["source"] == {"file": "2024_baoshan_justice_bureau.txt", "index": 7}
    assert isinstance(first["score"], float)
    for item in data["indicators"]:
        assert set(item) == {"level1", "level2", "name", "value", "sources", "generic", "reason", "origin", "note"}
        assert isinstance(item["generic"], bool) and isinstance(item["sources"], list)
        assert item["origin"] in ("library", "goal", "budget", "history", "similar") and item["reason"]
    assert {i["level1"] for i in data["indicators"]} == {"成本指标", "产出指标", "效益指标", "满意度指标"}
    assert data["format"]["id"] == "2026" and "2026" in data["format"]["reason"]
    assert data["project_type"]["ids"] == ["payment", "social_security"]
    assert data["last_year"]["year"] == 2024 and data["last_year"]["same_name"] is True


def test_cli_budget_type_region_and_format():
    args = ["propose", "--name", "调解员培训", "--year", "2023", "--department", "区司法局", "--json",
            "--goal", "全年举办培训4期，培训调解员200人次", "--budget", "8万", "--no-corpus"]
    data = json.loads(runner.invoke(app, args).output)
    assert data["format"]["id"] == "2024" and data["budget"] == 80000  # region unknown: the national form
    assert data["project_type"]["ids"] == ["training", "mediation"]
    cost = next(i for i in data["indicators"] if i["origin"] == "budget")
    assert (cost["name"], cost["value"]) == ("人均培训成本", "≤400.00(元)")
    assert data["similar"] == [] and data["last_year"] is None
    shanghai = json.loads(runner.invoke(app, [*args, "--region", "上海"]).output)
    assert shanghai["format"]["id"] == "2020"
    forced = json.loads(runner.invoke(app, [*args, "--format", "2026", "--type", "会议"]).output)
    assert forced["format"]["id"] == "2026" and forced["project_type"]["ids"] == ["meeting"]
    assert runner.invoke(app, [*args, "--budget", "很多"]).exit_code == 2
    assert runner.invoke(app, [*args, "--type", "火箭"]).exit_code == 2


def test_cli_with_a_corpus_file(tmp_path):
    path = tmp_path / "corpus.json"
    dump_filings_json([filing(2020, "信息化运维"), filing(2020, "离退休经费")], path)
    result = runner.invoke(app, ["propose", "--name", "信息化运维服务", "--year", "2024", "--corpus", str(path),
                                 "--top", "1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["project_name"] for s in data["similar"]] == ["信息化运维"]
    names = {i["name"] for i in data["indicators"]}
    assert "运维工作完成率" in names
    levels = {i["level1"] for i in data["indicators"]}
    assert levels <= {"产出指标", "效益指标", "满意度指标"}  # the 2024 framework


def test_cli_readable_listing_shows_reasons():
    result = runner.invoke(app, ["propose", "--name", "信息化运维", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert "相似项目" in result.output and "同名项目（2020年）" in result.output
    assert "建议指标" in result.output and "2020 年同名项目（上海市第一中级人民法院）使用" in result.output
    assert "项目类型：按项目名称中的“信息化、运维”" in result.output and "得分" not in result.output


def test_cli_bad_corpus_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("[{\"year\": 2024}]", encoding="utf-8")
    result = runner.invoke(app, ["propose", "--name", "x", "--corpus", str(path)])
    assert result.exit_code == 2


def test_the_goals_figure_replaces_last_years_for_the_same_measure(index):
    query = Query("信息化运维", department="上海市第一中级人民法院", year=2027, goal="故障2小时内响应")
    found = by_name(propose(index, query, "2026", budget=8000000))
    assert found["故障响应时间"].value == "≤2.00(小时)" and found["故障响应时间"].origin == "goal"
    assert "运维响应时间" not in found  # 2020's ≤24小时 for the same thing is left out
    assert found["运维工作完成率"].origin == "history"  # the rest of last year's table stays
