"""Units from real filings and goals: scaled (万平方米), compound (人/年, 元/人·月) and the
classifiers filings count with (家次, 路, 台套 …). Each prints canonically and reads back."""

import pytest

from jixiao.bot.domain.values import base_unit, format_value, parse_value, resolve_unit, unit_kind_of


@pytest.mark.parametrize(
    "text, bracketed, kind",
    [
        ("不少于360家次", "≥360.00(家次)", "count"),   # 滨海新区 安全生产执法检查
        ("120万平方米", "=120.00(万平方米)", "area"),  # 姑苏区 河道保洁水面
        ("不少于6万亩", "≥6.00(万亩)", "area"),        # 肥西县 受益农田
        ("300路", "=300.00(路)", "count"),            # 监控摄像机300路
        ("80周岁", "=80.00(周岁)", "other"),
        ("≥1 人/年", "≥1.00(人/年)", "count"),         # a Sichuan filing: stored as (人) before
        ("≤200元/人·月", "≤200.00(元/人·月)", "money"),
        ("≤15元每次", "≤15.00(元/次)", "money"),
        ("≥3万户", "≥3.00(万户)", "count"),
        ("≥12台套", "≥12.00(台套)", "count"),
        ("≥45千米", "≥45.00(公里)", "other"),
        ("=2平方千米", "=2.00(平方公里)", "area"),
        ("≥30架次", "≥30.00(架次)", "count"),
        ("≤500元/人天", None, None),  # 人天 is one unit: 元/人天
        ("≥10眼", "≥10.00(眼)", "count"),
        ("≥1200延米", "≥1200.00(延米)", "other"),
    ],
)
def test_units_print_canonically_and_round_trip(text, bracketed, kind):
    value = parse_value(text)
    printed = format_value(value, "bracketed")
    if bracketed is not None:
        assert printed == bracketed
        assert value.unit_kind == kind
    assert parse_value(printed) == value
    assert parse_value(format_value(value, "compact")) == value


@pytest.mark.parametrize(
    "unit", ["路", "台套", "家", "家次", "户", "户次", "所", "座", "宗", "卷", "册", "页", "幅", "件次", "批次",
             "车次", "架次", "公里", "千米", "平方米", "亩", "立方米", "吨", "周岁", "万亩", "万平方米"],
)
def test_units_of_real_filings_are_known(unit):
    assert resolve_unit(unit) is not None


@pytest.mark.parametrize(
    "unit, base, kind",
    [("元/人", "元", "money"), ("元/人·月", "元", "money"), ("人/年", "人", "count"), ("人次/月", "人次", "count"),
     ("万亩", "万亩", "area"), ("家次", "家次", "count"), (None, None, None)],
)
def test_base_unit_and_kind(unit, base, kind):
    assert base_unit(resolve_unit(unit) if unit else None) == base
    assert unit_kind_of(unit) == kind


@pytest.mark.parametrize("text", ["≤15元/斤", "≥5万万元", "≥3/人", "=5万/次", "≥3人/%"])
def test_unknown_or_broken_compounds_are_refused(text):
    from jixiao.bot.domain.values import ValueParseError

    with pytest.raises(ValueParseError):
        parse_value(text)
