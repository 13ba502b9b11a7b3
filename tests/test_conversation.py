"""The drafting conversation through the engine: a whole draft, navigation, restarts."""

from datetime import date

import pytest
from jixiao.bot.conversation.engine import MAX_INPUT, Engine, Input
from jixiao.bot.conversation.state import ABANDONED, FINISHED
from jixiao.bot.wiring import build_index
from jixiao.store.corpus import bundled_corpus
from jixiao.store.drafts import DraftStore

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def corpus():
    return bundled_corpus()


@pytest.fixture(scope="module")
def index(corpus):
    return build_index([f for f in corpus if f.complete])


class Chat:
    """Drives one user's conversation the way a person would, remembering the buttons."""

    def __init__(self, directory, corpus, index, user="u1"):
        self.directory, self.corpus, self.index, self.user = directory, corpus, index, user
        self.engine = self._engine()
        self.last = []
        self.buttons = None

    def _engine(self):
        return Engine(DraftStore(self.directory), self.corpus, self.index, today=lambda: TODAY)

    def restart(self):
        """A new process on the same store."""
        self.engine.store.close()
        self.engine = self._engine()

    def send(self, text):
        self.last = self.engine.handle(self.user, Input(text))
        self._remember()
        return self.text

    def press(self, label):
        reply = self.buttons
        choice = next(c for c in reply.choices if c.label == label or c.value == label)
        self.last = self.engine.handle(self.user, Input(choice.value, token=reply.token))
        self._remember()
        return self.text

    def _remember(self):
        with_buttons = [r for r in self.last if r.choices]
        self.buttons = with_buttons[-1] if with_buttons else None

    @property
    def text(self):
        return "\n".join(r.plain for r in self.last)

    @property
    def draft(self):
        store = self.engine.store
        return store.draft(self.user, store.session(self.user).current)


def fill_facts(chat):
    chat.send("/new")
    chat.press("2027")
    chat.send("工伤鉴定")
    chat.send("上海市松江区人力资源和社会保障局")
    chat.send("上海市松江区社会保障服务中心")
    chat.press("特定目标类")
    chat.send("/skip")
    chat.press("2027-01-01 至 2027-12-31")
    chat.send("711000")
    chat.send("/skip")
    return chat.send("确保工伤认定和劳动能力鉴定工作有序开展。全年案件文书寄送量在18000件左右，完成鉴定案件不少于3300件。")


def confirm_all_values(chat):
    """Keep every proposed value; fix or drop the ones the validator refuses."""
    for _ in range(200):
        if chat.draft.step != "values":
            return
        before = chat.draft.cursor
        chat.press("keep_all")
        if chat.draft.step == "values" and chat.draft.cursor == before:
            chat.press("drop")
    raise AssertionError("values never confirmed")


