"""Real public filings from other provinces (Hunan, Sichuan, Chongqing, Hubei, Anhui), each
reproduced as .xlsx, .pdf and .txt under fixtures/import/real/ (a sidecar .md gives the
source address and the original text). Several sources are cut short, so ``complete`` is
false for them; what is asserted is that the facts kept are the printed ones."""

from pathlib import Path

import pytest
from jixiao.bot.corpus.importer import import_file

REAL = Path(__file__).parent / "fixtures" / "import" / "real"


def read(name: str):
    return import_file(REAL / name)


def by_name(filing) -> dict:
    return {i.name: i for i in filing.indicators}


# ------------------------------------------------------------------ several projects on one sheet
@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_one_sheet_listing_two_projects_gives_two_filings(suffix):
    report = read(f"t03_jingyan_mata_2023.{suffix}")
    first, second = report.filings
    assert (first.project_name, second.project_name) == ("村组干部报酬", "基层组织活动经费")
    assert (first.funding.annual_request, second.funding.annual_request) == (3_309_840.0, 660_000.0)
    assert first.year == second.year == 2023
    assert first.department == second.department == "820001-井研县马踏镇人民政府"
    assert first.goal == "按时发放村组干部报酬"
    assert second.goal.startswith("包括必要的办公用品费")
    assert (len(first.indicators), len(second.indicators)) == (8, 5)
    assert by_name(first)["维护社会稳定"].value == "≥95.00(%)"
    assert by_name(second)["行政村数量"].level1 == "产出指标"
    assert by_name(second)["行政村数量"].value == "=11.00(个)"
    assert not any("不在任何一列之下" in p for f in report.filings for p in f.problems)


def test_a_table_without_a_project_name_is_never_kept(tmp_path):
    sheet = tmp_path / "nameless.txt"
    sheet.write_text(
        "财政项目支出绩效目标申报表\n（2025年度）\n项目名称\t\t项目类别\t经常性项目\n"
        "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t场次\t≥1.00(场)\n", encoding="utf-8")
    report = import_file(sheet)
    assert report.filings == []
    (refused,) = report.refused
    assert refused.reason.code == "no project name"
    assert "没有读到项目名称" in refused.reason.message


# ------------------------------------------------------------------ 长期 and 年度 indicator blocks
@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_a_repeated_indicator_heading_is_never_an_indicator(suffix):
    (filing,) = read(f"t07_ningxiang_batang_2021.{suffix}").filings
    assert filing.project_name == "镇域内基础设施建设"
    assert filing.indicators == []  # the unit left 指标内容 blank in both blocks
    assert filing.complete is False
    assert filing.overall_goal == "改善镇域内基础设施,振兴乡村经济"
    assert filing.goal == "全面完成集镇立面改造、机关、学校、乡村振兴等项目,搞好提质改造"


def _t07_with_names(tmp_path, first_label: str, second_label: str) -> Path:
    """The 宁乡 workbook with its blank 指标内容 cells filled: 长期… in the first block, 年度… in the second."""
    from openpyxl import load_workbook

    workbook = load_workbook(REAL / "t07_ningxiang_batang_2021.xlsx")
    sheet = workbook.active
    block = None
    for row in sheet.iter_rows():
        if row[1].value == "一级指标":
            block = "长期" if block is None else "年度"
            row[0].value = first_label if block == "长期" else second_label
        elif block and row[4].value is not None:
            row[3].value = f"{block}{row[2].value or row[1].value}"
    path = tmp_path / "t07_named.xlsx"
    workbook.save(path)
    return path


def test_of_a_long_term_and_an_annual_block_the_annual_one_is_read(tmp_path):
    (filing,) = import_file(_t07_with_names(tmp_path, "长期绩效指标", "年度绩效指标")).filings
    names = [i.name for i in filing.indicators]
    assert names and all(name.startswith("年度") for name in names)
    assert by_name(filing)["年度数量指标"].value == "88"


def test_two_indicator_blocks_that_do_not_say_which_is_annual_are_not_read(tmp_path):
    (filing,) = import_file(_t07_with_names(tmp_path, "绩效指标一", "绩效指标二")).filings
    assert filing.indicators == []
    assert filing.complete is False
    assert any("分不清哪一组是本年度的指标" in p for p in filing.problems)


