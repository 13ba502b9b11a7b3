"""The review seen from both sides after the clerks' probe: a returned table re-shared unchanged,
pending confirmations and open menus after /drafts and a restart, what the review summary counts."""

import io
import re
from datetime import datetime, timezone

import pytest
from jixiao.bot.adapters.console import ConsoleChat
from jixiao.bot.conversation.engine import Engine
from jixiao.bot.conversation.state import FINISHED, RETURNED
from jixiao.store.drafts import DraftStore, MemoryDraftStore
from jixiao.store.memory import MemoryOwnFilings
from jixiao.store.shares import MemoryShareStore, ShareStore
from test_conversation import TODAY, Chat, accept_list, fill_facts, finish

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


class Person(Chat):
    """One user of a shared engine."""

    def __init__(self, engine, user):
        super().__init__(engine.corpus, engine.index, user, engine=engine)

    def notices_for(self, user):
        return [r.plain for r in self.last if r.to == user]


@pytest.fixture
def engine(corpus):
    return Engine(MemoryDraftStore(), corpus, today=lambda: TODAY, shares=MemoryShareStore(),
                  own_filings=MemoryOwnFilings(), now=lambda: NOW)


def code_in(text):
    return re.search(r"/review ([A-Z2-9]{8})", text)[1]


def returned(engine, comment="整张表成本偏低"):
    """Alice's finished table, shared and sent back by bob with a comment on the whole table."""
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    finish(alice)
    code = code_in(alice.send("/share"))
    bob.send(f"/review {code}")
    bob.press("return")
    bob.press("整张表")
    bob.send(comment)
    assert alice.draft.status == RETURNED
    return alice, bob


# ------------------------------------------------------------------ P1: a returned table re-shared unchanged
def test_a_returned_table_is_not_reshared_unchanged_without_asking(engine):
    alice, bob = returned(engine)
    alice.send("/start")  # the drafter comes back to the returned table (its review page)
    alice.press("confirm")
    assert alice.draft.status == FINISHED
    asked = alice.send("/share")
    assert "还没有修改" in asked and "整张表成本偏低" in asked  # the comment shown again
    assert len(alice.draft.versions) == 1 and not alice.notices_for("bob")  # nothing shared, nobody told
    insisted = alice.send("/share 仍然提交")
    (notice,) = alice.notices_for("bob")
    assert code_in(insisted) in notice and "未修改" in notice and "已修改" not in notice
    assert [v.number for v in alice.draft.versions] == [1, 2]


def test_a_returned_table_changed_is_reshared_as_changed(engine):
    alice, bob = returned(engine)
    alice.send("/edit")
    alice.press("goal")
    alice.send("确保工伤认定和劳动能力鉴定工作有序开展。全年完成鉴定案件不少于3400件。")
    alice.press("confirm")
    assert "审核码" in alice.send("/share")
    (notice,) = alice.notices_for("bob")
    assert "已修改并重新提交（第 2 版）" in notice


# ------------------------------------------------------------------ P8: a pending confirmation is dropped
@pytest.mark.parametrize("command", ["/delete", "/cancel"])
def test_opening_a_draft_from_the_list_drops_a_pending_confirmation(corpus, index, command):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    chat.send("测试项目甲")
    assert chat.draft.step == "department"
    chat.send(command)
    assert chat.draft.step.startswith("confirm_")
    chat.send("/drafts")
    shown = chat.send("1")
    assert "确定" not in shown and chat.draft.step == "department" and chat.draft.return_to is None
    chat.send("1")  # the next "1" answers the department question, it deletes nothing
    assert chat.draft is not None and chat.draft.filing.project_name == "测试项目甲"


def test_a_finished_table_opened_again_after_delete_is_still_finished(corpus, index):
    chat = Chat(corpus, index)
    finish(chat)
    chat.send("/delete")
    chat.send("/drafts")
    chat.send("1")
    assert chat.draft.step == "done" and chat.draft.status == FINISHED


# ------------------------------------------------------------------ P9: an open menu survives a restart
def disk_engine(corpus, directory):
    """A new process on the files in ``directory`` (drafts and review codes)."""
    return Engine(DraftStore(directory), corpus, today=lambda: TODAY, shares=ShareStore(directory),
                  own_filings=MemoryOwnFilings(), now=lambda: NOW)


