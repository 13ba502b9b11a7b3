"""The drafting conversation through the engine, on the in-memory stores: a whole draft,
navigation, the fields of the real form, the indicator list, limits, the flow table."""

import re
from datetime import date
from pathlib import Path

import pytest
from jixiao.bot.conversation import flow as flow_module
from jixiao.bot.conversation.engine import MAX_INPUT, Engine, Input
from jixiao.bot.conversation.flow import STEPS, FlowError, Step, check_flow, edges, goto_targets, nodes
from jixiao.bot.conversation.state import ABANDONED, FINISHED
from jixiao.bot.domain.limits import DRAFT_INDICATORS, PROJECT_NAME_CHARS
from jixiao.bot.domain.models import Indicator
from jixiao.bot.domain.validation import validate
from jixiao.store.drafts import DraftStore, MemoryDraftStore

TODAY = date(2026, 11, 25)
GOAL = "确保工伤认定和劳动能力鉴定工作有序开展。全年案件文书寄送量在18000件左右，完成鉴定案件不少于3300件。"
FLOW_MMD = Path(flow_module.__file__).with_name("flow.mmd")


class Chat:
    """Drives one user's conversation the way a person would, remembering the buttons."""

    def __init__(self, corpus, index, user="u1", store=None, engine=None):
        self.corpus, self.index, self.user = corpus, index, user
        self.engine = engine or Engine(store if store is not None else MemoryDraftStore(), corpus,
                                       today=lambda: TODAY)
        self.last = []
        self.buttons = None
        self.sent = 0  # messages and presses this person made

    def restart(self):
        """A new process on the same store (the files are re-read from disk)."""
        self.engine.store.close()
        self.engine = Engine(DraftStore(self.engine.store.files.directory.parent), self.corpus,
                             today=lambda: TODAY)

    def send(self, text):
        self.sent += 1
        self.last = self.engine.handle(self.user, Input(text))
        self._remember()
        return self.text

    def press(self, label):
        reply = self.buttons
        assert reply is not None, f"no buttons to press {label!r}: {self.text}"
        choice = next((c for c in reply.choices if c.label == label or c.value == label), None)
        if choice is None:
            choice = next(c for c in reply.choices if label in c.label)
        self.sent += 1
        self.last = self.engine.handle(self.user, Input(choice.value, token=reply.token))
        self._remember()
        return self.text

    def _remember(self):
        with_buttons = [r for r in self.last if r.choices and r.to == self.user]
        self.buttons = with_buttons[-1] if with_buttons else None

    @property
    def text(self):
        return "\n".join(r.plain for r in self.last if r.to == self.user)

    @property
    def draft(self):
        state = self.engine.store.load(self.user)
        return next((d for d in state.drafts if d.id == state.session.current), None)


def fill_facts(chat, project="工伤鉴定"):
    """From /new to the proposal: eleven messages, the path of a one-year 2026-form project."""
    chat.send("/new")
    chat.press("2027")
    chat.send(project)
    chat.send("上海市松江区人力资源和社会保障局")
    chat.send("上海市松江区社会保障服务中心")
    chat.press("特定目标类")
    chat.press("其他经常性项目")
    chat.press("2027-01-01 至 2027-12-31")
    chat.send("711000")
    chat.send("/skip")
    return chat.send(GOAL)


def accept_list(chat):
    """Accept the indicator list, deleting the values the validator refuses (as a hurried clerk would)."""
    for _ in range(DRAFT_INDICATORS):
        if chat.draft.step != "indicators":
            return
        chat.press("accept")
        blocked = re.search(r"第 ([\d、]+) 项的值需要修改", chat.text)
        if blocked:
            chat.send(f"删 {blocked[1].split('、')[0]}")
    raise AssertionError("the list was never accepted")


def finish(chat):
    fill_facts(chat)
    chat.press("全部采用")
    accept_list(chat)
    chat.press("confirm")
    assert chat.draft.status == FINISHED, chat.text


