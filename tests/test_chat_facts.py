"""The facts steps as sloppy newcomer clerks answer them (the console probe of 2026-12):
typed menu answers, command phrases at the goal step, Chinese date forms, a goal cut by a
pasted line break, amounts missing their 万, option numbers that do not exist."""

from datetime import date

import pytest
from jixiao.bot.domain.amounts import parse_period
from test_conversation import GOAL, Chat


def to_category(chat, project="工伤鉴定"):
    chat.send("/new")
    chat.press("2027")
    chat.send(project)
    chat.send("上海市松江区人力资源和社会保障局")
    return chat.send("上海市松江区社会保障服务中心")


def to_dates(chat, nature="其他经常性项目"):
    to_category(chat)
    chat.press("特定目标类")
    chat.press(nature)
    return chat.draft


def to_money(chat):
    to_dates(chat)
    chat.press("2027-01-01 至 2027-12-31")
    assert chat.draft.step == "money"


def to_goal(chat):
    to_money(chat)
    chat.send("711000")
    chat.send("/skip")
    assert chat.draft.step == "goal", chat.text


# ------------------------------------------------------------------ P2: typed menu answers
def test_a_typed_abbreviation_of_an_offered_category_is_stored_as_the_option(corpus, index):
    chat = Chat(corpus, index)
    to_category(chat)
    chat.send("特定目标")
    assert chat.draft.filing.category == "特定目标类"


def test_a_typed_nature_becomes_the_option_and_multi_year_dates_are_taken(corpus, index):
    chat = Chat(corpus, index)
    to_category(chat)
    chat.press("特定目标类")
    chat.send("阶段性")
    assert chat.draft.filing.nature == "阶段性项目"
    chat.send("2026.1.1-2028.12.31")
    assert (chat.draft.filing.start, chat.draft.filing.end) == (date(2026, 1, 1), date(2028, 12, 31)), chat.text


def test_a_typed_part_of_an_option_after_its_other_is_the_option(corpus, index):
    chat = Chat(corpus, index)
    to_category(chat)
    chat.press("特定目标类")
    chat.send("经常性")
    assert chat.draft.filing.nature == "其他经常性项目"


def test_a_typed_answer_that_could_mean_several_options_is_asked_again(corpus, index):
    chat = Chat(corpus, index)
    to_category(chat)
    offered = [c.value for c in chat.buttons.choices]
    assert len([o for o in offered if o.startswith("其他")]) >= 2
    asked = chat.send("其他")  # 其他运转类, 其他人员类 …
    assert chat.draft.step == "category" and chat.draft.filing.category is None
    assert "可能是" in asked and "其他运转类" in asked and chat.buttons is not None


def test_a_new_category_typed_in_full_is_kept(corpus, index):
    chat = Chat(corpus, index)
    to_category(chat)
    chat.send("公益服务类")
    assert chat.draft.filing.category == "公益服务类"
    chat = Chat(corpus, index)
    to_category(chat)
    assert "经常性专项业务费" in [c.value for c in chat.buttons.choices]
    chat.send("专项业务费")  # the middle of an offered one: another category
    assert chat.draft.filing.category == "专项业务费"


# ------------------------------------------------------------------ P16: option numbers, amounts as names
def test_a_number_that_is_no_option_says_so(corpus, index):
    chat = Chat(corpus, index)
    to_dates(chat)
    asked = chat.send("2")  # only [1] 全年 exists
    assert "没有第 2 项" in asked and chat.draft.step == "dates"
    chat.send("1")  # typed (not pressed) 1: the option
    assert chat.draft.filing.end == date(2027, 12, 31)


def test_a_number_that_is_no_option_at_the_goal_step(corpus, index):
    chat = Chat(corpus, index)
    to_goal(chat)
    chat.send(GOAL)
    chat.send("/back")  # the goal again, with 沿用上面已填的目标 as [1]
    assert chat.draft.step == "goal" and len(chat.buttons.choices) >= 1
    asked = chat.send(str(len(chat.buttons.choices) + 1))
    assert "没有第" in asked and "太短" not in asked and chat.draft.step == "goal"


@pytest.mark.parametrize("name", ["八十万", "80万", "八十万元", "1,000元", "三百五十", "-5万"])
def test_an_amount_is_no_project_name(corpus, index, name):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    asked = chat.send(name)
    assert not chat.draft.filing.project_name and "金额" in asked


