"""Look-ups: exact name first, then fuzzy; year over year only inside one unit; a short
answer first, details on request; no match offers the closest names."""

import json

import pytest
from jixiao.bot.cli import app
from jixiao.bot.domain.models import Filing, Funding, Indicator
from jixiao.bot.lookup import SHORT_LINES, lookup, parse_query, render_lookup
from jixiao.store.corpus import bundled_corpus
from typer.testing import CliRunner

CORPUS = bundled_corpus()
runner = CliRunner()


def filing(year: int, unit: str, money: float, values: dict[str, str], name: str = "业务培训", **fields) -> Filing:
    return Filing(year=year, format="2026" if year >= 2026 else "2024", project_name=name, department=unit,
                  funding=Funding(annual_request=money), **fields,
                  indicators=[Indicator(level1="产出指标", level2="数量指标", name=k, value=v) for k, v in values.items()])


# Two units file a project of the same name: 松江 three years running, 宝山 once at a tenth of the money.
SONGJIANG, BAOSHAN = "上海市松江区人力资源和社会保障局", "上海市宝山区司法局"
TWO_UNITS = [
    filing(2024, SONGJIANG, 10_000, {"培训场次": "=2.00(场)", "立项依据的充分性": "充分"}),
    filing(2025, BAOSHAN, 1_000, {"培训场次": "=9.00(场)"}),
    filing(2025, SONGJIANG, 12_000, {"培训场次": "=3.00(场)", "立项依据充分性": "充分"}),
    filing(2026, SONGJIANG, 12_000, {"培训场次": "=3.00(场)", "参训人数": "≥100.00(人)"}),
]


def text(result, **options) -> str:
    return "\n".join(render_lookup(result, html=False, **options))


def test_same_name_in_two_units_is_never_compared_year_over_year():
    result = lookup(CORPUS, "残疾人就业保障金")
    assert [(f.year, f.department) for f in result.exact] == [(2020, "上海市司法鉴定中心"), (2024, "上海市宝山区司法局")]
    assert result.history == [] and all(u.history == [] for u in result.units)
    assert [u.unit for u in result.units] == ["上海市宝山区司法局", "上海市司法鉴定中心"]  # the latest first
    short = text(result)
    assert "%" not in short and "→" not in short  # no "+682.4%" between two units
    assert "其他单位的同名项目" in short and "• 上海市司法鉴定中心：2020年" in short
    detail = text(result, detail=True)
    assert "上年预算额：28,019.00 元；上年预算执行数：28,019.00 元" in detail and "📈" not in detail


def test_year_over_year_within_one_unit_other_units_listed_apart():
    result = lookup(TWO_UNITS, "业务培训")
    assert [u.unit for u in result.units] == [SONGJIANG, BAOSHAN]  # the unit with the most years first
    assert [(s.before.year, s.after.year) for s in result.history] == [(2024, 2025), (2025, 2026)]
    assert {s.before.department for s in result.history} == {SONGJIANG}
    first, second = result.history
    assert [(c.name, c.before, c.after) for c in first.changes] == [("培训场次", "=2.00(场)", "=3.00(场)")]  # 的 ignored
    assert [(c.name, c.before, c.after) for c in second.changes] == [("立项依据充分性", "充分", None), ("参训人数", None, "≥100.00(人)")]
    short = text(result)
    assert "2024 → 2025：资金 10,000.00 → 12,000.00 元 +20.0%，1 个指标有变化" in short
    assert "2025 → 2026：资金 12,000.00 → 12,000.00 元 +0.0%，2 个指标有变化" in short
    assert "1,000.00" not in short and "-91.7%" not in short and "+1100.0%" not in short
    assert f"• {BAOSHAN}：2025年" in short
    detail = text(result, detail=True)
    assert "培训场次：=2.00(场) → =3.00(场)" in detail and "新增：参训人数" in detail and "不再使用：立项依据充分性" in detail
    assert detail.index(SONGJIANG) < detail.index("其他单位的同名项目") < detail.index(BAOSHAN)


def test_the_asking_users_unit_comes_first_and_is_the_one_compared():
    result = lookup(TWO_UNITS + [filing(2026, BAOSHAN, 1_500, {"培训场次": "=10.00(场)"})], "业务培训", unit="宝山区司法局")
    assert result.units[0].unit == BAOSHAN and result.units[0].own and not result.units[1].own
    assert [(s.before.year, s.after.year, s.before.department) for s in result.history] == [(2025, 2026, BAOSHAN)]
    short = text(result)
    assert f"📁 {BAOSHAN}（本单位）：2025、2026年" in short
    assert "1,000.00 → 1,500.00 元 +50.0%" in short and "10,000.00 →" not in short
    assert f"• {SONGJIANG}：2024、2025、2026年" in short
    # the implementing unit names the asker too
    by_centre = lookup([filing(2026, SONGJIANG, 5, {}, implementing_unit="上海市松江区社会保障服务中心"), TWO_UNITS[1]],
                       "业务培训", unit="上海市松江区社会保障服务中心")
    assert by_centre.units[0].own and by_centre.units[0].unit == SONGJIANG


