"""The target-value grammar (bot/domain/values.py): parsing, printing, errors, seeds."""

from __future__ import annotations

import datetime
import json
import pickle
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jixiao.bot.domain import values
from jixiao.bot.domain.values import (
    Deadline,
    Periodic,
    Qualitative,
    Quantity,
    Trend,
    ValueParseError,
    canonical,
    format_value,
    is_value,
    known_units,
    parse_value,
    resolve_unit,
    unit_kind_of,
)

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
DATA = Path(values.__file__).parent / "data"
WORDS = json.loads((DATA / "qualitative.json").read_text(encoding="utf-8"))


def q(op, number, unit=None, ascii_op=False) -> Quantity:
    return Quantity(op, Decimal(number), unit, ascii_op)


def error_of(text) -> ValueParseError:
    with pytest.raises(ValueParseError) as caught:
        parse_value(text)
    return caught.value


# -- every value in the five seed files ------------------------------------------------
# Read off the files by hand (and cross-checked by test_seed_scan_finds_exactly_these).
SEED_2020_QUANTITIES = [
    "=100%", "=1.5%", "=4人", ">99%", "=0", "<=60个", "<=300人次", ">90%", ">=90%",
    "<=5%", ">=30000件", ">=98%", "=0%", ">=80%", ">=99%", ">=75%", "=0次", "<=24小时",
    "<=2%", "=2500本", "≥15次", "≥4",
]
SEED_BRACKETED_QUANTITIES = [  # 2024 Baoshan, 2026 Songjiang
    "≤490.00(人)", "≥85.00(%)", "≤ 37.00 (人)", "≥ 85.00 (%)", "≥1000.00(件)",
    "=721.00(平方米)", "≤ 30.00(人)", "=3.00(人)", "=100.00(%)", "≥ 85.00(%)", "=1.50(%)",
    "≤1000.00(人)", "≤15.31(万元)", "≤15.00(人)", "≤15.00(元)", "≤1194.00(元)",
    "≥18000.00(件)", "≥3300.00(件)", "≥25.00(人次)", "≤3.00(次)", "≥95.00(%)",
    "≥90.00(%)", "≤40.00(元)", "=3.00(场)", "≥100.00(人)", "≥80.00(%)", "≤0.21(元)",
    "≤1327500.00(页)", "≤192430.00(元)", "≤1496.25(元)", "≥12.00(次)", "=4.00(次)",
    "=0.00(次)", "=0.00(%)",
]
SEED_WORDS = [
    "合理", "健全", "合规", "及时", "保障", "促进", "完善", "提升", "有效", "持续推进",
    "规范", "完备", "明确", "稳定", "建立", "完整", "充分", "科学", "分离", "良好", "一致",
    "提高", "无差错", "按照政策标准执行", "按照合同约定及时支付", "符合国家相关规定",
    "符合要求", "零失误", "建立健全", "与市场价格相符", "及时掌握", "满意", "缩短", "维护",
    "清晰", "便捷", "定期",
]
SEED_OTHER = {
    "12月31日前": Deadline("12月31日前", None, 12, 31),
    "2026年12月底前": Deadline("2026年12月底前", 2026, 12, None),
    "同比下降": Trend("同比下降", "down"),
    "同比上升": Trend("同比上升", "up"),
}
SEED_VALUES = [*SEED_2020_QUANTITIES, *SEED_BRACKETED_QUANTITIES, *SEED_WORDS, *SEED_OTHER]
# The third Putuo table is cut off at the right edge: these cells are not real values.
PUTUO_TRUNCATED = {">9", "=10", "≥9", "规", "有", "合", "健", "可", "完", "良", "及", "充"}
# Drifting columns put a name in the value position where the value cell is empty.
DRIFTED_NAMES = {"成本合理性", "补贴与政策一致性", "经济效益指标"}


def scan_seed_value_cells() -> set[str]:
    """The last cell of each indicator row (tab- or space-separated) in every seed file."""
    cells: set[str] = set()
    for path in sorted(SEEDS.glob("*.txt")):
        inside = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"[一三]级(目标|指标)", line):
                inside = True
            elif "财政项目支出" in line:
                inside = False
            elif inside:
                row = line.split("\t") if "\t" in line else line.split()
                row = [cell.strip() for cell in row if cell.strip()]
                if len(row) >= 2:
                    cells.add(row[-1])
    return cells


