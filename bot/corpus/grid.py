"""Read performance-target tables from rows of cells: one reader for every source.

A source gives rows of cell texts: tab-separated text (the seed files), the cells of a
ruled PDF table (:mod:`bot.corpus.pdf`), or a spreadsheet's cells (:mod:`bot.corpus.sheet`).
:func:`read_tables` splits the rows at each title (:func:`is_title`: ``财政项目支出绩效目标
(申报)表`` and the variants other provinces print — …绩效目标表, …绩效目标审批表), and a
sheet listing several projects under one heading into one table per project
(:func:`split_listed`), and reads each table in four blocks — header, money, goal,
indicators (the last in :mod:`bot.corpus.indicators`; of a 长期 and a 年度 block, the annual
one) — by the labels the form prints (``form_labels.json``), not by where a file happens
to put them. A 绩效自评表 is refused (:func:`checked`); a table printing no year gets its
format's year and is incomplete (:func:`settle_year`).

Two kinds of rows:

* ``positional=True`` (PDF, spreadsheet): a cell is where the form printed it, so the
  indicator table is read by column (一级 / 二级 / 三级 / 指标值, and the budget system's
  separate 计算符号 / 计量单位 columns joined into one canonical value); a blank 一级 or 二级
  cell is the one above (a merged cell), and a 二级 printed without its 一级 brings it
  (生态环境成本指标 → 成本指标).
* ``positional=False`` (text): columns drift from row to row, so a row is read as a
  sequence of tokens (levels, name, value), as the seed parser always did.

The reader never invents structure. What it cannot place makes the filing
``complete = False`` with a problem saying why; a cell the form left blank is recorded
as ``None`` with a problem starting ``未填：``. When a text's cells have visibly lost their
places (a value with no label, a name and value swapped), the table is *lost*: its
facts cannot be trusted, and the importer refuses it instead of storing it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from jixiao.bot.corpus.refusals import Refusal, refusal
from jixiao.bot.domain.amounts import parse_date, parse_money, parse_period
from jixiao.bot.domain.frameworks import get_framework
from jixiao.bot.domain.models import Filing, Funding, Indicator, PriorYear, Source
from pydantic import ValidationError

LABELS_FILE = Path(__file__).with_name("form_labels.json")
TITLE_RE = re.compile(  # 财政项目支出绩效目标申报表, 鄂州市2022年…项目支出绩效目标表, …绩效目标审批表, …绩效自评表,
    # 绩效目标申报表(基础设施建设类): the kind of project in brackets after 表 (岳阳县 2022)
    r"^[\u4e00-\u9fff（）()\d·—-]{0,40}?绩效(?P<kind>目标(?:申报|审批|审核|批复)?|自评)表"
    r"(?:[（(][\u4e00-\u9fff、]{2,16}[)）])?(?:[（(]\d{4}年度?[)）])?$"
)
LEADING_YEAR_RE = re.compile(r"^(20\d{2})年")  # 2018年市级专项扶贫…, 2021年完成…: a name's or a goal's first words
_TITLE_YEAR_RE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})年")
YEAR_RE = re.compile(r"[（(]\s*(\d{4})\s*年度?\s*[)）]")
SPACES_RE = re.compile(r"\s+")
BLANK_PREFIX = "未填："  # problems that only say the form left a cell empty start with this
NOTE_PREFIX = "注意："  # and those that only warn (a value kept as printed): the table is still complete
_TARGETS_2020_RE = re.compile(r"^\d{4}年绩效目标$")
_WAN_UNIT_RE = re.compile(r"(?:金额)?单位[：:]万元")
_MONEY_SUFFIX_RE = re.compile(r"[（(]万?元[)）]$")
PAGE_NUMBER_RE = re.compile(r"^(?:第?\s*[-—]?\s*\d+\s*[-—]?\s*页?(?:/共?\d+页?)?|共\d+页|-\s*\d+\s*-)$")


def is_blank_problem(problem: str) -> bool:
    """Whether a problem only reports a cell the form left blank, or only warns (a value kept
    as printed) — not incompleteness."""
    return problem.startswith((BLANK_PREFIX, NOTE_PREFIX))


class NotAFilingError(ValueError):
    """The input holds no performance-target table at all."""


@cache
def form_labels() -> dict:
    return json.loads(LABELS_FILE.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- cells
def squash(text: str) -> str:
    """Remove every white-space character (PDF extraction scatters them)."""
    return SPACES_RE.sub("", text)


def normalise_text(text: str) -> str:
    """Collapse white-space runs to one space and strip."""
    return SPACES_RE.sub(" ", text.replace("\u3000", " ")).strip()


def join_lines(text: str) -> str:
    """A wrapped cell as one line: Chinese joins without a space (工⏎程 → 工程), two Latin
    words keep one (Noto⏎Sans → Noto Sans)."""
    if "\n" not in text:
        return text
    joined = ""
    for part in (line.strip() for line in text.split("\n")):
        latin = joined[-1:].isascii() and joined[-1:].isalpha() and part[:1].isascii() and part[:1].isalpha()
        joined += (" " if latin else "") + part
    return joined


def label_of(cell: str) -> str:
    """A cell as a label: no spaces, no trailing ``*``/``：``, no leading ``其中：``."""
    word = squash(cell).rstrip("*：:").lstrip("*")
    return re.sub(r"^其中[:：]", "", word)


OFFICIAL_TITLES = ("财政项目支出绩效目标表", "财政项目支出绩效目标申报表")  # the Shanghai forms (and our export)


def is_official_title(text: str) -> bool:
    """Whether a title row is the Shanghai form's, whose every field is printed (a missing one
    means the table is cut); other provinces' forms print fewer fields."""
    return YEAR_RE.sub("", squash(text)) in OFFICIAL_TITLES