# ------------------------------------------------------------------ the year
@pytest.mark.parametrize("name, year", [
    ("t02_nanyue_2018.xlsx", 2018),  # title 绩效目标申报表 without a year; the name starts 2018年
    ("t02_nanyue_2018.pdf", 2018),
    ("t05_ezhou_2022.xlsx", 2022),  # 鄂州市2022年市直部门预算项目支出绩效目标表
    ("t05_ezhou_2022.pdf", 2022),
    ("t01_xiangtan_2023.xlsx", 2023),
])
def test_the_year_is_read_where_the_form_prints_it(name, year):
    (filing,) = read(name).filings
    assert filing.year == year
    assert not any("没有读到预算年度" in p for p in filing.problems)


def _grid_text(header: str) -> str:
    return ("财政项目支出绩效目标申报表\n" + header +
            "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t场次\t≥1.00(场)\n")


def test_a_table_printing_no_year_is_incomplete_not_given_one_silently(tmp_path):
    path = tmp_path / "no_year.txt"
    path.write_text(_grid_text("项目名称\t某项目\n"), encoding="utf-8")
    (filing,) = import_file(path).filings
    assert filing.complete is False
    assert any("没有读到预算年度" in p for p in filing.problems)


def test_the_budget_year_cell_gives_the_year(tmp_path):
    path = tmp_path / "budget_year.txt"
    path.write_text(_grid_text("项目名称\t某项目\t预算年度\t2019\n"), encoding="utf-8")
    (filing,) = import_file(path).filings
    assert filing.year == 2019
    assert not any("预算年度" in p for p in filing.problems)


# ------------------------------------------------------------------ a 绩效自评表 is not a target filing
@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_a_self_evaluation_table_is_refused_as_not_a_target_filing(suffix):
    report = read(f"t06_chizhou_tangxi_2022_selfeval.{suffix}")
    assert report.filings == []
    (refused,) = report.refused
    assert refused.project_name == "委托业务项目"
    assert refused.reason.code == "self-evaluation table, not a target filing"
    assert refused.reason.message.startswith("这是绩效自评表，不是绩效目标申报表")


def test_a_goal_is_never_made_of_the_column_labels_beside_it():
    from jixiao.bot.corpus.sheet import read_workbook

    (table,) = read_workbook((REAL / "t06_chizhou_tangxi_2022_selfeval.xlsx").read_bytes(), "t06.xlsx")
    assert table.filing.goal.startswith("本项目共申请预算资金90万元。")
    assert "实际完成情况" not in table.filing.goal and "本项目共完成" not in table.filing.goal
    (filing,) = read("t02_nanyue_2018.xlsx").filings  # 年度目标 | | 年度总体目标完成情况 over the goal
    assert filing.goal == "为水濂村带来观光游客不少于6万人,村集体收入达6万元。"


# ------------------------------------------------------------------ 项目总预算 of a grid form
@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_the_project_budget_of_a_grid_form_is_its_total_in_yuan(suffix):
    (filing,) = read(f"t04_fengjie_yunwu_2023.{suffix}").filings  # 金额单位:万元; 项目总预算 65
    assert filing.project_name == "2023年云雾土家族乡加工园配套设施建设项目"
    assert filing.year == 2023
    assert filing.funding.total == 650_000.0
    assert filing.funding.annual_request == 650_000.0  # 当年年度预算 65
    assert filing.funding.fiscal == 650_000.0 and filing.funding.other == 0.0
    assert by_name(filing)["项目建设成本"].value == "≤65万元"


def test_a_readers_model_error_refuses_the_table_and_never_escapes(monkeypatch):
    from jixiao.bot.corpus.grid import form_labels

    monkeypatch.setitem(form_labels()["header"], "项目分类", "classification")  # a field the Filing lacks
    report = read("t04_fengjie_yunwu_2023.xlsx")
    assert report.filings == [] and report.refusal is None
    (refused,) = report.refused
    assert refused.reason.code.startswith("table could not be read")
    assert "Extra inputs" not in refused.reason.message


