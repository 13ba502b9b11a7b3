"""Reading the files users hold: PDFs, our .xlsx export, budget-system workbooks, and text
whose table structure was lost.

The PDFs under fixtures/import/ were made by fixtures/make_import_fixtures.py: the seed
tables exported by ``write_xlsx`` and printed by LibreOffice, and ruled tables drawn with
reportlab from the filings in ``drawn.json``. The budget-system workbook is written by
fixtures/budget_system.py from the filing it holds (``EXPECTED``).
"""

import io
import json
import sys
from pathlib import Path

import pytest
from jixiao.bot.cli import app
from jixiao.bot.corpus.grid import is_blank_problem
from jixiao.bot.corpus.importer import import_bytes, import_file
from jixiao.bot.render.xlsx import META_SHEET, write_xlsx
from jixiao.store.corpus import CorpusStore, bundled_corpus
from openpyxl import load_workbook
from typer.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
IMPORT = FIXTURES / "import"
SEEDS = FIXTURES / "seeds"
sys.path.insert(0, str(FIXTURES))
from budget_system import EXPECTED, write_budget_system_xlsx  # noqa: E402

BUNDLED = bundled_corpus()
SEED_FILES = sorted({f.source.file for f in BUNDLED})
runner = CliRunner()


def facts(filing) -> dict:
    """What a printed table carries: everything but where it came from and the import notes."""
    data = filing.to_json_dict()
    del data["source"]
    data["problems"] = [p for p in data["problems"] if not is_blank_problem(p)]
    return data


# ------------------------------------------------------------------ PDF
@pytest.mark.parametrize("seed_file", SEED_FILES)
def test_pdf_printed_from_the_seed_tables_reads_back_to_the_same_filings(seed_file):
    report = import_file(IMPORT / f"seeds_{Path(seed_file).stem}.pdf")
    assert report.kind == "pdf" and report.refusal is None and not report.refused
    want = [f for f in BUNDLED if f.source.file == seed_file]
    assert len(report.filings) == len(want)  # a multi-table PDF gives every table
    for read, seed in zip(report.filings, want):
        if not seed.complete:  # the cut Putuo table: its blank values print as blank cells
            assert read.indicators == seed.indicators and read.project_name == seed.project_name
            continue
        assert facts(read) == facts(seed)
    assert [f.source.index for f in report.filings] == list(range(len(want)))


def test_a_table_printed_over_two_pages_by_libreoffice_is_joined():
    """Page 2 repeats the heading and the section cell; the 效果目标 / 社会效益 cells split by
    the page break print their text on page 2 only (clipped on page 1)."""
    (filing,) = import_file(IMPORT / "long_export.pdf").filings
    expected = json.loads((IMPORT / "long_export.json").read_text(encoding="utf-8"))
    assert filing.to_json_dict() == expected
    assert [(i.level1, i.level2) for i in filing.indicators if i.name == "结案率"] == [("效果目标", "社会效益")]


def test_drawn_pdf_multi_year_table_over_two_pages_then_narrative_then_another_filing():
    report = import_file(IMPORT / "drawn.pdf")
    expected = json.loads((IMPORT / "drawn.json").read_text(encoding="utf-8"))
    assert [f.to_json_dict() for f in report.filings] == expected
    staged = report.filings[0]
    # the long name wrapped in its cell joins without a space: never cut to 「兰溪路-真南路下立交工」
    assert staged.project_name == "兰溪路-真南路下立交工程建设及配套道路改造"
    assert (staged.funding.total, staged.funding.annual_request) == (86_500_000.0, 32_000_000.0)
    assert staged.overall_goal.startswith("2024年至2026年") and staged.goal.startswith("2026年完成")
    # a blank 一级 cell under 生态环境成本指标 is 成本指标; 生态效益指标 is kept
    assert ("成本指标", "生态环境成本指标") in {(i.level1, i.level2) for i in staged.indicators}
    assert ("效益指标", "生态效益指标") in {(i.level1, i.level2) for i in staged.indicators}
    # the page of narrative and the 政府采购预算表 after the tables are not swallowed
    assert len(report.filings) == 2 and len(staged.indicators) == 14


def test_pdf_whose_titles_are_rows_of_the_tables_splits_at_each_title():
    report = import_file(IMPORT / "titled_in_table.pdf")
    one_year = json.loads((IMPORT / "drawn.json").read_text(encoding="utf-8"))[1]
    assert [f.project_name for f in report.filings] == ["法律援助案件补贴", "法律援助值班律师补贴"]
    for filing in report.filings:
        data = filing.to_json_dict()
        assert {k: v for k, v in data.items() if k not in ("project_name", "source")} == {
            k: v for k, v in one_year.items() if k not in ("project_name", "source")}