# ------------------------------------------------------------------ a whole draft
def test_a_whole_draft_from_new_to_final_table(corpus, index):
    chat = Chat(corpus, index)
    assert "/new" in chat.send("/start")
    asked = fill_facts(chat)
    assert "相似的往年项目：2026 上海市松江区社会保障服务中心 工伤鉴定" in asked  # 2026 同名项目 found
    assert "来自年度目标：不少于3300件" in asked and "按预算 711,000 元 ÷ 18,000件" in asked  # the plain reasons
    assert "项目类型：按项目名称中的“工伤”" in asked and "从2026年的表开始" in asked
    draft = chat.draft
    assert draft.step == "proposal" and draft.proposal
    assert draft.filing.format == "2026" and draft.filing.year == 2027 and draft.filing.nature == "其他经常性项目"
    assert draft.filing.funding.annual_request == draft.filing.funding.total == 711000.0
    listing = chat.press("全部采用")
    assert chat.draft.step == "indicators" and "指标（" in listing
    assert {i.level1 for i in chat.draft.filing.indicators} >= {"成本指标", "产出指标", "效益指标", "满意度指标"}
    accept_list(chat)
    assert chat.draft.step == "review" and "请检查整张表" in chat.text
    assert all(i.name in chat.text for i in chat.draft.filing.indicators)  # the whole table is shown
    chat.press("confirm")
    final = chat.draft
    assert final.status == FINISHED and final.step == "done" and "已完成" in chat.text
    files = [f for r in chat.last for f in r.files]
    assert {f.filename.rsplit(".", 1)[1] for f in files} == {"xlsx", "png"}
    assert all(f.data[:4] in (b"PK\x03\x04", b"\x89PNG") for f in files)  # made when the adapter sends them
    assert "工伤鉴定" in chat.last[0].plain  # the formatted table comes first
    again = chat.send("谢谢")
    assert "已经完成" in again and not [f for r in chat.last for f in r.files]  # files are not sent again
    assert all(r.to == "u1" for r in chat.last)  # every reply names its recipient


def test_a_table_too_large_to_draw_says_why_instead_of_a_silent_missing_picture(corpus, index, monkeypatch):
    import jixiao.bot.render.caps as caps

    monkeypatch.setattr(caps, "PNG_PIXELS", 1000)  # any table is too tall now
    chat = Chat(corpus, index)
    finish(chat)
    files = {f.filename.rsplit(".", 1)[1]: f for r in chat.last for f in r.files}
    assert files["xlsx"].data[:2] == b"PK" and files["png"].data is None
    assert "无法生成图片" in files["png"].refusal.plain and "<" not in files["png"].refusal.plain


