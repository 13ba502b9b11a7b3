"""Every view of a table lists its indicators in the framework's order (issue 12 item 1).

Each of the 26 seed tables, its indicators shuffled, is exported as .xlsx (read back), PNG
(the rows the painter lays out, top to bottom) and ``jixiao export --text``; each must
show every 一级 as one block in the framework's order, every 二级 as one block inside it in
the framework's order, and the entered order inside a 二级. The checks below say what the
order is from the framework data itself, not by calling the function under test.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from jixiao.bot.cli import app
from jixiao.bot.domain.frameworks import get_framework
from jixiao.bot.domain.models import Filing
from jixiao.bot.render.png import Painter
from jixiao.bot.render.xlsx import read_xlsx, write_xlsx
from jixiao.store.corpus import bundled_corpus
from typer.testing import CliRunner

CORPUS = bundled_corpus()
Row = tuple[str, str, str, str | None]  # 一级, 二级, 三级, 指标值


def shuffled(filing: Filing, seed: int) -> Filing:
    indicators = list(filing.indicators)
    random.Random(seed).shuffle(indicators)
    return filing.model_copy(update={"indicators": indicators})


def rows_of(filing: Filing) -> list[Row]:
    return [(i.level1, i.level2, i.name, i.value) for i in filing.indicators]


def blocks(values: list) -> list:
    """Consecutive runs collapsed: [a, a, b, a] -> [a, b, a]."""
    return [v for k, v in enumerate(values) if k == 0 or values[k - 1] != v]


def assert_framework_order(rows: list[Row], entered: list[Row], fmt: str) -> None:
    framework = get_framework(fmt)
    names1 = framework.level1_names
    assert Counter(rows) == Counter(entered)  # nothing lost, nothing added
    level1s = blocks([r[0] for r in rows])
    assert len(level1s) == len(set(level1s)), f"a 一级 printed twice: {level1s}"
    known = [names1.index(name) for name in level1s if name in names1]
    assert known == sorted(known) and level1s[: len(known)] == [names1[k] for k in known], level1s
    for level1 in level1s:
        inside = [r for r in rows if r[0] == level1]
        level2s = blocks([r[1] for r in inside])
        assert len(level2s) == len(set(level2s)), f"a 二级 printed twice under {level1}: {level2s}"
        if level1 in names1:
            children = [c.name for c in framework.level1(level1).children]
            ranks = []
            for name in level2s:
                found = framework.level2(name)
                ranks.append(children.index(found.name) if found and found.parent == level1 else len(children))
            assert ranks == sorted(ranks), (level1, level2s)
        for level2 in level2s:
            assert [r for r in inside if r[1] == level2] == [r for r in entered if r[:2] == (level1, level2)]


def png_rows(filing: Filing) -> list[Row]:
    """The indicator rows as the PNG lays them out, top to bottom, with the merged 一级/二级
    cell each one sits in."""
    painter = Painter(filing)
    painter.measure()
    assert painter.y == sorted(painter.y)
    level_at: dict[tuple[int, int], str] = {}
    for cell in painter.grid.cells:
        if cell.kind in ("level1", "level2"):
            for row in range(cell.row, cell.row + cell.rowspan):
                level_at[(cell.col, row)] = cell.text
    names = sorted((c for c in painter.grid.cells if c.kind == "name"), key=lambda c: painter.y[c.row])
    values = {c.row: c.text for c in painter.grid.cells if c.kind == "target"}
    return [(level_at[(1, c.row)], level_at[(2, c.row)], c.text, values[c.row]) for c in names]


def text_rows(output: str, filing: Filing) -> list[Row]:
    """The indicator lines of ``jixiao export --text`` with the headings above them."""
    values = {(i.name, i.value or "（未填）"): i.value for i in filing.indicators}
    rows, level1, level2 = [], None, None
    body = output.split("📊", 1)[1].split("\n")[1:]
    for line in body:
        if line.startswith("▌"):
            level1, level2 = line[1:], None
        elif line.startswith(("• ", "❗ ", "⚠️ ")):
            name, value = line.split(" ", 1)[1].rsplit("：", 1)
            rows.append((level1, level2, name, values[(name, value)]))
        elif line.startswith("🔎"):
            break
        elif line and not line.startswith(("↳", "（续）")):
            level2 = line
    return rows


@pytest.mark.parametrize("seed", range(len(CORPUS)), ids=[f.key for f in CORPUS])
def test_shuffled_seed_tables_export_in_framework_order(seed, tmp_path):
    original = CORPUS[seed]
    mixed = shuffled(original, seed)
    assert rows_of(mixed) != rows_of(original) or len(original.indicators) < 2
    entered = rows_of(mixed)

    back = read_xlsx(write_xlsx(mixed, tmp_path / "t.xlsx"))
    assert_framework_order(rows_of(back), entered, mixed.format)

    assert_framework_order(png_rows(mixed), entered, mixed.format)

    source = tmp_path / "f.json"
    source.write_text(json.dumps(mixed.to_json_dict(), ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["export", str(source), "--text"])
    assert result.exit_code == 0, result.output
    assert_framework_order(text_rows(result.output, mixed), entered, mixed.format)


@pytest.mark.parametrize("seed", range(len(CORPUS)), ids=[f.key for f in CORPUS])
def test_seed_tables_as_printed_keep_their_order_in_every_view(seed):
    """The seeds are printed in framework order (odd levels such as 资金使用合规性 under
    时效指标 included): no view moves anything."""
    filing = CORPUS[seed]
    assert png_rows(filing) == rows_of(filing)
    from jixiao.bot.render.chat_table import render_chat

    assert text_rows("\n".join(render_chat(filing, html=False)), filing) == rows_of(filing)