# ------------------------------------------------------------------ titles other provinces print
@pytest.mark.parametrize("title", [
    "财政项目支出绩效目标申报表", "2023年项目支出绩效目标申报表", "部门预算项目绩效目标申报表(2023年度)",
    "鄂州市2022年市直部门预算项目支出绩效目标表", "2023年云雾土家族乡加工园配套设施建设项目支出绩效目标审批表",
    "项目绩效目标表", "部门整体支出项目绩效目标申报表", "绩效目标申报表",
])
def test_every_reader_takes_the_real_title_variants(title, tmp_path):
    from jixiao.bot.corpus.grid import is_title

    assert is_title(title)
    path = tmp_path / "titled.txt"
    path.write_text(_grid_text("项目名称\t某项目\n").replace("财政项目支出绩效目标申报表", title), encoding="utf-8")
    (filing,) = import_file(path).filings
    assert filing.project_name == "某项目"


@pytest.mark.parametrize("line", ["本项目的绩效目标表见附件。", "年度绩效目标(90分)", "绩效指标"])
def test_a_sentence_or_a_heading_is_not_a_title(line):
    from jixiao.bot.corpus.grid import is_title

    assert not is_title(line)


@pytest.mark.parametrize("stem", ["t04_fengjie_yunwu_2023", "t05_ezhou_2022"])
def test_a_pdf_and_its_workbook_are_both_read_as_the_same_filing(stem):
    (from_pdf,) = read(f"{stem}.pdf").filings
    (from_xlsx,) = read(f"{stem}.xlsx").filings
    assert (from_pdf.project_name, from_pdf.year, from_pdf.funding) == (from_xlsx.project_name, from_xlsx.year, from_xlsx.funding)
    assert from_pdf.indicators == from_xlsx.indicators


# ------------------------------------------------------------------ indicator tables other provinces print
def test_the_value_column_headed_yuqi_dadao_mubiao_is_read():
    from jixiao.bot.corpus.sheet import read_workbook

    (table,) = read_workbook((REAL / "t08_lixian_2021_overall.xlsx").read_bytes(), "t08.xlsx")
    filing = table.filing
    assert filing.year == 2021
    assert len(filing.indicators) == 8  # the source is cut after 8 rows
    assert by_name(filing)["研究培育食用菌品种数量"].value == "2种"
    assert by_name(filing)["党建任务完成率"].level2 == "质量指标"
    # a 部门整体支出 table names a department, not a project: it is never stored as a filing
    assert [t.reason.code for t in read("t08_lixian_2021_overall.xlsx").refused] == ["no project name"]


@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_a_table_without_its_first_level_column_gets_the_first_level_from_the_second(suffix):
    (filing,) = read(f"t05_ezhou_2022.{suffix}").filings  # 一级指标 | 二级指标 over 数量指标 | 办公大楼…
    assert [(i.level1, i.level2, i.name, i.value) for i in filing.indicators] == [
        ("产出指标", "数量指标", "办公大楼日常维修维护次数", "2280次"),
        ("产出指标", "数量指标", "大楼安检巡察次数", "200次"),
        ("产出指标", "质量指标", "办公大楼日常维修维护验收合格率", ">92%"),
        ("产出指标", "质量指标", "经常性大型设备更新验收合格率", "292%"),
        ("产出指标", "质量指标", "重.要设备维修维保验收合格率", "95%"),
        ("产出指标", "成本指标", "成本控制率", "不超预算"),
    ]  # the sign-off row 主管部门审核意见 | 单位公章 below is no indicator
    assert filing.complete is False  # the source is cut before 效益指标
    assert filing.goal == "以办公大楼服务对象满意为目标,着力打造文明型机关、卫生Z口机关。"  # 绩效目标 | …


def test_a_level_with_its_score_is_the_level_and_sign_off_rows_end_the_table():
    (filing,) = read("t04_fengjie_yunwu_2023.xlsx").filings
    assert [(i.level1, i.level2) for i in filing.indicators] == [("成本指标", "经济成本指标")]  # 成本指标(0-20)分
    assert not any("(0-20)" in p for p in filing.problems)
    (filing,) = read("t02_nanyue_2018.xlsx").filings  # 财政部门支出股室初审意见 | (盖章) below the table
    assert len(filing.indicators) == 16
    assert not any("盖章" in p or "意见" in p for p in filing.problems)