def is_title(text: str) -> bool:
    """Whether a line is a performance-target table's title, as any province prints it (the
    one place every reader asks)."""
    return TITLE_RE.match(squash(text)) is not None


def is_self_evaluation(rows: list[list[str]]) -> bool:
    """A 绩效自评表 (what a project achieved, scored) rather than a target filing: its title
    says 自评, or its tables have the columns only a self-evaluation prints (实际完成值, 得分 …)."""
    words = form_labels()["self_evaluation_columns"]
    for row in rows:
        title = TITLE_RE.match(squash("".join(row)))
        if (title and title["kind"] == "自评") or any(label_of(c) in words for c in row if c):
            return True
    return False


def is_page_furniture(text: str) -> bool:
    """A page number or the like, printed between two parts of one table."""
    return bool(PAGE_NUMBER_RE.match(squash(text)))


# --------------------------------------------------------------------------- draft
@dataclass
class TableRead:
    """One table as read: the filing, and why its facts cannot be trusted (``lost``)."""

    filing: Filing
    lost: str | None = None
    reason: Refusal | None = None  # why the table is refused whatever it holds (a 自评表 …)


@dataclass
class Draft:
    """What the reader has found so far for one table."""

    year: int
    format: str
    year_found: bool = True  # the year was printed (else it is the format's, until settle_year)
    official: bool = True  # the Shanghai form: every field it prints is required
    fields: dict = field(default_factory=dict)
    funding: dict = field(default_factory=dict)
    prior_year: dict = field(default_factory=dict)
    indicators: list[Indicator] = field(default_factory=list)
    blanks: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    def blank(self, what: str) -> None:
        """A cell the form itself left empty: reported, but the table is still complete."""
        self.blanks.append(f"{BLANK_PREFIX}{what}")

    def note(self, message: str) -> None:
        """A warning: what was read is kept as printed, the table is still complete."""
        self.blanks.append(f"{NOTE_PREFIX}{message}")

    def fail(self, message: str) -> None:
        self.unplaced.append(message)

    def lose(self, message: str) -> None:
        """The cells are out of place: what was read next to them cannot be trusted."""
        self.fail(message)
        self.lost.append(message)

    def to_read(self, source: Source) -> TableRead:
        name = self.fields.get("project_name")
        if not name:
            self.fail("未找到项目名称")
        try:
            filing = Filing(
                year=self.year,
                format=self.format,
                project_name=name or "",
                funding=Funding(**self.funding),
                prior_year=PriorYear(**self.prior_year),
                indicators=self.indicators,
                complete=not self.unplaced,
                problems=self.unplaced + self.blanks,
                source=source,
                **{k: v for k, v in self.fields.items() if k != "project_name"},
            )
        except ValidationError as exc:  # a reader's bug: the table is refused, never the model's words shown
            first = exc.errors()[0] if exc.errors() else {}
            where = ".".join(str(part) for part in first.get("loc", ())) or type(exc).__name__
            filing = Filing(year=self.year, format=self.format, project_name=name or "", complete=False,
                            problems=[f"读取出错：{where}"], source=source)
            return TableRead(filing, reason=refusal(f"table could not be read ({where})", "import.read_error", details=where))
        shown = "；".join(self.lost[:3]) + (f" 等 {len(self.lost)} 处" if len(self.lost) > 3 else "")
        return TableRead(filing, shown or None)


