"""The PNG of the form: size, not blank, real CJK glyphs (no tofu), findings marked."""

from __future__ import annotations

import io
import json

import pytest
from jixiao.bot.cli import app
from jixiao.bot.domain.models import Filing, Indicator
from jixiao.bot.domain.validation import validate
from jixiao.bot.paths import REPO_DIR
from jixiao.bot.render.png import BADGE, font_path, load_font, render_png, wrap
from jixiao.store.corpus import bundled_corpus
from PIL import Image, ImageChops, ImageDraw, ImageStat
from typer.testing import CliRunner

CORPUS = bundled_corpus()
NOT_IN_FONT = "\U000f0000"  # a private-use character: drawn as the font's .notdef box


def by_name(year: int, name: str) -> Filing:
    return next(f for f in CORPUS if f.year == year and f.project_name == name)


def glyph(char: str, size: int = 64) -> Image.Image:
    """``char`` drawn alone, black on white, the way render_png draws text."""
    image = Image.new("L", (size * 2, size * 2), 255)
    ImageDraw.Draw(image).text((size // 2, size // 2), char, font=load_font(size), fill=0)
    return image


def ink(image: Image.Image) -> int:
    return sum(image.histogram()[:128])  # dark pixels


# -- the font -------------------------------------------------------------------------


def test_font_ships_inside_an_installed_package():
    path = font_path()
    assert path.is_file() and path.suffix in (".otf", ".ttf", ".ttc")
    assert "site-packages" in path.parts or "dist-packages" in path.parts
    assert not str(path).startswith("/usr/share/fonts")
    assert load_font(20).getname()[0] == "Noto Sans SC"


def test_cjk_glyphs_are_drawn_not_tofu():
    gong, jian, notdef = glyph("工"), glyph("鉴"), glyph(NOT_IN_FONT)
    assert ink(gong) > 50 and ink(jian) > 50
    assert ImageChops.difference(gong, jian).getbbox() is not None
    assert ImageChops.difference(gong, notdef).getbbox() is not None
    assert ImageChops.difference(jian, notdef).getbbox() is not None
    assert ink(jian) > ink(gong)  # 鉴 has far more strokes than 工


def test_symbols_of_target_values_are_in_the_font():
    notdef = glyph(NOT_IN_FONT)
    for char in "≥≤（）：、％①":
        assert ImageChops.difference(glyph(char), notdef).getbbox() is not None, char


# -- the picture ----------------------------------------------------------------------


def test_2026_table_picture_has_the_size_and_is_not_blank(tmp_path):
    filing = by_name(2026, "工伤鉴定")
    path = tmp_path / "t.png"
    image = render_png(filing, path, validate(filing))
    with Image.open(path) as saved:
        assert saved.format == "PNG" and saved.size == image.size
    width, height = image.size
    assert width == 1080 and 1500 < height < 6000
    stat = ImageStat.Stat(image.convert("L"))
    assert stat.stddev[0] > 20  # not a blank page
    assert 180 < stat.mean[0] < 250  # mostly white paper with text and rules


def test_width_parameter_and_writing_to_a_file_object():
    buffer = io.BytesIO()
    image = render_png(by_name(2024, "医患纠纷办案补贴"), buffer, width=720)
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.size[0] == 720


def test_findings_are_marked_with_badges():
    filing = by_name(2024, "医患纠纷办案补贴")
    plain = render_png(filing, io.BytesIO())
    marked = render_png(filing, io.BytesIO(), validate(filing))

    def colours(image):
        return {rgb for _, rgb in image.convert("RGB").getcolors(1 << 20)}

    assert BADGE["error"] in colours(marked) and BADGE["warning"] in colours(marked)
    assert BADGE["error"] not in colours(plain)
    assert marked.size[1] > plain.size[1]  # the messages are listed under the table


def test_every_format_and_a_sixty_indicator_table_render():
    heights = []
    for fmt in ("2020", "2024", "2026"):
        filing = next(f for f in CORPUS if f.format == fmt)
        heights.append(render_png(filing, io.BytesIO(), validate(filing)).size[1])
    big = Filing(year=2024, format="2024", project_name="六十个指标 <b>&", indicators=[
        Indicator(level1="产出指标", level2="数量指标" if i < 30 else "质量指标", name=f"指标{i}" + "很长" * (i % 9), value=None if i % 7 == 0 else f"≥{i}.00(件)")
        for i in range(60)
    ])
    big_image = render_png(big, io.BytesIO(), validate(big))
    assert big_image.size[1] > max(heights)


# -- wrapping -------------------------------------------------------------------------


def test_wrap_fits_the_width_and_keeps_punctuation_off_line_starts():
    font = load_font(26)
    text = "确保工伤认定和劳动能力鉴定工作有序开展，相应的法律文书能够及时有效送达单位和职工。全年≥18000.00(件)"
    lines = wrap(text, font, 200)
    assert "".join(lines) == text
    assert all(font.getlength(line) <= 200 for line in lines)
    assert not any(line[0] in "，。）" for line in lines)
    assert wrap("项目资金（元）", font, 156) == ["项目资金", "（元）"]
    assert wrap("", font, 100) == [""]


# -- jixiao export --png ------------------------------------------------------------------


def test_export_png(tmp_path):
    source = tmp_path / "f.json"
    source.write_text(json.dumps(CORPUS[13].to_json_dict(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "t.png"
    result = CliRunner().invoke(app, ["export", str(source), "--png", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(out) as image:
        assert image.size[0] == 1080


@pytest.mark.parametrize("name", ["table-2024.png", "table-2026.png"])
def test_docs_screenshots_are_committed(name):
    with Image.open(REPO_DIR / "docs" / name) as image:
        assert image.size[0] == 1080


def test_overall_goal_is_drawn_beside_the_annual_goal():
    from jixiao.bot.render.png import Painter

    filing = by_name(2026, "工伤鉴定").model_copy(update={"overall_goal": "三年内建成鉴定全流程线上办理。"})
    painter = Painter(filing)
    painter.measure()
    drawn = {c.text: c for c in painter.grid.cells if c.kind in ("label", "text")}
    overall, annual = drawn["三年内建成鉴定全流程线上办理。"], drawn[filing.goal]
    assert overall.row == annual.row and overall.col < annual.col
    assert painter.lines(drawn["项目总目标"]) == ["项目总目标"]
    assert "".join(painter.lines(overall)) == "三年内建成鉴定全流程线上办理。"


def test_drawing_in_bands_leaves_no_seam(monkeypatch):
    from jixiao.bot.render import png

    filing = by_name(2026, "工伤鉴定")
    whole = render_png(filing, io.BytesIO(), validate(filing))
    monkeypatch.setattr(png, "BAND", 97)  # bands that cut through rows, text and badges
    banded = render_png(filing, io.BytesIO(), validate(filing))
    assert ImageChops.difference(whole.convert("RGB"), banded.convert("RGB")).getbbox() is None