def test_pdf_without_a_filing_is_refused_clearly():
    report = import_file(IMPORT / "not_a_filing.pdf")
    assert report.filings == [] and report.refusal is not None
    assert "不是绩效目标申报表" in report.refusal.message
    assert report.refusal.code.startswith("not a performance-target filing")


def test_pdf_is_told_by_content_whatever_its_name():
    report = import_bytes((IMPORT / "drawn.pdf").read_bytes(), "table.txt")
    assert report.kind == "pdf" and len(report.filings) == 2


# ------------------------------------------------------------------ xlsx
@pytest.mark.parametrize("index", range(len(BUNDLED)), ids=lambda i: BUNDLED[i].project_name)
def test_our_xlsx_export_reads_back_to_the_same_filing(index, tmp_path):
    filing = BUNDLED[index]
    path = write_xlsx(filing, tmp_path / "export.xlsx")
    report = import_bytes(path.read_bytes(), "export.bin")
    assert report.kind == "xlsx"
    assert [f.to_json_dict() for f in report.filings] == [filing.to_json_dict()]


@pytest.mark.parametrize("index", range(0, len(BUNDLED), 5), ids=lambda i: BUNDLED[i].project_name)
def test_our_export_without_its_hidden_sheet_is_read_by_its_labels(index, tmp_path):
    """Saved again by WPS or Excel the hidden sheet may be gone: the cells still say it all."""
    filing = BUNDLED[index]
    book = load_workbook(write_xlsx(filing, tmp_path / "export.xlsx"))
    del book[META_SHEET]
    buffer = io.BytesIO()
    book.save(buffer)
    (read,) = import_bytes(buffer.getvalue(), "edited.xlsx").filings
    want = facts(filing)
    got = facts(read)
    for key in ("complete", "problems"):
        want.pop(key), got.pop(key)
    assert got == want


def test_budget_system_layout_joins_symbol_value_unit_into_canonical_values(tmp_path):
    path = tmp_path / "budget.xlsx"
    write_budget_system_xlsx(path)
    report = import_file(path)
    (filing,) = report.filings
    assert filing.model_copy(update={"source": None}) == EXPECTED
    values = {i.name: i.value for i in filing.indicators}
    assert values["活动参与群众知晓率"] == "≥95.00(%)"  # 0.95 in a cell formatted 0%
    assert values["宣传资料印制数量"] == "5000.00(份)"  # no 计算符号: no operator invented
    assert filing.complete


def test_the_central_templates_column_names_and_a_weight_column_are_read(tmp_path):
    """指标性质 / 度量单位 (the central-government template's names of 计算符号 / 计量单位) and a
    权重(%) column instead of 指标解释: the same filing, nothing left over."""
    from openpyxl import load_workbook

    path = tmp_path / "budget.xlsx"
    write_budget_system_xlsx(path)
    book = load_workbook(path)
    sheet = book.active
    renamed = {"计算符号": "指标性质", "计量单位": "度量单位", "指标解释": "权重(%)"}
    heading = next(row for row in sheet.iter_rows() if any(c.value == "计算符号" for c in row))
    for cell in heading:
        cell.value = renamed.get(cell.value, cell.value)
    for row in sheet.iter_rows(min_row=heading[0].row + 1):
        row[6].value = 10  # the weight of each indicator
        if row[3].value is None and isinstance(row[4].value, str):
            row[3].value = "定性"
    book.save(path)
    (filing,) = import_file(path).filings
    assert filing.complete and filing.problems == []
    assert filing.model_copy(update={"source": None}) == EXPECTED


def test_a_workbook_without_a_filing_is_refused(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["收入", "金额"])
    book.save(tmp_path / "budget.xlsx")
    report = import_file(tmp_path / "budget.xlsx")
    assert "不是绩效目标申报表" in report.refusal.message


# ------------------------------------------------------------------ text whose structure is lost
SONGJIANG = (SEEDS / "2026_songjiang_social_security_center.txt").read_text(encoding="utf-8")


def one_cell_per_line(text: str) -> str:
    return "\n".join(cell for line in text.splitlines() for cell in line.split("\t") if cell.strip())


def columns_scrambled(text: str) -> str:
    return "\n".join("\t".join(reversed(line.split("\t"))) if "\t" in line else line for line in text.splitlines())


def columns_run_together(text: str) -> str:
    return text.replace("\t", " ")


@pytest.mark.parametrize("damage", [one_cell_per_line, columns_scrambled, columns_run_together])
def test_text_whose_table_structure_is_lost_is_refused(damage):
    report = import_bytes(damage(SONGJIANG).encode("utf-8"), "extracted.txt")
    assert report.filings == [] and len(report.refused) == 5
    for table in report.refused:
        assert table.reason.message.startswith("这份文本的表格结构已丢失，请直接导入 PDF 或 Excel 文件")
    assert not report.ok


