"""Choosing a project's type from the whole of its name, category and goal, with a confidence;
no type when none fits well (the generic 通用 indicators), never another kind's."""

import json
from pathlib import Path

import pytest
from jixiao.bot.retrieval.library import GENERIC, MIN_CONFIDENCE, choose_type, library

PROFILES = json.loads((Path(__file__).parent / "fixtures" / "type_choice.json").read_text(encoding="utf-8"))["profiles"]


@pytest.mark.parametrize("profile", PROFILES, ids=[p["id"] for p in PROFILES])
def test_type_choice_of_hand_read_profiles(profile):
    choice = choose_type(profile["name"], profile["category"], profile["goal"])
    assert list(choice.ids) == profile["types"], choice.explanation
    if choice.types:
        assert choice.confidence >= MIN_CONFIDENCE
    else:
        assert choice.by == "none" and "通用" in choice.explanation


def test_one_short_name_word_the_goal_does_not_echo_is_not_enough():
    """办案 in a police unit's camera project is no 审判 project; 补助 of a station's running costs
    is no allowance to persons (补贴对象工作积极性)."""
    cameras = choose_type("看守所及办案区视频监控设备更新", "特定目标类", "全年更新高清监控摄像机300路、存储设备12台。")
    assert "trial" not in cameras.ids
    station = choose_type("村（居）公共法律服务工作站运行补助", "其他运转类", "全区90个村（居）公共法律服务工作站全覆盖。")
    assert "subsidy" not in station.ids
    # without a goal the name is all there is: the same word is enough
    assert "trial" in choose_type("办案设备购置").ids


def test_a_type_found_only_by_one_goal_word_or_the_category_is_not_used():
    volunteers = choose_type("新时代文明实践项目经费", "其他运转类", "全年组织活动100场，志愿者培训不少于4期。")
    assert "training" not in volunteers.ids
    after_school = choose_type("学生服务经费", "其他人员类", "参加学生不少于3.5万人，家长满意度不低于90%。")
    assert "staff" not in after_school.ids


def test_a_weak_guess_says_what_came_closest():
    choice = choose_type("社区党群服务中心运行经费", "其他运转类", "保障社区党群服务中心正常开放，全年不少于300天。")
    assert choice.types == () and choice.by == "none"
    assert choice.label == GENERIC


def test_generic_override():
    choice = choose_type("义务教育阶段课后服务经费", "其他人员类", override=GENERIC)
    assert choice.types == () and choice.by == "override" and choice.explanation == "按你的选择：通用"
    assert [e.name for e in choice.entries("satisfaction")] == ["服务对象满意度"]


def test_library_names_fit_their_type():
    """No type but property names 物业, training 参训, subsidies 补贴 (a 补贴 project's own words)."""
    owners = {"物业": {"property"}, "参训": {"training"}, "补贴": {"subsidy", "benefit"}}
    for t in library().types.values():
        for entry in t.entries:
            for word, allowed in owners.items():
                if word in entry.name:
                    assert t.id in allowed, (t.id, entry.name)