def test_seed_scan_finds_exactly_these():
    assert scan_seed_value_cells() == set(SEED_VALUES) | PUTUO_TRUNCATED | DRIFTED_NAMES


@pytest.mark.parametrize("text", SEED_VALUES)
def test_every_seed_value_parses_and_prints_stably(text):
    value = parse_value(text)
    for style in values.STYLES:
        printed = format_value(value, style)
        assert parse_value(printed) == value
        assert canonical(printed, style) == printed


@pytest.mark.parametrize("text", SEED_2020_QUANTITIES)
def test_2020_seed_quantities_print_compact_as_written(text):
    value = parse_value(text)
    assert isinstance(value, Quantity)
    assert format_value(value, "compact") == text


@pytest.mark.parametrize("text", SEED_BRACKETED_QUANTITIES)
def test_2024_2026_seed_quantities_print_bracketed_as_written(text):
    value = parse_value(text)
    assert isinstance(value, Quantity)
    assert format_value(value, "bracketed") == text.replace(" ", "")


@pytest.mark.parametrize("text", SEED_WORDS)
def test_seed_words_are_qualitative(text):
    assert parse_value(text) == Qualitative(text)


@pytest.mark.parametrize("text, expected", SEED_OTHER.items())
def test_seed_trends_and_deadlines(text, expected):
    assert parse_value(text) == expected


@pytest.mark.parametrize("text", sorted(DRIFTED_NAMES | (PUTUO_TRUNCATED - {">9", "=10", "≥9"})))
def test_seed_cells_that_are_not_values_are_rejected(text):
    assert not is_value(text)


def test_specific_seed_values():
    assert parse_value("≤ 37.00 (人)") == q("≤", "37", "人")
    assert parse_value("=721.00(平方米)") == q("=", "721", "平方米")
    assert parse_value("≤1496.25(元)") == q("≤", "1496.25", "元")
    assert parse_value(">=30000件") == q("≥", "30000", "件")
    assert parse_value(">=30000件").ascii_op is True
    assert parse_value("≥15次").ascii_op is False
    assert parse_value("=0") == q("=", "0")
    assert parse_value("≥4") == q("≥", "4")
    assert parse_value("=1.5%") == q("=", "1.5", "%")


# -- operators -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, op",
    [
        ("=85%", "="), ("≥85%", "≥"), (">=85%", "≥"), ("≤85%", "≤"), ("<=85%", "≤"),
        (">85%", ">"), ("<85%", "<"), ("=>85%", "≥"), ("=<85%", "≤"),
        ("≧85%", "≥"), ("≦85%", "≤"),
    ],
)
def test_operator_symbols(text, op):
    assert parse_value(text) == q(op, "85", "%")


@pytest.mark.parametrize("word, op", WORDS["operators"]["prefix"].items())
def test_every_operator_word_before_the_number(word, op):
    assert parse_value(f"{word}85%") == q(op, "85", "%")
    assert parse_value(f"{word} 30 人次") == q(op, "30", "人次")


@pytest.mark.parametrize(
    "word, op",
    [("大于等于", "≥"), ("不低于", "≥"), ("不少于", "≥"), ("至少", "≥"), ("达到", "≥"),
     ("小于等于", "≤"), ("不超过", "≤"), ("不高于", "≤"), ("不多于", "≤"), ("至多", "≤"),
     ("大于", ">"), ("高于", ">"), ("超过", ">"), ("多于", ">"),
     ("小于", "<"), ("低于", "<"), ("少于", "<"), ("等于", "="), ("为", "=")],
)
def test_operator_words_required_by_the_brief(word, op):
    assert WORDS["operators"]["prefix"][word] == op
    assert parse_value(f"{word}90%") == q(op, "90", "%")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("95%以上", q("≥", "95", "%")),
        ("95%及以上", q("≥", "95", "%")),
        ("5%以下", q("≤", "5", "%")),
        ("5人及以下", q("≤", "5", "人")),
        ("24小时以内", q("≤", "24", "小时")),
        ("3个工作日内", q("≤", "3", "工作日")),
        ("≥95%以上", q("≥", "95", "%")),  # redundant but consistent
        ("控制在5%以内", q("≤", "5", "%")),
        ("85(%)以上", q("≥", "85", "%")),
    ],
)
def test_operator_words_after_the_number(text, expected):
    assert parse_value(text) == expected


