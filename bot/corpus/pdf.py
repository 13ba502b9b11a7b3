"""Performance-target tables out of a PDF, read as tables of cells (pdfplumber).

Text copied out of a PDF loses its cells (one cell per line, columns run together), so a
PDF is read the way it was drawn: pdfplumber finds each ruled table and gives its cells,
a wrapped cell as one text (Chinese joined without spaces). The lines outside the tables
carry the title and the year. Then:

* a title line (``财政项目支出绩效目标申报表``) starts a filing; a 部门预算 PDF has one per project;
* the tables that follow it belong to it, a table on the next page continuing it when no
  other text stands between them (page numbers aside) — its columns are matched to the
  first part's by position, and a repeated heading row is dropped by the grid reader;
* any other text after a table ends the filing, so a narrative page after it is not
  swallowed, nor a later table that is not a filing — but not text that only repeats the
  table's own words (a merged cell's text drawn outside the page, clipped: WPS and
  LibreOffice centre it on the whole merged height);
* a merged cell open at the bottom of a page (its text printed on the next page, as
  LibreOffice prints a 一级 cell split by a page break) takes that text from the first row
  of the continuation, so the rows above the break are not put under the previous level.

The rows go to the grid reader (:mod:`bot.corpus.grid`) with ``positional=True``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import cache

from jixiao.bot.corpus.grid import (
    NotAFilingError,
    TableRead,
    form_labels,
    is_page_furniture,
    is_title,
    join_lines,
    label_of,
    read_table,
    split_tables,
    squash,
)
from jixiao.bot.corpus.refusals import unreadable
from jixiao.bot.corpus.sheet import SYNTHETIC_TITLE
from jixiao.bot.domain.models import Source

MAX_PAGES = 500  # a 部门预算 PDF of a large department stays well under this
_LABEL_LINE_RE = re.compile(r"^(?P<label>[\u4e00-\u9fff（）()]{2,16})[：:](?P<value>.*)$")


@dataclass
class _Group:
    """The rows of one filing, and the column edges of its first table."""

    rows: list[list[str]] = field(default_factory=list)
    edges: list[float] = field(default_factory=list)
    tables: int = 0
    open: bool = True  # later tables may still belong to it
    open_cells: list[tuple[int, int]] = field(default_factory=list)  # (row, column) continued on the next page
    words: set[str] = field(default_factory=set)  # every cell's text, to tell a clipped echo of one
    right: float = 0.0  # the right edge of its first table
    clipped: list[tuple[int, str]] = field(default_factory=list)  # (column, text) of a merged cell drawn outside the tables

    def add_row(self, cells: list[str]) -> None:
        self.rows.append(cells)
        self.words.update(squash(c) for c in cells if c)


def read_pdf(data: bytes, name: str) -> list[TableRead]:
    """Every filing in the PDF; raises :class:`NotAFilingError` when there is none."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception:  # pdfminer raises many kinds for damaged or encrypted files
        raise unreadable("damaged or encrypted PDF", "import.bad_pdf") from None
    with pdf:
        try:
            groups, chars = _groups(pdf.pages[:MAX_PAGES])
        except Exception:
            raise unreadable("damaged or encrypted PDF", "import.bad_pdf") from None
    if not groups:
        if not chars:
            raise unreadable("PDF has no text (a scan?)", "import.pdf_no_text")
        raise NotAFilingError("no 财政项目支出绩效目标表 title with a ruled table found")
    if not any(group.tables for group in groups):
        raise unreadable("PDF title found but no ruled table", "import.pdf_no_table")
    for group in groups:
        _fill_open_cells(group, None)  # a merged cell open at the last page's bottom
    tables = [table for group in groups for table in split_tables(group.rows)]  # a title may sit in a table's row
    return [read_table(rows, Source(file=name, index=i), positional=True) for i, rows in enumerate(tables)]


def _groups(pages) -> tuple[list[_Group], int]:
    """The filings' rows, page by page in reading order, and how many characters the PDF has."""
    groups: list[_Group] = []
    chars = 0
    for page in pages:
        chars += len(page.chars)
        for kind, item in _blocks(page):
            current = groups[-1] if groups else None
            if kind == "line":
                line, item = item, item["text"]
                if is_title(item):
                    groups.append(_Group(rows=[[item]]))
                elif current is not None and current.open and current.tables and _clip(current, line):
                    continue
                elif is_page_furniture(item) or current is None or not current.open or _echoes(item, current):
                    continue
                elif current.tables:
                    current.open = False  # text after the table: the filing has ended
                else:
                    current.add_row(_line_cells(item))
            elif current is not None and current.open:
                _add_table(current, item)
            elif _has_title(item) or _has_indicators(item):
                group = _Group() if _has_title(item) else _Group(rows=[[SYNTHETIC_TITLE]])
                groups.append(group)  # a table of indicators is never dropped unseen: read, or refused with its reason
                _add_table(group, item)
    return [g for g in groups if g.rows], chars


