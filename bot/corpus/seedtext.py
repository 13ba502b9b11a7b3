"""Read performance-target tables out of PDF-extracted text (the seed files).

A file holds one or more tables, each starting with the title line
``财政项目支出绩效目标(申报)表``. Two layouts exist:

* the 2020 Shanghai form: ``label：value`` header lines, narrative paragraphs, the
  上年度 money block and an indicator table (``一级目标 二级目标 三级目标 指标目标值``),
  either tab- or space-separated; read here;
* the 2024/2026 form: a tab-separated grid whose columns drift from row to row; its
  rows of cells go to the grid reader every other source uses (:mod:`bot.corpus.grid`).

A grid table whose text has lost its cells (one cell per line, columns run together
with spaces, or cells out of place) is *lost*: the importer refuses it rather than
store a cut name or a misplaced amount (the 2026 普陀 兰溪路-真南路下立交工程 case).
"""

from __future__ import annotations

import re

from jixiao.bot.corpus.grid import (
    YEAR_RE,
    Draft,
    NotAFilingError,
    TableRead,
    checked,
    finish,
    normalise_text,
    read_grid,
    split_tables,
    squash,
    start_draft,
    unknown_format,
)
from jixiao.bot.corpus.indicators import IndicatorReader, report_outside
from jixiao.bot.domain.amounts import parse_date, parse_money
from jixiao.bot.domain.frameworks import get_framework
from jixiao.bot.domain.models import Source

LOST_LINES = 0.3  # a grid table with more of its lines than this without a tab has lost its cells


def read_text(text: str, file_name: str) -> list[TableRead]:
    """Every table in ``text``; raises :class:`NotAFilingError` when there is none."""
    rows = [line.split("\t") for line in text.splitlines()]
    tables = split_tables(rows)
    if not tables:
        raise NotAFilingError("no 财政项目支出绩效目标表 title found")
    return [read_text_table(table, Source(file=file_name, index=i)) for i, table in enumerate(tables)]


def read_text_table(rows: list[list[str]], source: Source) -> TableRead:
    draft = start_draft(rows)
    if draft is None:
        return unknown_format(rows, source)
    if draft.format == "2020":
        _parse_2020(["\t".join(row) for row in rows[1:]], draft)
    else:
        lines = [row for row in rows[1:] if squash("".join(row)) and not YEAR_RE.fullmatch(squash("".join(row)))]
        untabbed = sum(1 for row in lines if len(row) == 1)
        if lines and untabbed > LOST_LINES * len(lines):
            draft.lose(f"{len(lines)} 行中有 {untabbed} 行没有用制表符分隔的单元格")
        read_grid(rows[1:], draft, positional=False)
    finish(draft)
    return checked(rows, draft.to_read(source))


# --------------------------------------------------------------------- 2020 layout
HEADER_LABELS_2020 = {
    "申报单位名称": "department",
    "项目名称": "project_name",
    "项目类别": "category",
    "计划开始日期": "start",
    "计划完成日期": "end",
    "是否含有政府购买服务": "gov_purchase",
    "绩效类型": "performance_type",
}
NARRATIVE_LABELS_2020 = ("项目概况", "立项依据", "项目设立的必要性", "保证项目实施的制度、措施", "项目实施计划", "总目标及阶段性目标")
MONEY_LABELS_2020 = {
    "项目总预算": "total_budget",
    "项目当年预算": "current_budget",
    "同名项目上年预算额": "last_year_budget",
    "同名项目上年预算执行数": "last_year_executed",
}
_HEADER_2020_RE = re.compile(r"(%s)\s*\*?\s*[：:]?" % "|".join(sorted(HEADER_LABELS_2020, key=len, reverse=True)))
_NARRATIVE_2020_RE = re.compile(r"^(%s)\s*\*?\s*[：:]" % "|".join(map(re.escape, NARRATIVE_LABELS_2020)))
_MONEY_2020_RE = re.compile(r"(%s)\s*[（(]\s*元\s*[)）]\s*[：:]" % "|".join(sorted(MONEY_LABELS_2020, key=len, reverse=True)))
_MONEY_SECTION_2020 = "本项目上年度市级财政资金使用情况"
_TARGETS_SECTION_2020 = re.compile(r"^\d{4}年绩效目标$")


