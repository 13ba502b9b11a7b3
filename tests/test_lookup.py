"""Look-ups: exact name first, then fuzzy; year over year; no match offers closest names."""

import json

from jixiao.bot.cli import app
from jixiao.bot.lookup import lookup, render_lookup
from jixiao.store.corpus import bundled_corpus
from typer.testing import CliRunner

CORPUS = bundled_corpus()
runner = CliRunner()


def test_exact_name_across_years_and_units():
    result = lookup(CORPUS, "残疾人就业保障金")
    assert [(f.year, f.department) for f in result.exact] == [(2020, "上海市司法鉴定中心"), (2024, "上海市宝山区司法局")]
    (step,) = result.history
    assert (step.before.year, step.after.year) == (2020, 2024)
    text = "\n".join(render_lookup(result, html=False))
    assert "上年预算额：28,019.00 元；上年预算执行数：28,019.00 元" in text
    assert "28,244.00 → 220,986.00 元 +682.4%" in text
    assert "新增：缴费比例" in text


def test_exact_ignores_spaces_and_full_width_brackets():
    result = lookup(CORPUS, " 上海市司法鉴定信息管理系统(运维) ")
    assert [f.project_name for f in result.exact] == ["上海市司法鉴定信息管理系统（运维）"]


def test_fuzzy_after_exact():
    result = lookup(CORPUS, "信息化运维")
    assert [f.project_name for f in result.exact] == ["信息化运维"]
    fuzzy = [f.project_name for f, _ in result.fuzzy]
    assert "信息化新建" in fuzzy and "信息化运维" not in fuzzy
    partial = lookup(CORPUS, "调解员")
    assert not partial.exact and {"专职调解员工作津贴", "人民调解员办案补贴"} <= {f.project_name for f, _ in partial.fuzzy}


def test_value_changes_between_years_of_one_project():
    from jixiao.bot.domain.models import Filing, Indicator

    a = Filing(year=2025, format="2024", project_name="业务培训", funding={"annual_request": 10000},
               indicators=[Indicator(level1="产出指标", level2="数量指标", name="培训场次", value="=2.00(场)"),
                           Indicator(level1="产出指标", level2="质量指标", name="立项依据的充分性", value="充分")])
    b = a.model_copy(update={"year": 2026, "funding": a.funding.model_copy(update={"annual_request": 12000}),
                             "indicators": [Indicator(level1="产出指标", level2="数量指标", name="培训场次", value="=3.00(场)"),
                                            Indicator(level1="产出指标", level2="质量指标", name="立项依据充分性", value="充分")]})
    (step,) = lookup([a, b], "业务培训").history
    assert [(c.name, c.before, c.after) for c in step.changes] == [("培训场次", "=2.00(场)", "=3.00(场)")]
    text = "\n".join(render_lookup(lookup([a, b], "业务培训"), html=False))
    assert "10,000.00 → 12,000.00 元 +20.0%，1 个指标有变化" in text and "培训场次：=2.00(场) → =3.00(场)" in text


def test_no_match_suggests_closest_names():
    result = lookup(CORPUS, "完全不存在的项目名称xyz")
    assert not result.found and len(result.suggestions) == 3
    assert "没有找到“完全不存在的项目名称xyz”" in render_lookup(result, html=False)[0]


def test_html_rendering_escapes_and_splits():
    from jixiao.bot.domain.models import Filing, Indicator

    big = Filing(year=2026, format="2026", project_name="<b>&项目", indicators=[
        Indicator(level1="产出指标", level2="数量指标", name=f"指标{i}<i>", value="≥1.00(件)") for i in range(300)])
    messages = render_lookup(lookup([big], "<b>&项目"), html=True)
    assert len(messages) > 1 and all(len(m) <= 4096 for m in messages)
    assert "&lt;b&gt;&amp;项目" in messages[0] and "<i>" not in "".join(messages)


def test_cli_lookup_text_json_and_exit_status(tmp_path):
    result = runner.invoke(app, ["lookup", "残疾人就业保障金", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0 and "逐年对比" in result.output
    data = json.loads(runner.invoke(app, ["lookup", "残疾人就业保障金", "--json", "--data-dir", str(tmp_path)]).output)
    assert [f["year"] for f in data["exact"]] == [2020, 2024] and data["history"][0]["money_to"] == 220986.0
    missing = runner.invoke(app, ["lookup", "完全不存在的项目名称xyz", "--data-dir", str(tmp_path)])
    assert missing.exit_code == 1 and "最接近的名称" in missing.output
