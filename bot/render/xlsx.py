"""The filing as an .xlsx in the official layout of its year's form, and back.

:func:`write_xlsx` writes :func:`bot.render.form_grid` to the first sheet: the title, the
header block (labels and values in cells), the money block, the goal, then the indicator
table with its 一级/二级 columns merged like the printed form. It is set up to print on A4
portrait, fitted to the page width, with the table's heading row repeated on every page.
Validator findings, when given, tint the indicator's row, sit in a cell comment, and are
listed on a second sheet.

:func:`read_xlsx` reads the first sheet back by its labels, so ``read_xlsx(write_xlsx(f))``
is ``f``. What the form does not print (the framework id, ``complete``, ``problems``,
``source``) is kept on a hidden sheet.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

from jixiao.bot.domain.frameworks import all_frameworks, framework_for_year, get_framework
from jixiao.bot.domain.models import Filing
from jixiao.bot.domain.validation import ERROR, Finding
from jixiao.bot.render import (
    COLUMN_WIDTHS,
    FUNDING_FIELDS,
    PRIOR_YEAR_FIELDS,
    TEXT_FIELDS,
    form_grid,
    form_title,
    goal_label,
    labels,
    layout_of,
    place_findings,
    worst,
)
from jixiao.bot.render.caps import check_table
from jixiao.bot.texts import render_plain
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

META_SHEET = "jixiao"  # hidden: what the printed form does not show
FONT = "宋体"  # the font of the official forms
LINE_HEIGHT = 14.0  # points per line of 10-pt text
TINT = {ERROR: "FFC7CE", "warning": "FFEB9C"}

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_STYLE = {  # kind -> (font, alignment, fill, border)
    "title": (Font(name=FONT, size=16, bold=True), Alignment(horizontal="center", vertical="center"), None, None),
    "subtitle": (Font(name=FONT, size=11), Alignment(horizontal="center", vertical="center"), None, None),
    "section": (Font(name=FONT, size=10, bold=True), _CENTER, _LABEL_FILL, _BORDER),
    "label": (Font(name=FONT, size=10), _CENTER, _LABEL_FILL, _BORDER),
    "heading": (Font(name=FONT, size=10, bold=True), _CENTER, _LABEL_FILL, _BORDER),
    "text": (Font(name=FONT, size=10), Alignment(vertical="center", wrap_text=True), None, _BORDER),
    "money": (Font(name=FONT, size=10), Alignment(horizontal="right", vertical="center"), None, _BORDER),
    "level1": (Font(name=FONT, size=10), _CENTER, None, _BORDER),
    "level2": (Font(name=FONT, size=10), _CENTER, None, _BORDER),
    "name": (Font(name=FONT, size=10), Alignment(vertical="center", wrap_text=True), None, _BORDER),
    "target": (Font(name=FONT, size=10), _CENTER, None, _BORDER),
    "blank": (Font(name=FONT, size=10), None, None, _BORDER),
}


# -- writing --------------------------------------------------------------------------


def write_xlsx(filing: Filing, path, findings: list[Finding] | None = None) -> Path:
    """Write ``filing`` as its year's official form to ``path`` (a path or a binary file);
    returns the path (or the file). Raises :class:`jixiao.bot.render.caps.TableTooLarge`
    for a table over the limits."""
    check_table(filing)
    grid = form_grid(filing)
    filing = grid.filing  # indicators in the framework's order
    by_index, _ = place_findings(filing, findings)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = form_title(filing.format)[:31]
    for letter, width in zip("ABCDE", COLUMN_WIDTHS):
        sheet.column_dimensions[letter].width = width
    heights: dict[int, float] = {}
    styles: dict[str, str] = {}
    for cell in grid.cells:
        _write_cell(sheet, cell, by_index.get(cell.indicator, []) if cell.indicator is not None else [], styles)
        if cell.kind not in ("title", "subtitle"):
            per_row = _lines_needed(cell) * LINE_HEIGHT / cell.rowspan + 6
            for row in range(cell.row, cell.row + cell.rowspan):
                heights[row] = max(heights.get(row, 0.0), per_row)
    sheet.row_dimensions[1].height = 30
    sheet.row_dimensions[2].height = 20
    for row, height in heights.items():
        sheet.row_dimensions[row + 1].height = height
    _print_setup(sheet, grid)
    if findings:
        _findings_sheet(workbook, findings)
    _meta_sheet(workbook, filing)
    workbook.save(path)
    return Path(path) if isinstance(path, (str, os.PathLike)) else path


def _write_cell(sheet, cell, findings: list[Finding], styles: dict[str, str]) -> None:
    top, left = cell.row + 1, cell.col + 1
    bottom, right = top + cell.rowspan - 1, left + cell.colspan - 1
    if cell.rowspan > 1 or cell.colspan > 1:
        sheet.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
    mark = worst(findings) if cell.kind in ("name", "target") else None
    style = _style_name(sheet.parent, styles, cell.kind, mark, money=isinstance(cell.text, float))
    for row in range(top, bottom + 1):  # every cell of a merged range: its borders and fill show
        for col in range(left, right + 1):
            sheet.cell(row=row, column=col).style = style
    target = sheet.cell(row=top, column=left)
    if isinstance(cell.text, float):
        target.value = cell.text
    elif cell.text is not None:
        target.value = ILLEGAL_CHARACTERS_RE.sub("", cell.text)
        target.data_type = "s"  # "=100%" is a target value, not a formula
        target.quotePrefix = True
    if mark and cell.kind == "target":
        comment = "\n".join(_finding_line(f) for f in findings)
        target.comment = Comment(comment, "jixiao", width=320, height=40 + 40 * len(findings))


def _style_name(workbook, styles: dict[str, str], kind: str, mark: str | None, money: bool) -> str:
    """The workbook's named style for a kind of cell (tinted for a finding), made on first use.

    One named style per kind is registered once per workbook and assigned by name: far
    cheaper than setting font, fill, border and alignment on every cell.
    """
    name = f"jixiao {kind}" + (f" {mark}" if mark else "") + (" money" if money else "")
    if name not in styles:
        font, alignment, fill, border = _STYLE[kind]
        style = NamedStyle(name=name, font=font, alignment=alignment or Alignment(), border=border or Border(),
                           fill=PatternFill("solid", fgColor=TINT[mark]) if mark else fill or PatternFill())
        if money:
            style.number_format = "#,##0.00"
        workbook.add_named_style(style)
        styles[name] = name
    return styles[name]


def _finding_line(item: Finding, named: bool = False) -> str:
    """``❗ message`` (or ``⚠️``); ``named`` puts the indicator's name first."""
    message = item.message
    if named and item.indicator:
        message = render_plain("table.finding_at", name=item.indicator, message=message)
    if item.severity == ERROR:
        return render_plain("table.finding_error", message=message)
    return render_plain("table.finding_warning", message=message)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines_needed(cell) -> int:
    """How many lines a wrapped cell needs in its column width (Excel does not autofit)."""
    if cell.text is None or isinstance(cell.text, float):
        return 1
    width = sum(COLUMN_WIDTHS[cell.col : cell.col + cell.colspan]) - 1
    return sum(max(1, math.ceil(_display_width(part) / width)) for part in str(cell.text).split("\n"))