def test_a_whole_draft_from_new_to_final_table(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    assert "/new" in chat.send("/start")
    asked = fill_facts(chat)
    assert "相似的往年项目" in asked and "工伤鉴定" in asked  # 2026 同名项目 found
    draft = chat.draft
    assert draft.step == "proposal" and draft.proposal
    assert draft.filing.format == "2026" and draft.filing.year == 2027
    assert draft.filing.funding.annual_request == 711000.0
    assert draft.filing.funding.current_appropriation == 711000.0
    chat.press("全部采用")
    assert chat.draft.step == "values"
    assert {i.level1 for i in chat.draft.filing.indicators} >= {"成本指标", "产出指标", "效益指标", "满意度指标"}
    confirm_all_values(chat)
    assert chat.draft.step == "review"
    assert "请检查整张表" in chat.text
    assert all(i.name in chat.text for i in chat.draft.filing.indicators)  # the whole table is shown
    chat.press("confirm")
    final = chat.draft
    assert final.status == FINISHED and final.step == "done"
    assert "已完成" in chat.text
    files = [f for r in chat.last for f in r.files]
    assert {f.filename.rsplit(".", 1)[1] for f in files} == {"xlsx", "png"}
    assert all(f.data[:4] in (b"PK\x03\x04", b"\x89PNG") for f in files)  # made when the adapter sends them
    assert "工伤鉴定" in chat.last[0].plain  # the formatted table comes first
    again = chat.send("谢谢")
    assert "已经完成" in again and not [f for r in chat.last for f in r.files]  # files are not sent again


def test_wrong_value_is_re_asked_and_nothing_is_lost(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    first = chat.draft.filing.indicators[0]
    answer = chat.send("很高很高的样子吧")
    assert "不能用" in answer and "很高很高的样子吧" in answer
    assert chat.draft.step == "values" and chat.draft.cursor == 0
    assert chat.draft.filing.indicators[0] == first
    assert chat.draft.filing.project_name == "工伤鉴定"
    chat.send("≤14元")
    assert chat.draft.filing.indicators[0].value == "≤14.00(元)"
    assert chat.draft.cursor == 1


def test_back_keeps_the_answer_and_skip_only_where_optional(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    chat.send("/new")
    chat.press("2027")
    chat.send("业务培训")
    assert "不能跳过" in chat.send("/skip")  # 主管部门 is required
    answer = chat.send("/back")
    assert chat.draft.step == "name"
    assert "已填：业务培训" in answer
    assert chat.draft.filing.project_name == "业务培训"
    assert "已经是第一步" in (chat.send("/back") and chat.send("/back"))


def test_edit_jumps_and_returns(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    fill_facts(chat)
    chat.send("/edit")
    assert chat.draft.step == "edit_menu"
    chat.press("name")
    assert chat.draft.step == "name"
    chat.send("工伤鉴定（2027）")
    assert chat.draft.step == "proposal"  # back where /edit came from
    assert chat.draft.filing.project_name == "工伤鉴定（2027）"
    assert chat.draft.filing.goal.startswith("确保工伤认定")


def test_restart_resumes_at_the_same_step(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    chat.send("/new")
    chat.press("2027")
    chat.send("网络信息系统运行与维护")
    chat.send("上海市松江区人力资源和社会保障局")
    step = chat.draft.step
    chat.restart()
    assert chat.draft.step == step == "unit"
    answer = chat.send("/start")
    assert "网络信息系统运行与维护" in answer and "实施单位" in answer
    chat.send("上海市松江区社会保障服务中心")
    assert chat.draft.filing.implementing_unit == "上海市松江区社会保障服务中心"


def test_stale_button_is_refused_politely(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    chat.send("/new")
    old = chat.buttons
    chat.press("2027")
    chat.send("业务培训")
    replies = chat.engine.handle("u1", Input("2020", token=old.token))
    assert "过期" in replies[0].plain
    assert chat.draft.filing.year == 2027 and chat.draft.step == "department"


def test_cancel_keeps_the_draft_and_drafts_resumes_it(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    chat.send("/new")
    chat.press("2027")
    chat.send("业务培训")
    chat.send("/cancel")
    chat.press("no")
    assert chat.draft.step == "department"
    chat.send("/cancel")
    chat.press("yes")
    assert "已放弃" in chat.text
    drafts = chat.engine.store.drafts("u1")
    assert [d.status for d in drafts] == [ABANDONED]
    assert "没有正在填写" in chat.send("某个答案")
    listing = chat.send("/drafts")
    assert "业务培训" in listing and "已放弃" in listing
    chat.send("1")
    assert chat.draft.step == "department" and chat.draft.status == "drafting"


def test_users_do_not_see_each_other(tmp_path, corpus, index):
    alice = Chat(tmp_path, corpus, index, user="alice")
    bob = Chat(tmp_path, corpus, index, user="bob")
    alice.send("/new")
    alice.press("2027")
    alice.send("甲项目")
    assert "没有草稿" in bob.send("/drafts") or "还没有草稿" in bob.send("/drafts")
    bob.send("/new")
    bob.press("2027")
    bob.send("乙项目")
    assert alice.draft.filing.project_name == "甲项目"
    assert bob.draft.filing.project_name == "乙项目"


def test_oversized_and_odd_input(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    chat.send("/new")
    answer = chat.send("长" * (MAX_INPUT + 1))
    assert "太长" in answer and str(MAX_INPUT) in answer
    chat.send("\x00\x07 2027 \u200b")
    assert chat.draft.filing.year == 2027
    chat.send("<b>&amp; 项目</b>")
    assert chat.draft.filing.project_name == "<b>&amp; 项目</b>"
    html = chat.engine.handle("u1", Input("/back"))[0].html
    assert "&lt;b&gt;&amp;amp; 项目&lt;/b&gt;" in html and "<b>&amp; 项目" not in html


def test_choose_one_by_one_and_add_own(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    fill_facts(chat)
    count = len(chat.draft.proposal)
    chat.press("逐个选择")
    reply = chat.buttons
    assert reply.edit_in_place is False
    chat.press("t1")
    assert chat.last[-1].edit_in_place is True  # the toggle list redraws itself
    assert chat.draft.proposal[0].selected is False
    chat.send("2 3")
    assert [p.selected for p in chat.draft.proposal[:3]] == [False, False, False]
    chat.press("done")
    assert len(chat.draft.filing.indicators) == count - 3
    assert chat.draft.step == "add_level"
    chat.press("产出指标/数量指标")
    chat.send("上门鉴定服务次数")
    assert "已经有一个" in chat.text or chat.draft.step == "add_value"
    if chat.draft.step == "add_name":
        chat.send("年度上门服务场次")
    chat.send("不低于3次")
    assert chat.draft.filing.indicators[-1].value == "≥3.00(次)"
    assert chat.draft.step == "add_level"
    chat.press("done")
    assert chat.draft.step == "values"


def test_buttons_by_position_as_telegram_sends_them(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    chat.send("/new")
    token = chat.buttons.token
    chat.engine.handle("u1", Input(token=token, choice=3))  # the fourth button: 2020 form
    assert chat.draft.filing.format == "2020"
    replies = chat.engine.handle("u1", Input(token=chat.draft.token, choice=99))
    assert "过期" in replies[0].plain
    chat.send("/drafts")
    listing = chat.buttons
    chat.engine.handle("u1", Input(token=listing.token, choice=0))
    assert chat.engine.store.session("u1").menu is None


def test_lookup_anywhere_exact_fuzzy_and_no_match(tmp_path, corpus, index):
    chat = Chat(tmp_path, corpus, index)
    answer = chat.send("/lookup 残疾人就业保障金")
    # two units' projects of the same name: listed apart, never compared year over year
    assert "同名 2 条" in answer and "其他单位的同名项目" in answer and "2020 → 2024" not in answer
    assert "请输入项目名称" in chat.send("/lookup")
    assert "专职调解员工作津贴" in chat.send("调解员")  # the next message is the query
    none = chat.send("/lookup 完全不存在的项目名称xyz")
    assert "没有找到" in none and chat.buttons is not None
    first = chat.buttons.choices[0].value
    replies = chat.engine.handle("u1", Input(token=chat.buttons.token, choice=0))
    assert first in replies[0].plain and "同名" in replies[0].plain
    # a lookup in the middle of a draft does not disturb it
    chat.send("/new")
    chat.press("2027")
    chat.send("/lookup 工伤鉴定")
    chat.send("业务培训")
    assert chat.draft.filing.project_name == "业务培训"
