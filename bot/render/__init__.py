"""A filing for people to read: chat messages, an .xlsx in the official layout, a PNG.

- :func:`bot.render.chat_table.render_chat` — the table as chat messages (Telegram HTML or plain)
- :func:`bot.render.xlsx.write_xlsx` / :func:`bot.render.xlsx.read_xlsx` — the official form
  as a workbook, and back
- :func:`bot.render.png.render_png` — the official form drawn as a picture for a phone

This module holds what they share: the form's labels (``prompts/table.md``), the official
layout as a grid of cells (:func:`form_grid`, written by the .xlsx and drawn by the PNG),
money formatting, where each validator finding belongs (:func:`place_findings`) and the
name of an export file (:func:`export_stem`). Every view lists the indicators in the
framework's order (:func:`in_table_order`) and refuses a table over the renderer limits
(:mod:`bot.render.caps`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from jixiao.bot.domain.frameworks import get_framework
from jixiao.bot.domain.limits import FILE_NAME_BYTES
from jixiao.bot.domain.models import Filing
from jixiao.bot.domain.order import in_framework_order
from jixiao.bot.domain.validation import ERROR, WARNING, Finding
from jixiao.bot.texts import render_plain

#: The grid has five columns: A holds labels and section titles; in the indicator table
#: B–E are 一级 / 二级 / 三级 / 指标值. Widths are in Excel character units.
COLUMN_WIDTHS = (14.0, 16.0, 16.0, 32.0, 20.0)
LAST_COL = len(COLUMN_WIDTHS) - 1

#: The filing's money fields, in the order of the form: (attribute, field, label name).
FUNDING_FIELDS = ("total", "annual_request", "fiscal", "current_appropriation", "carryover", "other")
PRIOR_YEAR_FIELDS = ("total_budget", "current_budget", "last_year_budget", "last_year_executed")
TEXT_FIELDS = (
    "project_name", "department", "implementing_unit", "category", "nature",
    "performance_type", "gov_purchase", "start", "end",
)


@cache
def labels() -> dict[str, str]:
    """The printed labels of the forms, by field name (from ``prompts/table.md``)."""
    return {
        "project_name": render_plain("table.label.project_name"),
        "department": render_plain("table.label.department"),
        "applicant": render_plain("table.label.applicant"),
        "implementing_unit": render_plain("table.label.implementing_unit"),
        "category": render_plain("table.label.category"),
        "nature": render_plain("table.label.nature"),
        "performance_type": render_plain("table.label.performance_type"),
        "gov_purchase": render_plain("table.label.gov_purchase"),
        "start": render_plain("table.label.start"),
        "end": render_plain("table.label.end"),
        "money": render_plain("table.label.money"),
        "total": render_plain("table.label.total"),
        "annual_request": render_plain("table.label.annual_request"),
        "fiscal": render_plain("table.label.fiscal"),
        "current_appropriation": render_plain("table.label.current_appropriation"),
        "carryover": render_plain("table.label.carryover"),
        "other": render_plain("table.label.other"),
        "prior_year": render_plain("table.label.prior_year"),
        "total_budget": render_plain("table.label.total_budget"),
        "current_budget": render_plain("table.label.current_budget"),
        "last_year_budget": render_plain("table.label.last_year_budget"),
        "last_year_executed": render_plain("table.label.last_year_executed"),
        "goal_section": render_plain("table.label.goal_section"),
        "goal": render_plain("table.label.goal"),
        "goal_2026": render_plain("table.label.goal_2026"),
        "goal_2020": render_plain("table.label.goal_2020"),
        "overall_goal": render_plain("table.label.overall_goal"),
        "indicators": render_plain("table.label.indicators"),
        "yes": render_plain("table.label.yes"),
        "no": render_plain("table.label.no"),
        "findings": render_plain("table.label.findings"),
        "empty": render_plain("table.empty_value"),
        "form_title": render_plain("table.form_title"),
        "form_title_2020": render_plain("table.form_title_2020"),
    }


def layout_of(fmt: str) -> str:
    """Which printed form a framework uses: "2020", "2024", or "2026" (and later years)."""
    if fmt == "2020":
        return "2020"
    return "2024" if fmt.isdigit() and int(fmt) < 2026 else "2026"


def form_title(fmt: str) -> str:
    return labels()["form_title_2020" if layout_of(fmt) == "2020" else "form_title"]


def year_label(year: int) -> str:
    return render_plain("table.form_year", year=year)


def indicators_label(filing: Filing) -> str:
    if layout_of(filing.format) == "2020":
        return render_plain("table.label.indicators_2020", year=filing.year)
    return labels()["indicators"]


def goal_label(fmt: str) -> str:
    return labels()[{"2020": "goal_2020", "2026": "goal_2026"}.get(layout_of(fmt), "goal")]


def overall_goal_label(filing: Filing) -> str:
    """项目总目标; the 2024 form adds the project's period: 项目总目标（2024年-2026年）."""
    if layout_of(filing.format) == "2024" and filing.start and filing.end:
        return render_plain("table.label.overall_goal_period", first=filing.start.year, last=filing.end.year)
    return labels()["overall_goal"]


