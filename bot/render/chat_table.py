"""The table as chat messages that read well on a narrow phone screen (no wide grid).

:func:`render_chat` gives the header facts, the money, the goal, then the indicators
grouped 一级 → 二级 with one ``三级指标：指标值`` line each, validator findings marked at
their indicator (❗ error, ⚠️ warning, the message below the line) and table-level
findings at the end. Every line comes from ``prompts/table.md``; user text goes in
through placeholders, so it is HTML-escaped in Telegram mode.

Long tables are split into several messages at group boundaries, never mid-line, each
within Telegram's 4096-character limit; a group longer than that is split between its
lines, its 一级 heading repeated at the top of the next message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.models import Filing, Indicator
from bot.domain.validation import ERROR, WARNING, Finding
from bot.render import (
    FUNDING_FIELDS,
    PRIOR_YEAR_FIELDS,
    department_label,
    field_text,
    fmt_money,
    form_title,
    goal_label,
    indicators_label,
    labels,
    layout_of,
    place_findings,
    worst,
    year_label,
)
from bot.texts import render_html, render_plain

TELEGRAM_LIMIT = 4096
HEADER_FIELDS = ("department", "implementing_unit", "category", "nature", "performance_type", "gov_purchase", "start", "end")


@dataclass
class Block:
    """Lines that belong together; ``head`` is repeated when the block must be split."""

    lines: list[str]
    head: list[str] = field(default_factory=list)


def render_chat(filing: Filing, findings: list[Finding] | None = None, html: bool = True, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The filing as one or more messages (Telegram HTML, or plain text for a console)."""
    render = render_html if html else render_plain
    by_index, table_level = place_findings(filing, findings)
    blocks = [
        _header(filing, render),
        _money(filing, render),
        Block(render("table.goal", label=goal_label(filing.format), goal=_or_empty(filing.goal)).split("\n")),
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
    return Block(lines)


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
    return Block(lines)


def _indicator_groups(filing: Filing, by_index: dict[int, list[Finding]], render) -> list[Block]:
    """One block per 一级, its 二级 in order of first appearance, the title on the first."""
    title = render("table.indicators_title", label=indicators_label(filing))
    if not filing.indicators:
        return [Block([title, render("table.no_indicators")])]
    groups: dict[str, dict[str, list[int]]] = {}
    for i, indicator in enumerate(filing.indicators):
        groups.setdefault(indicator.level1, {}).setdefault(indicator.level2, []).append(i)
    blocks = []
    for level1, level2s in groups.items():
        head = [render("table.level1", name=_or_empty(level1))]
        lines = list(head)
        for level2, positions in level2s.items():
            lines.append(render("table.level2", name=_or_empty(level2)))
            for i in positions:
                lines.extend(_indicator_lines(filing.indicators[i], by_index.get(i, []), render))
        blocks.append(Block(lines, head))
    blocks[0].lines.insert(0, title)
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
    return Block(lines)


# -- splitting into messages ------------------------------------------------------------


def length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), never less than ``len(text)``."""
    return len(text.encode("utf-16-le")) // 2


def _pack(blocks: list[Block], limit: int, continued: str, tokens: re.Pattern) -> list[str]:
    """Blocks into messages of at most ``limit``: whole blocks where they fit, else line by line."""
    messages: list[str] = []
    current: list[str] = []
    preamble = 0  # lines at the top of ``current`` that are no content of their own

    def fits(lines: list[str]) -> bool:
        return length("\n".join(lines)) <= limit

    def next_message(head: list[str]) -> None:
        nonlocal current, preamble
        messages.append("\n".join(current))
        current = [continued, "", *head]
        preamble = len(current)

    for block in blocks:
        gap = [""] if len(current) > preamble else []
        if fits(current + gap + block.lines):
            current += gap + block.lines
            continue
        if len(current) > preamble:
            next_message([])
            if fits(current + block.lines):
                current += block.lines
                continue
        for i, line in enumerate(block.lines):
            room = limit - length("\n".join([continued, "", *block.head])) - 1
            for piece in _cut(line, room, tokens):
                if not fits(current + [piece]) and len(current) > preamble:
                    next_message(block.head if i >= len(block.head) else [])
                current.append(piece)
    if len(current) > preamble or not messages:
        messages.append("\n".join(current))
    return messages


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