def test_the_short_answer_fits_fifteen_lines_whatever_the_history():
    many = [filing(year, f"单位{u}", 1000 + year + u, {f"指标{i}": f"={year + i}.00(件)" for i in range(30)})
            for u in range(12) for year in range(2015, 2027)]
    many += [filing(2026, "单位0", 5, {}, name=f"业务培训{k}") for k in range(9)]
    for result in (lookup(many, "业务培训"), *(lookup(CORPUS, f.project_name) for f in CORPUS)):
        messages = render_lookup(result, html=True)
        assert len(messages) == 1
        assert len(messages[0].split("\n")) <= SHORT_LINES, messages[0]
    short = text(lookup(many, "业务培训"))
    assert "另有 8 个单位" in short and "2025 → 2026" in short and "2015 → 2016" not in short


def test_exact_ignores_spaces_and_full_width_brackets():
    result = lookup(CORPUS, " 上海市司法鉴定信息管理系统(运维) ")
    assert [f.project_name for f in result.exact] == ["上海市司法鉴定信息管理系统（运维）"]


def test_fuzzy_after_exact():
    result = lookup(CORPUS, "信息化运维")
    assert [f.project_name for f in result.exact] == ["信息化运维"]
    fuzzy = [f.project_name for f, _ in result.fuzzy]
    assert "信息化新建" in fuzzy and "信息化运维" not in fuzzy
    assert "🔤 名称相近：" in text(result) and "信息化新建（2020）" in text(result)
    partial = lookup(CORPUS, "调解员")
    assert not partial.exact and {"专职调解员工作津贴", "人民调解员办案补贴"} <= {f.project_name for f, _ in partial.fuzzy}
    assert "没有同名项目" in text(partial)


def test_no_match_suggests_closest_names():
    result = lookup(CORPUS, "完全不存在的项目名称xyz")
    assert not result.found and len(result.suggestions) == 3
    assert "没有找到“完全不存在的项目名称xyz”" in render_lookup(result, html=False)[0]


def test_html_rendering_escapes_and_the_detail_splits():
    big = Filing(year=2026, format="2026", project_name="<b>&项目", department="<i>单位</i>", indicators=[
        Indicator(level1="产出指标", level2="数量指标", name=f"指标{i}<i>", value="≥1.00(件)") for i in range(300)])
    short = render_lookup(lookup([big], "<b>&项目"), html=True)
    assert len(short) == 1 and "&lt;b&gt;&amp;项目" in short[0] and "&lt;i&gt;单位" in short[0]
    messages = render_lookup(lookup([big], "<b>&项目"), html=True, detail=True)
    assert len(messages) > 1 and all(len(m.encode("utf-16-le")) // 2 <= 4096 for m in messages)
    assert "&lt;b&gt;&amp;项目" in messages[0] and "指标0&lt;i&gt;" in messages[0] and "<i>：" not in "".join(messages)
    assert "".join(messages).count("指标") >= 300


@pytest.mark.parametrize(("typed", "expected"), [
    ("残疾人就业保障金 详细", ("残疾人就业保障金", True)),
    (" 残疾人就业保障金  ", ("残疾人就业保障金", False)),
    ("信息化 运维 detail", ("信息化 运维", True)),
    ("详细", ("详细", False)),
])
def test_parse_query_reads_a_trailing_detail_word(typed, expected):
    assert parse_query(typed) == expected


def test_cli_lookup_text_json_and_exit_status(tmp_path):
    result = runner.invoke(app, ["lookup", "残疾人就业保障金", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0 and "其他单位的同名项目" in result.output and "--detail" in result.output
    assert len(result.output.strip().split("\n")) <= SHORT_LINES
    detail = runner.invoke(app, ["lookup", "残疾人就业保障金", "--detail", "--data-dir", str(tmp_path)])
    assert "缴费比例：=1.50(%)" in detail.output
    data = json.loads(runner.invoke(app, ["lookup", "残疾人就业保障金", "--json", "--data-dir", str(tmp_path)]).output)
    assert {"exact", "fuzzy", "suggestions", "history"} <= set(data)
    assert [f["year"] for f in data["exact"]] == [2020, 2024] and data["history"] == []
    assert [(u["unit"], u["years"], u["own"]) for u in data["units"]] == [("上海市宝山区司法局", [2024], False), ("上海市司法鉴定中心", [2020], False)]
    missing = runner.invoke(app, ["lookup", "完全不存在的项目名称xyz", "--data-dir", str(tmp_path)])
    assert missing.exit_code == 1 and "最接近的名称" in missing.output


def test_cli_lookup_unit_puts_that_units_history_first(tmp_path):
    corpus = tmp_path / "corpus.json"
    corpus.write_text(json.dumps([f.to_json_dict() for f in TWO_UNITS], ensure_ascii=False), encoding="utf-8")
    data = json.loads(runner.invoke(app, ["lookup", "业务培训", "--corpus", str(corpus), "--json", "--unit", BAOSHAN]).output)
    assert data["unit"] == BAOSHAN and data["units"][0] == {"unit": BAOSHAN, "own": True, "years": [2025], "history": []}
    assert data["history"] == [] and [s["from"] for s in data["units"][1]["history"]] == [2024, 2025]
    assert data["units"][1]["history"][0]["money_to"] == 12000.0