def test_contradictory_operators_are_rejected():
    err = error_of("≤5%以上")
    assert "矛盾" in err.reason


@pytest.mark.parametrize("text", ["==100%", "==85%", "≥=85%", ">==90%", "≤≤5人"])
def test_an_operator_written_twice_is_refused(text):
    assert "运算符写重了" in error_of(text).reason


def test_no_operator_reads_as_equals_and_prints_it():
    # 普陀 2026: 985米; 湘潭 2023: 10辆 — read as "=", the Quantity remembers it was implied
    value = parse_value("985米")
    assert value == q("=", "985", "米") and value.op_implied
    assert not parse_value("=985米").op_implied
    assert format_value(value, "bracketed") == "=985.00(米)"
    assert format_value(parse_value("85%"), "compact") == "=85%"
    assert parse_value("-5") == q(None, "-5") == q("=", "-5")


# -- numbers and full-width input --------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("≥1,000件", q("≥", "1000", "件")),
        ("=1,327,500.00(页)", q("=", "1327500", "页")),
        ("≥85.5%", q("≥", "85.5", "%")),
        ("≤1327500.00(页)", q("≤", "1327500", "页")),
        ("=-5人", q("=", "-5", "人")),
        ("-5", q(None, "-5")),
        ("=0.5", q("=", "0.5")),
        ("=.5%", q("=", "0.5", "%")),
    ],
)
def test_numbers(text, expected):
    assert parse_value(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("≥８５％", q("≥", "85", "%")),
        ("＝１００％", q("=", "100", "%")),
        ("≥85.00（%）", q("≥", "85", "%")),
        ("≤３７．００（人）", q("≤", "37", "人")),
        ("＞＝30000件", q("≥", "30000", "件")),
        ("≥ 25.00 （人次）", q("≥", "25", "人次")),
        ("\u3000≥85%\t", q("≥", "85", "%")),
        ("≥8\u200b5%", q("≥", "85", "%")),
        ("“≥85%”", q("≥", "85", "%")),
        ("及时。", Qualitative("及时")),
    ],
)
def test_full_width_and_white_space(text, expected):
    assert parse_value(text) == expected


def test_full_width_ascii_operator_keeps_compact_spelling():
    assert canonical("＜＝60个", "compact") == "<=60个"


# -- units -------------------------------------------------------------------------
@pytest.mark.parametrize("unit", list(known_units()))
def test_every_unit_in_the_data_parses(unit):
    assert parse_value(f"≥12{unit}").unit == unit
    assert parse_value(f"≥12.00({unit})").unit == unit


@pytest.mark.parametrize(
    "unit", ["%", "人", "人次", "件", "次", "场", "页", "本", "个", "元", "万元", "平方米",
             "小时", "天", "日", "个月", "月", "年", "户", "家", "台", "套", "项", "篇", "期",
             "批", "份", "册", "张", "分", "分钟", "工作日", "学时", "课时", "公里", "米", "吨",
             "辆", "条", "所", "座"],
)
def test_units_required_by_the_brief(unit):
    assert unit in known_units()


@pytest.mark.parametrize(
    "spelling, unit",
    [("％", "%"), ("(人)", "人"), ("（人次）", "人次"), ("元/次", "元/次"), ("元/人", "元/人"),
     ("人次/月", "人次/月"), ("元每次", "元/次"), ("个工作日", "工作日"), ("平米", "平方米"),
     ("㎡", "平方米"), ("KM", "公里"), ("公斤", "千克")],
)
def test_unit_aliases(spelling, unit):
    assert parse_value(f"≤15{spelling}").unit == unit


@pytest.mark.parametrize(
    "text, kind",
    [("≥85%", "percent"), ("≤490人", "count"), ("=3场", "count"), ("≤15.31(万元)", "money"),
     ("≤24小时", "time"), ("=721平方米", "area"), ("≥90分", "other"), ("≥4", None)],
)
def test_unit_kind(text, kind):
    assert parse_value(text).unit_kind == kind