def test_a_name_with_a_number_is_a_name(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    chat.send("12345热线运维")
    assert chat.draft.filing.project_name == "12345热线运维"


# ------------------------------------------------------------------ P3, P13: the goal
@pytest.mark.parametrize("typed", ["从去年的表开始", "从2026年的表开始", "全部采用", "确认", "✓ 确认完成", "自己添加指标"])
def test_a_command_phrase_is_no_goal(corpus, index, typed):
    chat = Chat(corpus, index)
    to_goal(chat)
    asked = chat.send(typed)
    assert chat.draft.step == "goal" and chat.draft.filing.goal is None
    assert "不是目标" in asked or "太短" in asked


def test_a_goal_ending_in_a_comma_is_asked_about_and_its_rest_joined(corpus, index):
    chat = Chat(corpus, index)
    to_goal(chat)
    asked = chat.send("全年完成庭审记录不少于1200件，")
    assert "没写完" in asked and "，" in asked and chat.draft.filing.goal is None
    chat.send("记录准确率达到98%。")
    assert chat.draft.filing.goal == "全年完成庭审记录不少于1200件，记录准确率达到98%。"
    assert chat.draft.step != "goal"


def test_a_goal_ending_in_a_comma_can_be_kept_as_typed(corpus, index):
    chat = Chat(corpus, index)
    to_goal(chat)
    chat.send("全年完成庭审记录不少于1200件、")
    chat.press("按原样保存")
    assert chat.draft.filing.goal == "全年完成庭审记录不少于1200件、" and chat.draft.step != "goal"


def test_a_goal_cut_and_then_retyped_whole_is_not_doubled(corpus, index):
    chat = Chat(corpus, index)
    to_goal(chat)
    chat.send("全年完成庭审记录不少于1200件，")
    chat.send("全年完成庭审记录不少于1200件。")
    assert chat.draft.filing.goal == "全年完成庭审记录不少于1200件。"


# ------------------------------------------------------------------ P6: dates
@pytest.mark.parametrize("typed, start, end", [
    ("1月1日至12月31日", date(2027, 1, 1), date(2027, 12, 31)),
    ("3月1日至11月30日", date(2027, 3, 1), date(2027, 11, 30)),
    ("2027年3月1日至11月30日", date(2027, 3, 1), date(2027, 11, 30)),
    ("2027年3月-11月", date(2027, 3, 1), date(2027, 11, 30)),
    ("3月至11月", date(2027, 3, 1), date(2027, 11, 30)),
    ("2027年2月至2027年2月", date(2027, 2, 1), date(2027, 2, 28)),
    ("3月1日-11月30日", date(2027, 3, 1), date(2027, 11, 30)),
    ("2027.3.1-2027.11.30", date(2027, 3, 1), date(2027, 11, 30)),
    ("2027/3/1~2027/11/30", date(2027, 3, 1), date(2027, 11, 30)),
    ("2027-3-1-2027-11-30", date(2027, 3, 1), date(2027, 11, 30)),
    ("２０２７年３月１日－１１月３０日", date(2027, 3, 1), date(2027, 11, 30)),
    ("2027年3月1日起至2027年11月30日止", date(2027, 3, 1), date(2027, 11, 30)),
    ("2026年1月至2028年12月", date(2026, 1, 1), date(2028, 12, 31)),
])
def test_parse_period_reads_the_usual_forms(typed, start, end):
    assert parse_period(typed, 2027) == (start, end)


@pytest.mark.parametrize("typed", ["2027年3月", "2月30日至3月1日", "13月至14月", "明年", "3月1日、5月1日、6月1日"])
def test_parse_period_refuses_what_is_not_two_dates(typed):
    assert parse_period(typed, 2027) is None


@pytest.mark.parametrize("typed", ["1月1日至12月31日", "3月1日至11月30日", "2027年3月1日至11月30日", "3月至11月"])
def test_the_dates_step_takes_chinese_dates(corpus, index, typed):
    chat = Chat(corpus, index)
    to_dates(chat)
    chat.send(typed)
    f = chat.draft.filing
    assert f.start is not None and f.start.year == f.end.year == 2027 and chat.draft.step == "money", chat.text


# ------------------------------------------------------------------ P5: amounts missing their 万
def test_a_tiny_annual_amount_is_asked_about(corpus, index):
    chat = Chat(corpus, index)
    to_money(chat)
    asked = chat.send("1")
    assert "1.00 元" in asked and "万" in asked and chat.draft.step == "money"
    assert chat.draft.filing.funding.annual_request is None
    chat.press("改为 1 万元")
    assert chat.draft.filing.funding.annual_request == 10_000 and chat.draft.step == "money_detail"


def test_a_tiny_amount_can_be_kept_or_retyped(corpus, index):
    chat = Chat(corpus, index)
    to_money(chat)
    chat.send("80")
    chat.press("是 80.00 元")
    assert chat.draft.filing.funding.annual_request == 80
    chat = Chat(corpus, index)
    to_money(chat)
    chat.send("80")
    chat.send("80万")
    assert chat.draft.filing.funding.annual_request == 800_000 and chat.draft.step == "money_detail"


def test_a_tiny_multi_year_total_is_asked_about(corpus, index):
    chat = Chat(corpus, index)
    to_dates(chat, "阶段性项目")
    chat.send("2026.1.1-2028.12.31")
    chat.send("300万")
    assert chat.draft.step == "money_total", chat.text
    asked = chat.send("900")
    assert "项目资金总额" in asked and "万" in asked and chat.draft.step == "money_total"
    chat.press("改为 900 万元")
    assert chat.draft.filing.funding.total == 9_000_000


def test_a_question_left_by_back_is_not_asked_again(corpus, index):
    chat = Chat(corpus, index)
    to_money(chat)
    chat.send("1")
    chat.send("/back")
    asked = chat.press("2027-01-01 至 2027-12-31")
    assert chat.draft.step == "money" and "少写了" not in asked
    chat.send("1")
    chat.press("改为 1 万元")
    assert chat.draft.filing.funding.annual_request == 10_000


def test_a_period_of_months_with_their_years_typed_as_forms_print_it():
    # 2027.03-2027.11 (as 湘潭 2023 prints 实施期 2023.07-2024.01) was refused in the chat
    assert parse_period("2027.03-2027.11", 2027) == (date(2027, 3, 1), date(2027, 11, 30))
