"""Text for the PNG: the font, measuring, wrapping, and setting lines on a picture.

Text is set in Noto Sans SC, shipped inside the ``pylopdf-fonts-zh-cn`` wheel (SIL Open
Font License 1.1) and found through the package's resources: no download at run time,
no system font assumed.

Speed comes from caching what does not change between tables: the fonts, each
character's advance width, and each character's rendered glyph. The fonts use Pillow's
basic layout (no shaping: the forms hold Chinese, digits and a few symbols), so a line's
width is exactly the sum of its characters' advances and a line is set by pasting
cached glyphs, pixel for pixel what ``ImageDraw.text`` draws, at a fraction of the cost.
The glyph cache is bounded (:data:`GLYPH_CACHE` entries, about 1 KB each).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"
GLYPH_CACHE = 8192  # rendered glyphs kept (a table uses a few hundred distinct characters)


def font_path() -> Path:
    """The CJK font file inside its installed package."""
    return Path(str(files(FONT_PACKAGE) / FONT_FILE))


@cache
def load_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=GLYPH_CACHE)
def advance(size: int, char: str) -> float:
    """How far one character moves the pen, in pixels."""
    return load_font(size).getlength(char)


def text_width(text: str, size: int) -> float:
    """The width of one line of ``text`` at ``size`` (the sum of its advances)."""
    return sum(advance(size, char) for char in text)


@lru_cache(maxsize=GLYPH_CACHE)
def _glyph(size: int, char: str, stroke: int) -> tuple[Image.Image | None, int, int]:
    """``char`` rendered once as a mask, with where its top left sits from the pen on the baseline."""
    font = load_font(size)
    left, top, right, bottom = font.getbbox(char, anchor="ls", stroke_width=stroke)
    if right <= left or bottom <= top:
        return None, 0, 0  # a space
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), char, font=font, fill=255, anchor="ls", stroke_width=stroke)
    return mask, left, top


@cache
def _middle_to_baseline(size: int) -> int:
    """From a line's vertical middle (anchor "m") down to its baseline, in pixels."""
    font = load_font(size)
    return font.getbbox("工", anchor="lm")[1] - font.getbbox("工", anchor="ls")[1]


def draw_line(image: Image.Image, x: float, y_mid: float, text: str, size: int, fill, bold: bool = False) -> None:
    """Set one line with its left edge at ``x`` and its vertical middle at ``y_mid``
    (``ImageDraw.text`` with ``anchor="lm"``); ``bold`` adds a one-pixel stroke."""
    baseline = round(y_mid + _middle_to_baseline(size))
    for stroke in (1, 0) if bold else (0,):
        pen = x
        for char in text:
            mask, left, top = _glyph(size, char, stroke)
            if mask is not None:
                image.paste(fill, (round(pen) + left, baseline + top), mask)
            pen += advance(size, char)


# -- wrapping -------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9.,:%()≥≤=<>+\-/_]+|\s+|.", re.DOTALL)
_NO_LINE_START = set("，。、；：？！）》」』】”’,.;:?!)%")
_NO_LINE_END = set("（《「『【“‘(")


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``: CJK breaks anywhere, Latin words and
    numbers stay whole when they fit, no line starts with closing punctuation or ends
    with an opening one (the characters around them move down together), and a
    paragraph's last line is not one lone character when the line above can spare one."""
    size = round(font.size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += _wrap_paragraph(paragraph, size, width)
    return lines


def _wrap_paragraph(paragraph: str, size: int, width: float) -> list[str]:
    lines: list[str] = []
    line, used = "", 0.0
    for word in _WORD.findall(paragraph):
        if word.isspace() and not line:
            continue
        span = text_width(word, size)
        if used + span <= width or not line:
            line, used = line + word, used + span
        else:
            carry = ""
            while (carry + word)[0] in _NO_LINE_START and len(line) > 1:
                carry, line = line[-1] + carry, line[:-1]
            while len(line) > 1 and line[-1] in _NO_LINE_END:
                carry, line = line[-1] + carry, line[:-1]
            lines.append(line.rstrip())
            line = carry if word.isspace() else carry + word
            used = text_width(line, size)
        if used > width and len(line) > 1:  # a word wider than the cell: cut it
            pieces, line = _cut(line, size, width)
            lines += pieces
            used = text_width(line, size)
    lines.append(line.rstrip())
    return _no_orphan(lines, size, width)


def _cut(line: str, size: int, width: float) -> tuple[list[str], str]:
    """``line`` cut into full-width pieces (at least one character each) and the rest."""
    pieces, start, used = [], 0, 0.0
    for i, char in enumerate(line):
        step = advance(size, char)
        if used + step > width and i > start:
            pieces.append(line[start:i])
            start, used = i, 0.0
        used += step
    return pieces, line[start:]


def _no_orphan(lines: list[str], size: int, width: float) -> list[str]:
    """Move one character down to a lone last character (社会效益指 / 标 → 社会效益 / 指标)."""
    if len(lines) < 2 or len(lines[-1]) != 1 or len(lines[-2]) < 3:
        return lines
    moved = lines[-2][-1]
    if moved in _NO_LINE_END or lines[-1] in _NO_LINE_START or moved.isspace() or moved.isascii():
        return lines
    if text_width(moved + lines[-1], size) > width:
        return lines
    return [*lines[:-2], lines[-2][:-1], moved + lines[-1]]