# ------------------------------------------------------------------ splitting rows
def split_tables(rows: list[list[str]]) -> list[list[list[str]]]:
    """The rows of each table, title row first. Rows before the first title are dropped;
    a sheet listing several projects under one heading gives one table per project."""
    tables: list[list[list[str]]] = []
    for row in rows:
        if is_title("".join(row)):
            tables.append([row])
        elif tables:
            tables[-1].append(row)
    return [part for table in tables for part in split_listed(table)]


def _cell_at(row: list[str], col: int) -> str:
    return row[col] if col < len(row) else ""


def split_listed(table: list[list[str]]) -> list[list[list[str]]]:
    """A table listing projects one under another beneath one heading row — ``单位名称 |
    项目名称 | 预算数 | 年度目标 | 一级指标 …`` (the Sichuan 部门预算 sheet) — as one table per
    project: a project starts at each row whose 项目名称 cell is filled, and its columns left
    of 一级指标 become ``label | value`` rows above its own indicator rows. A cell left blank
    under 单位名称 is the one above (a merged cell); rows before the first project (the
    department's subtotal) belong to none. Any other table is returned as it is."""
    levels, header = form_labels()["columns"]["level1"], form_labels()["header"]
    at = next((i for i, row in enumerate(table) if any(label_of(c) in levels for c in row if c)), None)
    if at is None:
        return [table]
    heading = table[at]
    first = next(i for i, c in enumerate(heading) if c and label_of(c) in levels)
    name_col = next((i for i, c in enumerate(heading[:first]) if c and header.get(label_of(c)) == "project_name"), None)
    if name_col is None:
        return [table]
    projects: list[list[list[str]]] = []
    for row in table[at + 1 :]:
        if _cell_at(row, name_col).strip():
            projects.append([row])
        elif projects:
            projects[-1].append(row)
    left = [i for i in range(first) if heading[i].strip()]
    parts, carried = [], {}
    for rows in projects:
        own = {i: "".join(_cell_at(row, i) for row in rows).strip() for i in left}
        carried.update({i: text for i, text in own.items() if text})
        labelled = [[heading[i], own[i] or (carried.get(i, "") if i < name_col else "")] for i in left]
        parts.append([*table[:at], *labelled, heading[first:], *(row[first:] for row in rows)])
    return parts or [table]


def detect_format(flat: str) -> str | None:
    """Which framework a table uses, from the words it prints (not the file name)."""
    if "一级目标" in flat or "申报单位名称" in flat:
        return "2020"
    if any(word in flat for word in ("经济成本指标", "社会成本指标", "生态环境成本指标", "年度(/项目)指标值")):
        return "2026"
    if "一级指标" in flat:
        return "2024"
    return None


def table_year(rows: list[list[str]]) -> int | None:
    """The year printed in the title or under it: ``（2026年度）``, ``2024年项目支出绩效目标表``,
    ``鄂州市2022年市直部门预算项目支出绩效目标表``."""
    head = squash("".join("".join(row) for row in rows[:4]))
    title = squash("".join(rows[0])) if rows else ""
    found = _TITLE_YEAR_RE.search(title) if is_title(title) else None
    if found:
        return int(found[1])
    found = YEAR_RE.search(head)
    return int(found[1]) if found else None


def settle_year(draft: Draft) -> None:
    """A year the title did not print: the 预算年度 cell, the project name's leading
    ``2018年``, the start date's year, or the year the annual goal begins with. With none of them the filing is incomplete: the
    year it carries is only its format's."""
    if draft.year_found:
        return
    name = draft.fields.get("project_name") or ""
    found = LEADING_YEAR_RE.match(squash(name))
    start = draft.fields.get("start")
    goal_year = _goal_year(draft.fields.get("goal") or "")
    if found:
        draft.year = int(found[1])
    elif start is not None:
        draft.year = start.year
    elif goal_year is not None:
        draft.year = goal_year
    else:
        draft.fail(f"没有读到预算年度（标题、预算年度、项目名称、实施期里都没有年份），年份 {draft.year} 只是按表格格式填的")