def department_label(fmt: str) -> str:
    return labels()["applicant" if layout_of(fmt) == "2020" else "department"]


def fmt_money(amount: float | None) -> str | None:
    """Yuan as the forms print them: ``1,693,995.00``; ``None`` stays ``None``."""
    return None if amount is None else f"{amount:,.2f}"


def in_table_order(filing: Filing) -> Filing:
    """``filing`` with its indicators in its framework's order, as every view prints them."""
    return filing.model_copy(update={"indicators": in_framework_order(filing.indicators, filing.format)})


def field_text(filing: Filing, name: str) -> str | None:
    """A header field as printed text (dates ISO, 是/否); ``None`` where blank."""
    value = getattr(filing, name)
    if value is None:
        return None
    if isinstance(value, bool):
        return labels()["yes" if value else "no"]
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# -- export file names ------------------------------------------------------------------

_UNSAFE = re.compile(r'[/\\:*?"<>|]')  # not allowed in a file name on Windows, macOS or Linux


def export_stem(filing: Filing, limit: int = FILE_NAME_BYTES) -> str:
    """``<year>-<project name>``, safe as a file name on every OS, at most ``limit`` UTF-8 bytes.

    Characters no OS allows (``/ \\ : * ? " < > |``) become ``_``; control and format
    characters (including direction overrides) are dropped; white space runs become one
    space; leading and trailing dots and spaces go. The stem is cut at a character
    boundary, so a 100-character Chinese name never makes "File name too long". Add the
    extension (``.xlsx``, ``.png``) after it.
    """
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", filing.project_name))
    name = "".join(" " if ch.isspace() else ch for ch in name if unicodedata.category(ch)[0] != "C" or ch.isspace())
    name = re.sub(r" +", " ", name).strip(" .")
    stem = f"{filing.year}-{name or form_title(filing.format)}"
    return stem.encode("utf-8")[:limit].decode("utf-8", errors="ignore").rstrip(" .")


# -- findings -------------------------------------------------------------------------


def place_findings(filing: Filing, findings: list[Finding] | None) -> tuple[dict[int, list[Finding]], list[Finding]]:
    """Where each finding belongs: ``({indicator position: findings}, table-level findings)``.

    A finding names its indicator by name; when several indicators share the name, the
    one whose value the finding quotes gets it, else the first. A finding whose name is
    not in the table is table-level.
    """
    by_index: dict[int, list[Finding]] = {}
    table: list[Finding] = []
    for item in findings or []:
        positions = [i for i, ind in enumerate(filing.indicators) if item.indicator and ind.name == item.indicator]
        if not positions:
            table.append(item)
            continue
        quoted = dict(item.params).get("value")
        chosen = next((i for i in positions if quoted is not None and filing.indicators[i].value == quoted), positions[0])
        by_index.setdefault(chosen, []).append(item)
    return by_index, table


def worst(findings: list[Finding]) -> str | None:
    """``"error"`` if any finding blocks, else ``"warning"`` if any, else ``None``."""
    if any(f.severity == ERROR for f in findings):
        return ERROR
    return WARNING if findings else None