def test_accepting_the_proposal_and_editing_three_values_takes_at_most_twenty_messages(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    items = chat.draft.filing.indicators

    def number_of(unit):
        return next(i for i, item in enumerate(items, 1) if unit in (item.value or ""))

    edits = {number_of("(元)"): ("≤14元", "≤14.00(元)"), number_of("(件)"): ("≥18500件", "≥18500.00(件)"),
             number_of("(%)"): ("≥96%", "≥96.00(%)")}
    for number, (typed, _) in edits.items():
        assert "已修改" in chat.send(f"{number} {typed}")  # each edit is one message: number and value
    accept_list(chat)
    chat.press("confirm")
    assert chat.draft.status == FINISHED
    values = [i.value for i in chat.draft.filing.indicators]
    assert [values[n - 1] for n in edits] == [printed for _, printed in edits.values()]
    assert chat.sent <= 20, f"{chat.sent} messages"


def test_a_wrong_value_is_refused_with_its_reason_and_nothing_is_lost(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    first = chat.draft.filing.indicators[0]
    answer = chat.send("1 很高很高的样子吧")
    assert "不能用" in answer and "很高很高的样子吧" in answer and "指标（" in answer  # the list is asked again
    assert chat.draft.filing.indicators[0] == first and chat.draft.step == "indicators"
    chat.send("1 ≤14元")
    assert chat.draft.filing.indicators[0].value == "≤14.00(元)"
    assert "已修改第 1 项" in chat.text


def test_one_indicator_opened_changed_and_deleted_from_the_list(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    items = chat.draft.filing.indicators
    count = len(items)
    number = next(i for i, item in enumerate(items, 1) if "(件)" in (item.value or ""))
    chat.press(f"#{number}")
    assert chat.draft.step == "indicator" and chat.last[-1].edit_in_place  # the list message becomes the item
    chat.send("≥20000件")
    assert chat.draft.step == "indicators" and chat.draft.filing.indicators[number - 1].value == "≥20000.00(件)"
    chat.send("3")
    name = chat.draft.filing.indicators[2].name
    chat.press("drop")
    assert chat.last[-1].edit_in_place and "已删除第 3 项" in chat.text
    chat.send("删 1")
    assert len(chat.draft.filing.indicators) == count - 2
    assert name not in [i.name for i in chat.draft.filing.indicators]
    assert "没看懂" in chat.send("随便写点什么")


def test_an_indicator_is_renamed_in_one_message_or_from_its_own_view(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    value = chat.draft.filing.indicators[0].value
    answer = chat.send("改名 1 每份文书平均邮寄成本")
    assert "已把第 1 项" in answer and chat.draft.filing.indicators[0].name == "每份文书平均邮寄成本"
    assert chat.draft.filing.indicators[0].value == value and chat.draft.step == "indicators"
    taken = chat.draft.filing.indicators[1].name
    assert "已经有一个叫" in chat.send(f"改名 1 {taken}") and chat.draft.filing.indicators[0].name == "每份文书平均邮寄成本"
    chat.send("2")
    chat.press("rename")
    assert chat.draft.step == "rename" and taken in chat.text
    chat.send("专家人次平均费用")
    assert chat.draft.step == "indicators" and chat.draft.filing.indicators[1].name == "专家人次平均费用"


def test_a_value_typed_without_an_operator_is_kept_with_a_warning(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    number = next(i for i, item in enumerate(chat.draft.filing.indicators, 1) if "(件)" in (item.value or ""))
    answer = chat.send(f"{number} 18500件")
    assert "没有写比较符号" in answer and chat.draft.filing.indicators[number - 1].value == "=18500.00(件)"


def test_added_indicator_is_not_asked_again(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    chat.press("add")
    chat.press("产出指标/数量指标")
    chat.send("年度上门服务场次")
    answer = chat.send("不低于3次")
    assert "已添加：年度上门服务场次 ≥3.00(次)" in answer
    assert chat.draft.step == "indicators"  # back at the list, not asked to confirm the value
    added = [i for i in chat.draft.filing.indicators if i.name == "年度上门服务场次"]
    assert added and added[0].level1 == "产出指标"
    levels = [i.level1 for i in chat.draft.filing.indicators]
    assert levels == sorted(levels, key=["成本指标", "产出指标", "效益指标", "满意度指标"].index)  # framework order


def test_choose_one_by_one_toggles_in_place(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    count = len(chat.draft.proposal)
    chat.press("逐个选择")
    assert chat.buttons.edit_in_place is False
    chat.press("t1")
    assert chat.last[-1].edit_in_place is True  # the toggle list redraws itself
    chat.send("2 3")
    assert [p.selected for p in chat.draft.proposal[:3]] == [False, False, False]
    chat.press("done")
    assert len(chat.draft.filing.indicators) == count - 3 and chat.draft.step == "indicators"


# ------------------------------------------------------------------ fields of the real form
def test_required_fields_cannot_be_skipped_and_names_must_look_like_names(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    assert "不像项目名称" in chat.send("1")
    assert "不像项目名称" in chat.send("……")
    assert "不能跳过" in chat.send("/skip")
    chat.send("业务培训")
    assert "不能跳过" in chat.send("/skip")  # 主管部门
    chat.send("上海市松江区人力资源和社会保障局")
    assert "不能跳过" in chat.send("/skip")  # 实施单位
    assert chat.draft.step == "unit"
    chat.press("同主管部门")
    assert chat.draft.filing.implementing_unit == "上海市松江区人力资源和社会保障局"
    assert "不能跳过" in chat.send("/skip")  # 项目类别
    chat.press("其他运转类")
    assert "不能跳过" in chat.send("/skip")  # 项目性质, 2026 form
    assert chat.draft.step == "nature"


def test_a_phased_project_asks_the_overall_goal_and_the_total_over_its_years(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    for text in ("智慧法院建设", "上海市第一中级人民法院", "上海市第一中级人民法院"):
        chat.send(text)
    chat.press("特定目标类")
    chat.press("阶段性项目")
    assert "跨年度" in chat.text
    chat.send("2026-01-01 至 2028-12-31")
    assert chat.draft.step == "money"
    chat.send("100万")
    assert chat.draft.step == "money_total" and "2026—2028" in chat.text
    assert "少于本年度申请" in chat.send("50万")
    chat.send("300万")
    chat.send("/skip")
    assert chat.draft.step == "overall_goal"
    chat.send("三年内建成覆盖全院的智慧审判平台，案件在线办理率达到90%。")
    assert chat.draft.step == "goal"
    chat.send("2027年完成二期建设，上线电子卷宗系统，案件在线办理率不低于60%。")
    f = chat.draft.filing
    assert (f.start, f.end) == (date(2026, 1, 1), date(2028, 12, 31))
    assert f.funding.total == 3_000_000 and f.funding.annual_request == 1_000_000
    assert f.funding.fiscal == 3_000_000 and f.funding.current_appropriation == 1_000_000  # 财政资金 over the years
    assert f.overall_goal.startswith("三年内") and f.goal.startswith("2027年")
    chat.press("全部采用") if chat.draft.proposal else chat.press("自己添加")
    accept_list(chat)
    chat.press("confirm")  # the validator takes a multi-year period and a total over the years
    assert chat.draft.status == FINISHED, chat.text
    assert "funding_sum_multi_year" not in {x.rule for x in validate(chat.draft.filing)}


def test_a_one_year_project_of_the_2026_form_stays_in_its_year(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    for text in ("信息化运维", "上海市宝山区司法局", "上海市宝山区司法局"):
        chat.send(text)
    chat.press("其他运转类")
    chat.press("其他经常性项目")
    assert "阶段性项目" in chat.send("2026-06-01 至 2027-05-31")
    assert chat.draft.step == "dates"
    assert "包含预算年度" in chat.send("2025-01-01 至 2025-12-31")
    chat.send("全年")
    chat.send("12万")
    assert chat.draft.step == "money_detail"  # no total over several years, no 项目总目标
    assert chat.draft.filing.funding.total == 120000


# ------------------------------------------------------------------ year and form
def test_choosing_a_form_keeps_the_year_and_moves_the_indicators(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    count = len(chat.draft.filing.indicators)
    chat.send("/edit")
    chat.press("year")
    chat.press("用2024版表格")
    draft = chat.draft
    assert (draft.filing.year, draft.filing.format) == (2027, "2024")  # the year is not changed
    assert len(draft.filing.indicators) == count and "调整了" in chat.text
    assert {i.level1 for i in draft.filing.indicators} <= {"产出指标", "效益指标", "满意度指标"}
    assert draft.step == "indicators"  # back where /edit came from
    chat.send("/edit")
    chat.press("year")
    chat.send("2026")
    assert (chat.draft.filing.year, chat.draft.filing.format) == (2026, "2026")
    assert (chat.draft.filing.start, chat.draft.filing.end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_indicators_without_a_place_in_the_new_form_are_asked_about(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("用2020版表格")
    assert (chat.draft.filing.year, chat.draft.filing.format) == (2027, "2020")
    draft = chat.draft
    draft.filing.indicators = [Indicator(level1="投入与管理", level2="财务管理", name="预算执行率", value="=100%"),
                               Indicator(level1="产出目标", level2="数量", name="培训场次", value="=3场")]
    chat.engine.store.save_draft(draft)
    chat.send("/edit")
    chat.press("year")
    chat.press("2027年（2026版表格）")
    assert chat.draft.step == "remap" and "预算执行率" in chat.text
    assert chat.draft.filing.format == "2020"  # nothing changed yet
    chat.press("不换表格了")
    assert chat.draft.filing.format == "2020" and len(chat.draft.filing.indicators) == 2
    chat.send("/edit")
    chat.press("year")
    chat.press("2027年（2026版表格）")
    chat.press("全部放到 效益指标/可持续影响指标")
    moved = {i.name: (i.level1, i.level2) for i in chat.draft.filing.indicators}
    assert moved == {"预算执行率": ("效益指标", "可持续影响指标"), "培训场次": ("产出指标", "数量指标")}
    chat.send("/edit")
    chat.press("year")
    chat.press("用2020版表格")  # 2026 → 2020: a mapping exists, no KeyError
    assert chat.draft.filing.format == "2020" and len(chat.draft.filing.indicators) == 2


def test_the_form_follows_the_units_region_and_year_until_the_user_picks_one(corpus, index):
    shanghai = Chat(corpus, index, user="sh")
    shanghai.send("/new")
    shanghai.send("2023")
    assert shanghai.draft.filing.format == "2024"  # the region is not known yet: the national form
    shanghai.send("人民调解员培训")
    asked = shanghai.send("上海市徐汇区司法局")
    assert (shanghai.draft.filing.year, shanghai.draft.filing.format) == (2023, "2020")
    assert "按主管部门，2023 年的表用 2020 版表格" in asked and "项目类别" in asked  # 2020: no 实施单位
    other = Chat(corpus, index, user="wh")
    other.send("/new")
    other.send("2023")
    other.send("人民调解员培训")
    asked = other.send("武汉市江岸区司法局")
    assert (other.draft.filing.year, other.draft.filing.format) == (2023, "2024") and "按主管部门" not in asked
    picked = Chat(corpus, index, user="pk")
    picked.send("/new")
    picked.send("2023")
    picked.send("/back")
    picked.send("2024版表格")  # the national form, chosen by the user (the button offers the others)
    picked.send("人民调解员培训")
    picked.send("上海市徐汇区司法局")
    assert (picked.draft.filing.year, picked.draft.filing.format) == (2023, "2024")  # the user's choice stays
    later = Chat(corpus, index, user="sh2")
    later.send("/new")
    later.press("2027")
    later.send("人民调解员培训")
    later.send("上海市徐汇区司法局")
    assert later.draft.filing.format == "2026"  # 2026 on: everywhere


def test_a_new_draft_starts_in_the_form_of_the_users_last_unit(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.send("2023")
    chat.send("人民调解员培训")
    chat.send("上海市徐汇区司法局")
    chat.send("/new")
    assert "2023年（2020版表格）" not in chat.text
    chat.send("2023")
    assert chat.draft.filing.format == "2020"  # the last unit was a Shanghai one


# ------------------------------------------------------------------ navigation
def test_with_no_draft_open_the_answer_offers_a_new_table_and_the_drafts(corpus, index):
    chat = Chat(corpus, index)
    text = chat.send("12345热线受理服务")  # a newcomer types a project name first
    assert "没有正在填写的草稿" in text
    assert [c.label for c in chat.buttons.choices] == ["新建一张表"]  # no drafts yet: nothing to continue
    chat.press("新建一张表")
    assert chat.draft is not None and chat.draft.step == "year"
    chat.send("/cancel")
    chat.press("是，放弃")
    chat.send("你好")
    assert [c.label for c in chat.buttons.choices] == ["新建一张表", "继续已有的草稿"]
    assert "2027" in chat.press("继续已有的草稿")  # the drafts list


def test_the_funding_split_offers_all_as_this_years_appropriation(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)  # at the proposal
    chat.send("/back")
    chat.send("/back")
    assert chat.draft.step == "money_detail"
    chat.send("600000 111000 0")
    chat.send("/back")
    chat.press("全部为当年财政拨款")
    f = chat.draft.filing.funding
    assert (f.current_appropriation, f.carryover, f.other) == (711000, 0, 0)
    assert chat.draft.step in ("goal", "proposal")


def test_back_keeps_the_answer(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    chat.send("业务培训")
    answer = chat.send("/back")
    assert chat.draft.step == "name" and "已填：业务培训" in answer
    assert "已经是第一步" in (chat.send("/back") and chat.send("/back"))


def test_edit_jumps_and_returns(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.send("/edit")
    assert chat.draft.step == "edit_menu"
    chat.press("name")
    chat.send("工伤鉴定（2027）")
    assert chat.draft.step == "proposal"  # back where /edit came from
    assert chat.draft.filing.project_name == "工伤鉴定（2027）" and chat.draft.filing.goal == GOAL


def test_changing_the_amount_after_the_proposal_makes_its_costs_again(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    chat.send("社区矫正教育帮扶经费")
    chat.send("上海市某区司法局")
    chat.press("同主管部门")
    chat.press("特定目标类")
    chat.press("其他经常性项目")
    chat.press("2027-01-01 至 2027-12-31")
    chat.send("800000")
    chat.send("/skip")
    chat.send("全年组织集中教育学习不少于24次，开展心理评估和个案辅导不少于200人次，社区矫正对象再犯罪率控制在0.2%以下。")
    chat.press("全部采用")
    costs = [i for i in chat.draft.filing.indicators if "成本" in i.name]
    assert costs and costs[0].value == "≤4000.00(元)"  # 800,000 ÷ 200人次
    chat.send("/edit")
    chat.press("money")
    text = chat.send("600000")
    assert "重新计算了成本指标" in text and "≤3000.00(元)" in text and "600,000" in text
    by_name = {i.name: i.value for i in chat.draft.filing.indicators}
    assert by_name[costs[0].name] == "≤3000.00(元)"
    assert chat.draft.step == "indicators"  # back where /edit came from
    chat.send("/edit")
    chat.press("money")
    assert "重新计算" not in chat.send("600000")  # the same amount: nothing to do
    chat.send("1 ≤2800元")  # the clerk's own figure (the cost is the list's first line)
    assert {i.name: i.value for i in chat.draft.filing.indicators}[costs[0].name] == "≤2800.00(元)"
    chat.send("/edit")
    chat.press("money")
    assert "重新计算" not in chat.send("500000")
    assert {i.name: i.value for i in chat.draft.filing.indicators}[costs[0].name] == "≤2800.00(元)"  # theirs stays


def test_restart_resumes_at_the_same_step(tmp_path, corpus, index):
    chat = Chat(corpus, index, store=DraftStore(tmp_path))
    chat.send("/new")
    chat.press("2027")
    chat.send("网络信息系统运行与维护")
    chat.send("上海市松江区人力资源和社会保障局")
    chat.restart()
    assert chat.draft.step == "unit"
    answer = chat.send("/start")
    assert "网络信息系统运行与维护" in answer and "实施单位" in answer
    chat.send("上海市松江区社会保障服务中心")
    assert chat.draft.filing.implementing_unit == "上海市松江区社会保障服务中心"


def test_stale_button_is_refused_politely(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    old = chat.buttons
    chat.press("2027")
    chat.send("业务培训")
    replies = chat.engine.handle("u1", Input("2020", token=old.token))
    assert "过期" in replies[0].plain and replies[0].stale
    assert chat.draft.filing.year == 2027 and chat.draft.step == "department"


def test_cancel_keeps_the_draft_and_delete_removes_it(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    chat.send("业务培训")
    chat.send("/cancel")
    chat.press("no")
    assert chat.draft.step == "department"
    chat.send("/cancel")
    chat.press("yes")
    assert "已放弃" in chat.text
    assert [d.status for d in chat.engine.store.load("u1").drafts] == [ABANDONED]
    assert "没有正在填写" in chat.send("某个答案")
    listing = chat.send("/drafts")
    assert "业务培训" in listing and "已放弃" in listing
    chat.send("1")
    assert chat.draft.step == "department" and chat.draft.status == "drafting"
    chat.send("/delete")
    assert "不能恢复" in chat.text
    chat.press("no")
    assert chat.draft.step == "department"
    chat.send("/delete")
    chat.press("yes")
    assert "已删除" in chat.text and chat.engine.store.load("u1").drafts == []
    assert "还没有草稿" in chat.send("/drafts")


def test_users_do_not_see_each_other(corpus, index):
    engine = Engine(MemoryDraftStore(), corpus, today=lambda: TODAY)
    alice, bob = Chat(corpus, index, "alice", engine=engine), Chat(corpus, index, "bob", engine=engine)
    alice.send("/new")
    alice.press("2027")
    alice.send("甲项目")
    assert "还没有草稿" in bob.send("/drafts")
    bob.send("/new")
    bob.press("2027")
    bob.send("乙项目")
    assert alice.draft.filing.project_name == "甲项目" and bob.draft.filing.project_name == "乙项目"


def test_buttons_by_position_as_telegram_sends_them(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.engine.handle("u1", Input(token=chat.buttons.token, choice=2))  # the third button: 2024 form
    assert (chat.draft.filing.year, chat.draft.filing.format) == (2027, "2024")
    replies = chat.engine.handle("u1", Input(token=chat.draft.token, choice=99))
    assert "过期" in replies[0].plain
    chat.send("/drafts")
    chat.engine.handle("u1", Input(token=chat.buttons.token, choice=0))
    assert chat.engine.store.load("u1").session.menu is None


def test_lookup_anywhere_exact_fuzzy_and_no_match(corpus, index):
    chat = Chat(corpus, index)
    answer = chat.send("/lookup 残疾人就业保障金")
    # two units' projects of the same name: listed apart, never compared year over year
    assert "同名 2 条" in answer and "其他单位的同名项目" in answer and "2020 → 2024" not in answer
    assert "请输入项目名称" in chat.send("/lookup")
    assert "专职调解员工作津贴" in chat.send("调解员")  # the next message is the query
    none = chat.send("/lookup 完全不存在的项目名称xyz")
    assert "没有找到" in none and chat.buttons is not None
    first = chat.buttons.choices[0].value
    replies = chat.engine.handle("u1", Input(token=chat.buttons.token, choice=0))
    assert first in replies[0].plain
    chat.send("/new")  # a lookup in the middle of a draft does not disturb it
    chat.press("2027")
    chat.send("/lookup 工伤鉴定")
    chat.send("业务培训")
    assert chat.draft.filing.project_name == "业务培训"


def test_lookup_in_a_draft_is_short_asks_again_and_gives_details_on_request(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    asked = chat.send("/lookup 工伤鉴定")
    assert len(chat.last) >= 2 and "项目名称" in chat.last[-1].plain  # the interrupted question, again
    short = chat.last[0].plain
    assert len(short.splitlines()) <= 15 and "详细" in short
    detail = "\n".join(r.plain for r in chat.engine.handle("u1", Input("/lookup 工伤鉴定 详细"))[:-1])
    assert len(detail.splitlines()) > len(short.splitlines())
    assert "鉴定" in detail and asked


def test_lookup_puts_the_asking_unit_first(corpus, index):
    units = {f.department for f in corpus if f.project_name == "残疾人就业保障金"}
    assert len(units) == 2
    for unit in sorted(units):
        chat = Chat(corpus, index, user=f"u-{unit}")
        chat.send("/new")
        chat.press("2027")
        chat.send("一个新项目")
        chat.send(unit)
        answer = chat.send("/lookup 残疾人就业保障金")
        others = answer.index("其他单位的同名项目")
        assert answer.find(unit) < others  # the asker's own unit is named before the others


# ------------------------------------------------------------------ limits and odd input
def test_oversized_odd_and_undecodable_input(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    answer = chat.send("长" * (MAX_INPUT + 1))
    assert "太长" in answer and str(MAX_INPUT) in answer
    chat.send("\x00\x07 2027 \u200b")
    assert chat.draft.filing.year == 2027
    chat.send("<b>&amp; 项目</b>")
    assert chat.draft.filing.project_name == "<b>&amp; 项目</b>"
    html = chat.engine.handle("u1", Input("/back"))[0].html
    assert "&lt;b&gt;&amp;amp; 项目&lt;/b&gt;" in html and "<b>&amp; 项目" not in html
    chat.send("工伤\udcff鉴定\ud800")  # bytes a terminal could not decode arrive as lone surrogates
    assert chat.draft.filing.project_name == "工伤\ufffd鉴定\ufffd"
    assert "工伤" in chat.send("/show")
    chat.draft.model_dump_json().encode("utf-8")  # storable as UTF-8


def test_a_hundred_character_name_finishes(corpus, index):
    chat = Chat(corpus, index)
    name = ("工伤鉴定" * 25)[:PROJECT_NAME_CHARS]
    chat.send("/new")
    chat.press("2027")
    assert "不像项目名称" in chat.send(name + "长")  # one over the limit
    fill_facts(chat, project=name)
    chat.press("全部采用")
    accept_list(chat)
    chat.press("confirm")
    assert chat.draft.status == FINISHED and chat.draft.filing.project_name == name
    files = [f for r in chat.last for f in r.files]
    assert len(files) == 2 and all(len(f.filename.encode()) <= 255 for f in files)  # a name any disk takes


def test_indicators_per_draft_are_capped(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    draft = chat.draft
    draft.filing.indicators = [Indicator(level1="产出指标", level2="数量指标", name=f"完成任务件数{i}", value="≥1.00(件)")
                               for i in range(DRAFT_INDICATORS)]
    chat.engine.store.save_draft(draft)
    assert "最多 60 个指标" in chat.press("add") or "不能再添加" in chat.text
    assert chat.draft.step == "indicators" and len(chat.draft.filing.indicators) == DRAFT_INDICATORS


# ------------------------------------------------------------------ a damaged file
@pytest.mark.parametrize("content", [b"{not json", b'{"session": {"1": {"user": 5}}, "drafts": {"1": {"id": []}}}'])
def test_a_damaged_user_file_is_set_aside_and_the_user_told(tmp_path, corpus, index, content, caplog):
    store = DraftStore(tmp_path)
    chat = Chat(corpus, index, store=store)
    chat.send("/new")
    path = store.files.path("u1")
    store.close()
    path.write_bytes(content)
    chat.engine = Engine(DraftStore(tmp_path), corpus, today=lambda: TODAY)
    answer = chat.send("/new")
    aside = list(path.parent.glob(path.name + ".corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert "草稿文件损坏" in answer and aside[0].name in answer and "请联系管理员" in answer
    assert chat.draft is not None and chat.draft.step == "year"  # /new works at once
    assert "草稿文件损坏" not in chat.send("2027")  # told once
    assert str(aside[0]) in caplog.text


# ------------------------------------------------------------------ the flow table
def test_every_target_exists_and_the_diagram_matches_the_table():
    check_flow()
    text = FLOW_MMD.read_text(encoding="utf-8")
    drawn_edges = set(re.findall(r"^\s*(\w+)\s*--[->.]*(?:\|[^|]*\|)?\s*(\w+)\s*$", text, re.MULTILINE))
    drawn_nodes = set(re.findall(r"^\s*(\w+)\s*[\[({]", text, re.MULTILINE))
    assert drawn_edges == edges()
    assert drawn_nodes == nodes()
    assert {b for _, b in edges()} <= nodes()


def test_a_misspelt_or_undeclared_target_fails_the_check(monkeypatch):
    assert goto_targets("def f(d):\n    return Goto('valeus', note)\n") == ["valeus"]

    def answer(draft, text, ctx):
        from jixiao.bot.conversation.outcomes import Goto
        return Goto("valeus")

    bad = Step("bad", lambda d, c: None, answer, "chat.help_name", to=("valeus",))
    monkeypatch.setitem(STEPS, "bad", bad)
    with pytest.raises(FlowError, match="unknown target 'valeus'"):
        check_flow()
    monkeypatch.setitem(STEPS, "bad", Step("bad", lambda d, c: None, answer, "chat.help_name", to=("name",)))
    with pytest.raises(FlowError, match="goes to 'valeus', not in its row"):
        check_flow()


@pytest.mark.parametrize(("line", "said"), [
    ("{over} ≥90%", "没有第 {over} 项"), ("删 {over}", "没有第 {over} 项"), ("{over}", "没有第 {over} 项"),
    ("改名 3", "请把新名称写在编号后面，例如：改名 3"), ("随便写点什么", "没看懂"),
])
def test_a_line_the_list_cannot_take_says_why(corpus, index, line, said):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    count = len(chat.draft.filing.indicators)
    over = count + 1
    assert said.format(over=over) in chat.send(line.format(over=over))
    assert len(chat.draft.filing.indicators) == count
