"""The indicator table of a performance-target table: 一级 / 二级 / 三级 / 指标值 rows placed
under their levels (the last block :func:`bot.corpus.grid.read_grid` reads).

Rows whose columns are known (PDF, spreadsheet) are read by column; drifting text rows
by token. A blank level cell is the level above; a 二级 printed without its 一级 brings
it from the framework (生态环境成本指标 → 成本指标); other forms' spellings of a level
(服务对象满意度, 社会公众或服务对象满意度指标) are mapped by ``form_labels.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from jixiao.bot.corpus.grid import BLANK_PREFIX, Draft, form_labels, heading_of, label_of, squash
from jixiao.bot.domain.frameworks import Framework, get_framework
from jixiao.bot.domain.models import Indicator
from jixiao.bot.domain.values import Quantity, ValueParseError, format_value, is_value, parse_value


@dataclass
class Columns:
    """Where the indicator table's parts are, from its heading row (0-based)."""

    level1: int | None
    level2: int | None
    name: int | None
    value: int | None
    symbols: tuple[int, ...] = ()  # 计算符号; 乌海 2021 prints 指标性质 (正向/反向) and 指标方向 (=): every one is looked at
    unit: int | None = None

    @classmethod
    def of(cls, heading: list[str]) -> Columns:
        spec = form_labels()["columns"]
        found: dict[str, int] = {}
        symbols: list[int] = []
        for i, cell in enumerate(heading):
            word = heading_of(cell)
            if word in spec["symbol"]:
                symbols.append(i)
                continue
            for part in ("level1", "level2", "name", "value", "unit"):
                if word in spec[part] and part not in found:
                    found[part] = i
                    break
        return cls(found["level1"], found.get("level2"), found.get("name"), found.get("value"),
                   tuple(symbols), found.get("unit"))

    def symbol(self, row: list[str]) -> str:
        """The row's operator: the first operator column holding more than a word of
        ``symbol_words_ignored`` (正向/反向 say which way is better, not the comparison)."""
        ignored = form_labels()["columns"]["symbol_words_ignored"]
        cells = [squash(_cell(row, i)) for i in self.symbols]
        return next((c for c in cells if c and c not in ignored), "")


def read_targets(rows: list[list[str]], draft: Draft, *, positional: bool) -> None:
    if not rows:
        draft.fail("未找到指标表（一级指标 …）")
        return
    reader = IndicatorReader(draft, get_framework(draft.format), names_wrap=False, values_cut=False)
    if positional:
        _read_targets_by_column(rows, draft, reader)
    else:
        _read_targets_by_token(rows, draft, reader)
    reader.finish()


_SCORE_RE = re.compile(r"[（(][\d.\-—~～]+分?[)）]分?$")
_VALUE_HEADINGS = ("年度指标值", "年度(/项目)指标值", "指标值")


def _read_targets_by_token(rows: list[list[str]], draft: Draft, reader: IndicatorReader) -> None:
    header = [squash(c) for c in rows[0] if c]
    if not header or header[-1] not in _VALUE_HEADINGS:
        draft.fail(f"“指标值”一列被截断（表头只剩“{header[-1] if header else ''}”），指标值一律不采用")
        reader.values_cut = True
    outside = []
    for row in rows[1:]:
        if len(row) == 1:
            outside.append(squash(row[0]))
            continue
        reader.row([c for c in row if c])
    report_outside(outside, draft)