def test_wrapped_name_in_an_extraction_is_refused_not_cut():
    """The real 普陀 case: the name's cell wrapped onto a line of its own in the copied text."""
    lines = SONGJIANG.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("项目名称"))
    lines[at] = lines[at].replace("编外人员工作经费", "编外人员工")
    lines.insert(at + 1, "作经费")
    report = import_bytes("\n".join(lines).encode("utf-8"), "copied.txt")
    assert [t.project_name for t in report.refused] == ["编外人员工"]
    assert "编外人员工" not in [f.project_name for f in report.filings]
    assert len(report.filings) == 4


def test_cli_never_stores_a_lost_table(tmp_path):
    damaged = tmp_path / "extracted.txt"
    damaged.write_text(one_cell_per_line(SONGJIANG), encoding="utf-8")
    good = tmp_path / "good.pdf"
    good.write_bytes((IMPORT / "drawn.pdf").read_bytes())
    result = runner.invoke(app, ["import", str(damaged), str(good), "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert "5 refused" in result.output and "这份文本的表格结构已丢失" in result.output
    assert "good.pdf: 2 tables, 20 indicators, 0 incomplete (read as pdf)" in result.output
    store = CorpusStore(tmp_path / "data")
    assert sorted(f.project_name for f in store.all()) == sorted(["兰溪路-真南路下立交工程建设及配套道路改造", "法律援助案件补贴"])
    store.close()


@pytest.mark.parametrize("damage", [one_cell_per_line, columns_scrambled, columns_run_together])
@pytest.mark.parametrize("seed_file", SEED_FILES)
def test_damaged_text_never_yields_a_cut_name_or_a_wrong_amount(seed_file, damage):
    """Whatever a copy does to a seed, what is kept is right: refused, or read as printed."""
    report = import_bytes(damage((SEEDS / seed_file).read_text(encoding="utf-8")).encode("utf-8"), seed_file)
    seeds = {f.source.index: f for f in BUNDLED if f.source.file == seed_file}
    assert len(report.filings) + len(report.refused) == len(seeds)
    for filing in report.filings:
        seed = seeds[filing.source.index]
        assert (filing.project_name, filing.funding, filing.prior_year) == (seed.project_name, seed.funding, seed.prior_year)
        if filing.complete:
            assert facts(filing) == facts(seed)


def test_a_workbook_with_a_filing_on_each_sheet_gives_each(tmp_path):
    path = tmp_path / "budget.xlsx"
    write_budget_system_xlsx(path)
    book = load_workbook(path)
    copy = book.copy_worksheet(book.active)
    copy["B3"] = "法治宣传阵地建设经费"
    book.save(path)
    report = import_file(path)
    assert [f.project_name for f in report.filings] == ["法治宣传教育专项经费", "法治宣传阵地建设经费"]
    assert [f.source.index for f in report.filings] == [0, 1]
    assert report.filings[1].indicators == EXPECTED.indicators


def test_our_export_with_a_second_table_pasted_on_another_sheet_gives_both(tmp_path):
    """A clerk collects two exported tables in one workbook: the hidden sheet describes only
    the first, so every sheet is read by its labels (the second was silently dropped)."""
    first, second = BUNDLED[0], BUNDLED[-1]
    book = load_workbook(write_xlsx(first, tmp_path / "a.xlsx"))
    other = load_workbook(write_xlsx(second, tmp_path / "b.xlsx")).worksheets[0]
    sheet = book.create_sheet("第二张表")
    for row in other.iter_rows():
        for cell in row:
            copied = sheet.cell(row=cell.row, column=cell.column, value=cell.value)
            copied.data_type = cell.data_type  # =4.00(次) stays text, not a formula
    for merged in other.merged_cells.ranges:
        sheet.merge_cells(str(merged))
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_bytes(buffer.getvalue(), "two.xlsx")
    assert [f.project_name for f in report.filings] == [first.project_name, second.project_name]
    for read, filing in zip(report.filings, (first, second)):
        want, got = facts(filing), facts(read)
        for key in ("complete", "problems"):
            want.pop(key), got.pop(key)
        assert got == want


def test_a_scanned_pdf_without_text_is_refused_with_the_reason(tmp_path):
    from PIL import Image

    path = tmp_path / "scan.pdf"
    Image.new("RGB", (200, 300), "white").save(path)
    report = import_file(path)
    assert report.kind == "pdf" and report.refusal.code == "PDF has no text (a scan?)"
    assert "扫描件" in report.refusal.message
