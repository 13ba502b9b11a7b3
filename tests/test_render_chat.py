"""The table as chat messages: content, findings, escaping and splitting."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jixiao.bot.domain.models import Filing, Indicator
from jixiao.bot.domain.validation import validate
from jixiao.bot.render.chat_table import TELEGRAM_LIMIT, length, render_chat
from jixiao.bot.texts import all_messages
from jixiao.store.corpus import bundled_corpus

REPO = Path(__file__).resolve().parent.parent
ALLOWED_TAGS = {"b", "i", "u", "s", "code", "pre", "a", "blockquote"}


@pytest.fixture(scope="module")
def corpus() -> list[Filing]:
    return bundled_corpus()


def by_name(corpus, year: int, name: str) -> Filing:
    return next(f for f in corpus if f.year == year and f.project_name == name)


class TagChecker(HTMLParser):
    """Fails on a tag Telegram does not accept or on tags that do not balance."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        assert tag in ALLOWED_TAGS, tag
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, tag

    def handle_data(self, data):
        self.text += data


def visible_text(message: str) -> str:
    checker = TagChecker()
    checker.feed(message)
    checker.close()
    assert checker.stack == []
    return checker.text


def big_filing(count: int = 60, name_len: int = 40, level1s: int = 3) -> Filing:
    indicators = [
        Indicator(
            level1=f"一级{i % level1s}",
            level2=f"二级{i % 6}",
            name=f"指标{i:02d}" + "长" * name_len,
            value=f"≥{i}.00(件)",
        )
        for i in range(count)
    ]
    indicators.sort(key=lambda ind: (ind.level1, ind.level2))
    return Filing(year=2026, format="2026", project_name="大表", indicators=indicators)


# -- content --------------------------------------------------------------------------


def test_every_seed_filing_renders_within_the_limit(corpus):
    for filing in corpus:
        for html in (True, False):
            messages = render_chat(filing, validate(filing), html=html)
            assert messages and all(0 < length(m) <= TELEGRAM_LIMIT for m in messages)
            if html:
                for message in messages:
                    visible_text(message)


def test_2026_table_reads_header_money_goal_and_grouped_lines(corpus):
    filing = by_name(corpus, 2026, "工伤鉴定")
    text = "\n".join(render_chat(filing, html=False))
    for expected in (
        "📋 工伤鉴定",
        "财政项目支出绩效目标申报表（2026年度）",
        "主管部门：上海市松江区人力资源和社会保障局",
        "实施单位：上海市松江区社会保障服务中心",
        "项目性质：其他经常性项目",
        "计划开始日期：2026-01-01",
        "年度资金申请总额：711,000.00",
        "其中：当年财政拨款：711,000.00",
        "年度总体目标",
        "全年案件文书寄送量在18000件左右",
        "• 每份文书邮寄成本：≤15.00(元)",
    ):
        assert expected in text
    order = [text.index(s) for s in ("▌成本指标", "经济成本指标", "▌产出指标", "数量指标", "质量指标", "▌效益指标", "▌满意度指标")]
    assert order == sorted(order)


def test_2020_table_shows_last_years_figures(corpus):
    filing = by_name(corpus, 2020, "审判执行业务费")
    text = "\n".join(render_chat(filing, html=False))
    assert "财政项目支出绩效目标表（2020年度）" in text
    assert "申报单位名称：上海市第一中级人民法院" in text
    assert "同名项目上年预算额（元）：19,517,720.00" in text
    assert "同名项目上年预算执行数（元）：19,517,720.00" in text
    assert "是否含有政府购买服务：是" in text
    assert "2020年绩效目标" in text
    assert "• 全年累计收案数量：>=30000件" in text


def test_2024_money_lines_skip_blanks(corpus):
    filing = by_name(corpus, 2024, "医患纠纷办案补贴")
    text = "\n".join(render_chat(filing, html=False))
    assert "项目资金总额：81,200.00" in text
    assert "上年结转资金" not in text  # blank on the form


def test_empty_value_has_a_visible_placeholder_and_a_marked_finding(corpus):
    filing = by_name(corpus, 2024, "医患纠纷办案补贴")
    lines = "\n".join(render_chat(filing, validate(filing), html=False)).split("\n")
    at = lines.index("❗ 补贴与政策一致性：（未填）")
    assert lines[at + 1].startswith("↳ ") and "没有填写指标值" in lines[at + 1]
    # the table-level finding sits in the findings section at the end
    end = lines.index("🔎 审核提示")
    assert any("时效指标" in line and line.startswith("⚠️") for line in lines[end:])


def test_finding_goes_to_the_same_named_indicator_whose_value_it_quotes(corpus):
    filing = by_name(corpus, 2026, "工伤鉴定")
    filing = filing.model_copy(update={"indicators": [*filing.indicators[:-2],
        Indicator(level1="满意度指标", level2="服务对象满意度指标", name="群众满意度", value="≥90.00(%)"),
        Indicator(level1="满意度指标", level2="服务对象满意度指标", name="群众满意度", value="≥50.00(%)")]})
    lines = "\n".join(render_chat(filing, validate(filing), html=False)).split("\n")
    low = lines.index("⚠️ 群众满意度：≥50.00(%)")
    assert "50" in lines[low + 1] and lines[low + 1].startswith("↳")


def test_no_findings_no_marks(corpus):
    filing = by_name(corpus, 2026, "工伤鉴定")
    text = "\n".join(render_chat(filing))
    assert "❗" not in text and "⚠️" not in text and "审核提示" not in text


def test_no_indicators_says_so():
    filing = Filing(year=2026, format="2026", project_name="空表")
    text = "\n".join(render_chat(filing, html=False))
    assert "还没有绩效指标" in text
    assert "（未填）" in text  # no money, no goal


