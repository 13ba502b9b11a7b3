"""The filing's official form drawn as a PNG, for reviewing a table on a phone.

:func:`render_png` draws :func:`bot.render.form_grid` — the layout the .xlsx has, the
indicators in the framework's order — about 1080 px wide: the title, the header block,
the money and the goals, then the indicator table with its 一级/二级 cells merged. Cell
text wraps; an indicator with findings gets a tinted row and a numbered badge (red for
an error, amber for a warning), and the messages are listed under the table by number.

A :class:`Painter` measures first (:meth:`Painter.measure`: the wrapped lines of every
cell and the top of every row), then draws. Tables over the renderer limits are refused
before any drawing (:mod:`jixiao.bot.render.caps`). The picture is saved with a fixed
palette of the colours it uses (blends of ink on each background included), which keeps
the file small and the encoding fast; it looks the same as the full-colour drawing.
"""

from __future__ import annotations

from functools import cache

from jixiao.bot.domain.limits import PNG_WIDTH_MAX, PNG_WIDTH_MIN
from jixiao.bot.domain.models import Filing
from jixiao.bot.domain.validation import ERROR, Finding
from jixiao.bot.render import Cell, fmt_money, form_grid, labels, place_findings, worst
from jixiao.bot.render.caps import check_picture, check_table
from jixiao.bot.render.typeset import draw_line, font_path, load_font, text_width, wrap
from jixiao.bot.texts import render_plain
from PIL import Image, ImageDraw, ImageFont

__all__ = ["BADGE", "Painter", "font_path", "load_font", "render_png", "wrap"]

WHITE = (255, 255, 255)
INK = (34, 34, 34)
MUTED = (140, 140, 140)
RULE = (90, 90, 90)
LABEL_BG = (238, 241, 245)
HEADING_BG = (222, 228, 236)
TINT = {ERROR: (253, 226, 226), "warning": (255, 243, 205)}
BADGE = {ERROR: (200, 35, 35), "warning": (222, 140, 0)}

#: Column shares of the picture's width, one set above the indicator table (labels,
#: dates and money need room) and one for the table (a narrow section column, 二级 wide
#: enough for 社会效益指标 on one line, a wide 三级).
HEADER_COLUMNS = (0.172, 0.2, 0.185, 0.255, 0.188)
TABLE_COLUMNS = (0.08, 0.15, 0.195, 0.35, 0.225)
ALIGN = {"title": "center", "subtitle": "center", "section": "center", "label": "center", "heading": "center",
         "level1": "center", "level2": "center", "target": "center", "money": "right"}
BOLD = ("title", "heading", "section")
BAND = 2048  # rows of the picture drawn in full colour at a time


def render_png(filing: Filing, path_or_file, findings: list[Finding] | None = None, width: int = 1080) -> Image.Image:
    """Draw ``filing``'s form to ``path_or_file`` (a path or a binary file); returns the image
    (in palette mode: ``.convert("RGB")`` for colours).

    Raises :class:`jixiao.bot.render.caps.TableTooLarge` for a table over the limits.
    """
    if not PNG_WIDTH_MIN <= width <= PNG_WIDTH_MAX:
        raise ValueError(f"width {width} is outside {PNG_WIDTH_MIN}–{PNG_WIDTH_MAX} px")
    check_table(filing)
    painter = Painter(filing, findings, width)
    painter.measure()
    check_picture(width, painter.height)
    image = painter.paint()
    image.save(path_or_file, format="PNG", compress_level=1)
    return image


@cache
def _palette() -> Image.Image:
    """Every colour the picture uses: each ink blended onto each background it is drawn on."""
    pairs = [(bg, INK) for bg in (WHITE, LABEL_BG, HEADING_BG, *TINT.values())]
    pairs += [(bg, MUTED) for bg in (WHITE, *TINT.values())]
    pairs += [(bg, WHITE) for bg in BADGE.values()]  # the badge's number
    pairs += [(bg, BADGE[kind]) for kind in BADGE for bg in (WHITE, TINT[kind])]
    colours = [RULE]
    for back, ink in pairs:
        for step in range(17):
            blend = tuple(round(b + (i - b) * step / 16) for b, i in zip(back, ink))
            if blend not in colours:
                colours.append(blend)
    palette = Image.new("P", (1, 1))
    palette.putpalette([channel for colour in colours for channel in colour])
    return palette