# ------------------------------------------------------------------ money and period in other wordings
@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_wan_amounts_and_a_month_period_are_read(suffix):
    from datetime import date

    (filing,) = read(f"t01_xiangtan_2023.{suffix}").filings  # 年度本级预算金额 250万, 实施期 2023.07-2024.01
    assert filing.funding.annual_request == 2_500_000.0
    assert (filing.start, filing.end) == (date(2023, 7, 1), date(2024, 1, 31))
    assert filing.department == "湘潭市环境卫生管理处"
    assert len(filing.indicators) == 7
    assert by_name(filing)["雾炮车风炮射程"].value == "≥80M"
    assert not any("上级资金" in p or "实施期" in p for p in filing.problems)  # 上级资金 is 0


@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_money_in_a_wan_block_is_in_yuan(suffix):
    (filing,) = read(f"t02_nanyue_2018.{suffix}").filings  # 资金情况(万元) | 年度资金总额: | 10
    assert filing.funding.annual_request == 100_000.0
    assert filing.funding.fiscal == 100_000.0 and filing.funding.other == 0.0


@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_label_and_amount_in_one_cell_are_read_exactly(suffix):
    (filing,) = read(f"t07_ningxiang_batang_2021.{suffix}").filings
    assert filing.funding.annual_request == 106_067_522.0  # 总额10606.7522万元
    assert filing.funding.fiscal == 69_233_552.0  # 财政拨款:6923.3552万元(其中:…)
    assert filing.funding.other == 36_833_970.0  # 三、其他:3683.3970万元
    assert filing.implementing_unit == "坝塘镇"


def test_an_amount_with_no_place_in_the_filing_is_never_dropped_silently(tmp_path):
    path = tmp_path / "upper.txt"
    path.write_text("财政项目支出绩效目标申报表\n（2025年度）\n项目名称\t某项目\n单位:万元\n"
                    "年度本级预算金额\t20\t该项目支出上级资金\t5\n"
                    "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t场次\t≥1.00(场)\n", encoding="utf-8")
    (filing,) = import_file(path).filings
    assert filing.funding.annual_request == 200_000.0
    assert filing.complete is False
    assert "该项目支出上级资金（50,000.00 元）在申报表里没有对应的栏目" in filing.problems


@pytest.mark.parametrize("text, start, end", [
    ("2023.07-2024.01", (2023, 7, 1), (2024, 1, 31)),
    ("2023年4月-2024年2月", (2023, 4, 1), (2024, 2, 29)),
    ("2024-01-01至2024-12-31", (2024, 1, 1), (2024, 12, 31)),
])
def test_a_period_in_one_cell_gives_both_dates(text, start, end):
    from datetime import date

    from jixiao.bot.corpus.grid import parse_period

    assert parse_period(text) == (date(*start), date(*end))
    assert parse_period("2021") is None and parse_period("2024.12-2024.01") is None


# ------------------------------------------------------------------ a unit the value grammar cannot read
@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_a_compound_unit_of_a_real_filing_is_kept_whole(suffix):
    first, _ = read(f"t03_jingyan_mata_2023.{suffix}").filings  # 按时发放 | ≥ | 1 | 人/年
    assert by_name(first)["按时发放"].value == "≥1.00(人/年)"  # the grammar reads the compound whole now
    assert by_name(first)["维持时效"].value == "≥1.00(年)"  # a unit it knows is printed canonically