# -- the official layout as a grid ---------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One (possibly merged) cell of the form. ``row``/``col`` are 0-based.

    ``kind`` says how to draw it: title, subtitle, section, label, text, money, heading,
    level1, level2, name, target or blank. ``indicator`` is the position of the indicator
    a cell of the indicator table belongs to.
    """

    row: int
    col: int
    text: str | float | None
    kind: str
    rowspan: int = 1
    colspan: int = 1
    indicator: int | None = None

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


@dataclass
class Grid:
    """The whole form: cells covering ``rows`` × 5 columns, each position exactly once.

    ``filing`` is the filing as laid out (indicators in the framework's order): a cell's
    ``indicator`` is a position in ``filing.indicators``.
    """

    filing: Filing
    cells: list[Cell] = field(default_factory=list)
    rows: int = 0
    table_row: int = -1  # the row of the 一级/二级/三级/指标值 headings

    def add(self, col: int, text, kind: str, colspan: int = 1, rowspan: int = 1, indicator: int | None = None) -> None:
        self.cells.append(Cell(self.rows, col, text, kind, rowspan, colspan, indicator))

    def pairs(self, pairs: list[tuple[str, object, str]]) -> None:
        """One row of ``label | value`` pairs: one pair spans the row, two share it."""
        spans = [(0, 1, LAST_COL)] if len(pairs) == 1 else [(0, 1, 1), (2, 3, LAST_COL - 2)]
        for (label, value, kind), (label_col, value_col, width) in zip(pairs, spans):
            self.add(label_col, label, "label")
            self.add(value_col, value, kind, colspan=width)
        self.rows += 1


def _header_rows(filing: Filing) -> list[list[str]]:
    """The header fields of the filing's form, row by row, as the form prints them."""
    layout = layout_of(filing.format)
    if layout == "2020":
        rows = [["department"], ["project_name"], ["category", "performance_type"], ["start", "end"], ["gov_purchase"]]
    elif layout == "2024":
        rows = [["project_name", "category"], ["department", "implementing_unit"], ["start", "end"]]
    else:
        rows = [["project_name"], ["nature", "category"], ["department", "implementing_unit"], ["start", "end"]]
    printed = {name for row in rows for name in row}
    extra = [name for name in TEXT_FIELDS if name not in printed and getattr(filing, name) is not None]
    rows += [extra[i : i + 2] for i in range(0, len(extra), 2)]
    return rows


def _label_of(filing: Filing, name: str) -> str:
    return department_label(filing.format) if name == "department" else labels()[name]


def _money_pairs(names: tuple[str, ...], source) -> list[tuple[str, object, str]]:
    return [(labels()[n], getattr(source, n), "money") for n in names]


def form_grid(filing: Filing) -> Grid:
    """The filing laid out as its year's printed form (title, header, money, goal, table).

    Fields the form has no place for but the filing fills (say 实施单位 on a 2020 table)
    get extra rows after the header, so nothing is lost. The indicators are laid out in
    the framework's order (:func:`in_table_order`); ``grid.filing`` is that filing.
    """
    filing = in_table_order(filing)
    grid = Grid(filing)
    layout = layout_of(filing.format)
    grid.add(0, form_title(filing.format), "title", colspan=LAST_COL + 1)
    grid.rows += 1
    grid.add(0, year_label(filing.year), "subtitle", colspan=LAST_COL + 1)
    grid.rows += 1
    for row in _header_rows(filing):
        grid.pairs([(_label_of(filing, n), field_text(filing, n), "text") for n in row])
    if layout == "2020":
        grid.pairs([(goal_label(filing.format), filing.goal, "text")])
        if filing.overall_goal is not None:  # the 2020 form has no place of its own for it
            grid.pairs([(overall_goal_label(filing), filing.overall_goal, "text")])
        _prior_year_block(grid, filing)
        _extra_money(grid, _money_pairs(FUNDING_FIELDS, filing.funding))
    else:
        _funding_block(grid, filing)
        _extra_money(grid, _money_pairs(PRIOR_YEAR_FIELDS, filing.prior_year))
        _goal_block(grid, filing)
    _indicator_table(grid, filing)
    return grid


def _prior_year_block(grid: Grid, filing: Filing) -> None:
    """2020: 本项目上年度市级财政资金使用情况, two rows of two money fields."""
    grid.add(0, labels()["prior_year"], "section", rowspan=2)
    for names in (PRIOR_YEAR_FIELDS[:2], PRIOR_YEAR_FIELDS[2:]):
        _money_row(grid, _money_pairs(names, filing.prior_year))


def _funding_block(grid: Grid, filing: Filing) -> None:
    """2024/2026: 项目资金（元）, project totals on the left and the annual request on the right."""
    funding = filing.funding
    left = [("total",), ("fiscal",), (), ("other",)]
    right = ["annual_request", "current_appropriation", "carryover", "other"]
    grid.add(0, labels()["money"], "section", rowspan=4)
    for lefts, r in zip(left, right):
        _money_row(grid, _money_pairs(lefts, funding) + _money_pairs((r,), funding), blank_left=not lefts)


def _money_row(grid: Grid, pairs, blank_left: bool = False) -> None:
    col = 1
    if blank_left:
        grid.add(1, None, "blank")
        grid.add(2, None, "blank")
        col = 3
    for label, value, kind in pairs:
        grid.add(col, label, "label")
        grid.add(col + 1, value, kind)
        col += 2
    grid.rows += 1


def _extra_money(grid: Grid, pairs) -> None:
    """Money fields the form has no place for, when the filing fills them."""
    filled = [p for p in pairs if p[1] is not None]
    for i in range(0, len(filled), 2):
        grid.pairs(filled[i : i + 2])


def _goal_block(grid: Grid, filing: Filing) -> None:
    """2024/2026: 项目绩效目标 as the form prints it: 项目总目标 beside 年度总体目标, each
    heading above its text (项目总目标 left blank when the filing has none)."""
    half = LAST_COL // 2
    grid.add(0, labels()["goal_section"], "section", rowspan=2)
    grid.add(1, overall_goal_label(filing), "label", colspan=half)
    grid.add(1 + half, goal_label(filing.format), "label", colspan=LAST_COL - half)
    grid.rows += 1
    grid.add(1, filing.overall_goal, "text", colspan=half)
    grid.add(1 + half, filing.goal, "text", colspan=LAST_COL - half)
    grid.rows += 1


def _runs(values: list, start: int, stop: int) -> list[tuple[int, int]]:
    """``(first, length)`` of each run of equal consecutive ``values[start:stop]``."""
    runs, i = [], start
    while i < stop:
        j = i + 1
        while j < stop and values[j] == values[i]:
            j += 1
        runs.append((i, j - i))
        i = j
    return runs


def _indicator_table(grid: Grid, filing: Filing) -> None:
    """一级/二级/三级/指标值, consecutive equal levels merged as on the printed form."""
    words = get_framework(filing.format).level_word
    indicators = filing.indicators
    grid.add(0, indicators_label(filing), "section", rowspan=1 + len(indicators))
    for col, key in enumerate(("level1", "level2", "level3", "value"), start=1):
        grid.add(col, words[key], "heading")
    grid.table_row = grid.rows
    first = grid.rows + 1
    level1s = [ind.level1 for ind in indicators]
    level2s = [(ind.level1, ind.level2) for ind in indicators]
    for start, length in _runs(level1s, 0, len(indicators)):
        grid.cells.append(Cell(first + start, 1, level1s[start], "level1", length, 1, start))
        for start2, length2 in _runs(level2s, start, start + length):
            grid.cells.append(Cell(first + start2, 2, indicators[start2].level2, "level2", length2, 1, start2))
    for i, ind in enumerate(indicators):
        grid.cells.append(Cell(first + i, 3, ind.name, "name", indicator=i))
        grid.cells.append(Cell(first + i, 4, ind.value, "target", indicator=i))
    grid.rows = first + len(indicators)