# -- escaping -------------------------------------------------------------------------


def test_user_text_is_escaped_in_html_and_raw_in_plain():
    nasty = '<b>&amp;"x"</b>'
    filing = Filing(
        year=2024, format="2024", project_name=f"项目{nasty}", department="<i>部门</i>", goal="目标 <a href='x'>&",
        indicators=[Indicator(level1="产出指标", level2="<u>数量指标</u>", name=f"名{nasty}", value="<=5 & >1")],
    )
    html_text = "\n\n".join(render_chat(filing))
    assert "<b>项目&lt;b&gt;&amp;amp;\"x\"&lt;/b&gt;</b>" in html_text
    assert "&lt;i&gt;部门&lt;/i&gt;" in html_text
    assert "名&lt;b&gt;" in html_text and "&lt;=5 &amp; &gt;1" in html_text
    assert "<a" not in html_text and "<u>" not in html_text
    visible = visible_text(html_text)
    assert nasty in visible and "<=5 & >1" in visible
    plain = "\n".join(render_chat(filing, html=False))
    assert f"项目{nasty}" in plain and "• 名" in plain and "<=5 & >1" in plain


# -- splitting ------------------------------------------------------------------------


def indicator_lines(messages: list[str]) -> list[str]:
    return [line for m in messages for line in m.split("\n") if line.startswith("• ")]


def test_sixty_indicators_split_at_group_boundaries():
    filing = big_filing(60, name_len=60)
    messages = render_chat(filing)
    assert len(messages) > 1
    assert all(length(m) <= TELEGRAM_LIMIT for m in messages)
    # every indicator line whole, once, in order
    expected = [f"• {ind.name}：{ind.value}" for ind in filing.indicators]
    assert indicator_lines(messages) == expected
    # each continuation message starts with the project and then a 一级 heading
    for message in messages[1:]:
        lines = message.split("\n")
        assert "（续）大表" in lines[0]
        assert lines[2].startswith("▌")
    for message in messages:
        visible_text(message)


def test_a_group_longer_than_the_limit_splits_between_lines_with_its_heading_repeated():
    filing = big_filing(60, name_len=60, level1s=1)
    messages = render_chat(filing, html=False, limit=1500)
    assert len(messages) > 3
    assert all(length(m) <= 1500 for m in messages)
    expected = [f"• {ind.name}：{ind.value}" for ind in filing.indicators]
    assert indicator_lines(messages) == expected
    for message in messages[1:]:
        lines = message.split("\n")
        assert lines[2] == "▌一级0" and lines[3].startswith("二级")  # both headings repeated
    for message in messages:
        last = message.split("\n")[-1]
        assert last.startswith("• ")  # no heading left alone at the bottom


def test_small_limit_blocks_never_cut_mid_line(corpus):
    for filing in corpus[:5] + corpus[-5:]:
        full = render_chat(filing, validate(filing), limit=100_000)
        assert len(full) == 1
        whole_lines = set(full[0].split("\n"))
        for message in render_chat(filing, validate(filing), limit=700):
            assert length(message) <= 700
            for line in message.split("\n"):
                assert line in whole_lines or "（续）" in line


def test_an_overlong_goal_is_cut_without_breaking_entities():
    goal = ("保障&改善<民生>，" * 500)  # 5,000 characters: the renderer limit (limits.TEXT_CHARS)
    filing = Filing(year=2024, format="2024", project_name="长目标", goal=goal)
    messages = render_chat(filing)
    assert len(messages) >= 3
    assert all(length(m) <= TELEGRAM_LIMIT for m in messages)
    text = "".join(visible_text(m) for m in messages)
    assert text.count("保障&改善<民生>") == 500
    for message in messages:
        assert not re.search(r"&[a-z]*$", message.split("\n")[-1])


# -- the prompts ----------------------------------------------------------------------


def test_table_prompt_keys_are_all_used_and_all_exist():
    defined = {key for key in all_messages() if key.startswith("table.")}
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "bot").rglob("*.py"))
    used = set(re.findall(r"render_(?:html|plain)\(\s*\"(table\.[a-z0-9_.]+)\"", source))
    used |= set(re.findall(r"\brender\(\s*\"(table\.[a-z0-9_.]+)\"", source))
    used |= set(re.findall(r"\bTableTooLarge\(\s*\"(table\.[a-z0-9_.]+)\"", source))
    assert used - defined == set()
    assert defined - used == set()


# -- 项目总目标 and multi-year projects --------------------------------------------------


def test_overall_goal_is_shown_before_the_annual_goal_when_present(corpus):
    filing = by_name(corpus, 2026, "工伤鉴定")
    without = "\n".join(render_chat(filing, html=False))
    assert "项目总目标" not in without
    staged = filing.model_copy(update={
        "overall_goal": "三年内建成鉴定全流程线上办理。", "start": filing.start.replace(year=2025),
        "funding": filing.funding.model_copy(update={"total": 2_133_000.0})})
    lines = "\n".join(render_chat(staged, html=False)).split("\n")
    at = lines.index("🎯 项目总目标")
    assert lines[at + 1] == "三年内建成鉴定全流程线上办理。"
    assert lines.index("🎯 年度总体目标") > at
    # the project total over all years and this year's request, printed as they are
    assert "项目资金总额：2,133,000.00" in lines and "年度资金申请总额：711,000.00" in lines


def test_2024_overall_goal_label_carries_the_period():
    filing = Filing(year=2024, format="2024", project_name="三年项目", overall_goal="总目标文字",
                    start=date(2024, 1, 1), end=date(2026, 12, 31))
    assert "🎯 项目总目标（2024年-2026年）" in "\n".join(render_chat(filing, html=False))
