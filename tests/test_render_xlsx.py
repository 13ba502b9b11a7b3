"""The .xlsx in the official layout: the round trip, the layout, findings and `jixiao export`."""

from __future__ import annotations

import json
from datetime import date

import pytest
from jixiao.bot.cli import app
from jixiao.bot.domain.frameworks import get_framework
from jixiao.bot.domain.models import Filing, Funding, Indicator, PriorYear, Source
from jixiao.bot.domain.order import in_framework_order
from jixiao.bot.domain.validation import validate
from jixiao.bot.render import LAST_COL, form_grid
from jixiao.bot.render.xlsx import META_SHEET, read_xlsx, write_xlsx
from jixiao.store.corpus import bundled_corpus
from openpyxl import load_workbook
from typer.testing import CliRunner

CORPUS = bundled_corpus()


def round_trip(filing: Filing, tmp_path, findings=None) -> Filing:
    path = write_xlsx(filing, tmp_path / "out.xlsx", findings)
    return read_xlsx(path)


def first_of(fmt: str) -> Filing:
    return next(f for f in CORPUS if f.format == fmt)


def sixty(fmt: str = "2024") -> Filing:
    framework = get_framework(fmt)
    pairs = [(l1.name, l2.name) for l1 in framework.levels for l2 in l1.children]
    indicators = [
        Indicator(level1=pairs[i * len(pairs) // 60][0], level2=pairs[i * len(pairs) // 60][1], name=f"指标{i}", value=f"≥{i}.00(件)")
        for i in range(60)
    ]
    return Filing(year=int(fmt), format=fmt, project_name="六十个指标", indicators=indicators)


# -- the round trip -------------------------------------------------------------------


@pytest.mark.parametrize("filing", CORPUS, ids=[f.key for f in CORPUS])
def test_every_seed_filing_round_trips(filing, tmp_path):
    assert round_trip(filing, tmp_path).to_json_dict() == filing.to_json_dict()


@pytest.mark.parametrize("fmt", ["2020", "2024", "2026"])
def test_round_trip_with_findings_marked(fmt, tmp_path):
    filing = first_of(fmt)
    assert round_trip(filing, tmp_path, validate(filing)).to_json_dict() == filing.to_json_dict()


def test_edge_cases_round_trip(tmp_path):
    nasty = '<b>&amp;"x"</b>'
    filing = Filing(
        year=2026, format="2026", project_name=f"项目{nasty}", department=f"部门{nasty}",
        implementing_unit=None, category="=SUM(A1:A2)", nature="  前后空格  ",
        start=date(2026, 1, 1), end=None,
        funding=Funding(total=1234567.89, annual_request=0.0, other=None, carryover=0.5),
        goal="第一行\n第二行 & <i>",
        indicators=[
            Indicator(level1="产出指标", level2="数量指标", name=f"名{nasty}", value=None),
            Indicator(level1="产出指标", level2="数量指标", name="=100%", value="=100%"),
            Indicator(level1="产出指标", level2="质量指标", name="质量", value="合格"),
            Indicator(level1="产出指标", level2="数量指标", name="又回到数量", value="≥1.00(个)"),
            Indicator(level1="效益指标", level2="数量指标", name="同名二级换了一级", value="123"),
        ],
        complete=False, problems=["=公式样子的问题", "第二个问题"], source=Source(file="x.txt", index=3),
    )
    back = round_trip(filing, tmp_path)
    # the sheet lists the indicators in the framework's order: one 数量指标 block, then 质量指标;
    # a 二级 printed under a foreign 一级 stays there
    assert [i.name for i in back.indicators] == [f"名{nasty}", "=100%", "又回到数量", "质量", "同名二级换了一级"]
    assert back.indicators[-1].level1 == "效益指标"
    ordered = filing.model_copy(update={"indicators": in_framework_order(filing.indicators, filing.format)})
    assert back.to_json_dict() == ordered.to_json_dict()


def test_minimal_filing_round_trips(tmp_path):
    filing = Filing(year=2024, format="2024", project_name="最小")
    assert round_trip(filing, tmp_path).to_json_dict() == filing.to_json_dict()


def test_fields_the_form_has_no_place_for_are_kept(tmp_path):
    old = Filing(year=2020, format="2020", project_name="老表", implementing_unit="实施单位甲", nature="新增",
                 funding=Funding(total=10.0, other=2.0), prior_year=PriorYear(last_year_budget=5.0))
    new = Filing(year=2025, format="2024", project_name="新表", performance_type="其他类", gov_purchase=False,
                 prior_year=PriorYear(total_budget=1.0, last_year_executed=2.0))
    for filing in (old, new):
        assert round_trip(filing, tmp_path).to_json_dict() == filing.to_json_dict()


@pytest.mark.parametrize("fmt", ["2020", "2024", "2026"])
def test_sixty_indicators_round_trip(fmt, tmp_path):
    filing = sixty(fmt)
    assert round_trip(filing, tmp_path).to_json_dict() == filing.to_json_dict()


# -- the layout -----------------------------------------------------------------------


@pytest.mark.parametrize("filing", [first_of("2020"), first_of("2024"), first_of("2026"), sixty()], ids=["2020", "2024", "2026", "sixty"])
def test_grid_covers_every_position_once(filing):
    grid = form_grid(filing)
    seen: dict[tuple[int, int], object] = {}
    for cell in grid.cells:
        for row in range(cell.row, cell.row + cell.rowspan):
            for col in range(cell.col, cell.col + cell.colspan):
                assert (row, col) not in seen, (row, col, cell)
                seen[(row, col)] = cell
    assert set(seen) == {(r, c) for r in range(grid.rows) for c in range(LAST_COL + 1)}


def test_2026_sheet_has_title_headings_and_merged_levels(tmp_path):
    filing = next(f for f in CORPUS if f.project_name == "工伤鉴定")
    sheet = load_workbook(write_xlsx(filing, tmp_path / "t.xlsx")).worksheets[0]
    assert sheet["A1"].value == "财政项目支出绩效目标申报表"
    assert sheet["A2"].value == "（2026年度）"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    heading_row = next(i for i, row in enumerate(values, 1) if row[1:5] == ["一级指标", "二级指标", "三级指标", "年度(/项目)指标值"])
    assert ["主管部门", "上海市松江区人力资源和社会保障局", "实施单位", "上海市松江区社会保障服务中心", None] in values
    assert any(row[3] == "年度资金申请总额" and row[4] == 711000 for row in values)
    merged = {str(r) for r in sheet.merged_cells.ranges}
    first = heading_row + 1
    assert f"B{first}:B{first + 1}" in merged  # 成本指标 × 2
    assert f"B{first + 2}:B{first + 12}" in merged  # 产出指标 × 11
    assert f"C{first + 2}:C{first + 5}" in merged  # 数量指标 × 4
    assert sheet[f"D{first}"].value == "每份文书邮寄成本" and sheet[f"E{first}"].value == "≤15.00(元)"
    assert sheet[f"D{first}"].alignment.wrap_text
    assert sheet.column_dimensions["D"].width >= 30
    assert sheet.print_title_rows.replace("$", "") == f"{heading_row}:{heading_row}"


def test_2020_sheet_uses_the_2020_form(tmp_path):
    filing = next(f for f in CORPUS if f.project_name == "审判执行业务费")
    sheet = load_workbook(write_xlsx(filing, tmp_path / "t.xlsx")).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert sheet["A1"].value == "财政项目支出绩效目标表"
    assert ["一级目标", "二级目标", "三级目标", "指标目标值"] in [row[1:5] for row in values]
    assert any(row[1] == "同名项目上年预算额（元）" and row[2] == 19517720 for row in values)
    assert any(row[3] == "同名项目上年预算执行数（元）" for row in values)
    assert ["申报单位名称", "上海市第一中级人民法院", None, None, None] in values
    assert any(row[4] == ">=30000件" for row in values)


def test_print_setup_is_a4_portrait_fit_to_width(tmp_path):
    sheet = load_workbook(write_xlsx(first_of("2024"), tmp_path / "t.xlsx")).worksheets[0]
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0


def test_target_values_are_text_not_formulas(tmp_path):
    filing = first_of("2020")
    sheet = load_workbook(write_xlsx(filing, tmp_path / "t.xlsx")).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=100%"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_findings_tint_the_row_comment_the_value_and_get_a_sheet(tmp_path):
    filing = next(f for f in CORPUS if f.project_name == "医患纠纷办案补贴")
    workbook = load_workbook(write_xlsx(filing, tmp_path / "t.xlsx", validate(filing)))
    sheet = workbook.worksheets[0]
    name = next(c for row in sheet.iter_rows() for c in row if c.value == "补贴与政策一致性")
    value = sheet.cell(row=name.row, column=5)
    assert value.value is None and "没有填写指标值" in value.comment.text
    assert name.fill.fgColor.rgb.endswith("FFC7CE")
    listed = [c.value for c in workbook["审核提示"]["A"]]
    assert any(text.startswith("❗") and "补贴与政策一致性" in text for text in listed)
    assert any(text.startswith("⚠️") and "时效指标" in text for text in listed)
    assert workbook[META_SHEET].sheet_state == "hidden"


# -- jixiao export --------------------------------------------------------------------

runner = CliRunner()


def test_export_a_draft_to_xlsx(tmp_path):
    filing = first_of("2026")
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps({"id": "d1", "state": "finished", "filing": filing.to_json_dict()}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["export", str(draft), "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    assert read_xlsx(out).to_json_dict() == filing.to_json_dict()


def test_export_picks_from_an_array_and_prints_text(tmp_path):
    source = tmp_path / "all.json"
    source.write_text(json.dumps([f.to_json_dict() for f in CORPUS], ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["export", str(source), "--xlsx", str(out), "--index", "22", "--text"])
    assert result.exit_code == 0, result.output
    assert read_xlsx(out).project_name == CORPUS[22].project_name
    assert "• 每份文书邮寄成本：≤15.00(元)" in result.output
    assert "❗ 群众满意度" in result.output


def test_export_first_of_an_array_and_a_single_filing(tmp_path):
    for data, expected in (([f.to_json_dict() for f in CORPUS[:3]], CORPUS[0]), (CORPUS[5].to_json_dict(), CORPUS[5])):
        source = tmp_path / "in.json"
        source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        out = tmp_path / "out.xlsx"
        assert runner.invoke(app, ["export", str(source), "--xlsx", str(out)]).exit_code == 0
        assert read_xlsx(out).to_json_dict() == expected.to_json_dict()


def test_export_refuses_bad_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"year": 2024}', encoding="utf-8")
    assert runner.invoke(app, ["export", str(bad), "--xlsx", str(tmp_path / "x.xlsx")]).exit_code == 2
    good = tmp_path / "good.json"
    good.write_text(json.dumps([CORPUS[0].to_json_dict()]), encoding="utf-8")
    assert runner.invoke(app, ["export", str(good), "--xlsx", str(tmp_path / "x.xlsx"), "--index", "5"]).exit_code == 2
    assert runner.invoke(app, ["export", str(good)]).exit_code == 2
    assert not (tmp_path / "x.xlsx").exists()


# -- 项目总目标 and multi-year projects --------------------------------------------------


def multi_year(fmt: str) -> Filing:
    """A 阶段性项目 over three years: the project total covers all years, the request one."""
    return Filing(
        year=2026, format=fmt, project_name="智慧社保平台建设", department="上海市松江区人力资源和社会保障局",
        nature="阶段性项目", start=date(2026, 1, 1), end=date(2028, 12, 31),
        funding=Funding(total=3_000_000.0, annual_request=1_000_000.0, fiscal=3_000_000.0, current_appropriation=1_000_000.0),
        overall_goal="2026—2028年建成全区社保业务一体化平台，三年累计服务群众不少于30万人次。",
        goal="2026年完成平台一期建设，服务群众不少于8万人次。",
        indicators=[Indicator(level1="产出指标", level2="数量指标", name="服务人次", value="≥80000.00(人次)")],
    )


@pytest.mark.parametrize("fmt", ["2020", "2024", "2026"])
def test_overall_goal_and_multi_year_money_round_trip(fmt, tmp_path):
    filing = multi_year(fmt)
    assert round_trip(filing, tmp_path).to_json_dict() == filing.to_json_dict()


def test_2026_sheet_prints_overall_goal_beside_the_annual_goal(tmp_path):
    sheet = load_workbook(write_xlsx(multi_year("2026"), tmp_path / "t.xlsx")).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    at = next(i for i, row in enumerate(values) if row[1] == "项目总目标")
    assert values[at][0] == "项目绩效目标" and values[at][3] == "年度总体目标"
    assert values[at + 1][1].startswith("2026—2028年建成") and values[at + 1][3].startswith("2026年完成平台一期")
    assert any(row[1] == "项目资金总额" and row[2] == 3_000_000 for row in values)
    assert any(row[3] == "年度资金申请总额" and row[4] == 1_000_000 for row in values)


def test_2024_sheet_labels_the_overall_goal_with_the_period(tmp_path):
    sheet = load_workbook(write_xlsx(multi_year("2024"), tmp_path / "t.xlsx")).worksheets[0]
    labels = [c.value for row in sheet.iter_rows() for c in row]
    assert "项目总目标（2026年-2028年）" in labels and "年度总目标" in labels


def test_a_one_year_table_leaves_the_overall_goal_cell_blank_as_the_form_does(tmp_path):
    filing = first_of("2026")
    sheet = load_workbook(write_xlsx(filing, tmp_path / "t.xlsx")).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    at = next(i for i, row in enumerate(values) if row[1] == "项目总目标")
    assert values[at + 1][1] is None and values[at + 1][3] == filing.goal
    assert read_xlsx(tmp_path / "t.xlsx").overall_goal is None