def _blocks(page) -> list[tuple[str, object]]:
    """The page's text lines outside tables (pdfplumber's line dicts) and its tables, top to bottom."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    blocks: list[tuple[float, str, object]] = []
    for line in page.filter(outside).extract_text_lines():
        if line["text"].strip():
            blocks.append((line["top"], "line", {**line, "text": line["text"].strip()}))
    for table in tables:
        blocks.append((table.bbox[1], "table", table))
    return [(kind, item) for _, kind, item in sorted(blocks, key=lambda b: b[0])]


def _line_cells(text: str) -> list[str]:
    """A text line above the table: ``申报单位名称：xx`` becomes two cells, like the form's."""
    match = _LABEL_LINE_RE.match(squash(text))
    if match and label_of(match["label"]) in form_labels()["header"]:
        return [match["label"], match["value"]]
    return [text]


def _has_title(table) -> bool:
    return any(is_title("".join(c or "" for c in row)) for row in cell_texts(table))


def _has_indicators(table) -> bool:
    """Whether a table outside any filing holds an indicator heading (一级指标) or a level's name."""
    words = _level_words() | set(form_labels()["columns"]["level1"])
    return any(label_of(c) in words for row in cell_texts(table) for c in row if c)


def cell_texts(table) -> list[list[str | None]]:
    """The table's cell texts, as pdfplumber's ``extract()`` gives them (``None`` where a merged
    cell covers the place), except that a line of text running on across a cell's border goes
    back to the cell it overflowed from: LibreOffice centres a goal longer than its cell on the
    cell, so its first lines are drawn over the rows above it (乌海 2021's 年度目标 began in the
    其他资金 row). Such a line belongs to the nearest cell wide enough to hold it."""
    from pdfplumber.utils import cluster_objects, extract_text

    cache = getattr(table, "_jixiao_texts", None)
    if cache is not None:
        return cache
    boxes = [cell for row in table.rows for cell in row.cells if cell is not None]
    x0, top, x1, bottom = table.bbox
    chars = [c for c in table.page.chars if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom]
    owner = {id(c): _box_of(c, boxes) for c in chars}
    for line in cluster_objects(chars, "top", 2):
        for run in _runs(sorted(line, key=lambda c: c["x0"])):
            owners = {owner[id(c)] for c in run} - {None}
            if len(owners) < 2:
                continue
            left, right = run[0]["x0"], run[-1]["x1"]
            middle = (run[0]["top"] + run[0]["bottom"]) / 2
            wide = [b for b in boxes if b not in owners and b[0] - 1 <= left and right <= b[2] + 1]
            if wide:
                home = min(wide, key=lambda b: 0 if b[1] <= middle <= b[3] else min(abs(b[1] - middle), abs(b[3] - middle)))
                for c in run:
                    owner[id(c)] = home
    by_cell: dict[tuple, list[dict]] = {}
    for c in chars:  # once per character, not once per cell and character
        by_cell.setdefault(owner[id(c)], []).append(c)
    texts = []
    for row in table.rows:
        texts.append([None if cell is None else extract_text(by_cell.get(cell, [])) for cell in row.cells])
    table._jixiao_texts = texts
    return texts


def _box_of(char: dict, boxes: list[tuple]) -> tuple | None:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return next((b for b in boxes if b[0] <= x < b[2] and b[1] <= y < b[3]), None)


def _runs(line: list[dict]) -> list[list[dict]]:
    """A line's characters in runs of text set without a gap (a cell's text, not two cells')."""
    runs: list[list[dict]] = []
    for char in line:
        if runs and char["x0"] - runs[-1][-1]["x1"] < 0.25 * char["size"]:
            runs[-1].append(char)
        else:
            runs.append([char])
    return runs


def _edges(table) -> list[float]:
    """The left edge of each of the table's columns."""
    lefts = sorted({round(cell[0], 1) for row in table.rows for cell in row.cells if cell is not None})
    merged: list[float] = []
    for x in lefts:
        if not merged or x - merged[-1] > 2.0:
            merged.append(x)
    return merged


def _clip(group: _Group, line: dict) -> bool:
    """Whether a line outside the tables is the text of a level cell merged over a page break
    (LibreOffice and WPS draw it centred on the whole merged height, so it falls between the
    two parts, whole or in pieces: 社会效益 | 指标): within one column of the table and part of
    a level's name. It is kept for the cells the break left open (:func:`_fill_open_cells`)."""
    word = squash(line["text"])
    if not group.edges or not 2 <= len(word) <= 16 or not any(word in name for name in _level_words()):
        return False
    bounds = [*group.edges, group.right]
    for col in range(len(group.edges)):
        if bounds[col] - 2 <= line["x0"] and line["x1"] <= bounds[col + 1] + 2:
            group.clipped.append((col, word))
            return True
    return False


@cache
def _framework_levels() -> frozenset[str]:
    """Every 一级 and 二级 name of the frameworks."""
    from jixiao.bot.domain.frameworks import all_frameworks

    return frozenset(name for fw in all_frameworks().values() for level in fw.levels
                     for name in (level.name, *(child.name for child in level.children)))