def _goal_year(goal: str) -> int | None:
    """The year an annual goal begins with (兵团六团: ``2021年完成保鲜库钢构主体安装``), when it
    names no other year; ``None`` otherwise."""
    found = LEADING_YEAR_RE.match(squash(goal))
    if found and set(_TITLE_YEAR_RE.findall(squash(goal))) == {found[1]}:
        return int(found[1])
    return None


def read_tables(rows: list[list[str]], file_name: str, *, positional: bool) -> list[TableRead]:
    """Every table in ``rows``; raises :class:`NotAFilingError` when there is none."""
    tables = split_tables([[join_lines(c or "") for c in row] for row in rows])
    if not tables:
        raise NotAFilingError("no 财政项目支出绩效目标表 title found")
    return [read_table(table, Source(file=file_name, index=i), positional=positional) for i, table in enumerate(tables)]


def start_draft(rows: list[list[str]]) -> Draft | None:
    """A draft with the table's year and format, or ``None`` when the format is unknown."""
    year = table_year(rows)
    fmt = detect_format(squash("".join("".join(row) for row in rows)))
    if fmt is None:
        return None
    return Draft(year=year or int(fmt), format=fmt, year_found=year is not None)


def unknown_format(rows: list[list[str]], source: Source) -> TableRead:
    draft = Draft(year=table_year(rows) or 0, format="2024")
    draft.fail("无法识别表格格式（没有“一级指标”或“一级目标”表头）")
    draft.fields["project_name"] = ""
    read = draft.to_read(source)
    read.reason = refusal("unknown table layout", "import.unknown_layout")
    return read


def prints_fields(rows: list[list[str]]) -> bool:
    """Whether a table prints fields of a filing besides its name (主管部门, an amount …)."""
    header = form_labels()["header"]
    return any((header.get(label_of(c)) not in (None, "project_name")) or money_field(label_of(c))
               for row in rows for c in row if c)


def read_table(rows: list[list[str]], source: Source, *, positional: bool) -> TableRead:
    draft = start_draft(rows)
    if draft is None and prints_fields(rows[1:]):
        # a filing cut before its indicators (岳阳楼区 2021): read as the national form, incomplete
        year = table_year(rows)
        draft = Draft(year=year or 2024, format="2024", year_found=year is not None)
        draft.fail("表格在指标表之前被截断，格式无法确定，按全国通用格式读取")
    if draft is None:
        return unknown_format(rows, source)
    draft.official = is_official_title("".join(rows[0]))
    read_grid(rows[1:], draft, positional=positional)
    finish(draft)
    return checked(rows, draft.to_read(source))


def checked(rows: list[list[str]], read: TableRead) -> TableRead:
    """The table as read, refused when it is not a target filing at all (a 绩效自评表)."""
    if is_self_evaluation(rows):
        read.reason = refusal("self-evaluation table, not a target filing", "import.self_evaluation")
    return read


def finish(draft: Draft) -> None:
    """Checks on the whole table: indicators read at all, and none of the trailing required
    一级 levels missing (a table cut off at the end of a page or a file)."""
    settle_year(draft)
    framework = get_framework(draft.format)
    if not draft.indicators:
        if not any(p.startswith("未找到指标表") for p in draft.unplaced):
            draft.fail("没有读到任何指标")
        return
    order = framework.level1_names
    present = {i.level1 for i in draft.indicators}
    last = max(order.index(level) for level in present if level in order) if present & set(order) else -1
    missing = [level.name for level in framework.levels[last + 1 :] if level.required]
    if missing:
        draft.fail(f"没有读到一级指标“{'、'.join(missing)}”，表格可能在此被截断")


# ------------------------------------------------------------------------- blocks
def _row_kind(cells: list[str]) -> str | None:
    labels = form_labels()
    words = [label_of(c) for c in cells if c]
    columns = labels["columns"]
    if any(w in columns["level1"] for w in words):
        return "targets"
    if any(goal_field(w) for w in words):
        return "goal"
    if any(money_field(w) or money_in_cell(w) for w in words):
        return "money"
    if any(w in labels["header"] or w in labels["ignored"] for w in words):
        return "header"
    return None


