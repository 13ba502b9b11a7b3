"""The second round of real public filings (Hunan 岳阳县 2022, Xinjiang 兵团六团 2021, Hunan
岳阳楼区 2021, Shanghai 同舟 2019, Inner Mongolia 乌海 2021, Sichuan 中江 自评表) and two files
made of them (three tables in one PDF, a table over three pages), under fixtures/import/real/
(p0*, m01, c01; each .md gives the source address and the printed text). What is asserted is
what the tables print."""

from pathlib import Path

import pytest
from jixiao.bot.corpus.grid import is_title
from jixiao.bot.corpus.importer import import_file

REAL = Path(__file__).parent / "fixtures" / "import" / "real"


def read(name: str):
    return import_file(REAL / name)


def by_name(filing) -> dict:
    return {i.name: i for i in filing.indicators}


def levels(filing) -> dict:
    return {i.name: (i.level1, i.level2) for i in filing.indicators}


YUEYANG = "岳阳县2022年高标准农田建设项目"
YUEYANG_LEVELS = {
    "脱贫村村内道路硬化里程": ("产出指标", "数量指标"),
    "项目(工程)完成及时率": ("产出指标", "时效指标"),
    "年增粮食": ("效益指标", "经济效益指标"),
    "受益脱贫(监测)人口数": ("效益指标", "社会效益指标"),
    "解决脱贫(监测)饮水安全问题人数": ("效益指标", "社会效益指标"),
    "新增和改善灌溉达标面积": ("效益指标", "生态效益指标"),
    "工程设计使用年限": ("效益指标", "可持续影响指标"),
    "受益脱贫(监测)户满意度": ("满意度指标", "服务对象满意度指标"),
}


# ------------------------------------------------------------------ titles
def test_a_title_with_the_kind_of_project_in_brackets_is_a_title():
    assert is_title("绩效目标申报表(基础设施建设类)")
    assert is_title("项目支出绩效目标申报表（基础设施建设类）（2022年度）")
    assert not is_title("绩效目标申报表说明(基础设施建设类)")


@pytest.mark.parametrize("name", ["p01_yueyang_gbnt_2022.pdf", "c01_yueyang_two_pages.pdf", "p01_yueyang_gbnt_2022.xlsx"])
def test_yueyang_is_read_whole_from_every_file(name):
    (filing,) = read(name).filings
    assert filing.project_name == YUEYANG
    assert filing.year == 2022
    assert len(filing.indicators) == 12
    assert {n: levels(filing)[n] for n in YUEYANG_LEVELS} == YUEYANG_LEVELS
    assert by_name(filing)["脱贫户供水设施数量"].value == "≥20座"


def test_every_table_of_a_pdf_with_three_is_read_or_refused():
    report = read("m01_multisheet_3projects.pdf")
    names = [f.project_name for f in report.filings] + [t.project_name for t in report.refused]
    assert names[0] == YUEYANG
    assert len(names) == 3
    assert "再生资源回收市场管理经费" in names


# ------------------------------------------------------------------ merged cells over a page break
def test_a_level_merged_over_a_page_break_keeps_its_rows():
    """乌海: 时效指标 is one cell over three rows, cut by the page break; LibreOffice draws its
    text between the two parts, outside both tables."""
    (filing,) = read("p05_wuhai_gxs_2021.pdf").filings
    got = levels(filing)
    for name in ("项目财政资金到位时间", "财政资金到位及时支付率", "工作计划按时完成时间"):
        assert got[name] == ("产出指标", "时效指标")
    assert got["工作任务完成率"] == ("产出指标", "质量指标")
    assert got["出差人次"] == ("产出指标", "数量指标")
    assert levels(filing) == levels(read("p05_wuhai_gxs_2021.xlsx").filings[0])


# ------------------------------------------------------------------ a goal longer than its cell
def test_a_goal_drawn_over_the_rows_above_stays_whole():
    """乌海: LibreOffice centres the long 年度目标 on its cell, so its first line is drawn over
    the 其他资金 row; it was cut from the goal and reported as two money cells."""
    (filing,) = read("p05_wuhai_gxs_2021.pdf").filings
    (sheet,) = read("p05_wuhai_gxs_2021.xlsx").filings
    assert filing.goal.startswith("围绕国家关于建设节约型社会和发展循环经济的要求,在充分规范整合和利用现有再生资源回收渠道的基础上")
    assert filing.goal == sheet.goal
    assert filing.funding.other == 0
    assert not any("围绕国家" in p for p in filing.problems)


def test_a_section_word_between_two_parts_of_a_table_does_not_end_it():
    """澧县 2021: 绩效目标 (a merged label cell) drawn between the pages; the continuation was
    dropped unseen, and once tables of indicators are never dropped it was a second table."""
    report = read("t08_lixian_2021_overall.pdf")
    assert len(report.refused) == 1
    assert report.refused[0].reason.code == "no project name"


@pytest.mark.parametrize("suffix", ["pdf", "xlsx"])
def test_a_self_evaluation_without_a_title_line_is_refused_as_one(suffix):
    report = read(f"p06_zhongjiang_2022_selfeval.{suffix}")
    assert report.refusal is None
    (refused,) = report.refused
    assert refused.reason.code == "self-evaluation table, not a target filing"
    assert refused.project_name.startswith("中江县农业水价综合改革")