def joined_value(value: str, symbol: str, unit: str, style: str) -> str:
    """The budget system's 计算符号 | 指标值 | 计量单位 as one value in the form's style:
    ``≥ | 95 | %`` → ``≥95.00(%)``. A value that already has its unit keeps it; a word
    (及时; 定性 rows) keeps its text; a number with no 计算符号 stays without one
    (``985.00(米)``), so the validator still asks for the operator instead of the import
    inventing ``=``."""
    value, symbol, unit = squash(value), squash(symbol), squash(unit)
    if symbol in form_labels()["columns"]["symbol_words_ignored"]:  # 定性, 正向指标 …: no operator
        symbol = ""
    try:
        parsed = parse_value(f"{symbol}{value}")
        if unit and isinstance(parsed, Quantity) and parsed.unit is None:
            parsed = parse_value(f"{symbol}{value}({unit})")
            if parsed.unit != unit and unit.startswith(parsed.unit or ""):
                return f"{symbol}{value}{unit}"  # the grammar read only part of the unit (人 of 人/年)
    except ValueParseError:
        return f"{symbol}{value}{unit}"  # kept as printed: the validator says what is wrong
    printed = format_value(parsed, style)
    return printed.removeprefix("=") if isinstance(parsed, Quantity) and parsed.op_implied else printed


def _cell(row: list[str], col: int | None) -> str:
    return row[col] if col is not None and col < len(row) and row[col] else ""


def _read_targets_by_column(rows: list[list[str]], draft: Draft, reader: IndicatorReader) -> None:
    heading = rows[0]
    cols = Columns.of(heading)
    if cols.name is None and cols.level2 is not None and _levels_shifted(rows[1:], cols, reader):
        # 一级指标 | 二级指标 | … over 数量指标 | 办公大楼日常维修维护次数: the form dropped the 一级
        # column, its 二级 stand under 一级 and the names under 二级; the 一级 follows from the 二级
        cols = Columns(level1=None, level2=cols.level1, name=cols.level2, value=cols.value,
                       symbols=cols.symbols, unit=cols.unit)
    if cols.name is None or cols.value is None:
        draft.fail("指标表缺少“三级指标”或“指标值”一列")
        return
    style = get_framework(draft.format).value_style
    for row in rows[1:]:
        if [label_of(c) for c in row] == [label_of(c) for c in heading]:
            continue  # the heading repeated at the top of the next page
        level1, level2 = _cell(row, cols.level1), _cell(row, cols.level2)
        name, value = _cell(row, cols.name), _cell(row, cols.value)
        if cols.symbols or cols.unit is not None:
            unit, symbol = squash(_cell(row, cols.unit)), cols.symbol(row)
            if unit and unit == squash(value):  # 44,561 | 44,561: the value printed again under 计量单位
                draft.note(f"计量单位一栏重复了指标值，未作单位：{squash(name)} {unit}")
                unit = ""
            day = excel_date(value, name) if not unit else None
            if day is not None:
                draft.note(f"指标值 {squash(value)} 是 Excel 的日期序号，按 {day.isoformat()} 读：{squash(name)}")
                value, symbol = day.isoformat(), ""
            value = joined_value(value, symbol, unit, style)
            if unit and value.endswith(unit) and not value.endswith(f"({unit})"):
                draft.note(f"指标值按表上原样保留（无法识别单位“{unit}”）：{squash(name)} {value}")
        used = {cols.level1, cols.level2, cols.name, cols.value, cols.unit, *cols.symbols}
        skip = set(form_labels()["columns"]["skip"])
        stray = [c for i, c in enumerate(row) if c and i not in used and heading_of(heading[i] if i < len(heading) else "") not in skip]
        if stray:
            draft.fail(f"指标表有单元格不在任何一列之下：{' | '.join(stray)}")
        reader.cells(level1, level2, name, value)


def excel_date(value: str, name: str) -> date | None:
    """The date an Excel day number stands for, when a time indicator's value is one (乌海 2021:
    项目财政资金到位时间 44,561, a date cell formatted as a number: 2021-12-31); else ``None``."""
    digits = squash(value).replace(",", "")
    if not digits.isdigit() or not squash(name).endswith(("时间", "日期")):
        return None
    serial = int(digits)
    if not 36_526 <= serial <= 54_789:  # 2000-01-01 … 2049-12-31
        return None
    return date(1899, 12, 30) + timedelta(days=serial)