def test_unit_helpers():
    assert resolve_unit("％") == "%"
    assert resolve_unit("元/次") == "元/次"
    assert resolve_unit("斤斤") is None
    assert unit_kind_of("人次") == "count"
    assert unit_kind_of("斤斤") is None
    assert unit_kind_of(None) is None


def test_unknown_unit_is_named_in_the_error():
    err = error_of("≥5斤斤")
    assert err.reason == "无法识别的单位“斤斤”"
    assert "斤斤" in str(err)
    assert "≥5斤斤" in str(err)


def test_unknown_unit_in_brackets():
    assert error_of("≥85.00(斤)").reason == "无法识别的单位“斤”"


def test_unknown_per_unit():
    assert error_of("≤15元/斤").reason == "无法识别的单位“元/斤”"


# -- canonical printing ----------------------------------------------------------------
@pytest.mark.parametrize(
    "text, compact, bracketed",
    [
        ("≥85%", "≥85%", "≥85.00(%)"),
        ("≥85.00(%)", "≥85%", "≥85.00(%)"),
        ("=100%", "=100%", "=100.00(%)"),
        ("=1.5%", "=1.5%", "=1.50(%)"),
        ("=0", "=0", "=0.00"),
        ("≥4", "≥4", "≥4.00"),
        (">=30000件", ">=30000件", "≥30000.00(件)"),
        ("<=60个", "<=60个", "≤60.00(个)"),
        ("≤490.00(人)", "≤490人", "≤490.00(人)"),
        ("≤1327500.00(页)", "≤1327500页", "≤1327500.00(页)"),
        ("不低于 85%", "≥85%", "≥85.00(%)"),
        ("≤0.215(元)", "≤0.215元", "≤0.215(元)"),  # more than two decimals: kept, not rounded
        ("=1.2345%", "=1.2345%", "=1.2345(%)"),
        ("=1.500%", "=1.5%", "=1.50(%)"),
        ("=-3人", "=-3人", "=-3.00(人)"),
        ("及时", "及时", "及时"),
        ("年底前", "12月底前", "12月底前"),
        ("每季", "每季度", "每季度"),
    ],
)
def test_canonical_print(text, compact, bracketed):
    assert canonical(text, "compact") == compact
    assert canonical(text, "bracketed") == bracketed


def test_unknown_style_is_a_programming_error():
    with pytest.raises(ValueError):
        format_value(q("=", "1"), "fancy")
    with pytest.raises(TypeError):
        format_value("≥85%", "compact")


def test_quantity_coerces_its_number_and_checks_its_operator():
    assert Quantity("≥", 85, "%") == q("≥", "85", "%")
    assert Quantity("≥", 85, "%").number == Decimal(85)
    with pytest.raises(ValueError):
        Quantity(">>", Decimal(1), None)


def test_ascii_op_is_not_part_of_equality():
    assert q("≥", "85", "%", ascii_op=True) == q("≥", "85", "%")
    assert hash(q("≥", "85", "%", ascii_op=True)) == hash(q("≥", "85", "%"))


UNITS = [None, *known_units()]
quantities = st.builds(
    Quantity,
    op=st.sampled_from([None, *values.OPERATORS]),
    number=st.integers(0, 6).flatmap(
        lambda places: st.decimals(
            min_value=Decimal("-1e9"), max_value=Decimal("1e12"),
            allow_nan=False, allow_infinity=False, places=places,
        )
    ),
    unit=st.sampled_from(UNITS),
    ascii_op=st.booleans(),
)


@given(quantities, st.sampled_from(values.STYLES))
def test_round_trip_of_generated_quantities(value, style):
    printed = format_value(value, style)
    back = parse_value(printed)
    assert back == value
    assert format_value(back, style) == printed


# -- qualitative -------------------------------------------------------------------------
@pytest.mark.parametrize("word", WORDS["vocabulary"])
def test_every_vocabulary_word_is_qualitative(word):
    assert parse_value(word) == Qualitative(word)