def goal_field(word: str) -> str | None:
    """``goal`` or ``overall_goal`` for a goal label (``项目总目标 (2024年-2026年)`` included)."""
    for label, name in form_labels()["goal"].items():
        if word == label or (word.startswith(label) and word[len(label)] in "(（"):
            return name
    return None


def _goal_column(word: str) -> str | None:
    """A label in the goal block: a goal's, or ``-`` for a column beside the goal whose text
    is not one (年度总体目标完成情况, a 自评表's 实际完成情况) — never read as the goal."""
    return goal_field(word) or ("-" if word in form_labels()["goal_columns_ignored"] else None)


def money_field(word: str, *, grid: bool = False) -> str | None:
    """The Funding/PriorYear field of a money label: the Shanghai form's (``money``, each
    one required) or another province's wording (``money_more``). ``grid``: the Funding
    field (项目总预算 of a 2021+ form is its total, not the 2020 PriorYear's)."""
    word = _MONEY_SUFFIX_RE.sub("", word)
    if grid and word in form_labels()["money_grid"]:
        return form_labels()["money_grid"][word]
    return form_labels()["money"].get(word) or form_labels()["money_more"].get(word)


def _is_section(word: str) -> bool:
    sections = form_labels()["sections"]
    money = _MONEY_SUFFIX_RE.sub("", word)
    return word in sections or bool(_TARGETS_2020_RE.match(word)) or money_field(word) is None and (
        money.startswith("项目资金") or money in form_labels()["money_sections"])


def read_grid(rows: list[list[str]], draft: Draft, *, positional: bool) -> None:
    """Read the header, money, goal and indicator blocks of one table (title row excluded)."""
    scale = money_scale(rows)
    blocks: dict[str, list[list[str]]] = {"header": [], "money": [], "goal": [], "targets": []}
    targets: list[tuple[str, list[list[str]]]] = []  # each indicator heading: the words beside it, its rows
    current = "header"
    for raw in rows:
        cells = ["" if _is_section(label_of(c)) or YEAR_RE.fullmatch(squash(c)) else c.strip() for c in raw]
        if not any(cells):
            continue
        if current != "targets":
            current = _row_kind(cells) or current
        if current != "targets":
            blocks[current].append(cells)
        elif is_sign_off(cells, targets[-1][1][0] if targets else cells):
            break  # 财政部门审核意见 | (盖章), 填表人: …: the table has ended
        elif _row_kind(cells) == "targets":  # a heading row, never an indicator
            if not targets or not _continues(targets[-1], raw, cells):
                targets.append((_heading_words(raw), [cells]))
        else:
            targets[-1][1].append(cells)
    read_header(blocks["header"], draft, positional=positional)
    read_money(blocks["money"], draft, positional=positional, scale=scale)
    read_goal(blocks["goal"], draft)
    from jixiao.bot.corpus.indicators import read_targets  # it builds on this module's Draft

    chosen = annual_block(targets, draft)
    if chosen is not None:
        read_targets(chosen, draft, positional=positional)


def is_sign_off(cells: list[str], heading: list[str]) -> bool:
    """A row below the indicator table: an office's opinion and seal, who filled the form —
    printed under or left of the 一级 column, never where an indicator's name stands
    (按时出具审核意见 is an indicator)."""
    ends = form_labels()["sign_off"]
    levels = form_labels()["columns"]["level1"]
    upto = next((i for i, c in enumerate(heading) if c and label_of(c) in levels), 0)
    return any(label_of(c).endswith(tuple(ends["ends"])) or label_of(c).startswith(tuple(ends["starts"]))
               for c in cells[: upto + 1] if c)


def _continues(block: tuple[str, list[list[str]]], raw: list[str], cells: list[str]) -> bool:
    """Whether a heading row repeats the block's own (the next page's top): the same columns,
    and no words of its own or the block's (长期绩效指标 then 年度绩效指标 are two blocks)."""
    words, rows = block
    heading = rows[0]
    same_columns = [_column_label(c) for c in cells] == [_column_label(c) for c in heading]
    return same_columns and _heading_words(raw) in ("", words)


