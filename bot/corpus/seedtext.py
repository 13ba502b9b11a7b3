"""Read performance-target tables out of PDF-extracted text (the seed files).

A file holds one or more tables, each starting with the title line
``财政项目支出绩效目标(申报)表``. Two layouts exist:

* the 2020 Shanghai form: ``label：value`` header lines, narrative paragraphs, the
  上年度 money block and an indicator table (``一级目标 二级目标 三级目标 指标目标值``),
  either tab- or space-separated;
* the 2024/2026 form: a tab-separated grid whose columns drift from row to row.

The parser never invents structure. What it cannot place makes the filing
``complete = False`` with a problem saying why; a cell the form itself left blank is
recorded as ``None`` with a problem, but does not make the filing incomplete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jixiao.bot.domain.amounts import parse_date, parse_money
from jixiao.bot.domain.frameworks import Framework, get_framework
from jixiao.bot.domain.models import Filing, Funding, Indicator, PriorYear, Source
from jixiao.bot.domain.values import is_value

TITLE_RE = re.compile(r"^财政项目支出绩效目标(?:申报)?表$")
YEAR_RE = re.compile(r"[（(]\s*(\d{4})\s*年度\s*[)）]")
SPACES_RE = re.compile(r"\s+")
BLANK_PREFIX = "未填："  # problems that only say the form left a cell empty start with this


def is_blank_problem(problem: str) -> bool:
    """Whether a problem only reports a cell the form left blank (not incompleteness)."""
    return problem.startswith(BLANK_PREFIX)


class NotAFilingError(ValueError):
    """The text holds no performance-target table at all."""


# --------------------------------------------------------------------------- helpers
def squash(text: str) -> str:
    """Remove every white-space character (PDF extraction scatters them)."""
    return SPACES_RE.sub("", text)


def normalise_text(text: str) -> str:
    """Collapse white-space runs to one space and strip."""
    return SPACES_RE.sub(" ", text.replace("\u3000", " ")).strip()


@dataclass
class _Draft:
    """What the parser has found so far for one table."""

    year: int
    format: str
    fields: dict = field(default_factory=dict)
    funding: dict = field(default_factory=dict)
    prior_year: dict = field(default_factory=dict)
    indicators: list[Indicator] = field(default_factory=list)
    blanks: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    def blank(self, what: str) -> None:
        """A cell the form itself left empty: reported, but the table is still complete."""
        self.blanks.append(f"{BLANK_PREFIX}{what}")

    def fail(self, message: str) -> None:
        self.unplaced.append(message)

    def to_filing(self, source: Source) -> Filing:
        name = self.fields.get("project_name")
        if not name:
            self.fail("未找到项目名称")
        return Filing(
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


# ----------------------------------------------------------------- splitting a file
def split_tables(text: str) -> list[list[str]]:
    """The lines of each table, title line first. Text before the first title is dropped."""
    tables: list[list[str]] = []
    for line in text.splitlines():
        if TITLE_RE.match(squash(line)):
            tables.append([line])
        elif tables:
            tables[-1].append(line)
    return tables


def detect_format(lines: list[str]) -> str | None:
    """Which form a table is printed in, from the words it uses (not the file name)."""
    flat = squash("".join(lines))
    if "一级目标" in flat or "申报单位名称" in flat:
        return "2020"
    if "一级指标" in flat:
        if "经济成本指标" in flat or "项目性质" in flat or "年度(/项目)指标值" in flat:
            return "2026"
        return "2024"
    return None


def parse_text(text: str, file_name: str) -> list[Filing]:
    """Every table in ``text``; raises :class:`NotAFilingError` when there is none."""
    tables = split_tables(text)
    if not tables:
        raise NotAFilingError("no 财政项目支出绩效目标表 title found")
    filings = []
    for index, lines in enumerate(tables):
        source = Source(file=file_name, index=index)
        filings.append(parse_table(lines, source))
    return filings


def parse_table(lines: list[str], source: Source) -> Filing:
    year_match = YEAR_RE.search("".join(lines[:4]))
    fmt = detect_format(lines)
    if fmt is None:
        draft = _Draft(year=int(year_match[1]) if year_match else 0, format="2024")
        draft.fail("无法识别表格格式（没有“一级指标”或“一级目标”表头）")
        draft.fields["project_name"] = ""
        return draft.to_filing(source)
    year = int(year_match[1]) if year_match else int(fmt)
    draft = _Draft(year=year, format=fmt)
    if not year_match:
        draft.fail("标题下没有“（YYYY年度）”一行")
    if fmt == "2020":
        _parse_2020(lines[1:], draft)
    else:
        _parse_grid(lines[1:], draft)
    return draft.to_filing(source)


# ------------------------------------------------------------------ indicator rows
class _IndicatorReader:
    """Places indicator rows under their 一级/二级 levels.

    Each row is a list of tokens (cells). Leading tokens that are level names set the
    current levels; what remains is a name and a value, a name alone (its value may
    follow on the next row, or the form left it blank), or a value alone (it belongs
    to the name before it).
    """

    def __init__(self, draft: _Draft, framework: Framework, *, names_wrap: bool, values_cut: bool):
        self.draft = draft
        self.framework = framework
        self.names_wrap = names_wrap  # 2020 space layout: a long name continues on the next line
        self.values_cut = values_cut  # the value column is cut off: keep no value at all
        self.level1: str | None = None
        self.level2: str | None = None
        self.pending: tuple[str, str | None, str | None] | None = None  # (name, level1, level2)

    def row(self, tokens: list[str]) -> None:
        tokens = [t for t in tokens if t]
        while tokens and self._take_level(tokens[0]):
            self._flush_pending()
            tokens.pop(0)
        if not tokens:
            return
        if len(tokens) == 1:
            self._single(tokens[0])
        elif self.names_wrap:
            if is_value(tokens[-1], strict=True):
                name = self._continue_pending("".join(tokens[:-1]))
                self._emit(name, tokens[-1])
            else:
                self._hold("".join(tokens))
        elif len(tokens) == 2:
            self._flush_pending()
            self._emit((tokens[0], self.level1, self.level2), tokens[1])
        else:
            self.draft.fail(f"一行指标有 {len(tokens)} 个单元格，无法归位：{' | '.join(tokens)}")

    def finish(self) -> None:
        if self.pending is not None and self.names_wrap:
            self.draft.fail(f"表格末尾的指标名称没有指标值：{self.pending[0]}")
            self.pending = None
        self._flush_pending()

    # -- internals --------------------------------------------------------------
    def _take_level(self, token: str) -> bool:
        word = squash(token)
        if self.framework.is_level1(word):
            self.level1, self.level2 = word, None
            return True
        level2 = self.framework.level2(word)
        if level2 is not None:
            self.level1, self.level2 = level2.parent, word
            return True
        return False

    def _single(self, token: str) -> None:
        if is_value(token, strict=True) and self.pending is not None:
            name, self.pending = self.pending, None
            self._emit(name, token)
        elif is_value(token, strict=True) and not self.names_wrap and not self.values_cut and self._last_without_value():
            last = self.draft.indicators[-1]
            self.draft.indicators[-1] = last.model_copy(update={"value": self._value(token)})
            self.draft.blanks.remove(f"{BLANK_PREFIX}指标值（{last.name}）")
        elif is_value(token, strict=True):
            self.draft.fail(f"指标值没有对应的指标名称：{token}")
        elif self.names_wrap:
            self._hold(token)
        else:
            self._flush_pending()
            self.pending = (token, self.level1, self.level2)

    def _hold(self, fragment: str) -> None:
        """A name fragment: start a pending name or continue the wrapped one."""
        if self.pending is None:
            self.pending = (fragment, self.level1, self.level2)
        else:
            name, level1, level2 = self.pending
            self.pending = (name + fragment, level1, level2)

    def _continue_pending(self, fragment: str) -> tuple[str, str | None, str | None]:
        if self.pending is None:
            return (fragment, self.level1, self.level2)
        name, level1, level2 = self.pending
        self.pending = None
        return (name + fragment, level1, level2)

    def _last_without_value(self) -> bool:
        return bool(self.draft.indicators) and self.draft.indicators[-1].value is None

    def _flush_pending(self) -> None:
        if self.pending is not None:
            name, self.pending = self.pending, None
            self._emit(name, None)

    def _value(self, token: str | None) -> str | None:
        if token is None or self.values_cut:
            return None
        return squash(token)

    def _emit(self, name: tuple[str, str | None, str | None], value: str | None) -> None:
        text, level1, level2 = name
        text = squash(text)
        if level1 is None or level2 is None:
            self.draft.fail(f"指标不在任何一级/二级指标之下：{text}")
            return
        indicator = Indicator(level1=level1, level2=level2, name=text, value=self._value(value))
        self.draft.indicators.append(indicator)
        if value is None and not self.values_cut:
            self.draft.blank(f"指标值（{text}）")


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


def _parse_2020(lines: list[str], draft: _Draft) -> None:
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


def _read_header_2020(text: str, draft: _Draft) -> None:
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
                draft.fail(f"{label}不是完整的日期：{value}")
            draft.fields[key] = parsed
        elif key == "gov_purchase":
            if value in ("是", "否"):
                draft.fields[key] = value == "是"
            else:
                draft.fail(f"{label}既不是“是”也不是“否”：{value}")
        else:
            draft.fields[key] = value
    for label, key in HEADER_LABELS_2020.items():
        if key not in seen:
            draft.fail(f"未找到{label}")


def _read_money_2020(text: str, draft: _Draft) -> None:
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


def _read_targets_2020(lines: list[str], draft: _Draft) -> None:
    lines = [line for line in lines if line.strip()]
    tabbed = any("\t" in line for line in lines)
    rows = [[cell.strip() for cell in (line.split("\t") if tabbed else line.split()) if cell.strip()] for line in lines]
    if not rows or not squash("".join(rows[0])).startswith("一级目标二级目标三级目标"):
        draft.fail("未找到指标表头（一级目标 二级目标 三级目标 指标目标值）")
        return
    header = rows[0]
    values_cut = not squash("".join(header)).endswith("指标目标值")
    if values_cut:
        draft.fail(f"“指标目标值”一列被截断（表头只剩“{header[-1]}”），指标值一律不采用")
    reader = _IndicatorReader(draft, get_framework("2020"), names_wrap=not tabbed, values_cut=values_cut)
    outside = []
    for line, row in zip(lines[1:], rows[1:]):
        if tabbed and "\t" not in line:
            outside.append(squash(line))
            continue
        reader.row(row)
    reader.finish()
    _report_outside(outside, draft)


def _report_outside(outside: list[str], draft: _Draft) -> None:
    """Lines that are not rows of the grid: spilled cells of a cut column, stray text."""
    if outside:
        shown = ", ".join(outside[:6]) + (" …" if len(outside) > 6 else "")
        draft.fail(f"表格外有 {len(outside)} 行文字无法归位（可能是被截断的一列溢出到了文末）：{shown}")


# ----------------------------------------------------------------- 2024/2026 grid
GRID_HEADER_LABELS = {
    "项目名称": "project_name",
    "项目性质": "nature",
    "项目类别": "category",
    "主管部门": "department",
    "实施单位": "implementing_unit",
    "计划开始日期": "start",
    "计划完成日期": "end",
}
GRID_MONEY_LABELS = {
    "项目资金总额": "total",
    "年度资金申请总额": "annual_request",
    "财政资金": "fiscal",
    "当年财政拨款": "current_appropriation",
    "上年结转资金": "carryover",
    "其他资金": "other",
}
_MONEY_PREFIX_RE = re.compile(r"^其中[:：]")
_GRID_VALUE_HEADERS = ("年度指标值", "年度(/项目)指标值", "指标值")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("\t")]


def _parse_grid(lines: list[str], draft: _Draft) -> None:
    header: list[list[str]] = []
    money: list[list[str]] = []
    goal: list[list[str]] = []
    targets: list[list[str]] = []
    current = header
    for line in lines:
        cells = _cells(line)
        first = squash(next((c for c in cells if c), ""))
        if not first or YEAR_RE.fullmatch(first):
            continue
        if first.startswith("项目资金"):
            current = money
        elif first == "项目绩效目标":
            current = goal
        elif "一级指标" in map(squash, cells):
            current = targets
        current.append(cells)

    _read_grid_header(header, draft)
    _read_grid_money(money, draft)
    _read_grid_goal(goal, draft)
    _read_grid_targets(targets, draft)


def _read_grid_header(rows: list[list[str]], draft: _Draft) -> None:
    label: str | None = None
    seen: set[str] = set()
    for row in rows:
        for cell in filter(None, row):
            word = squash(cell).rstrip("*：:")
            if word in GRID_HEADER_LABELS:
                if label is not None:
                    draft.blank(label)
                label = word
                seen.add(word)
                continue
            if label is None:
                draft.fail(f"表头文字没有对应的栏目：{cell}")
                continue
            key = GRID_HEADER_LABELS[label]
            if key in ("start", "end"):
                parsed = parse_date(cell)
                if parsed is None:
                    draft.fail(f"{label}不是完整的日期：{cell}")
                draft.fields[key] = parsed
            else:
                draft.fields[key] = normalise_text(cell)
            label = None
    if label is not None:
        draft.blank(label)
    for word in GRID_HEADER_LABELS:
        if word not in seen and not (word == "项目性质" and draft.format == "2024"):
            draft.fail(f"未找到{word}")


def _read_grid_money(rows: list[list[str]], draft: _Draft) -> None:
    if not rows:
        draft.fail("未找到项目资金部分")
        return
    blanks: dict[str, int] = {}
    seen: set[str] = set()

    def close(label: str | None) -> None:
        if label is not None:
            blanks[label] = blanks.get(label, 0) + 1

    label: str | None = None
    for row in rows:
        for cell in filter(None, row):
            word = _MONEY_PREFIX_RE.sub("", squash(cell))
            if word.startswith("项目资金") and word not in GRID_MONEY_LABELS:
                continue  # the block's row label, 项目资金(元)
            if word in GRID_MONEY_LABELS:
                close(label)
                label = word
                seen.add(word)
                continue
            amount = parse_money(cell)
            if label is None or amount is None:
                draft.fail(f"金额单元格无法归位：{cell}")
                continue
            draft.funding[GRID_MONEY_LABELS[label]] = amount
            label = None
    close(label)
    for word, key in GRID_MONEY_LABELS.items():
        if word not in seen:
            draft.fail(f"未找到{word}")
        elif draft.funding.get(key) is None and word in blanks:
            draft.blank(word)


def _read_grid_goal(rows: list[list[str]], draft: _Draft) -> None:
    if not rows:
        draft.fail("未找到项目绩效目标部分")
        return
    header = [squash(c) for c in rows[0]]
    annual_column = next((i for i, c in enumerate(header) if c.startswith("年度总")), None)
    if annual_column is None:
        draft.fail("未找到“年度总目标”栏目")
        return
    texts = []
    for row in rows[1:]:
        filled = [(i, c) for i, c in enumerate(row) if c]
        if not filled:
            continue
        column, text = filled[-1]
        if column >= annual_column or len(filled) > 1:
            texts.append(text)
    goal = normalise_text("".join(texts))
    draft.fields["goal"] = goal or None
    if not goal:
        draft.blank("年度总目标")


def _read_grid_targets(rows: list[list[str]], draft: _Draft) -> None:
    if not rows:
        draft.fail("未找到指标表（一级指标 …）")
        return
    header = [squash(c) for c in rows[0] if c]
    values_cut = not header or header[-1] not in _GRID_VALUE_HEADERS
    if values_cut:
        draft.fail(f"“指标值”一列被截断（表头只剩“{header[-1] if header else ''}”），指标值一律不采用")
    reader = _IndicatorReader(draft, get_framework(draft.format), names_wrap=False, values_cut=values_cut)
    outside = []
    for row in rows[1:]:
        if len(row) == 1:
            outside.append(squash(row[0]))
            continue
        reader.row([c for c in row if c and squash(c) != "绩效指标"])
    reader.finish()
    _report_outside(outside, draft)
