"""Proposals in the chat (issue 11): the amount is asked first, every indicator says why, the
project type is shown and can be changed, last year's table can be the start — and a proposal
accepted as a whole passes the table rules, for every new-project profile, through the engine.

Profiles: the 18 of tests/fixtures/new_projects.json (mostly 2027, the 2026 form) and the four
of tests/fixtures/chat_profiles.json (the national form outside Shanghai, a 2026–2028 阶段性项目,
a Shanghai unit's 2023 filing in the 2020 form, another province's 2027 project).
"""

import json
from datetime import date
from pathlib import Path

import pytest
from jixiao.bot.conversation.engine import Engine
from jixiao.bot.conversation.facts import SAME_AS_DEPARTMENT
from jixiao.bot.domain.frameworks import choose_framework
from jixiao.bot.domain.validation import validate
from jixiao.store.drafts import MemoryDraftStore
from test_conversation import Chat, fill_facts

FIXTURES = Path(__file__).parent / "fixtures"
PROFILES = [*json.loads((FIXTURES / "new_projects.json").read_text(encoding="utf-8"))["profiles"],
            *json.loads((FIXTURES / "chat_profiles.json").read_text(encoding="utf-8"))["profiles"]]
TODAY = date(2026, 11, 25)


def answer(chat: Chat, profile: dict) -> str:
    """The profile's answer to the step the draft is at."""
    step = chat.draft.step
    if step == "unit":
        return chat.press(SAME_AS_DEPARTMENT)
    typed = {"year": str(profile["year"]), "name": profile["name"], "department": profile["department"],
             "category": profile["category"], "nature": profile.get("nature", "其他经常性项目"),
             "dates": profile.get("dates", "全年"), "money": str(profile["budget"]),
             "money_total": str(profile.get("total", profile["budget"])), "money_detail": "/skip",
             "overall_goal": profile.get("overall_goal", ""), "goal": profile["goal"]}
    return chat.send(typed[step])


def to_proposal(chat: Chat, profile: dict) -> str:
    chat.send("/new")
    for _ in range(20):
        asked = answer(chat, profile)
        if chat.draft.step == "proposal":
            return asked
    raise AssertionError(f"never reached the proposal: {chat.text}")


def table_problems(filing) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in validate(filing) if f.blocking or f.rule.startswith("missing_level")]


@pytest.mark.parametrize("profile", PROFILES, ids=[p["name"] for p in PROFILES])
def test_a_proposal_accepted_whole_passes_the_table_rules(corpus, index, profile):
    chat = Chat(corpus, index)
    asked = to_proposal(chat, profile)
    draft = chat.draft
    form = profile.get("form") or choose_framework(profile["year"], department=profile["department"]).framework.id
    assert (draft.filing.format, draft.filing.year) == (form, profile["year"])
    assert "项目类型：" in asked
    for item in draft.proposal:
        assert item.reason and item.reason in asked, item  # every indicator says why, in the message
    assert any(item.origin == "budget" for item in draft.proposal), "no cost from the budget"
    chat.press("全部采用")
    listing = chat.text
    assert chat.draft.step == "indicators" and "需修改" not in listing
    chat.press("accept")
    assert chat.draft.step == "review", chat.text  # nothing blocked: straight to the check
    assert table_problems(chat.draft.filing) == []
    chat.press("confirm")
    assert chat.draft.status == "finished"
    assert chat.sent <= 16, f"{chat.sent} messages"


def test_the_amount_comes_before_the_proposal_and_gives_the_cost(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    costs = [p for p in chat.draft.proposal if p.origin == "budget"]
    assert costs and "按预算 711,000 元" in costs[0].reason


def test_no_corpus_at_all_still_proposes_from_the_library_goal_and_budget():
    chat = Chat([], None, engine=Engine(MemoryDraftStore(), [], today=lambda: TODAY))
    profile = PROFILES[0]
    asked = to_proposal(chat, profile)
    origins = {p.origin for p in chat.draft.proposal}
    assert {"goal", "budget", "library"} <= origins and "没有找到" in asked
    chat.press("全部采用")
    chat.press("accept")
    assert chat.draft.step == "review" and table_problems(chat.draft.filing) == []


def test_the_project_type_is_shown_and_changing_it_proposes_again(corpus, index):
    chat = Chat(corpus, index)
    profile = next(p for p in PROFILES if p.get("type") == "mediation")
    asked = to_proposal(chat, profile)
    assert "人民调解" in asked
    before = [p.name for p in chat.draft.proposal]
    chat.press("换项目类型")
    labels = [c.label for c in chat.buttons.choices]
    assert chat.draft.step == "project_type" and "培训" in labels and labels[-1] == "按名称自动判断"
    asked = chat.press("培训")
    draft = chat.draft
    assert draft.step == "proposal" and draft.project_type == "training+mediation"
    assert "按你的选择：培训＋人民调解" in asked and [p.name for p in draft.proposal] != before
    chat.press("换项目类型")
    chat.press("按名称自动判断")
    assert chat.draft.project_type is None and [p.name for p in chat.draft.proposal] == before


def test_start_from_last_years_table_keeps_its_values_and_flags_the_amounts(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    last = chat.draft.base
    assert last is not None and last.year == 2026 and last.project_name == "工伤鉴定"
    taken = chat.press("从2026年的表开始")
    draft = chat.draft
    assert draft.step == "indicators" and "已按 2026 年的《工伤鉴定》填入" in taken
    theirs = {(i.name, i.value) for i in last.indicators}
    kept = [i for i in draft.filing.indicators if i.name in {name for name, _ in theirs}]
    assert len(kept) == len({name for name, _ in theirs})  # every indicator (two of one name are one)
    assert all((i.name, i.value) in theirs for i in kept if "年" not in i.value)  # values kept
    assert draft.notes["上门鉴定服务完成时间"].startswith("日期由来源的2026年改为2027年")  # 2026年12月底前 → 2027
    money = [i.name for i in kept if "元" in (i.value or "")]
    assert money and all(name in draft.notes and "核对" in draft.notes[name] for name in money)
    assert "⚠" in taken
    chat.press("accept")
    assert chat.draft.step == "review" and table_problems(chat.draft.filing) == []


def test_the_generic_type_can_be_chosen_in_the_chat(corpus, index):
    """换项目类型 offers 通用 (no library type), by button or typed: a project no type fits is not
    stuck with another kind's indicators."""
    chat = Chat(corpus, index)
    profile = next(p for p in PROFILES if p.get("type") == "mediation")
    to_proposal(chat, profile)
    chat.press("换项目类型")
    labels = [c.label for c in chat.buttons.choices]
    generic = next(label for label in labels if label.startswith("通用"))
    asked = chat.press(generic)
    assert chat.draft.step == "proposal" and chat.draft.project_type == "通用" and "按你的选择：通用" in asked
    assert not any(p.reason.startswith("同类项目") for p in chat.draft.proposal)
    chat.press("换项目类型")
    chat.press("通用")
    assert chat.draft.step == "proposal" and chat.draft.project_type == "通用"
