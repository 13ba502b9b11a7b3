"""The filing's official form drawn as a PNG, for reviewing a table on a phone.

:func:`render_png` draws :func:`bot.render.form_grid` — the layout the .xlsx has — about
1080 px wide: the title, the header block, the money and the goal, then the indicator
table with its 一级/二级 cells merged. Cell text wraps; an indicator with findings gets a
tinted row and a numbered badge (red for an error, amber for a warning), and the
messages are listed under the table by number.

Text is set in Noto Sans SC, shipped inside the ``pylopdf-fonts-zh-cn`` wheel (SIL Open
Font License 1.1) and found through the package's resources: no download at run time,
no system font assumed.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from pathlib import Path

from jixiao.bot.domain.models import Filing
from jixiao.bot.domain.validation import ERROR, Finding
from jixiao.bot.render import Cell, fmt_money, form_grid, labels, place_findings, worst
from jixiao.bot.texts import render_plain
from PIL import Image, ImageDraw, ImageFont

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"

INK = (34, 34, 34)
MUTED = (140, 140, 140)
RULE = (90, 90, 90)
LABEL_BG = (238, 241, 245)
HEADING_BG = (222, 228, 236)
TINT = {ERROR: (253, 226, 226), "warning": (255, 243, 205)}
BADGE = {ERROR: (200, 35, 35), "warning": (222, 140, 0)}

#: Column shares of the picture's width, one set above the indicator table (labels,
#: dates and money need room) and one for the table (a narrow section column, a wide 三级).
HEADER_COLUMNS = (0.172, 0.2, 0.185, 0.255, 0.188)
TABLE_COLUMNS = (0.08, 0.15, 0.17, 0.375, 0.225)
ALIGN = {"title": "center", "subtitle": "center", "section": "center", "label": "center", "heading": "center",
         "level1": "center", "level2": "center", "target": "center", "money": "right"}


def font_path() -> Path:
    """The CJK font file inside its installed package."""
    return Path(str(files(FONT_PACKAGE) / FONT_FILE))


@cache
def load_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size)


def render_png(filing: Filing, path_or_file, findings: list[Finding] | None = None, width: int = 1080) -> Image.Image:
    """Draw ``filing``'s form to ``path_or_file`` (a path or a binary file); returns the image."""
    image = _Painter(filing, findings, width).paint()
    image.save(path_or_file, format="PNG", optimize=True)
    return image