def _levels_shifted(rows: list[list[str]], cols: Columns, reader: IndicatorReader) -> bool:
    """Whether the cells under 一级指标 are 二级 levels of the framework (数量指标 …, at least
    two) and none is a 一级: the columns are one to the left of their headings."""
    under = [reader.level_name(squash(_cell(row, cols.level1))) for row in rows if _cell(row, cols.level1)]
    framework = reader.framework
    return sum(map(framework.is_level2, under)) >= 2 and not any(map(framework.is_level1, under))


def report_outside(outside: list[str], draft: Draft) -> None:
    """Lines that are not rows of the grid: spilled cells of a cut column, stray text."""
    if outside:
        shown = ", ".join(outside[:6]) + (" …" if len(outside) > 6 else "")
        draft.fail(f"表格外有 {len(outside)} 行文字无法归位（可能是被截断的一列溢出到了文末）：{shown}")


class IndicatorReader:
    """Places indicator rows under their 一级/二级 levels.

    :meth:`row` takes a drifting row as tokens (text): leading tokens that are level
    names set the current levels; what remains is a name and a value, a name alone (its
    value may follow on the next row, or the form left it blank), or a value alone (it
    belongs to the name before it). :meth:`cells` takes a row whose columns are known.
    """

    def __init__(self, draft: Draft, framework: Framework, *, names_wrap: bool, values_cut: bool):
        self.draft = draft
        self.framework = framework
        self.names_wrap = names_wrap  # 2020 space layout: a long name continues on the next line
        self.values_cut = values_cut  # the value column is cut off: keep no value at all
        self.level1: str | None = None
        self.level2: str | None = None
        self.pending: tuple[str, str | None, str | None] | None = None  # (name, level1, level2)

    def cells(self, level1: str, level2: str, name: str, value: str) -> None:
        """One row read by column; a blank level cell is the level above (merged cells). A
        level cell that is no level of the framework places neither its row nor the rows
        below it that leave their levels blank (they are not under the level above)."""
        for text, what in ((level1, "一级"), (level2, "二级")):
            if text and not self._take_level(text):
                self.draft.fail(f"{what}指标“{squash(text)}”不属于 {self.framework.id} 年版的指标体系")
                self.level1 = self.level2 = None
                if name:
                    self.draft.fail(f"指标不在任何一级/二级指标之下：{squash(name)}")
                return
        if not name and not value:
            return
        if not name:
            self.draft.fail(f"指标值没有对应的指标名称：{value}")
            return
        self._emit((name, self.level1, self.level2), value or None)

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
            if is_value(tokens[0], strict=True) and not is_value(tokens[1], strict=True):
                self.draft.lose(f"指标名称与指标值的位置颠倒了：{' | '.join(tokens)}")
                return
            self._emit((tokens[0], self.level1, self.level2), tokens[1])
        else:
            self.draft.fail(f"一行指标有 {len(tokens)} 个单元格，无法归位：{' | '.join(tokens)}")

    def finish(self) -> None:
        if self.pending is not None and self.names_wrap:
            self.draft.fail(f"表格末尾的指标名称没有指标值：{self.pending[0]}")
            self.pending = None
        self._flush_pending()

    # -- internals --------------------------------------------------------------
    def level_name(self, word: str) -> str:
        """The framework's spelling of a printed level: as printed, an alias, or + 指标; a
        score printed after it is dropped (产出指标(50分), 成本指标(0-20)分)."""
        aliases = form_labels()["level_aliases"]
        bare = _SCORE_RE.sub("", word)
        for candidate in (word, aliases.get(word), f"{word}指标", bare, aliases.get(bare)):
            if candidate and (self.framework.is_level1(candidate) or self.framework.is_level2(candidate)):
                return candidate
        return word

    def _take_level(self, token: str) -> bool:
        word = self.level_name(squash(token))
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
