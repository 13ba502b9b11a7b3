"""The table as chat messages that read well on a narrow phone screen (no wide grid).

:func:`render_chat` gives the header facts, the money, the goal, then the indicators
grouped 一级 → 二级 with one ``三级指标：指标值`` line each, validator findings marked at
their indicator (❗ error, ⚠️ warning, the message below the line) and table-level
findings at the end. Every line comes from ``prompts/table.md``; user text goes in
through placeholders, so it is HTML-escaped in Telegram mode.

Long tables are split into several messages at group boundaries, never mid-line, each
within Telegram's 4096-character limit; a group longer than that is split between its
lines (an indicator stays with its notes), its 一级/二级 headings repeated at the top of
the next message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jixiao.bot.domain.models import Filing, Indicator
from jixiao.bot.domain.validation import ERROR, WARNING, Finding
from jixiao.bot.render import (
    FUNDING_FIELDS,
    PRIOR_YEAR_FIELDS,
    department_label,
    field_text,
    fmt_money,
    form_title,
    goal_label,
    in_table_order,
    indicators_label,
    labels,
    layout_of,
    overall_goal_label,
    place_findings,
    worst,
    year_label,
)
from jixiao.bot.render.caps import check_table
from jixiao.bot.texts import render_html, render_plain

TELEGRAM_LIMIT = 4096
HEADER_FIELDS = ("department", "implementing_unit", "category", "nature", "performance_type", "gov_purchase", "start", "end")
LEVEL1, LEVEL2 = 1, 2  # heading levels of a unit; 0 for anything else


@dataclass
class Block:
    """Lines that belong together (a header section, or one 一级 group).

    ``units`` are runs of lines never split apart (an indicator line and its notes);
    ``levels`` marks which units are 一级/二级 headings, to repeat them when the block
    has to be split across messages.
    """

    units: list[list[str]] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, lines: list[str]) -> Block:
        return cls([[line] for line in lines], [0] * len(lines))

    def add(self, lines: list[str], level: int = 0) -> None:
        self.units.append(lines)
        self.levels.append(level)

    @property
    def lines(self) -> list[str]:
        return [line for unit in self.units for line in unit]

    def headings_for(self, index: int) -> list[str]:
        """The headings to repeat above unit ``index`` when it opens a new message."""
        if self.levels[index] == LEVEL1:
            return []
        level1: list[str] = []
        level2: list[str] = []
        for unit, level in zip(self.units[:index], self.levels[:index]):
            if level == LEVEL1:
                level1, level2 = unit[-1:], []  # the heading itself, not a title above it
            elif level == LEVEL2:
                level2 = unit[-1:]
        return level1 if self.levels[index] == LEVEL2 else level1 + level2


def render_chat(filing: Filing, findings: list[Finding] | None = None, html: bool = True, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The filing as one or more messages (Telegram HTML, or plain text for a console).

    Each message is at most ``limit`` long, counted as Telegram counts (UTF-16 units).
    Raises :class:`jixiao.bot.render.caps.TableTooLarge` for a table over the limits.
    """
    check_table(filing)
    render = render_html if html else render_plain
    filing = in_table_order(filing)
    by_index, table_level = place_findings(filing, findings)
    blocks = [
        _header(filing, render),
        _money(filing, render),
        *_goals(filing, render),
        *_indicator_groups(filing, by_index, render),
    ]
    if table_level:
        blocks.append(_findings(table_level, render))
    return _pack(blocks, limit, render("table.continued", project=filing.project_name), _HTML_TOKEN if html else _CHAR)


def _or_empty(text: str | None) -> str:
    return text if text and text.strip() else labels()["empty"]


def _header(filing: Filing, render) -> Block:
    lines = render(
        "table.header", project=filing.project_name, form=form_title(filing.format), year_label=year_label(filing.year)
    ).split("\n")
    for name in HEADER_FIELDS:
        value = field_text(filing, name)
        if value is not None:
            label = department_label(filing.format) if name == "department" else labels()[name]
            lines.append(render("table.fact", label=label, value=value))
    return Block.of(lines)


def _money(filing: Filing, render) -> Block:
    """2024/2026: the funding lines; 2020: last year's figures. Blank fields are left out."""
    if layout_of(filing.format) == "2020":
        title = labels()["prior_year"]
        fields = [(filing.prior_year, PRIOR_YEAR_FIELDS), (filing.funding, FUNDING_FIELDS)]
    else:
        title = labels()["money"]
        fields = [(filing.funding, FUNDING_FIELDS), (filing.prior_year, PRIOR_YEAR_FIELDS)]
    lines = [render("table.money_title", label=title)]
    for source, names in fields:
        for name in names:
            amount = getattr(source, name)
            if amount is not None:
                lines.append(render("table.money_line", label=labels()[name], amount=fmt_money(amount)))
    if len(lines) == 1:
        lines.append(render("table.empty_value"))
    return Block.of(lines)


def _goals(filing: Filing, render) -> list[Block]:
    """年度总体目标, after 项目总目标 when the filing has one (the form prints them side by side)."""
    blocks = []
    if filing.overall_goal and filing.overall_goal.strip():
        blocks.append(Block.of(render("table.goal", label=overall_goal_label(filing), goal=filing.overall_goal).split("\n")))
    blocks.append(Block.of(render("table.goal", label=goal_label(filing.format), goal=_or_empty(filing.goal)).split("\n")))
    return blocks