def test_the_reviewers_verdict_menu_survives_a_restart(corpus, tmp_path):
    engine = disk_engine(corpus, tmp_path)
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    finish(alice)
    code = code_in(alice.send("/share"))
    assert "请审核" in bob.send(f"/review {code}")
    engine.store.close()
    bob = Person(disk_engine(corpus, tmp_path), "bob")
    assert "请审核" in bob.send("/start")  # the console's first word after the restart
    bob.press("return")
    assert "意见针对哪一项" in bob.text


def test_the_drafts_list_survives_a_restart_and_a_number_opens_a_draft(corpus, index, tmp_path):
    chat = Chat(corpus, index, store=DraftStore(tmp_path))
    chat.send("/new")
    chat.press("2027")
    chat.send("测试项目甲")
    chat.send("/drafts")
    chat.restart()
    assert "测试项目甲" in chat.send("/start")
    chat.press("1")
    state = chat.engine.store.load(chat.user)
    assert len(state.drafts) == 1 and chat.draft.filing.project_name == "测试项目甲"


def test_a_bare_number_at_the_welcome_creates_no_draft(corpus, index, tmp_path):
    chat = Chat(corpus, index, store=DraftStore(tmp_path))
    chat.send("/new")
    chat.press("2027")
    chat.send("测试项目甲")
    chat.send("/cancel")
    chat.press("yes")  # given up: no draft open, one in the list
    chat.restart()
    assert "/new" in chat.send("/start")  # the welcome
    console = ConsoleChat(chat.engine, chat.user, tmp_path / "exports", out=io.StringIO())
    console.buttons = chat.buttons
    shown = "\n".join(r.plain for r in console.send("1"))  # a clerk's "1" meant for draft 1
    assert len(chat.engine.store.load(chat.user).drafts) == 1 and "2027 测试项目甲" in shown  # the list


# ------------------------------------------------------------------ P11: the summary counts what the table marks
def test_the_review_counts_values_taken_from_last_year_that_are_not_confirmed(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("从2026年的表开始")
    flagged = set(chat.draft.notes)
    assert flagged  # 2026's money and dates, to be checked
    accept_list(chat)
    shown = chat.text
    assert chat.draft.step == "review"
    marked = [line for line in shown.splitlines() if line.startswith("⚠") and any(n in line for n in flagged)]
    assert len(marked) == len(flagged)  # the ⚠ marks stay on the review page
    warnings = int(re.search(r"发现 (\d+) 条提醒", shown)[1])
    assert warnings >= len(flagged)


def test_a_returned_table_shows_the_comment_once_and_counts_it(engine):
    alice, bob = returned(engine, comment="整张表成本偏低请重算")
    shown = alice.send("/start")
    assert shown.count("整张表成本偏低请重算") == 1
    assert "发现 0 条提醒" not in shown and "1 条意见" in shown


# ------------------------------------------------------------------ P17: less said twice
def test_the_finished_table_is_printed_once(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    chat.press("全部采用")
    accept_list(chat)
    chat.press("confirm")
    assert chat.draft.status == FINISHED
    assert "绩效指标" not in chat.text and "已完成" in chat.text  # the table was shown at the review just before
    assert any(r.files for r in chat.last)


def test_the_review_texts_have_no_stray_space_or_repeated_label(corpus, index):
    chat = Chat(corpus, index)
    fill_facts(chat)
    asked = chat.press("换项目类型")
    assert "项目类型：项目类型" not in asked and "现在：项目类型" not in asked
    chat.send("/back")
    chat.press("全部采用")
    accept_list(chat)
    assert "请检查整张表。发现" in chat.text and "。 发现" not in chat.text


def test_the_reviewer_is_told_who_submitted_the_table(engine):
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    finish(alice)
    code = code_in(alice.send("/share"))
    assert "填表人：alice" in bob.send(f"/review {code}")


def test_show_before_the_indicators_does_not_cry_missing_levels(corpus, index):
    chat = Chat(corpus, index)
    chat.send("/new")
    chat.press("2027")
    chat.send("业务培训")
    shown = chat.send("/show")
    assert "缺少一级指标" not in shown and "业务培训" in shown
    later = Chat(corpus, index, user="u2")  # once indicators exist, a missing level is said again
    fill_facts(later)
    later.press("全部采用")
    while later.draft.filing.indicators[0].level1 == "成本指标":  # the list starts with the costs
        later.send("删 1")
    assert "缺少一级指标“成本指标”" in later.send("/show")