def _print_setup(sheet, grid) -> None:
    """A4 portrait, fitted to the page width, the table heading repeated on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.print_area = f"A1:{get_column_letter(len(COLUMN_WIDTHS))}{grid.rows}"
    sheet.print_title_rows = f"{grid.table_row + 1}:{grid.table_row + 1}"


def _findings_sheet(workbook, findings: list[Finding]) -> None:
    """Every finding on its own line, indicator findings named by their indicator."""
    sheet = workbook.create_sheet(labels()["findings"])
    width = 64  # fits an A4 page without scaling
    sheet.column_dimensions["A"].width = width
    for row, item in enumerate(findings, start=1):
        text = ILLEGAL_CHARACTERS_RE.sub("", _finding_line(item, named=True))
        cell = sheet.cell(row=row, column=1, value=text)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(name=FONT, size=10, color="9C0006" if item.severity == ERROR else "9C5700")
        sheet.row_dimensions[row].height = math.ceil(_display_width(text) / (width - 2)) * LINE_HEIGHT + 4
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0


def _meta_sheet(workbook, filing: Filing) -> None:
    sheet = workbook.create_sheet(META_SHEET)
    sheet.sheet_state = "hidden"
    meta = {
        "format": filing.format,
        "complete": filing.complete,
        "problems": filing.problems,
        "source": filing.source.model_dump() if filing.source else None,
    }
    for row, (key, value) in enumerate(meta.items(), start=1):
        sheet.cell(row=row, column=1, value=key)
        cell = sheet.cell(row=row, column=2, value=json.dumps(value, ensure_ascii=False))
        cell.data_type = "s"


# -- reading --------------------------------------------------------------------------


def _label_fields() -> dict[str, tuple[str, str]]:
    """Printed label -> (where, field): where is "filing", "funding" or "prior_year"."""
    found = {labels()[name]: ("filing", name) for name in TEXT_FIELDS}
    found[labels()["applicant"]] = ("filing", "department")
    for fmt in all_frameworks():
        found[goal_label(fmt)] = ("filing", "goal")
    found[labels()["overall_goal"]] = ("filing", "overall_goal")
    found |= {labels()[name]: ("funding", name) for name in FUNDING_FIELDS}
    found |= {labels()[name]: ("prior_year", name) for name in PRIOR_YEAR_FIELDS}
    return found


class _Sheet:
    """A worksheet's values with merged cells resolved: every cell of a range reads its top-left."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.span: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        for merged in sheet.merged_cells.ranges:
            box = (merged.min_row, merged.min_col, merged.max_row, merged.max_col)
            for row in range(merged.min_row, merged.max_row + 1):
                for col in range(merged.min_col, merged.max_col + 1):
                    self.span[(row, col)] = box

    def box(self, row: int, col: int) -> tuple[int, int, int, int]:
        return self.span.get((row, col), (row, col, row, col))

    def value(self, row: int, col: int):
        top, left, _, _ = self.box(row, col)
        return self.sheet.cell(row=top, column=left).value

    def text(self, row: int, col: int) -> str | None:
        value = self.value(row, col)
        return None if value is None else str(value)


