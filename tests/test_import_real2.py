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