@pytest.mark.parametrize(
    "text",
    ["按照合同约定及时支付", "与市场价格相符", "符合国家相关规定", "及时掌握", "进一步完善",
     "有所提升", "规范、合规", "显著提高"],
)
def test_short_phrases_with_a_vocabulary_word(text):
    assert parse_value(text) == Qualitative(text)


@pytest.mark.parametrize(
    "text, suffix",
    [("完成率", "率"), ("资金使用合规性", "性"), ("满意度", "度"), ("非编人员数", "数"),
     ("扫描数量", "量"), ("补助金额", "额"), ("缴费比例", "比例"), ("系统新建及时情况", "情况"),
     ("人均培训成本", "成本"), ("服务对象满意度指标", "指标"), ("社会效益", "效益")],
)
def test_indicator_names_are_not_values(text, suffix):
    err = error_of(text)
    assert f"以“{suffix}”结尾" in err.reason
    assert "指标名称" in err.reason


def test_name_error_examples_fit_the_name():
    assert error_of("完成率").examples == ("≥85.00(%)", "=100.00(%)")
    assert error_of("合规性").examples == ("及时", "合规")
    assert error_of("人均培训成本").examples == ("≤15.00(元)", "≤15.31(万元)")


@pytest.mark.parametrize("text", ["规", "哈哈", "工作效率", "及时a", "很高很高的样子吧"])
def test_unknown_words_are_rejected(text):
    assert not is_value(text)


def test_phrase_length_limit():
    assert parse_value("及" + "时" + "一" * 14) == Qualitative("及时" + "一" * 14)  # 16 characters
    assert not parse_value("及时" + "一" * 14).free
    long = parse_value("及时" + "一" * 15)  # 17 characters: a sentence, free text
    assert long.free and is_value("及时" + "一" * 15) and not is_value("及时" + "一" * 15, strict=True)


@pytest.mark.parametrize(
    "text",
    ["全市空气质量达到优良，市民满意", "通过采购雾炮车降尘抑尘服务，全市空气质量达到优良", "提高群众满意度",
     "及时，合规", "确保项目按期完成", "进一步提升社会公众满意度"],
)
def test_free_text_is_qualitative_marked_free(text):
    value = parse_value(text)
    assert isinstance(value, Qualitative) and value.free
    assert not is_value(text, strict=True)  # a table reader does not take a sentence for a value


@pytest.mark.parametrize(
    "text, start, end, printed",
    [
        ("2023.07-2024.01", datetime.date(2023, 7, 1), datetime.date(2024, 1, 31), "2023.07-2024.01"),
        ("2024年1月至2026年12月", datetime.date(2024, 1, 1), datetime.date(2026, 12, 31), "2024.01-2026.12"),
        ("2024.01.15-2024.06.30", datetime.date(2024, 1, 15), datetime.date(2024, 6, 30), "2024.01.15-2024.06.30"),
        ("2024年3月-12月", datetime.date(2024, 3, 1), datetime.date(2024, 12, 31), "2024.03-2024.12"),
    ],
)
def test_periods(text, start, end, printed):
    value = parse_value(text)
    assert value == values.Period(printed, start, end)
    assert canonical(printed, "bracketed") == printed


@pytest.mark.parametrize("text, reason", [("2024.13-2025.01", "不存在13月"), ("2025.03-2024.01", "起始月份晚于结束月份")])
def test_invalid_periods(text, reason):
    assert error_of(text).reason == reason


def test_percent_word_and_wan():
    assert parse_value("100百分比") == q("=", "100", "%")
    assert parse_value("≥95百分比") == q("≥", "95", "%")
    assert parse_value("250万") == q("=", "250", "万")
    assert parse_value("250万").unit_kind == "scale"


# -- placeholders and empty input -----------------------------------------------------
@pytest.mark.parametrize("text", ["*", "**", "≥**人次", "≥*%", "xx", "XX", "≥xx%", "xx人", "待定",
                                  "？", "--", "TBD", "＊"])
def test_placeholders(text):
    err = error_of(text)
    assert "占位符" in err.reason


