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
