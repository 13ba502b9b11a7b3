"""Which framework a new filing uses: by year and region, the user can override (issue 11 item 7)."""

import pytest
from jixiao.bot.domain.frameworks import choose_framework, framework_for_year, region_of


@pytest.mark.parametrize("year, department, expected, rule", [
    (2022, "上海市宝山区司法局", "2020", "region"),
    (2023, "松江区社会保障服务中心", "2020", "region"),  # a Shanghai district without 上海市
    (2024, "上海市宝山区司法局", "2024", "default"),
    (2025, "上海市宝山区司法局", "2024", "default"),
    (2022, "杭州市西湖区司法局", "2024", "default"),  # another province: the national form
    (2021, "舟山市普陀区司法局", "2024", "default"),  # 普陀区 of 舟山 is not Shanghai's
    (2022, None, "2024", "default"),  # region unknown: the national form, never Shanghai's by default
    (2026, "上海市宝山区司法局", "2026", "from_year"),
    (2027, "成都市武侯区人民法院", "2026", "from_year"),
])
def test_year_and_region_pick_the_framework(year, department, expected, rule):
    choice = choose_framework(year, department=department)
    assert (choice.framework.id, choice.rule) == (expected, rule)


def test_an_explicit_region_wins_over_the_unit_name():
    assert choose_framework(2022, region="上海", department="区司法局").framework.id == "2020"
    assert choose_framework(2022, region="浙江", department="上海市宝山区司法局").framework.id == "2024"


def test_the_user_can_override():
    choice = choose_framework(2027, department="上海市宝山区司法局", override="2024")
    assert (choice.framework.id, choice.rule) == ("2024", "override")
    with pytest.raises(KeyError):
        choose_framework(2027, override="1999")


def test_region_of_and_the_year_only_rule_are_unchanged():
    assert region_of("上海市第一中级人民法院") == "shanghai" and region_of("北京市朝阳区") is None
    assert [framework_for_year(y).id for y in (2020, 2023, 2024, 2026, 2030)] == ["2020", "2020", "2024", "2026", "2026"]