def test_placeholder_examples_fit_the_unit():
    assert error_of("≥xx%").examples == ("≥85.00(%)", "=100.00(%)")
    assert error_of("≥**人次").examples == ("≥1000.00(件)", "≤490.00(人)")


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "\t\n", None])
def test_empty(text):
    err = error_of(text)
    assert err.reason == "指标值为空"
    assert err.text == (text or "")


def test_non_string_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_value(85)


def test_too_many_digits():
    assert parse_value("=" + "9" * 24) == q("=", "9" * 24)
    assert "位数字" in error_of("=" + "9" * 25).reason


def test_too_long():
    err = error_of("及时" * 60)
    assert "过长" in err.reason


# -- trends, deadlines, periodic --------------------------------------------------------
@pytest.mark.parametrize(
    "text, direction",
    [("同比下降", "down"), ("同比上升", "up"), ("同比增长", "up"), ("同比减少", "down"),
     ("环比下降", "down"), ("逐年提高", "up"), ("较上年提高", "up"), ("比上年降低", "down"),
     ("同比下降5%", "down"), ("较上年提高5个百分点", "up"), ("同比减少10件", "down"),
     ("同比下降 5 %以上", "down")],
)
def test_trends(text, direction):
    value = parse_value(text)
    assert value == Trend(text.replace(" ", ""), direction)


def test_trend_with_unknown_unit():
    assert error_of("同比减少10斤").reason == "无法识别的单位“斤”"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12月31日前", Deadline("12月31日前", None, 12, 31)),
        ("2026年12月底前", Deadline("2026年12月底前", 2026, 12, None)),
        ("2026年12月31日前", Deadline("2026年12月31日前", 2026, 12, 31)),
        ("12月底前", Deadline("12月底前", None, 12, None)),
        ("年底前", Deadline("12月底前", None, 12, None)),
        ("2026年底前", Deadline("2026年12月底前", 2026, 12, None)),
        ("2026年年底前", Deadline("2026年12月底前", 2026, 12, None)),
        ("2026-12-31前", Deadline("2026年12月31日前", 2026, 12, 31)),
        ("2026/6/30之前", Deadline("2026年6月30日前", 2026, 6, 30)),
        ("6月30日前完成", Deadline("6月30日前", None, 6, 30)),
        ("6月末前", Deadline("6月底前", None, 6, None)),
        ("１２月３１日前", Deadline("12月31日前", None, 12, 31)),
        ("2月29日前", Deadline("2月29日前", None, 2, 29)),
    ],
)
def test_deadlines(text, expected):
    assert parse_value(text) == expected


@pytest.mark.parametrize(
    "text, default_year, last_day",
    [
        ("12月31日前", 2026, datetime.date(2026, 12, 31)),
        ("2026年12月底前", 2020, datetime.date(2026, 12, 31)),
        ("2月底前", 2024, datetime.date(2024, 2, 29)),
        ("2月底前", 2026, datetime.date(2026, 2, 28)),
        ("2月29日前", 2026, datetime.date(2026, 2, 28)),  # clamped in a common year
        ("年底前", 2024, datetime.date(2024, 12, 31)),
    ],
)
def test_deadline_resolve(text, default_year, last_day):
    assert parse_value(text).resolve(default_year) == last_day


@pytest.mark.parametrize(
    "text, reason",
    [("13月1日前", "不存在13月"), ("2月30日前", "2月没有30日"), ("0月5日前", "不存在0月"),
     ("4月31日前", "4月没有31日"), ("2026-13-01前", "不存在13月"), ("2025年2月29日前", "2月没有29日"),
     ("1800年12月底前", "年份“1800”不合理")],
)
def test_invalid_dates(text, reason):
    err = error_of(text)
    assert err.reason == reason
    assert err.examples == ("12月31日前", "2026年12月底前")


@pytest.mark.parametrize(
    "text, expected",
    [("每季度", Periodic("每季度", "季度")), ("每季", Periodic("每季度", "季度")),
     ("每月", Periodic("每月", "月")), ("按月", Periodic("每月", "月")),
     ("每年", Periodic("每年", "年")), ("每周", Periodic("每周", "周")),
     ("每天", Periodic("每日", "日"))],
)
def test_periodic(text, expected):
    assert parse_value(text) == expected


