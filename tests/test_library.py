"""The common-indicator library (bot/retrieval/library.json) and choosing a project's type."""

import pytest
from jixiao.bot.domain.frameworks import all_frameworks
from jixiao.bot.domain.values import canonical
from jixiao.bot.retrieval.library import choose_type, find_type, library

REQUIRED_TYPES = ["信息化建设", "信息化运维", "培训", "会议", "物业管理", "设备购置", "租赁", "人员经费", "补贴",
                  "专家咨询", "宣传", "法律援助", "人民调解", "社区矫正", "审判", "社保经办", "工程建设"]
EVERY_TYPE_FILLS = ("cost", "quantity", "quality", "timeliness", "social", "sustained", "satisfaction")


def test_the_library_loads_with_every_type_the_issue_asks_for():
    labels = [t.label for t in library().types.values()]
    for wanted in REQUIRED_TYPES:
        assert any(wanted in label for label in labels), wanted
    assert len(library().types) >= 16


def test_every_type_cites_known_sources():
    lib = library()
    for t in lib.types.values():
        assert t.sources and all(s in lib.sources for s in t.sources), t.id
        assert t.family in ("expense", "field") and t.name_words, t.id


@pytest.mark.parametrize("type_id", sorted(library().types))
def test_every_type_can_fill_every_required_slot_without_the_goal(type_id):
    """Each slot has an entry whose value needs no goal quantity (or only the budget, for costs)."""
    t = library().types[type_id]
    for slot in EVERY_TYPE_FILLS:
        entries = t.slot_entries(slot)
        assert entries, (type_id, slot)
        assert any(e.value or e.deadline or e.cost == "total" for e in entries), (type_id, slot)


def test_every_entry_lands_on_a_level_and_prints_in_every_framework():
    lib = library()
    entries = [*lib.common, *lib.management_2020, *(e for t in lib.types.values() for e in t.entries)]
    for framework in all_frameworks().values():
        for entry in entries:
            level = lib.level(entry.slot, framework.id)
            if level is None:
                continue
            assert framework.contains(*level), (framework.id, entry)
            for text in (entry.value, entry.deadline and f"2027年{entry.deadline}"):
                if text:
                    assert canonical(text, framework.value_style), entry  # parses and prints
        for slot in lib.slots:
            assert slot in lib.caps, slot


def test_entries_of_a_slot_come_lead_type_first_then_common():
    choice = choose_type("社区矫正中心房屋租赁费")
    assert choice.ids == ("lease", "corrections")
    names = [e.name for e in choice.entries("satisfaction")]
    assert names[0] == "工作人员满意度"  # rent leads: the staff use the office
    assert names[-1] == "服务对象满意度"  # the common entry last
    subsidy = choose_type("人民调解员办案补贴", goal="进一步加强我区人民调解工作")
    assert subsidy.ids == ("subsidy", "mediation")
    assert [e.name for e in subsidy.entries("social")][:2] == ["促进地区和谐稳定", "人民调解公信力"]  # the field leads effects
    assert subsidy.entries("cost")[0].name == "人均补贴金额"  # the expense leads costs


@pytest.mark.parametrize("name, expected", [
    ("信息化运维", ("it_ops",)),
    ("网络信息系统运行与维护", ("it_ops",)),
    ("信息化新建", ("it_build",)),
    ("业务培训", ("training",)),
    ("2027年度工作会议经费", ("meeting",)),
    ("机关物业管理费", ("property",)),
    ("办案设备购置", ("equipment", "trial")),
    ("社区矫正中心房屋租赁费", ("lease", "corrections")),
    ("编外人员工作经费", ("staff",)),
    ("审判辅助人员经费", ("staff", "trial")),
    ("村(居)委专职调解岗位工作津贴", ("subsidy", "mediation")),
    ("医患纠纷专家咨询费", ("expert", "mediation")),
    ("普法宣传经费", ("publicity",)),
    ("法律援助中心值班律师补贴", ("subsidy", "legal_aid")),
    ("社区矫正教育帮扶经费", ("corrections",)),
    ("审判执行业务费", ("trial",)),
    ("工伤鉴定", ("social_security",)),
    ("办公楼维修改造工程", ("construction",)),
    ("12348公共法律服务热线运营", ("hotline", "public_legal")),  # 12348 is the 公共法律服务 hotline
    ("社区服刑人员基站定位流量费", ("it_ops", "corrections")),
])
def test_type_by_name(name, expected):
    choice = choose_type(name)
    assert (choice.ids, choice.by) == (expected, "name")
    assert choice.explanation.startswith("按项目名称中的“") and choice.label in choice.explanation


def test_type_by_goal_then_category_then_none():
    by_goal = choose_type("辅助业务管理与支持", goal="组织开展调解员业务培训，参训学员不少于100人")
    assert (by_goal.ids, by_goal.by) == (("training",), "goal")
    assert "培训" in by_goal.explanation and "年度目标" in by_goal.explanation
    by_category = choose_type("综合经费", category="其他人员类")
    assert by_category.by == "category" and by_category.ids[0] in ("staff", "subsidy")
    none = choose_type("综合经费")
    assert (none.ids, none.by) == ((), "none") and none.entries("satisfaction")[0].name == "服务对象满意度"


def test_override_by_id_label_or_a_word_of_the_label():
    assert choose_type("业务培训", override="meeting").ids == ("meeting",)
    assert choose_type("x", override="补贴+人民调解").ids == ("subsidy", "mediation")
    assert choose_type("x", override="编外").ids == ("staff",)
    assert choose_type("x", override="training").explanation == "按你的选择：培训"
    with pytest.raises(KeyError, match="known"):
        find_type("火箭发射")