class Painter:
    """Measures the grid (wrapped text sets each row's height), then draws it.

    After :meth:`measure`, ``y[row]`` is the top of each grid row (``y[-1]`` the bottom
    of the table) and :meth:`lines` gives each cell's wrapped lines: what will be drawn.
    """

    def __init__(self, filing: Filing, findings: list[Finding] | None = None, width: int = 1080):
        self.width = width
        self.unit = width / 1080
        self.margin = round(28 * self.unit)
        self.pad = round(10 * self.unit)
        self.body = load_font(round(26 * self.unit))
        self.fonts = {"title": load_font(round(40 * self.unit)), "subtitle": load_font(round(28 * self.unit))}
        self.line = round(26 * self.unit * 1.45)
        self.grid = form_grid(filing)
        by_index, table_level = place_findings(self.grid.filing, findings)
        self.notes: list[tuple[int, str, list[Finding]]] = []  # (number, severity, findings)
        self.badge_of: dict[int, tuple[int, str]] = {}
        for index in sorted(by_index):
            number, severity = len(self.notes) + 1, worst(by_index[index])
            self.badge_of[index] = (number, severity)
            self.notes.append((number, severity, by_index[index]))
        for item in table_level:
            self.notes.append((len(self.notes) + 1, item.severity, [item]))
        self.edges = {"header": self._edges(HEADER_COLUMNS), "table": self._edges(TABLE_COLUMNS)}
        self._lines: dict[int, list[str]] = {}
        self.y: list[int] = []
        self.height = 0

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
        """The cell's text wrapped to its width (measured once per cell)."""
        key = id(cell)
        if key not in self._lines:
            self._lines[key] = wrap(self.text_of(cell), self.font(cell), self.text_width(cell))
        return self._lines[key]

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

    def measure(self) -> None:
        """Wrap every cell and place every row: sets ``y`` and the picture's ``height``."""
        self.y = [self.margin]
        for height in self.row_heights():
            self.y.append(self.y[-1] + height)
        self.note_rows = self.note_lines()
        notes = self.margin + len(self.note_rows) * self.line + self.line if self.note_rows else 0
        self.height = self.y[-1] + notes + self.margin

    # -- drawing ----------------------------------------------------------------------
    def paint(self) -> Image.Image:
        """The picture in the palette's colours, drawn band by band: only one band is ever
        held in full colour, so memory is about one byte a pixel."""
        if not self.y:
            self.measure()
        picture = Image.new("P", (self.width, self.height))
        picture.putpalette(_palette().getpalette())
        for top in range(0, self.height, BAND):
            band = _Band(self.width, top, min(top + BAND, self.height))
            for cell in self.grid.cells:
                if band.meets(self.y[cell.row], self.y[cell.row + cell.rowspan]):
                    self.draw_cell(band, cell)
            self.draw_notes(band, self.y[-1] + self.margin)
            picture.paste(band.image.quantize(palette=_palette(), dither=Image.Dither.NONE), (0, top))
        return picture

    def draw_cell(self, band: _Band, cell: Cell) -> None:
        left, right = self.x(cell)
        box = (left, self.y[cell.row], right, self.y[cell.row + cell.rowspan])
        fill = {"label": LABEL_BG, "section": LABEL_BG, "heading": HEADING_BG}.get(cell.kind)
        badge = self.badge_of.get(cell.indicator) if cell.kind in ("name", "target") else None
        if badge:
            fill = TINT[badge[1]]
        if cell.kind not in ("title", "subtitle"):
            band.rectangle(box, fill=fill or WHITE, outline=RULE, width=max(1, round(self.unit * 1.5)))
        left = box[0] + self.pad
        if badge and cell.kind == "name":
            self.draw_badge(band, left, (box[1] + box[3]) // 2, *badge)
            left += self.badge_size() + self.pad // 2
        lines = self.lines(cell)
        size, step = self.font(cell).size, self.line_height(cell)
        top = (box[1] + box[3]) // 2 - len(lines) * step // 2
        empty = cell.kind == "target" and (cell.text is None or not str(cell.text).strip())
        align = ALIGN.get(cell.kind, "left")
        for i, text in enumerate(lines):
            y_mid = top + i * step + step // 2
            if not band.meets(y_mid - step, y_mid + step):
                continue
            span = text_width(text, size)
            x = left if align == "left" else box[2] - self.pad - span if align == "right" else (left + box[2] - self.pad - span) / 2
            band.text(x, y_mid, text, size, MUTED if empty else INK, bold=cell.kind in BOLD)

    def draw_badge(self, band: _Band, x: int, y_mid: int, number: int, severity: str) -> None:
        size = self.badge_size()
        band.ellipse((x, y_mid - size // 2, x + size, y_mid + size // 2), fill=BADGE[severity])
        digits, font_size = str(number), round(size * 0.62)
        band.text(x + size / 2 - text_width(digits, font_size) / 2, y_mid, digits, font_size, WHITE)

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

    def draw_notes(self, band: _Band, top: int) -> None:
        indent = self.margin + self.badge_size() + self.pad
        for i, (number, severity, text) in enumerate(self.note_rows):
            y_mid = top + i * self.line + self.line // 2
            if not band.meets(y_mid - self.line, y_mid + self.line):
                continue
            if i == 0:
                band.text(self.margin, y_mid, text, self.fonts["subtitle"].size, INK, bold=True)
                continue
            if number is not None:
                self.draw_badge(band, self.margin, y_mid, number, severity)
            band.text(indent, y_mid, text, self.body.size, INK)


class _Band:
    """A horizontal strip ``[top, bottom)`` of the picture, drawn in full colour; callers
    give picture coordinates (what falls outside the strip is clipped)."""

    def __init__(self, width: int, top: int, bottom: int):
        self.top, self.bottom = top, bottom
        self.image = Image.new("RGB", (width, bottom - top), WHITE)
        self.draw = ImageDraw.Draw(self.image)

    def meets(self, y0: float, y1: float) -> bool:
        return y0 <= self.bottom and y1 >= self.top

    def rectangle(self, box, **style) -> None:
        left, top, right, bottom = box
        self.draw.rectangle((left, top - self.top, right, bottom - self.top), **style)

    def ellipse(self, box, **style) -> None:
        left, top, right, bottom = box
        self.draw.ellipse((left, top - self.top, right, bottom - self.top), **style)

    def text(self, x: float, y_mid: float, text: str, size: int, fill, bold: bool = False) -> None:
        draw_line(self.image, x, y_mid - self.top, text, size, fill, bold)
