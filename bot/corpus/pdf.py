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
  swallowed, nor a later table that is not a filing.

The rows go to the grid reader (:mod:`bot.corpus.grid`) with ``positional=True``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

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
                if is_title(item):
                    groups.append(_Group(rows=[[item]]))
                elif is_page_furniture(item) or current is None or not current.open:
                    continue
                elif current.tables:
                    current.open = False  # text after the table: the filing has ended
                else:
                    current.rows.append(_line_cells(item))
            elif current is not None and current.open:
                _add_table(current, item)
            elif _has_title(item):
                group = _Group()
                groups.append(group)
                _add_table(group, item)
    return [g for g in groups if g.rows], chars


def _blocks(page) -> list[tuple[str, object]]:
    """The page's text lines outside tables and its tables, top to bottom."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    blocks: list[tuple[float, str, object]] = []
    for line in page.filter(outside).extract_text_lines():
        if line["text"].strip():
            blocks.append((line["top"], "line", line["text"].strip()))
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
    return any(is_title("".join(c or "" for c in row)) for row in table.extract())


def _edges(table) -> list[float]:
    """The left edge of each of the table's columns."""
    lefts = sorted({round(cell[0], 1) for row in table.rows for cell in row.cells if cell is not None})
    merged: list[float] = []
    for x in lefts:
        if not merged or x - merged[-1] > 2.0:
            merged.append(x)
    return merged


def _add_table(group: _Group, table) -> None:
    """Append a table's rows; a continuation's columns are placed under the first part's."""
    rows = table.extract()
    if not group.edges:
        group.edges = _edges(table)
        group.rows.extend([[join_lines(c or "") for c in row] for row in rows])
        group.tables += 1
        return
    width = len(group.edges)
    for row, cells in zip(rows, table.rows):
        placed = [""] * width
        for text, box in zip(row, cells.cells):
            if box is None or not text:
                continue
            column = min(range(width), key=lambda i: abs(group.edges[i] - box[0]))
            placed[column] = join_lines(text) if not placed[column] else placed[column] + join_lines(text)
        group.rows.append(placed)
    group.tables += 1