def test_an_indicator_named_like_a_sign_off_does_not_end_the_table(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in (["项目绩效目标表（2025年度）"], ["项目名称", "审核服务"], ["一级指标", "二级指标", "三级指标", "指标值"],
                ["产出指标", "数量指标", "按时出具审核意见", "≥95%"], [None, "质量指标", "报告合格率", "100%"],
                ["财政部门审核意见", "(盖章)"]):
        sheet.append(row)
    path = tmp_path / "sign_off.xlsx"
    workbook.save(path)
    (filing,) = import_file(path).filings
    assert [i.name for i in filing.indicators] == ["按时出具审核意见", "报告合格率"]
    assert not any("盖章" in p for p in filing.problems)


def test_the_cli_stores_the_listed_projects_and_never_a_nameless_or_self_evaluation_table(tmp_path):
    from jixiao.bot.cli import app
    from jixiao.store.corpus import CorpusStore
    from typer.testing import CliRunner

    files = [str(REAL / name) for name in
             ("t03_jingyan_mata_2023.xlsx", "t08_lixian_2021_overall.xlsx", "t06_chizhou_tangxi_2022_selfeval.pdf")]
    result = CliRunner().invoke(app, ["import", *files, "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1  # tables were refused
    assert "这是绩效自评表" in result.output and "没有读到项目名称" in result.output
    store = CorpusStore(tmp_path / "data")
    assert sorted(f.project_name for f in store.all()) == ["基层组织活动经费", "村组干部报酬"]
    store.close()


def test_a_heading_repeated_on_the_next_page_without_its_block_title_continues_the_block(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in (["项目绩效目标表（2025年度）"], ["项目名称", "审核服务"],
                ["本项目年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
                [None, "产出指标", "数量指标", "审核项目数", "≥10个"],
                [None, "一级指标", "二级指标", "三级指标", "指标值"],  # the top of page 2
                [None, None, "质量指标", "报告合格率", "100%"]):
        sheet.append(row)
    path = tmp_path / "two_pages.xlsx"
    workbook.save(path)
    (filing,) = import_file(path).filings
    assert [(i.level2, i.name) for i in filing.indicators] == [("数量指标", "审核项目数"), ("质量指标", "报告合格率")]


def test_a_self_evaluation_text_with_its_title_line_is_refused_too(tmp_path):
    path = tmp_path / "selfeval.txt"
    path.write_text("项目支出绩效自评表\n（2022年度）\n项目名称\t委托业务项目\n"
                    "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\n产出指标\t数量指标\t项目数量\t≥50个\t50\n",
                    encoding="utf-8")
    report = import_file(path)
    assert report.filings == []
    assert [t.reason.code for t in report.refused] == ["self-evaluation table, not a target filing"]


# ------------------------------------------------------------------ complete: what the form prints
@pytest.mark.parametrize("name", ["t01_xiangtan_2023.xlsx", "t02_nanyue_2018.xlsx", "t01_xiangtan_2023.pdf"])
def test_a_whole_table_of_another_provinces_form_is_complete_and_says_what_it_does_not_print(name):
    # 湘潭 and 南岳 print no 项目类别 and no funding split; their tables are whole in the source
    (filing,) = read(name).filings
    assert filing.complete is True
    assert filing.funding.annual_request in (2_500_000.0, 100_000.0)
    assert not any(p.startswith("未找到") for p in filing.problems)  # 年度本级预算金额 is the annual request
    assert any(p.startswith("注意：这种表格没有印出") and "项目类别" in p for p in filing.problems)


def test_the_shanghai_form_without_a_printed_field_is_still_cut(tmp_path):
    seed = (Path(__file__).parent / "fixtures" / "seeds" / "2026_songjiang_social_security_center.txt").read_text(encoding="utf-8")
    (whole, *_) = import_file_text(tmp_path, "whole.txt", seed).filings
    assert whole.complete is True
    cut = seed.replace("\t项目类别\t特定目标类", "", 1)  # the first table prints no 项目类别
    (filing, *_) = import_file_text(tmp_path, "cut.txt", cut).filings
    assert filing.project_name == whole.project_name
    assert filing.complete is False and "未找到项目类别" in filing.problems


def import_file_text(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_file(path)


@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_a_hand_made_jiangsu_style_table_reads_the_same_from_its_workbook_and_its_print(suffix):
    (filing,) = read(f"own_nanjing_2025.{suffix}").filings
    assert filing.complete is True
    assert (filing.year, filing.start.isoformat(), filing.end.isoformat()) == (2025, "2025-01-01", "2025-12-31")  # 实施期限
    assert filing.funding.annual_request == 3_600_000.0
    assert by_name(filing)["每站年均运营补助"].value == "≤20.00(万元)"
    assert by_name(filing)["服务老年人次"].level2 == "数量指标" and len(filing.indicators) == 7