class _Painter:
    """Measures the grid (wrapped text sets each row's height), then draws it."""

    def __init__(self, filing: Filing, findings: list[Finding] | None, width: int):
        self.width = width
        self.unit = width / 1080
        self.margin = round(28 * self.unit)
        self.pad = round(10 * self.unit)
        self.body = load_font(round(26 * self.unit))
        self.fonts = {"title": load_font(round(40 * self.unit)), "subtitle": load_font(round(28 * self.unit))}
        self.line = round(26 * self.unit * 1.45)
        self.grid = form_grid(filing)
        by_index, table_level = place_findings(filing, findings)
        self.notes: list[tuple[int, str, list[Finding]]] = []  # (number, severity, findings)
        self.badge_of: dict[int, tuple[int, str]] = {}
        for index in sorted(by_index):
            number, severity = len(self.notes) + 1, worst(by_index[index])
            self.badge_of[index] = (number, severity)
            self.notes.append((number, severity, by_index[index]))
        for item in table_level:
            self.notes.append((len(self.notes) + 1, item.severity, [item]))
        self.edges = {"header": self._edges(HEADER_COLUMNS), "table": self._edges(TABLE_COLUMNS)}

    def _edges(self, shares: tuple[float, ...]) -> list[int]:
        edges = [float(self.margin)]
        for share in shares:
            edges.append(edges[-1] + share * (self.width - 2 * self.margin))
        return [round(x) for x in edges]

    def x(self, cell: Cell) -> tuple[int, int]:
        """The cell's left and right edge: the table's columns from its heading row on."""
        edges = self.edges["table" if cell.row >= self.grid.table_row else "header"]
        return edges[cell.col], edges[cell.last_col + 1]

    # -- measuring --------------------------------------------------------------------
    def font(self, cell: Cell) -> ImageFont.FreeTypeFont:
        return self.fonts.get(cell.kind, self.body)

    def text_of(self, cell: Cell) -> str:
        if isinstance(cell.text, float):
            return fmt_money(cell.text)
        if cell.text is None or not str(cell.text).strip():
            return labels()["empty"] if cell.kind == "target" else ""
        return str(cell.text)

    def text_width(self, cell: Cell) -> int:
        left, right = self.x(cell)
        width = right - left - 2 * self.pad
        if cell.kind == "name" and cell.indicator in self.badge_of:
            width -= self.badge_size() + self.pad // 2
        if cell.kind == "section":  # stacked like the printed form: four characters a line
            width = min(width, round(4.2 * self.font(cell).size))
        return width

    def badge_size(self) -> int:
        return round(30 * self.unit)

    def lines(self, cell: Cell) -> list[str]:
        return wrap(self.text_of(cell), self.font(cell), self.text_width(cell))

    def line_height(self, cell: Cell) -> int:
        font = self.font(cell)
        return self.line if font is self.body else round(font.size * 1.4)

    def row_heights(self) -> list[int]:
        heights = [0] * self.grid.rows
        for cell in sorted(self.grid.cells, key=lambda c: c.rowspan):
            need = len(self.lines(cell)) * self.line_height(cell) + 2 * self.pad
            rows = range(cell.row, cell.row + cell.rowspan)
            have = sum(heights[r] for r in rows)
            if need > have:
                heights[rows[-1]] += need - have
        return heights

    # -- drawing ----------------------------------------------------------------------
    def paint(self) -> Image.Image:
        heights = self.row_heights()
        self.y = [self.margin]
        for height in heights:
            self.y.append(self.y[-1] + height)
        note_lines = self.note_lines()
        total = self.y[-1] + (self.margin + len(note_lines) * self.line + self.line if note_lines else 0) + self.margin
        image = Image.new("RGB", (self.width, total), "white")
        draw = ImageDraw.Draw(image)
        for cell in self.grid.cells:
            self.draw_cell(draw, cell)
        if note_lines:
            self.draw_notes(draw, note_lines, self.y[-1] + self.margin)
        return image

    def draw_cell(self, draw: ImageDraw.ImageDraw, cell: Cell) -> None:
        left, right = self.x(cell)
        box = (left, self.y[cell.row], right, self.y[cell.row + cell.rowspan])
        boxed = cell.kind not in ("title", "subtitle")
        fill = {"label": LABEL_BG, "section": LABEL_BG, "heading": HEADING_BG}.get(cell.kind)
        badge = self.badge_of.get(cell.indicator) if cell.kind in ("name", "target") else None
        if badge:
            fill = TINT[badge[1]]
        if boxed:
            draw.rectangle(box, fill=fill or "white", outline=RULE, width=max(1, round(self.unit * 1.5)))
        left = box[0] + self.pad
        if badge and cell.kind == "name":
            self.draw_badge(draw, left, (box[1] + box[3]) // 2, *badge)
            left += self.badge_size() + self.pad // 2
        lines = self.lines(cell)
        font, step = self.font(cell), self.line_height(cell)
        top = (box[1] + box[3]) // 2 - len(lines) * step // 2
        empty = cell.kind == "target" and (cell.text is None or not str(cell.text).strip())
        bold = cell.kind in ("title", "heading", "section")
        for i, text in enumerate(lines):
            span = font.getlength(text)
            align = ALIGN.get(cell.kind, "left")
            x = left if align == "left" else box[2] - self.pad - span if align == "right" else (left + box[2] - self.pad - span) / 2
            draw.text((x, top + i * step + step // 2), text, font=font, fill=MUTED if empty else INK, anchor="lm",
                      stroke_width=1 if bold else 0, stroke_fill=INK)

    def draw_badge(self, draw: ImageDraw.ImageDraw, x: int, y_mid: int, number: int, severity: str) -> None:
        size = self.badge_size()
        draw.ellipse((x, y_mid - size // 2, x + size, y_mid + size // 2), fill=BADGE[severity])
        font = load_font(round(size * 0.62))
        draw.text((x + size / 2, y_mid), str(number), font=font, fill="white", anchor="mm")

    def note_lines(self) -> list[tuple[int | None, str, str]]:
        """The findings under the table: (badge number or None, severity, wrapped line)."""
        if not self.notes:
            return []
        width = self.width - 2 * self.margin - self.badge_size() - self.pad
        out: list[tuple[int | None, str, str]] = [(None, "", labels()["findings"])]
        for number, severity, found in self.notes:
            for j, item in enumerate(found):
                text = item.message
                if item.indicator and number > len(self.badge_of):  # names an indicator not in the table
                    text = render_plain("table.finding_at", name=item.indicator, message=text)
                for k, line in enumerate(wrap(text, self.body, width)):
                    out.append((number if j == 0 and k == 0 else None, severity, line))
        return out

    def draw_notes(self, draw: ImageDraw.ImageDraw, lines, top: int) -> None:
        indent = self.margin + self.badge_size() + self.pad
        for i, (number, severity, text) in enumerate(lines):
            y_mid = top + i * self.line + self.line // 2
            if i == 0:
                draw.text((self.margin, y_mid), text, font=self.fonts["subtitle"], fill=INK, anchor="lm", stroke_width=1, stroke_fill=INK)
                continue
            if number is not None:
                self.draw_badge(draw, self.margin, y_mid, number, severity)
            draw.text((indent, y_mid), text, font=self.body, fill=INK, anchor="lm")


# -- wrapping -------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9.,:%()≥≤=<>+\-/_]+|\s+|.", re.DOTALL)
_NO_LINE_START = set("，。、；：？！）》」』】”’,.;:?!)%")
_NO_LINE_END = set("（《「『【“‘(")


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``: CJK breaks anywhere, Latin words and
    numbers stay whole when they fit, no line starts with closing punctuation or ends
    with an opening one (the characters around them move down together)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in _WORD.findall(paragraph):
            if word.isspace() and not line:
                continue
            if font.getlength(line + word) <= width or not line:
                line += word
            else:
                carry = ""
                while (carry + word)[0] in _NO_LINE_START and len(line) > 1:
                    carry, line = line[-1] + carry, line[:-1]
                while len(line) > 1 and line[-1] in _NO_LINE_END:
                    carry, line = line[-1] + carry, line[:-1]
                lines.append(line.rstrip())
                line = carry if word.isspace() else carry + word
            while font.getlength(line) > width and len(line) > 1:  # a word wider than the cell
                cut = max([i for i in range(1, len(line)) if font.getlength(line[:i]) <= width], default=1)
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    return lines