def heading_of(cell: str) -> str:
    """A heading cell of the indicator table as a label, its unit in brackets dropped:
    ``权重(%)`` and ``指标值（元）`` are the 权重 and 指标值 columns."""
    return re.sub(r"[（(][^（()）]*[）)]$", "", label_of(cell).lstrip("*"))


@cache
def _column_words() -> frozenset[str]:
    return frozenset(w for part in form_labels()["columns"].values() for w in part)


def _column_label(cell: str) -> str:
    """The indicator-table column a heading cell names, or ``""``."""
    word = heading_of(cell) if cell else ""
    return word if word in _column_words() else ""


def _heading_words(row: list[str]) -> str:
    """What an indicator heading row prints besides its column names: 长期绩效指标, 年度绩效指标."""
    return "".join(label_of(c) for c in row if c and not _column_label(c))


def _block_term(words: str) -> str | None:
    """``long`` for a 长期/中期/实施期 block, ``annual`` for a 年度 one, ``None`` when it says neither."""
    terms = form_labels()["indicator_blocks"]
    for term in ("long", "annual"):
        if any(word in words for word in terms[term]):
            return term
    return None


def annual_block(targets: list[tuple[str, list[list[str]]]], draft: Draft) -> list[list[str]] | None:
    """The rows of the filing's indicator table. A form with a 长期(中期) and a 年度 block
    (two headings) gives its annual one; when the headings do not say which is which, none
    is taken — two blocks are never mixed into one list."""
    if len(targets) <= 1:
        return targets[0][1] if targets else []
    terms = [_block_term(words) for words, _ in targets]
    if terms.count("annual") == 1 and all(term == "long" for term in terms if term != "annual"):
        return targets[terms.index("annual")][1]
    shown = "、".join(words or "（无标题）" for words, _ in targets)
    draft.fail(f"指标表有 {len(targets)} 组表头（{shown}），分不清哪一组是本年度的指标，指标一律不采用")
    return None


def money_scale(rows: list[list[str]]) -> float:
    """10,000 when the form prints its money in 万元 (``单位：万元`` on its own or at the end of
    a line, ``项目资金（万元）``, ``资金情况(万元)``), else 1."""
    for row in rows:
        for cell in filter(None, row):
            word = squash(cell)
            if _WAN_UNIT_RE.search(word) or re.search(r"[（(]万元[)）]$", word):
                return 10_000.0
            if label_of(word) in form_labels()["columns"]["level1"]:
                return 1.0  # the indicator table: its values may say 万元, the money does not
    return 1.0


def _header_value(label: str, key: str, cell: str, draft: Draft, positional: bool) -> None:
    if key == "year":
        found = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", squash(cell))
        if found and not draft.year_found:
            draft.year, draft.year_found = int(found[1]), True
        elif not found:
            draft.fail(f"{label}不是年份：{cell}")
    elif key == "period":
        period = parse_period(cell)
        if period is None:
            draft.fail(f"{label}不是完整的起止日期：{cell}")
        draft.fields["start"], draft.fields["end"] = period or (None, None)
    elif key in ("start", "end"):
        parsed = parse_date(cell)
        if parsed is None:
            draft.fail(f"{label}不是完整的日期：{cell}")
        draft.fields[key] = parsed
    elif key == "gov_purchase":
        value = squash(cell)
        if value in ("是", "否"):
            draft.fields[key] = value == "是"
        else:
            draft.fail(f"{label}既不是“是”也不是“否”：{value}")
    else:
        draft.fields[key] = normalise_text(cell)
        if not positional and (parse_money(cell) is not None or parse_date(cell) is not None):
            draft.lose(f"{label}是一个数字或日期，单元格错位了：{cell}")


_LABEL_VALUE_RE = re.compile(r"^(?P<label>[\u4e00-\u9fff（）()]{2,16})[：:](?P<value>.+)$")


def label_and_value(cell: str) -> list[str]:
    """A cell printing a header label and its value (同舟 2019: ``申报单位名称:上海市同舟服务中心``)
    as the two cells the form usually prints; any other cell as it is."""
    match = _LABEL_VALUE_RE.match(squash(cell))
    if match and match["label"] in form_labels()["header"]:
        return [match["label"], re.split(r"[：:]", cell, maxsplit=1)[1].strip()]
    return [cell]