def read_xlsx(path) -> Filing:
    """The filing in an .xlsx written by :func:`write_xlsx` (edits of its values included)."""
    workbook = load_workbook(path)
    sheet = _Sheet(workbook.worksheets[0])
    meta = _read_meta(workbook)
    year = int(re.search(r"\d{4}", sheet.text(2, 1) or "")[0])
    fmt = meta.get("format") or _guess_format(sheet, year)
    words = get_framework(fmt).level_word
    heading = [words[k] for k in ("level1", "level2", "level3", "value")]
    data: dict = {"year": year, "format": fmt, "funding": {}, "prior_year": {}}
    row, fields = 3, _label_fields()
    consumed: set[tuple[int, int]] = set()
    while row <= sheet.sheet.max_row and [sheet.text(row, c) for c in range(2, 6)] != heading:
        for col in range(1, 6):
            top, left, bottom, right = sheet.box(row, col)
            label = _label_key(sheet.text(row, col))
            if (top, left) != (row, col) or (row, col) in consumed or label not in fields:
                continue
            where, name = fields[label]
            below = right == 5 or (name in ("goal", "overall_goal") and layout_of(fmt) != "2020")
            value_at = (bottom + 1, col) if below else (row, right + 1)
            consumed.add(value_at)
            target = data if where == "filing" else data[where]
            target.setdefault(name, _field_value(name, sheet.value(*value_at)))
        row += 1
    data["indicators"] = _read_indicators(sheet, row + 1)
    data.update({k: meta[k] for k in ("complete", "problems", "source") if k in meta and meta[k] is not None})
    return Filing.model_validate(data)


def _label_key(text: str | None) -> str | None:
    """A printed label as :func:`_label_fields` knows it: 项目总目标（2024年-2026年） is 项目总目标."""
    overall = labels()["overall_goal"]
    if text and re.fullmatch(re.escape(overall) + r"[（(]\d{4}年\s*-\s*\d{4}年[）)]", text.strip()):
        return overall
    return text


def _read_indicators(sheet: _Sheet, first: int) -> list[dict]:
    indicators = []
    for row in range(first, sheet.sheet.max_row + 1):
        level1, level2, name, value = (sheet.text(row, col) for col in range(2, 6))
        if level1 is None and level2 is None and name is None and value is None:
            continue
        indicators.append({"level1": level1 or "", "level2": level2 or "", "name": name or "", "value": value})
    return indicators


def _field_value(name: str, value):
    """A cell's value as the filing's field: dates, 是/否 as bool, money as float."""
    if value is None:
        return None
    if name in ("start", "end"):
        return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    if name == "gov_purchase":
        return {labels()["yes"]: True, labels()["no"]: False}.get(str(value).strip())
    if name in FUNDING_FIELDS or name in PRIOR_YEAR_FIELDS:
        return float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    return str(value)


def _read_meta(workbook) -> dict:
    if META_SHEET not in workbook.sheetnames:
        return {}
    sheet = workbook[META_SHEET]
    return {row[0]: json.loads(row[1]) for row in sheet.iter_rows(values_only=True) if row[0] and row[1]}


def _guess_format(sheet: _Sheet, year: int) -> str:
    """Without the hidden sheet: the 2020 form by its title, else the year's framework."""
    if sheet.text(1, 1) == form_title("2020"):
        return "2020"
    return framework_for_year(year).id