def _indicator_groups(filing: Filing, by_index: dict[int, list[Finding]], render) -> list[Block]:
    """One block per 一级, its 二级 under it, the title on the first (``filing`` in table order)."""
    title = render("table.indicators_title", label=indicators_label(filing))
    if not filing.indicators:
        return [Block.of([title, render("table.no_indicators")])]
    groups: dict[str, dict[str, list[int]]] = {}
    for i, indicator in enumerate(filing.indicators):
        groups.setdefault(indicator.level1, {}).setdefault(indicator.level2, []).append(i)
    blocks = []
    for level1, level2s in groups.items():
        block = Block()
        block.add([render("table.level1", name=_or_empty(level1))], LEVEL1)
        for level2, positions in level2s.items():
            block.add([render("table.level2", name=_or_empty(level2))], LEVEL2)
            for i in positions:
                block.add(_indicator_lines(filing.indicators[i], by_index.get(i, []), render))
        blocks.append(block)
    blocks[0].units[0].insert(0, title)
    return blocks


def _indicator_lines(indicator: Indicator, found: list[Finding], render) -> list[str]:
    name, value = _or_empty(indicator.name), _or_empty(indicator.value)
    mark = worst(found)
    if mark == ERROR:
        line = render("table.line_error", name=name, value=value)
    elif mark == WARNING:
        line = render("table.line_warning", name=name, value=value)
    else:
        line = render("table.line", name=name, value=value)
    return [line, *(render("table.note", message=item.message) for item in found)]


def _findings(found: list[Finding], render) -> Block:
    lines = [render("table.findings_title", label=labels()["findings"])]
    for item in found:
        message = item.message
        if item.indicator:
            message = render_plain("table.finding_at", name=item.indicator, message=message)
        if item.severity == ERROR:
            lines.append(render("table.finding_error", message=message))
        else:
            lines.append(render("table.finding_warning", message=message))
    return Block.of(lines)


# -- splitting into messages ------------------------------------------------------------


def length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), never less than ``len(text)``."""
    return len(text.encode("utf-16-le")) // 2


def pack(blocks: list[list[str]], *, html: bool, continued: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Groups of lines into messages of at most ``limit`` (UTF-16 units), as the table is
    split: a group stays whole where it fits, else it is split between lines, a long
    line where no HTML tag or entity breaks; each new message opens with ``continued``."""
    return _pack([Block.of(lines) for lines in blocks], limit, continued, _HTML_TOKEN if html else _CHAR)


def _pack(blocks: list[Block], limit: int, continued: str, tokens: re.Pattern) -> list[str]:
    """Blocks into messages of at most ``limit``: whole blocks where they fit, else unit by unit."""
    packer = _Packer(limit, continued, tokens)
    for block in blocks:
        packer.add(block)
    return packer.finish()


class _Packer:
    """Fills messages line by line; a new message opens with "（续）project"."""

    def __init__(self, limit: int, continued: str, tokens: re.Pattern):
        self.limit, self.continued, self.tokens = limit, continued, tokens
        self.messages: list[str] = []
        self.current: list[str] = []
        self.preamble = 0  # lines at the top of ``current`` that are no content of their own

    def fits(self, lines: list[str]) -> bool:
        return length("\n".join(lines)) <= self.limit

    def has_content(self) -> bool:
        return len(self.current) > self.preamble

    def gap(self) -> list[str]:
        return [""] if self.has_content() else []

    def next_message(self, headings: list[str]) -> None:
        if self.has_content():
            self.messages.append("\n".join(self.current).rstrip("\n"))
        self.current = [self.continued, "", *headings]
        self.preamble = len(self.current)

    def add(self, block: Block) -> None:
        lines = block.lines
        if self.fits(self.current + self.gap() + lines):
            self.current += self.gap() + lines
            return
        if self.fits([self.continued, ""] + lines):  # whole in a message of its own
            self.next_message([])
            self.current += lines
            return
        self.current += self.gap()
        for index, unit in enumerate(block.units):
            # a heading goes down with the first line under it
            following = block.units[index + 1][:1] if block.levels[index] and index + 1 < len(block.units) else []
            if self.fits(self.current + unit + following):
                self.current += unit
                continue
            headings = block.headings_for(index)
            if self.has_content():
                self.next_message(headings)
            if self.fits(self.current + unit):
                self.current += unit
                continue
            for line in unit:  # a unit longer than a message: line by line, long lines cut
                room = self.limit - length("\n".join([self.continued, "", *headings])) - 1
                for piece in _cut(line, room, self.tokens):
                    if not self.fits(self.current + [piece]):
                        self.next_message(headings)
                    self.current.append(piece)

    def finish(self) -> list[str]:
        if self.has_content() or not self.messages:
            self.messages.append("\n".join(self.current).rstrip("\n"))
        return self.messages


_HTML_TOKEN = re.compile(r"<[^>]*>|&[#\w]+;|.", re.DOTALL)  # a tag, an entity or a character
_CHAR = re.compile(r".", re.DOTALL)
_BREAK_AFTER = set(" ，。；、：,.;)）】」") | {"\u3000"}


def _cut(line: str, room: int, tokens: re.Pattern) -> list[str]:
    """A line too long for one message, cut where no tag is open and no entity is split."""
    if length(line) <= room:
        return [line]
    pieces = []
    while length(line) > room:
        best = soft = 0
        depth = size = 0
        for match in tokens.finditer(line):
            token = match.group()
            size += length(token)
            if size > room:
                break
            if token.startswith("</"):
                depth -= 1
            elif token.startswith("<") and len(token) > 1:
                depth += 1
            if depth == 0:
                best = match.end()
                if token in _BREAK_AFTER:
                    soft = match.end()
        cut = soft if soft > best - 200 and soft else best
        cut = cut or room  # nothing safe: a hard cut is all that is left
        pieces.append(line[:cut])
        line = line[cut:]
    return [*pieces, line] if line else pieces