# ------------------------------------------------------------------ an operator in its own column
@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_the_operator_printed_in_its_own_column_is_kept(suffix):
    """乌海: 指标性质 holds 正向/反向 (which way is better), 指标方向 holds the =."""
    (filing,) = read(f"p05_wuhai_gxs_2021.{suffix}").filings
    got = by_name(filing)
    assert got["出差人数"].value == "=8.00"
    assert got["出差人次"].value == "=24.00(人/次)"
    assert got["工作任务完成率"].value == "=100.00(%)"
    assert got["出差总成本"].value == "=1.00(万元)"  # 反向, and = printed: the printed = is kept


# ------------------------------------------------------------------ money with a note
@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_an_amount_with_a_breakdown_in_brackets_is_read(suffix):
    """岳阳县: 854万(高标准农田建设400万元,…); the 财政拨款 cell prints 854万854万(…) (so in the source)."""
    (filing,) = read(f"p01_yueyang_gbnt_2022.{suffix}").filings
    assert filing.funding.annual_request == 8_540_000
    assert filing.funding.fiscal == 8_540_000
    assert any("印了两遍" in p and p.startswith("注意：") for p in filing.problems)
    assert filing.complete


@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_a_footnote_under_the_indicators_is_no_indicator(suffix):
    (filing,) = read(f"p01_yueyang_gbnt_2022.{suffix}").filings
    assert not any("注:各地" in p for p in filing.problems)
    assert len(filing.indicators) == 12


# ------------------------------------------------------------------ the year and dates printed
@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_the_start_and_end_printed_as_time_give_the_year(suffix):
    """同舟 2019 prints 开始时间 2019/1/1, 结束时间 2019/12/31 and 申报单位名称:… in one cell."""
    (filing,) = read(f"p04_shanghai_tongzhou_2019.{suffix}").filings
    assert filing.year == 2019
    assert (filing.start.isoformat(), filing.end.isoformat()) == ("2019-01-01", "2019-12-31")
    assert filing.department == "上海市同舟服务中心"
    assert not any("没有读到预算年度" in p or "2019/1/1" in p for p in filing.problems)


@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_the_year_the_annual_goal_begins_with(suffix):
    """兵团六团 prints no year but its 年度总体目标 begins 2021年完成…"""
    (filing,) = read(f"p02_bingtuan_6tuan_2021.{suffix}").filings
    assert filing.year == 2021
    assert filing.goal.startswith("2021年完成保鲜库钢构主体安装")
    assert not any("没有读到预算年度" in p for p in filing.problems)


def test_a_goal_naming_two_years_gives_no_year(tmp_path):
    sheet = tmp_path / "two_years.txt"
    sheet.write_text(
        "项目支出绩效目标表\n项目名称\t某项目\t主管部门\t某局\n年度目标\t2021年完成一期，2022年完成二期\n"
        "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t场次\t≥1场\n", encoding="utf-8")
    (filing,) = import_file(sheet).filings
    assert any("没有读到预算年度" in p for p in filing.problems)


# ------------------------------------------------------------------ tables cut before the indicators
@pytest.mark.parametrize("name", ["p03_yueyanglou_fgj_2021.xlsx", "p03_yueyanglou_fgj_2021.pdf",
                                  "p04_shanghai_tongzhou_2019.xlsx", "p04_shanghai_tongzhou_2019.pdf"])
def test_a_table_cut_before_its_indicators_is_kept_only_as_incomplete(name):
    report = read(name)
    assert report.refused == []
    (filing,) = report.filings
    assert filing.complete is False
    assert filing.indicators == []
    assert any("未找到指标表" in p for p in filing.problems)


def test_the_cut_yueyanglou_table_keeps_what_it_prints():
    (filing,) = read("p03_yueyanglou_fgj_2021.pdf").filings
    assert filing.project_name == "项目前期、项目概算及项目入库建设"
    assert filing.department == "楼区政府"
    assert (filing.year, filing.start.isoformat(), filing.end.isoformat()) == (2021, "2021-01-01", "2021-12-31")
    assert filing.funding.annual_request is None  # 上年度安排资金 | 本年度申请资金 columns are not read


# ------------------------------------------------------------------ 乌海's money and dates
@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_wuhai_money_in_wan_under_its_own_headings(suffix):
    """投入目标 (万元) | 资金来源 | 年初安排金额(万元); 资金总额 3, 其中: 财政拨款数 3, 其他资金 0."""
    (filing,) = read(f"p05_wuhai_gxs_2021.{suffix}").filings
    assert (filing.funding.annual_request, filing.funding.fiscal, filing.funding.other) == (30_000, 30_000, 0)
    assert not any("金额单元格无法归位" in p or "表头文字没有对应的栏目" in p for p in filing.problems)


@pytest.mark.parametrize("suffix", ["xlsx", "pdf"])
def test_a_date_printed_as_an_excel_day_number_is_a_date_and_never_glued(suffix):
    """乌海 prints 44,561 under 目标值 and again under 计量单位 (2021-12-31 as a number)."""
    (filing,) = read(f"p05_wuhai_gxs_2021.{suffix}").filings
    got = by_name(filing)
    assert got["项目财政资金到位时间"].value == got["工作计划按时完成时间"].value == "2021年12月31日前"
    assert any("Excel 的日期序号" in p and p.startswith("注意：") for p in filing.problems)
    assert got["出差人次"].value == "=24.00(人/次)"  # a number that is no time keeps its value
