"""Performance-target tables out of an .xlsx workbook (openpyxl).

* Our own export (``jixiao export --xlsx``, :func:`bot.render.xlsx.write_xlsx`) is told by its
  hidden ``jixiao`` sheet and read back exactly by :func:`bot.render.xlsx.read_xlsx`.
* Any other workbook — the budget system's export, a table typed in Excel or WPS — is
  read sheet by sheet as rows of cells by the grid reader (:mod:`bot.corpus.grid`), the
  same reader PDFs and text use. A merged cell's value sits in its top-left cell and the
  others read blank, as the printed form shows them: a blank 一级 or 二级 cell is the one
  above. The budget system's separate 计算符号 / 指标值 / 计量单位 columns are joined into
  one canonical value (``≥ | 95 | %`` → ``≥95.00(%)``), and a number the sheet formats as a
  percentage (0.95 shown as 95%) is read as 95%.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from jixiao.bot.corpus.grid import NotAFilingError, TableRead, form_labels, label_of, read_table, split_tables
from jixiao.bot.corpus.refusals import unreadable
from jixiao.bot.domain.models import Source

SYNTHETIC_TITLE = "项目支出绩效目标表"  # a sheet that prints no title but is one filing (not the Shanghai form)


def read_workbook(data: bytes, name: str) -> list[TableRead]:
    """Every filing in the workbook; raises :class:`NotAFilingError` when there is none."""
    from jixiao.bot.render.xlsx import META_SHEET, read_xlsx
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise unreadable("damaged Excel workbook", "import.bad_workbook") from None
    sheets = [s for s in workbook.worksheets if s.sheet_state == "visible" and s.title != META_SHEET]
    if META_SHEET in workbook.sheetnames and len(sheets) == 1:  # our export, one table (a second sheet added: read all)
        try:
            return [TableRead(read_xlsx(io.BytesIO(data)))]
        except Exception:  # edited by hand beyond what read_xlsx knows: read it like any sheet
            pass
    tables: list[list[list[str]]] = []
    for sheet in sheets:
        tables.extend(_sheet_tables(sheet))
    if not tables:
        raise NotAFilingError("no sheet holds a 绩效目标表 (title or 一级指标 heading)")
    return [read_table(rows, Source(file=name, index=i), positional=True) for i, rows in enumerate(tables)]


def _sheet_tables(sheet) -> list[list[list[str]]]:
    rows = [[cell_text(cell) for cell in row] for row in sheet.iter_rows()]
    rows = [row for row in rows if any(row)]
    tables = split_tables(rows)
    if tables:
        return tables
    headings = form_labels()["columns"]["level1"]
    if any(label_of(c) in headings for row in rows for c in row if c):
        return split_tables([[SYNTHETIC_TITLE], *rows])
    return []


def cell_text(cell) -> str:
    """A cell as the sheet shows it: numbers without a trailing ``.0``, percentages as ``95%``,
    dates as ``YYYY-MM-DD``."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if "%" in (cell.number_format or ""):
            return _number(value * 100) + "%"
        return _number(value)
    return str(value).strip()


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return repr(round(value, 10))
    return str(int(value))