def _labelled_values(text: str, pattern: re.Pattern) -> list[tuple[str, str]]:
    """``[(label, text up to the next label)]`` for every label match in ``text``."""
    matches = list(pattern.finditer(text))
    pairs = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        pairs.append((match[1], text[match.end() : end].strip()))
    return pairs


def _parse_2020(lines: list[str], draft: Draft) -> None:
    sections: dict[str, list[str]] = {"header": [], "money": [], "targets": []}
    narrative: dict[str, list[str]] = {}
    current: list[str] = sections["header"]
    for line in lines:
        flat = squash(line)
        if not flat or YEAR_RE.fullmatch(flat):
            continue
        label = _NARRATIVE_2020_RE.match(line.strip())
        if label and current is not sections["targets"]:
            current = narrative.setdefault(label[1], [])
            current.append(line.strip()[label.end() :])
        elif flat == _MONEY_SECTION_2020:
            current = sections["money"]
        elif _TARGETS_SECTION_2020.match(flat):
            current = sections["targets"]
        else:
            current.append(line)

    _read_header_2020(" ".join(sections["header"]), draft)
    goal_lines = narrative.get("总目标及阶段性目标")
    if goal_lines is None:
        draft.fail("未找到总目标及阶段性目标")
    else:
        goal = normalise_text("".join(part.strip() for part in goal_lines))
        draft.fields["goal"] = goal or None
        if not goal:
            draft.blank("总目标及阶段性目标")
    _read_money_2020(" ".join(sections["money"]), draft)
    _read_targets_2020(sections["targets"], draft)


def _read_header_2020(text: str, draft: Draft) -> None:
    seen = set()
    for label, raw in _labelled_values(text, _HEADER_2020_RE):
        key = HEADER_LABELS_2020[label]
        seen.add(key)
        value = squash(raw)
        if not value:
            draft.blank(label)
            continue
        if key in ("start", "end"):
            parsed = parse_date(value)
            if parsed is None:
                # a date cut at the page edge (2020) is incomplete; two dates run together are lost cells
                (draft.lose if len(re.findall(r"\d{4}", value)) > 1 else draft.fail)(f"{label}不是完整的日期：{value}")
            draft.fields[key] = parsed
        elif key == "gov_purchase":
            if value in ("是", "否"):
                draft.fields[key] = value == "是"
            else:
                (draft.lose if len(value) > 2 else draft.fail)(f"{label}既不是“是”也不是“否”：{value}")
        else:
            draft.fields[key] = value
    for label, key in HEADER_LABELS_2020.items():
        if key not in seen:
            draft.fail(f"未找到{label}")


def _read_money_2020(text: str, draft: Draft) -> None:
    pairs = _labelled_values(text, _MONEY_2020_RE)
    found = {label for label, _ in pairs}
    for label, raw in pairs:
        if not squash(raw):
            draft.blank(label)
            continue
        amount = parse_money(raw)
        if amount is None:
            draft.fail(f"{label}不是金额：{squash(raw)}")
        draft.prior_year[MONEY_LABELS_2020[label]] = amount
    for label in MONEY_LABELS_2020:
        if label not in found:
            draft.fail(f"未找到{label}")


def _read_targets_2020(lines: list[str], draft: Draft) -> None:
    lines = [line for line in lines if line.strip()]
    tabbed = any("\t" in line for line in lines)
    rows = [[cell.strip() for cell in (line.split("\t") if tabbed else line.split()) if cell.strip()] for line in lines]
    if not rows or not squash("".join(rows[0])).startswith("一级目标二级目标三级目标"):
        message = "未找到指标表头（一级目标 二级目标 三级目标 指标目标值）"
        printed = any("一级目标" in squash(line) for line in lines)  # the heading is there, its cells are not
        (draft.lose if printed else draft.fail)(message)
        return
    header = rows[0]
    values_cut = not squash("".join(header)).endswith("指标目标值")
    if values_cut:
        draft.fail(f"“指标目标值”一列被截断（表头只剩“{header[-1]}”），指标值一律不采用")
    reader = IndicatorReader(draft, get_framework("2020"), names_wrap=not tabbed, values_cut=values_cut)
    outside = []
    for line, row in zip(lines[1:], rows[1:]):
        if tabbed and "\t" not in line:
            outside.append(squash(line))
            continue
        reader.row(row)
    reader.finish()
    report_outside(outside, draft)
