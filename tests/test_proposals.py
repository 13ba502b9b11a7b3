"""Indicator proposals: mapping into the target framework, merging, values, notes, generics, CLI."""

import json

import pytest
from jixiao.bot.cli import app
from jixiao.bot.domain.frameworks import all_frameworks, get_framework
from jixiao.bot.domain.models import Filing, Indicator
from jixiao.bot.domain.validation.table_rules import check_framework
from jixiao.bot.domain.values import canonical
from jixiao.bot.retrieval import Query, SearchIndex
from jixiao.bot.retrieval.proposals import DATA_FILE, Proposal, ProposedIndicator, propose
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


# -- required levels and generics ----------------------------------------------------
def test_required_levels_get_generics():
    only = make("社区矫正中心物业费", [
        ("产出指标", "数量指标", "物业服务面积", "=721.00(平方米)"),
        ("效益指标", "社会效益指标", "办公环境整洁度", "良好"),
    ])
    proposal = propose(SearchIndex([only]), Query("社区矫正中心物业费", year=2026), "2026")
    levels = [i.level1 for i in proposal.indicators]
    assert levels == ["成本指标", "产出指标", "效益指标", "满意度指标"]
    generic = {i.level1: i for i in proposal.indicators if i.generic}
    assert set(generic) == {"成本指标", "满意度指标"}
    satisfaction = generic["满意度指标"]
    assert (satisfaction.level2, satisfaction.name, satisfaction.value) == ("服务对象满意度指标", "服务对象满意度", "≥85.00(%)")
    assert satisfaction.sources == ()
    assert all(not i.generic for i in proposal.indicators if i.level1 in ("产出指标", "效益指标"))


def test_empty_corpus_gives_generics_for_every_required_level():
    proposal = propose(SearchIndex([]), Query("新项目", year=2024), "2024")
    assert proposal.similar == []
    assert [i.level1 for i in proposal.indicators] == ["产出指标", "效益指标", "满意度指标"]
    assert all(i.generic for i in proposal.indicators)


def test_every_required_level_of_every_framework_has_a_canonical_generic():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for framework in all_frameworks().values():
        generics = data["generics"][framework.id]
        for level in framework.levels:
            if level.required:
                first = next(g for g in generics if g["level1"] == level.name)
                assert framework.contains(first["level1"], first["level2"]), first
                assert canonical(first["value"], framework.value_style) == first["value"], first


def test_bundled_proposals_pass_the_framework_check(index):
    """Leave-one-out over the corpus: every proposal has known levels, all required first
    levels, and no duplicate names (the validator's errors)."""
    for target in CORPUS:
        proposal = propose(index, Query(target.project_name, target.category, target.department, target.goal,
                                        target.year), target.format, exclude=lambda f, t=target: f is t)
        draft = target.model_copy(update={"indicators": [
            Indicator(level1=i.level1, level2=i.level2, name=i.name, value=i.value) for i in proposal.indicators]})
        errors = [f.rule for f in check_framework(draft) if f.severity == "error"]
        assert errors == [], (target.project_name, errors)


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


def test_input_and_management_justification_moves_to_sustained_impact():
    old = make("档案管理", [
        ("投入与管理", "投入管理", "预算执行率", "=100%"),
        ("投入与管理", "实施管理", "立项依据的充分性", "充分"),
        ("产出目标", "数量", "档案整理数量", ">=3000件"),
    ], year=2020, fmt="2020")
    proposal = propose(SearchIndex([old]), Query("档案管理", year=2026), "2026")
    found = by_name(proposal)
    assert "预算执行率" not in found
    assert (found["立项依据的充分性"].level1, found["立项依据的充分性"].level2) == ("效益指标", "可持续影响指标")


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


def test_unusable_values_are_kept_as_written():
    odd = make("宣传活动", [("产出指标", "数量指标", "宣传活动场次", "若干场"),
                        ("产出指标", "质量指标", "宣传覆盖面", None)])
    found = by_name(propose(SearchIndex([odd]), Query("宣传活动", year=2024), "2024"))
    assert found["宣传活动场次"].value == "若干场"
    assert found["宣传覆盖面"].value is None


# -- jixiao propose ------------------------------------------------------------------
def test_cli_json_shape_on_the_bundled_corpus():
    result = runner.invoke(app, ["propose", "--name", "残疾人就业保障金", "--department", BAOSHAN, "--year", "2026", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"similar", "indicators"}
    first = data["similar"][0]
    assert set(first) == {"project_name", "department", "year", "score", "source"}
    assert first["project_name"] == "残疾人就业保障金" and first["year"] == 2024
    assert first["source"] == {"file": "2024_baoshan_justice_bureau.txt", "index": 7}
    assert isinstance(first["score"], float)
    for item in data["indicators"]:
        assert set(item) == {"level1", "level2", "name", "value", "sources", "generic"}
        assert isinstance(item["generic"], bool) and isinstance(item["sources"], list)
    assert {i["level1"] for i in data["indicators"]} == {"成本指标", "产出指标", "效益指标", "满意度指标"}
    assert any(i["generic"] for i in data["indicators"])  # Baoshan's tables have no 成本指标


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
    assert "建议指标" in result.output and "通用指标" in result.output


def test_cli_bad_corpus_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("[{\"year\": 2024}]", encoding="utf-8")
    result = runner.invoke(app, ["propose", "--name", "x", "--corpus", str(path)])
    assert result.exit_code == 2