def read_header(rows: list[list[str]], draft: Draft, *, positional: bool) -> None:
    """``label | value`` pairs, in any number per row; a label followed by a label is blank."""
    header, ignored = form_labels()["header"], set(form_labels()["ignored"])
    label: str | None = None
    seen: set[str] = set()
    skip_value = False
    for row in rows:
        for cell in (part for c in filter(None, row) for part in label_and_value(c)):
            word = label_of(cell)
            if re.split(r"[：:]", word, maxsplit=1)[0] in ignored and word not in ignored:
                continue  # 单位：万元, 填报单位（盖章）：… printed as one line
            if word in header or word in ignored:
                if label is not None:
                    draft.blank(label)
                label, skip_value = (word, False) if word in header else (None, True)
                seen.add(word)
                continue
            if skip_value:
                skip_value = False
                continue
            if label is None:
                (draft.fail if positional else draft.lose)(f"表头文字没有对应的栏目：{cell}")
                continue
            if header[label] in ("start", "end") and word.endswith(("时间", "日期")):
                # 项目实施内容 | 开始时间 | 完成时间: the headings of a schedule, not a field (宁乡 2021)
                for text in (label, cell):
                    (draft.fail if positional else draft.lose)(f"表头文字没有对应的栏目：{text}")
            else:
                _header_value(label, header[label], cell, draft, positional)
            label = None
    if label is not None:
        draft.blank(label)
    keys_seen = {header[w] for w in seen if w in header}
    if "period" in keys_seen:  # 实施期 2023.07-2024.01 gives both dates
        keys_seen |= {"start", "end"}
    missing = [w for w in form_labels()["required"][draft.format] if header[w] not in keys_seen]
    not_printed(draft, [w for w in missing if w != "项目名称"])


def not_printed(draft: Draft, words: list[str]) -> None:
    """Fields the table does not print: the Shanghai form is cut without them; another
    province's form (湘潭 2023 has no 项目类别, no 实施单位) simply has none, which is noted."""
    if not words:
        return
    if draft.official:
        for word in words:
            draft.fail(f"未找到{word}")
    else:
        draft.note(f"这种表格没有印出{'、'.join(words)}")


_AMOUNT_RE = re.compile(r"^(-?\d[\d,]*(?:\.\d+)?)(万元|万|元)?$")
_MONEY_IN_CELL_RE = re.compile(  # 总额10606.7522万元, 三、其他:3683.3970万元, 财政拨款:6923.3552万元(其中:…)
    r"^(?:[一二三四五六七八九十]+[、.])?(?P<label>[\u4e00-\u9fff]{2,12}?)[:：]?"
    r"(?P<amount>\d[\d,]*(?:\.\d+)?(?:万元|万|元)?)(?:[（(].*[)）])?$"
)


_NOTE_RE = re.compile(r"[（(][^（()）]*[)）]$")


def _amount(cell: str, scale: float) -> float | None:
    """A printed amount in 元: ``2,646,000.00``; in a 万元 form ``65`` is 650,000; ``250万`` and
    ``10606.7522万元`` are 万元 wherever they stand; a breakdown in brackets after it
    (``854万(高标准农田建设400万元,…)``) is not read. Converted exactly (Decimal), to the fen."""
    match = _AMOUNT_RE.match(_NOTE_RE.sub("", squash(cell)))
    if not match:
        return None
    factor = 10_000 if match[2] in ("万", "万元") else 1 if match[2] == "元" else scale
    return float(round(Decimal(match[1].replace(",", "")) * Decimal(factor), 2))


def printed_twice(cell: str) -> str | None:
    """The amount of a cell that prints it twice running (岳阳县 2022: ``854万854万(…)``), or ``None``."""
    word = _NOTE_RE.sub("", squash(cell))
    half = len(word) // 2
    if len(word) % 2 == 0 and word[:half] == word[half:] and _AMOUNT_RE.match(word[:half]):
        return word[:half]
    return None


def money_in_cell(cell: str) -> tuple[str, str] | None:
    """``(label, amount)`` of a cell printing both (``三、其他:3683.3970万元``), when the label is
    a money label; a breakdown in brackets after the amount is not read."""
    match = _MONEY_IN_CELL_RE.match(squash(cell))
    if match and (money_field(match["label"]) or match["label"] in form_labels()["money_unplaced"]):
        return match["label"], match["amount"]
    return None


