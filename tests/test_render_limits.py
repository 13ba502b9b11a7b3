"""What the renderers refuse (bot/render/caps.py) and export file names (export_stem).

Time and memory of the largest tables within the limits are measured by
bench/export_bench.py, not here.
"""

from __future__ import annotations

import io

import pytest
from jixiao.bot.domain import limits
from jixiao.bot.domain.models import Filing, Indicator
from jixiao.bot.render import export_stem
from jixiao.bot.render.caps import TableTooLarge
from jixiao.bot.render.chat_table import render_chat
from jixiao.bot.render.png import Painter, render_png
from jixiao.bot.render.xlsx import write_xlsx

LEVELS = [("成本指标", "经济成本指标"), ("产出指标", "数量指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]


def table(count: int, name: str = "指标", value: str = "≥1.00(件)", **fields) -> Filing:
    indicators = [Indicator(level1=LEVELS[i % 4][0], level2=LEVELS[i % 4][1], name=f"{name}{i}", value=value) for i in range(count)]
    return Filing(year=2026, format="2026", project_name=fields.pop("project_name", "上限测试"), indicators=indicators, **fields)


def renderers(tmp_path):
    return {
        "chat": lambda f: render_chat(f, html=False),
        "xlsx": lambda f: write_xlsx(f, tmp_path / "t.xlsx"),
        "png": lambda f: render_png(f, io.BytesIO()),
    }


@pytest.mark.parametrize("kind", ["chat", "xlsx", "png"])
def test_too_many_indicators_is_refused_with_the_numbers(kind, tmp_path):
    with pytest.raises(TableTooLarge) as caught:
        renderers(tmp_path)[kind](table(limits.TABLE_INDICATORS + 1))
    assert caught.value.key == "table.too_many_indicators"
    assert caught.value.params == {"count": limits.TABLE_INDICATORS + 1, "limit": limits.TABLE_INDICATORS}
    assert caught.value.message() == str(caught.value)
    assert f"{limits.TABLE_INDICATORS + 1} 个指标" in str(caught.value) and str(limits.TABLE_INDICATORS) in str(caught.value)


@pytest.mark.parametrize("kind", ["chat", "xlsx", "png"])
def test_the_limit_itself_is_accepted(kind, tmp_path):
    renderers(tmp_path)[kind](table(limits.TABLE_INDICATORS))


@pytest.mark.parametrize(
    ("filing", "field", "limit"),
    [
        (table(3, project_name="名" * (limits.CELL_CHARS + 1)), "项目名称", limits.CELL_CHARS),
        (table(3, department="部" * (limits.CELL_CHARS + 1)), "主管部门", limits.CELL_CHARS),
        (table(3, goal="目" * (limits.TEXT_CHARS + 1)), "年度总体目标", limits.TEXT_CHARS),
        (table(3, overall_goal="总" * (limits.TEXT_CHARS + 1)), "项目总目标", limits.TEXT_CHARS),
        (table(3, name="长" * limits.CELL_CHARS), "第 1 个指标的三级指标", limits.CELL_CHARS),
        (table(3, value="值" * (limits.CELL_CHARS + 1)), "第 1 个指标的年度(/项目)指标值", limits.CELL_CHARS),
    ],
    ids=["project_name", "department", "goal", "overall_goal", "indicator_name", "value"],
)
def test_an_oversized_field_is_refused_and_named(filing, field, limit, tmp_path):
    for render in renderers(tmp_path).values():
        with pytest.raises(TableTooLarge) as caught:
            render(filing)
        assert caught.value.key == "table.field_too_long"
        assert caught.value.params["field"] == field and caught.value.params["limit"] == limit
        assert f"“{field}”" in caught.value.message(html=True)


def test_a_table_within_the_field_limits_but_too_tall_for_a_picture_is_refused_before_drawing(tmp_path):
    tall = table(limits.TABLE_INDICATORS, name="很" * (limits.CELL_CHARS - 5), value="值" * limits.CELL_CHARS)
    painter = Painter(tall)
    painter.measure()
    assert painter.width * painter.height > limits.PNG_PIXELS
    with pytest.raises(TableTooLarge) as caught:
        render_png(tall, tmp_path / "t.png")
    assert caught.value.key == "table.picture_too_large"
    assert caught.value.params["limit"] == limits.PNG_PIXELS // 1080
    assert not (tmp_path / "t.png").exists()
    write_xlsx(tall, tmp_path / "t.xlsx")  # the spreadsheet has no such limit: the message says to use it
    assert "xlsx" in caught.value.message()


def test_png_width_is_bounded():
    for width in (limits.PNG_WIDTH_MIN - 1, limits.PNG_WIDTH_MAX + 1):
        with pytest.raises(ValueError):
            render_png(table(3), io.BytesIO(), width=width)


def test_draft_limits_fit_inside_the_renderer_limits():
    """Whatever a draft may hold, every renderer accepts."""
    assert limits.DRAFT_INDICATORS <= limits.TABLE_INDICATORS
    assert max(limits.PROJECT_NAME_CHARS, limits.UNIT_CHARS, limits.INDICATOR_NAME_CHARS, limits.VALUE_CHARS) <= limits.CELL_CHARS
    assert limits.GOAL_CHARS <= limits.TEXT_CHARS


def test_the_largest_draft_renders_everywhere(tmp_path):
    draft = table(limits.DRAFT_INDICATORS, name="名" * (limits.INDICATOR_NAME_CHARS - 2), value="值" * limits.VALUE_CHARS,
                  project_name="项" * limits.PROJECT_NAME_CHARS, department="部" * limits.UNIT_CHARS,
                  goal="目" * limits.GOAL_CHARS, overall_goal="总" * limits.GOAL_CHARS)
    for render in renderers(tmp_path).values():
        render(draft)


# -- export file names ------------------------------------------------------------------


def stem(name: str, year: int = 2026) -> str:
    return export_stem(Filing(year=year, format="2026", project_name=name))


def test_export_stem_is_year_and_name():
    assert stem("工伤鉴定") == "2026-工伤鉴定"
    assert stem("村(居)委专职调解岗位工作津贴", 2024) == "2024-村(居)委专职调解岗位工作津贴"


def test_export_stem_has_no_character_an_os_refuses():
    assert stem('a/b\\c:d*e?f"g<h>i|j') == "2026-a_b_c_d_e_f_g_h_i_j"
    assert stem("恶意\u202egnp.exe\x00名\t称\n  尾 ") == "2026-恶意gnp.exe名 称 尾"
    assert stem("../../etc/passwd") == "2026-_.._etc_passwd"
    assert stem(" ... ") == "2026-财政项目支出绩效目标申报表"


def test_a_hundred_character_chinese_name_is_cut_to_the_byte_limit_at_a_character(tmp_path):
    name = "上海市松江区社会保障服务中心工伤鉴定" * 6  # 108 characters, 324 bytes
    result = stem(name[:100])
    assert len(result.encode("utf-8")) <= limits.FILE_NAME_BYTES
    assert name.startswith(result.removeprefix("2026-"))
    for suffix in (".xlsx", ".png"):
        (tmp_path / f"{result}{suffix}").write_bytes(b"x")  # no "File name too long"
    assert stem("鉴" * 100, 2026).encode("utf-8")[-3:] == "鉴".encode("utf-8")