@cache
def _level_words() -> frozenset[str]:
    """Every level name a form prints (the frameworks', their aliases)."""
    return _framework_levels() | frozenset(form_labels()["level_aliases"])


def _echoes(text: str, group: _Group) -> bool:
    """A line that only repeats words of the table or of the form (a clipped merged cell)."""
    return all(squash(word) in group.words or _form_word(squash(word)) for word in text.split())


def _form_word(word: str) -> bool:
    label = label_of(word)
    return (word in _framework_levels() or label in form_labels()["sections"] or label in form_labels()["goal"]
            or re.fullmatch(r"\d{4}年绩效目标", word) is not None)


def _open_cells(table) -> list[tuple[int, int]]:
    """``(row, column)`` of the trailing cells no rectangle covers: a merged cell the page
    break left open at the bottom, whose text is printed on the next page."""
    found = []
    lefts = _edges(table)
    bounds = [*lefts, table.bbox[2]]  # a column's own span (pdfplumber's column box includes merged cells)
    for col in range(min(len(table.columns), len(lefts))):
        x = (bounds[col] + bounds[col + 1]) / 2
        for index in range(len(table.rows) - 1, -1, -1):
            row = table.rows[index]
            if row.cells[col] is not None:
                break
            y = (row.bbox[1] + row.bbox[3]) / 2
            if any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in table.cells):
                break  # inside a merged cell that started above: it continues that cell
            found.append((index, col))
    return found


def _add_table(group: _Group, table) -> None:
    """Append a table's rows; a continuation's columns are placed under the first part's,
    and fills the cells the page break left open with its first row's text."""
    rows = cell_texts(table)
    first = len(group.rows)
    if not group.edges:
        group.edges = _edges(table)
        group.right = table.bbox[2]
        for row in rows:
            group.add_row([join_lines(c or "") for c in row])
    else:
        width = len(group.edges)
        for row, cells in zip(rows, table.rows):
            placed = [""] * width
            for text, box in zip(row, cells.cells):
                if box is None or not text:
                    continue
                column = min(range(width), key=lambda i: abs(group.edges[i] - box[0]))
                placed[column] = join_lines(text) if not placed[column] else placed[column] + join_lines(text)
            group.add_row(placed)
        _close_open_cells(group, first)
    if len(table.columns) == len(group.edges):
        group.open_cells = [(first + r, c) for r, c in _open_cells(table)]
    group.tables += 1


def _close_open_cells(group: _Group, first: int) -> None:
    """Give the cells left open at the previous page's bottom the text of the continuation's
    first row that is not a repeated heading."""
    heading = _heading(group.rows[:first])
    rows = group.rows[first:]
    top = next((row for row in rows if heading is None or [label_of(c) for c in row] != [label_of(c) for c in heading]), None)
    _fill_open_cells(group, top)


UNREAD_MERGED = "（跨页合并单元格的文字未读到）"  # no level of any form: its rows are reported, never put under the level above


def _heading(rows: list[list[str]]) -> list[str] | None:
    return next((row for row in rows if any(label_of(c) in form_labels()["columns"]["level1"] for c in row)), None)


def _fill_open_cells(group: _Group, top: list[str] | None) -> None:
    """Give each column's cells left open at a page's bottom one text: the continuation's first
    row's, else the merged cell's text drawn between the parts (its pieces joined into a level's
    name). A level cell whose text was not found anywhere gets :data:`UNREAD_MERGED`, so its
    rows are reported instead of being put under the level above it."""
    heading = _heading(group.rows) or []
    columns = form_labels()["columns"]
    levels = {i for i, c in enumerate(heading) if c and label_of(c) in columns["level1"] + columns["level2"]}
    texts: dict[int, str] = {}
    for col in sorted({col for _, col in group.open_cells}):
        if top is not None and col < len(top) and top[col]:
            texts[col] = top[col]
        elif _clipped_text(group, col):
            texts[col] = _clipped_text(group, col)
        elif col in levels:
            texts[col] = UNREAD_MERGED
    first_open: dict[int, int] = {}
    for index, col in group.open_cells:
        first_open[col] = min(index, first_open.get(col, index))
    for col, index in first_open.items():
        if col in texts and not group.rows[index][col]:
            group.rows[index][col] = texts[col]  # the merged cell's top; the rows below it are blank, as in a sheet
    group.open_cells = []
    group.clipped = []


def _clipped_text(group: _Group, col: int) -> str:
    """The text drawn outside the tables in one column, its pieces in the order that spells a
    level's name (社会效益 + 指标, printed 指标 above the break and 社会效益 below it)."""
    pieces = list(dict.fromkeys(text for c, text in group.clipped if c == col))
    if not pieces:
        return ""
    names = _level_words()
    for candidate in (*pieces, "".join(pieces), "".join(reversed(pieces))):
        if candidate in names or f"{candidate}指标" in names:
            return candidate
    return "".join(pieces)