def read_money(rows: list[list[str]], draft: Draft, *, positional: bool, scale: float = 1.0) -> None:
    """``label | amount`` pairs (or both in one cell); the 2024/2026 money block or the 2020
    上年度 block. An amount with no place in the filing (上级资金, 自有资金) is skipped when it
    is 0 and makes the table incomplete otherwise; a printed field that is no amount
    (财政资金科目代码) is read past with its value."""
    grid = draft.format != "2020"
    if not rows:
        draft.fail("未找到项目资金部分" if grid else "未找到本项目上年度市级财政资金使用情况")
        return
    target = draft.funding if grid else draft.prior_year
    model = Funding if grid else PriorYear
    unplaced, ignored = set(form_labels()["money_unplaced"]), set(form_labels()["ignored"])
    blanks: set[str] = set()
    seen: set[str] = set()
    label: str | None = None
    skip_value = False

    def put(label: str, amount: float) -> None:
        key = money_field(label, grid=grid)
        if key is None:  # one of money_unplaced
            if amount:
                draft.fail(f"{label}（{amount:,.2f} 元）在申报表里没有对应的栏目")
        elif key not in model.model_fields:
            draft.fail(f"金额栏目“{label}”不属于这种表格")
        else:
            target[key] = amount

    for row in rows:
        for cell in filter(None, row):
            word = label_of(cell)
            if word in ignored:
                label, skip_value = None, True
                continue
            if money_field(word) or _MONEY_SUFFIX_RE.sub("", word) in unplaced:
                if label is not None:
                    blanks.add(label)
                label, skip_value = _MONEY_SUFFIX_RE.sub("", word), False
                seen.add(label)
                continue
            if skip_value:
                skip_value = False
                continue
            inline = money_in_cell(cell) if label is None else None
            if inline is not None:
                seen.add(inline[0])
                put(inline[0], _amount(inline[1], scale))
                continue
            twice = printed_twice(cell)
            if twice is not None and label is not None:
                draft.note(f"{label}的金额印了两遍，按一遍读：{squash(cell)}")
                cell = twice
            amount = _amount(cell, scale)
            if label is None or amount is None:
                (draft.fail if positional else draft.lose)(f"金额单元格无法归位：{cell}")
                continue
            put(label, amount)
            label = None
    if label is not None:
        blanks.add(label)
    found = {money_field(word, grid=grid) for word in seen}  # 年度本级预算金额 is 年度资金申请总额
    missing = []
    for word, key in form_labels()["money"].items():
        if (key in Funding.model_fields) != grid:
            continue
        if key not in found:
            missing.append(word)
        elif target.get(key) is None and word in blanks:
            draft.blank(word)
    if not draft.official and not any(v is not None for v in target.values()):
        draft.fail("未找到项目资金")  # some amount is needed whatever the form
    not_printed(draft, missing)


def read_goal(rows: list[list[str]], draft: Draft) -> None:
    """The goals: beside their label (``总目标及阶段性目标 | text``) or under it, a text
    belonging to the nearest label row above it and the nearest label column to its left."""
    texts: dict[str, list[str]] = {}
    printed: set[str] = set()
    columns: list[tuple[int, str]] = []
    for row in rows:
        labels = [(i, _goal_column(label_of(c))) for i, c in enumerate(row) if c and _goal_column(label_of(c))]
        if labels:
            printed.update(name for _, name in labels if name != "-")
            columns = []
            for n, (i, name) in enumerate(labels):
                stop = labels[n + 1][0] if n + 1 < len(labels) else len(row)
                beside = [c for c in row[i + 1 : stop] if c]
                if beside:
                    texts.setdefault(name, []).extend(beside)
                else:
                    columns.append((i, name))
            continue
        for i, cell in enumerate(row):
            if cell and columns:
                name = next((n for c, n in reversed(columns) if c <= i), columns[0][1])
                texts.setdefault(name, []).append(cell)
    if "goal" not in printed:
        draft.fail("未找到“年度总目标”栏目")
    for name, label in (("goal", "年度总目标"), ("overall_goal", "项目总目标")):
        if name not in printed:
            continue
        text = normalise_text("".join(texts.get(name, [])))
        draft.fields[name] = text or None
        if not text:
            draft.blank(label)