def test_dingqi_is_qualitative_not_periodic():
    assert parse_value("定期") == Qualitative("定期")


# -- error messages ------------------------------------------------------------------------
def test_error_message_quotes_input_reason_and_two_examples():
    err = error_of("≥5斤斤")
    message = str(err)
    assert message == (
        "指标值“≥5斤斤”无法识别：无法识别的单位“斤斤”。可以写成“≥1000.00(件)”或“≤490.00(人)”。"
    )
    assert isinstance(err, ValueError)
    assert err.text == "≥5斤斤"


@pytest.mark.parametrize(
    "text, examples",
    [("≥85斤%", ("≥85.00(%)", "=100.00(%)")),
     ("80%-90%", ("≥85.00(%)", "=100.00(%)")),
     ("哈哈", ("及时", "合规")),
     ("13月1日前", ("12月31日前", "2026年12月底前")),
     ("≥15斤(元)", ("≤15.00(元)", "≤15.31(万元)")),
     ("", ("≥85.00(%)", "及时"))],
)
def test_examples_fit_the_input(text, examples):
    err = error_of(text)
    assert err.examples == examples
    for example in examples:
        assert is_value(example)
        assert f"“{example}”" in str(err)


def test_range_is_rejected_with_a_reason():
    assert "区间" in error_of("80%-90%").reason
    assert "区间" in error_of("3~5次").reason


def test_name_and_value_typed_together():
    err = error_of("满意度≥85%")
    assert "满意度" in err.reason
    assert err.examples == ("≥85.00(%)", "≥85%")


def test_message_of_long_or_odd_input_is_short_and_printable():
    err = error_of("\x00\x01" + "a" * 500)
    message = str(err)
    assert len(message) < 200
    assert message.isprintable()


def test_error_pickles():
    err = error_of("≥5斤斤")
    back = pickle.loads(pickle.dumps(err))
    assert (back.text, back.reason, back.examples) == (err.text, err.reason, err.examples)


# -- robustness --------------------------------------------------------------------------
def check_any(text: str) -> None:
    try:
        value = parse_value(text)
    except ValueParseError as err:
        assert isinstance(err.reason, str) and err.reason
        assert len(err.examples) == 2 and all(is_value(e) for e in err.examples)
        str(err)
        return
    for style in values.STYLES:
        printed = format_value(value, style)
        assert parse_value(printed) == value


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_gives_a_value_or_a_value_parse_error(text):
    check_any(text)


GRAMMAR_ALPHABET = "0123456789.,%％≥≤<>=()（）人次件元万月日年前底同比下降以上以下内xX*-/~ 每季度及时合规率不低于达到、"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=GRAMMAR_ALPHABET, max_size=20))
def test_grammar_like_text_never_crashes(text):
    check_any(text)


@settings(max_examples=25)
@given(st.text(min_size=1, max_size=50).map(lambda t: (t * (10_000 // len(t) + 1))[:10_000]))
def test_ten_thousand_character_text(text):
    assert len(text) == 10_000
    check_any(text)


@pytest.mark.parametrize(
    "text", ["\x00", "\x1b[31m", "😀", "≥85😀%", "\ud800", "≥" * 5000, "9" * 99, "1" * 10_000,
             "(((((", "≥(85)%", "%", "≥", "年", "月底", "-", "+"],
)
def test_odd_inputs(text):
    check_any(text)


def test_is_value():
    assert is_value("≥85%")
    assert is_value("及时")
    assert not is_value("完成率")
    assert not is_value("")


def test_parse_value_is_cached():
    assert parse_value("≥85.00(%)") is parse_value("≥85.00(%)")


def test_none_is_a_target_of_a_cost_to_society_not_a_placeholder():
    """2026-form 社会成本 / 生态环境成本 rows print 无 (对社会公众造成的负面影响：无): a qualitative
    target there; a rate still needs a figure."""
    from jixiao.bot.domain.validation import check_indicator

    assert isinstance(parse_value("无"), Qualitative)
    assert not [f for f in check_indicator("对社会公众造成的负面影响", "无") if f.blocking]
    assert [f for f in check_indicator("群众满意度", "无") if f.blocking]
    assert "占位符" in error_of("暂无").reason
