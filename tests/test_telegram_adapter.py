"""The Telegram adapter: the real PTB ``Application``, a fake ``BaseRequest``, crafted updates.

Every update goes through ``await app.process_update(update)``, so when it returns the
bot has made all its calls; :class:`tests.fake_bot_api.FakeTelegram` recorded them and
checks them as Telegram would (HTML parses, ≤ 4096 characters, callback data ≤ 64 bytes,
each callback query answered exactly once).
"""

from __future__ import annotations

import json
import logging
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from fake_bot_api import TOKEN, FakeRequest, FakeTelegram, Person, draft_of, fill_facts, finish_draft
from jixiao.bot.adapters.telegram import Refusals, TelegramBot, build_application
from jixiao.bot.adapters.telegram_config import TelegramConfig, load_config
from jixiao.bot.adapters.telegram_keyboards import CHOICE, PAGE, Keyboard, decode, encode
from jixiao.bot.adapters.telegram_logging import KeyValueFormatter
from jixiao.bot.adapters.telegram_text import LIMIT, split_html, visible_length
from jixiao.bot.conversation.replies import Choice, Reply
from jixiao.bot.wiring import build_engine
from jixiao.store.drafts import DraftStore
from telegram import Update
from telegram.ext import Application
from typer.testing import CliRunner

TODAY = date(2026, 11, 25)
ALICE, BOB, EVE = 1001, 1002, 6666


def make_config(data_dir, allowed=(ALICE, BOB)) -> TelegramConfig:
    return TelegramConfig(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, JIXIAO_DATA_DIR=str(data_dir),
                          JIXIAO_ALLOWED_USERS=",".join(map(str, allowed)), TELEGRAM_API_URL="http://api.invalid/bot")


class Harness:
    """An Application on ``data_dir`` whose HTTP layer is ``fake``; ``settle()`` feeds queued updates."""

    def __init__(self, fake: FakeTelegram, data_dir, allowed=(ALICE, BOB)):
        self.fake, self.data_dir, self.allowed = fake, data_dir, allowed
        self.app: Application | None = None

    async def start(self) -> Harness:
        config = make_config(self.data_dir, self.allowed)
        engine = build_engine(config.data_dir, today=lambda: TODAY)
        self.app = build_application(config, engine=engine, request=FakeRequest(self.fake))
        await self.app.initialize()
        await self.app.post_init(self.app)
        return self

    async def stop(self) -> None:
        await self.app.shutdown()
        await self.app.post_shutdown(self.app)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def settle(self) -> None:
        for data in self.fake.take():
            await self.app.process_update(Update.de_json(data, self.app.bot))

    @property
    def bot(self) -> TelegramBot:
        return self.app.bot_data["jixiao"]

    def person(self, user_id: int, first_name: str = "张三", **extra) -> Person:
        return Person(self.fake, user_id, first_name, **extra)

    async def say(self, person: Person, text: str) -> str:
        person.send(text)
        await self.settle()
        return person.seen()

    async def press(self, person: Person, label: str) -> str:
        person.press(label)
        await self.settle()
        return person.seen()


@pytest.fixture
async def harness(tmp_path):
    h = await Harness(FakeTelegram(), tmp_path / "data").start()
    yield h
    await h.stop()
    assert h.fake.unanswered_queries() == []  # every button press was answered exactly once


# ------------------------------------------------------------------ a whole draft
async def test_a_whole_draft_through_buttons_and_text(harness):
    alice = harness.person(ALICE)
    assert "/new" in await harness.say(alice, "/start")
    await fill_facts(alice, harness.settle)
    final = await finish_draft(alice, harness.settle)
    assert "工伤鉴定" in final and "已完成" in final
    files = {c.method: c for c in alice.replies() if c.method in ("sendDocument", "sendPhoto")}
    name, data = files["sendDocument"].files["document"]
    assert name == "2027-工伤鉴定.xlsx" and data[:2] == b"PK"
    name, data = files["sendPhoto"].files["photo"]
    assert name == "2027-工伤鉴定.png" and data[:4] == b"\x89PNG"
    texts = [c for c in alice.replies() if c.method == "sendMessage"]
    assert texts[0].params["parse_mode"] == "HTML" and "📋" not in final  # the table was shown at the review, not again
    draft = draft_of(harness.data_dir, ALICE)
    assert draft.status == "finished" and draft.filing.project_name == "工伤鉴定"


async def test_commands_menu_is_registered_in_chinese(harness):
    (call,) = harness.fake.calls_to("setMyCommands")
    commands = {c["command"]: c["description"] for c in call.params["commands"]}
    # the eight, plus /skip, /delete, /share, /review and /import
    assert {"new", "drafts", "lookup", "show", "back", "edit", "cancel", "help"} <= set(commands)
    assert list(commands) == ["new", "drafts", "lookup", "show", "back", "skip", "edit", "cancel", "delete", "share",
                              "review", "import", "help"]
    assert commands["new"] == "新建一张申报表" and call.params["scope"] == {"type": "all_private_chats"}


async def test_buttons_carry_token_and_index_within_64_bytes(harness):
    alice = harness.person(ALICE)
    await harness.say(alice, "/new")
    markup = harness.fake.keyboard_message(ALICE)["reply_markup"]["inline_keyboard"]
    data = [b["callback_data"] for row in markup for b in row]
    draft = draft_of(harness.data_dir, ALICE)
    assert data == [f"c|{draft.token}|{i}" for i in range(4)]
    assert all(len(d.encode()) <= 64 for d in data)


async def test_lookup_and_unknown_commands_go_to_the_engine(harness):
    alice = harness.person(ALICE)
    await harness.say(alice, "/new")
    assert "/lookup" in await harness.say(alice, "/lookup")  # answered by the engine like any command
    assert "/frobnicate" in await harness.say(alice, "/frobnicate") and "预算年度" in alice.seen()


# ------------------------------------------------------------------ stale buttons, restarts
async def test_a_stale_button_is_answered_and_refused_politely(harness):
    alice = harness.person(ALICE)
    await harness.say(alice, "/new")
    old = harness.fake.keyboard_message(ALICE)
    await harness.press(alice, "2027年（2026版表格）")
    await harness.say(alice, "业务培训")
    alice.since = harness.fake.mark()
    harness.fake.callback(alice.user, old, old["reply_markup"]["inline_keyboard"][1][0]["callback_data"])
    await harness.settle()
    (answer,) = harness.fake.calls_to("answerCallbackQuery")[-1:]
    assert answer.params["text"] == "这个按钮已过期"
    assert "过期" in alice.seen() and "主管部门" in alice.seen()  # refused, and the current question again
    draft = draft_of(harness.data_dir, ALICE)
    assert draft.filing.year == 2027 and draft.step == "department"


async def test_garbled_callback_data_is_answered(harness):
    alice = harness.person(ALICE)
    await harness.say(alice, "/new")
    message = harness.fake.keyboard_message(ALICE)
    harness.fake.callback(alice.user, message, "nonsense")
    await harness.settle()
    assert harness.fake.calls_to("answerCallbackQuery")[-1].params["text"] == "这个按钮已过期"


async def test_a_restart_mid_draft_resumes_at_the_same_step(harness):
    alice = harness.person(ALICE)
    await fill_facts(alice, harness.settle, steps=5)  # up to the category question
    await harness.restart()
    assert draft_of(harness.data_dir, ALICE).step == "category"
    seen = await harness.press(alice, "特定目标类")  # the button sent before the restart still works
    assert "项目性质" in seen
    assert "继续填写" in await harness.say(alice, "/start") and "项目性质" in alice.seen()


# ------------------------------------------------------------------ access control
async def test_an_unauthorised_user_gets_one_refusal_with_their_id_and_nothing_else(harness):
    eve = harness.person(EVE, "<b>&Eve")
    await harness.say(eve, "/start")
    await harness.say(eve, "/new")
    await harness.say(eve, "我要填表")
    harness.fake.callback(eve.user, {"message_id": 1, "chat": {"id": EVE, "type": "private"}, "date": 1,
                                     "from": harness.fake.bot, "text": "x"}, encode(CHOICE, "s.0", 0))
    await harness.settle()
    sent = harness.fake.sent(EVE)
    assert len(sent) == 1 and sent[0].method == "sendMessage"
    assert str(EVE) in sent[0].text and "&lt;b&gt;&amp;Eve" in sent[0].params["text"]
    (answer,) = harness.fake.calls_to("answerCallbackQuery")
    assert str(EVE) in answer.params["text"]
    assert not list((harness.data_dir / "users").glob(f"tg_{EVE}*")) and draft_of(harness.data_dir, EVE) is None


async def test_nobody_is_allowed_when_the_list_is_empty(tmp_path):
    h = await Harness(FakeTelegram(), tmp_path / "data", allowed=()).start()
    alice = h.person(ALICE)
    assert "登记过的同事" in await h.say(alice, "/new") and str(ALICE) in alice.seen()
    await h.stop()


async def test_groups_get_no_drafting_and_no_foreign_content(harness):
    alice, bob, eve = harness.person(ALICE), harness.person(BOB, "李四"), harness.person(EVE)
    await fill_facts(alice, harness.settle, steps=3)  # Alice has a draft
    group = harness.fake.group()
    mark = harness.fake.mark()
    harness.fake.message(bob.user, "/drafts@jixiao_test_bot", chat=group)
    harness.fake.message(bob.user, "工伤鉴定", chat=group)  # plain text in a group: ignored
    harness.fake.message(eve.user, "/new", chat=group)  # not allowed: silence in the group
    await harness.settle()
    sent = harness.fake.sent(group["id"], mark)
    assert len(sent) == 1 and "私聊" in sent[0].text and "@jixiao_test_bot" in sent[0].text
    assert sent[0].params["reply_parameters"]["message_id"]  # a reply to Bob's command
    assert "工伤鉴定" not in sent[0].text
    assert draft_of(harness.data_dir, BOB) is None and harness.fake.sent(EVE) == []


# ------------------------------------------------------------------ two users, escaping
async def test_two_users_drafting_at_once_do_not_cross(harness):
    alice, bob = harness.person(ALICE, "王五"), harness.person(BOB, "李四")
    alice.send("/new")
    bob.send("/new")
    await harness.settle()
    alice.press("2027年（2026版表格）")
    bob.press("2026年（2026版表格）")
    alice.send("甲项目")
    bob.send("乙项目")
    alice.send("上海市宝山区司法局")
    await harness.settle()
    a, b = harness.fake.sent(ALICE), harness.fake.sent(BOB)
    assert not any("乙项目" in c.text for c in a) and not any("甲项目" in c.text for c in b)
    assert draft_of(harness.data_dir, ALICE).filing.project_name == "甲项目"
    assert draft_of(harness.data_dir, ALICE).filing.department == "上海市宝山区司法局"
    assert draft_of(harness.data_dir, BOB).filing.project_name == "乙项目"
    assert draft_of(harness.data_dir, BOB).filing.year == 2026
    assert "乙项目" in await harness.say(bob, "/show") and "甲项目" not in bob.seen()


async def test_user_text_with_markup_characters_is_escaped(harness):
    alice = harness.person(ALICE, "<b>&Alice")
    await fill_facts(alice, harness.settle, steps=3, project="<b>&工伤鉴定")
    await harness.say(alice, "/show")
    shown = [c for c in alice.replies() if "工伤鉴定" in c.text]
    assert shown and all("&lt;b&gt;&amp;工伤鉴定" in c.params["text"] for c in shown)
    assert "<b>&工伤鉴定" in shown[0].text  # and Telegram shows it as typed
    assert draft_of(harness.data_dir, ALICE).filing.project_name == "<b>&工伤鉴定"


# ------------------------------------------------------------------ keyboards: pages, toggles
async def test_long_lists_are_paginated_without_asking_the_engine(harness):
    alice = harness.person(ALICE)
    for _ in range(10):
        await harness.say(alice, "/new")
    await harness.say(alice, "/drafts")
    message = harness.fake.keyboard_message(ALICE)
    rows = message["reply_markup"]["inline_keyboard"]
    assert [len(r) for r in rows] == [1] * 8 + [2] and rows[-1][0]["text"] == "1/2"
    turns = DraftStore(harness.data_dir).session(f"tg:{ALICE}").turn
    seen = await harness.press(alice, "下一页 ▶")
    assert seen == ""  # nothing new was sent
    (edit,) = harness.fake.sent(ALICE, alice.since, ("editMessageReplyMarkup",))
    rows = edit.params["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in rows[-1]] == ["◀ 上一页", "2/2"] and rows[0][0]["text"].startswith("9. ")
    assert DraftStore(harness.data_dir).session(f"tg:{ALICE}").turn == turns  # the engine was not asked
    await harness.press(alice, "2/2")  # the page label does nothing
    assert harness.fake.sent(ALICE, alice.since) == []
    assert "继续填写" in await harness.press(alice, "10. ")


async def test_a_page_button_after_a_restart_asks_for_start(harness):
    alice = harness.person(ALICE)
    for _ in range(9):
        await harness.say(alice, "/new")
    await harness.say(alice, "/drafts")
    await harness.restart()
    await harness.press(alice, "下一页 ▶")
    assert "/start" in harness.fake.calls_to("answerCallbackQuery")[-1].params["text"]


async def test_a_toggle_list_edits_its_own_message(harness):
    alice = harness.person(ALICE)
    await fill_facts(alice, harness.settle)
    await harness.press(alice, "逐个选择")
    listing = harness.fake.keyboard_message(ALICE)
    await harness.press(alice, "✅ 1.")
    (edit,) = alice.replies()
    assert edit.method == "editMessageText" and edit.params["message_id"] == listing["message_id"]
    assert "⬜ 1." in json.dumps(edit.params["reply_markup"], ensure_ascii=False)
    pages = edit.params["reply_markup"]["inline_keyboard"][-1]
    assert pages[0]["text"] == "1/3"  # the proposal's 19 indicators and "完成选择": 3 pages, page 1 kept
    await harness.press(alice, "下一页 ▶")
    await harness.press(alice, "✅ 9.")  # a toggle on page 2 redraws page 2
    (edit,) = alice.replies()
    assert edit.method == "editMessageText" and "2/3" in json.dumps(edit.params["reply_markup"], ensure_ascii=False)
    assert [p.selected for p in draft_of(harness.data_dir, ALICE).proposal[:9]] == [False] + [True] * 7 + [False]


# ------------------------------------------------------------------ errors, files, edits
async def test_an_error_is_logged_with_the_update_id_and_the_draft_is_safe(harness, caplog):
    alice = harness.person(ALICE)
    await fill_facts(alice, harness.settle, steps=3)
    engine = harness.bot.engine
    real = engine.handle
    engine.handle = lambda user, inp: (_ for _ in ()).throw(RuntimeError("disk on fire"))
    with caplog.at_level(logging.ERROR):
        update = alice.send("上海市松江区人力资源和社会保障局")
        await harness.settle()
    engine.handle = real
    assert "草稿已经保存" in alice.seen()
    assert f"update_id={update['update_id']}" in caplog.text and "RuntimeError" in caplog.text
    assert draft_of(harness.data_dir, ALICE).step == "department"
    assert "实施单位" in await harness.say(alice, "上海市松江区人力资源和社会保障局")


async def test_a_failing_button_press_is_still_answered(harness):
    alice = harness.person(ALICE)
    await harness.say(alice, "/new")
    harness.bot.engine.handle = lambda user, inp: 1 / 0
    await harness.press(alice, "2027年（2026版表格）")
    assert "草稿已经保存" in alice.seen()  # and the fixture checks the press was answered once


def test_a_refused_user_is_told_again_only_after_a_while():
    now = [0.0]
    refusals = Refusals(clock=lambda: now[0])
    assert refusals.first(EVE) and not refusals.first(EVE)
    now[0] += Refusals.AGAIN_AFTER
    assert refusals.first(EVE) and refusals.first(BOB)


async def test_a_refused_photo_is_sent_as_a_document(harness):
    harness.fake.fail("sendPhoto", "Bad Request: PHOTO_INVALID_DIMENSIONS")
    alice = harness.person(ALICE)
    await fill_facts(alice, harness.settle)
    await finish_draft(alice, harness.settle)
    names = sorted(c.files["document"][0] for c in alice.replies() if c.method == "sendDocument")
    assert names == ["2027-工伤鉴定.png", "2027-工伤鉴定.xlsx"]


async def test_a_table_too_tall_to_draw_is_explained_in_place_of_the_picture(harness, monkeypatch):
    import jixiao.bot.render.caps as caps

    monkeypatch.setattr(caps, "PNG_PIXELS", 1000)
    alice = harness.person(ALICE)
    await fill_facts(alice, harness.settle)
    await harness.press(alice, "全部采用")
    while "请检查整张表" not in await harness.press(alice, "全部确认"):
        number = alice.seen().split("还不能确认：第 ")[-1].split(" 项")[0].split("、")[0]
        await harness.say(alice, f"删 {number}")
    await harness.press(alice, "确认完成")
    sent = alice.replies()
    assert [c.method for c in sent if c.method in ("sendDocument", "sendPhoto")] == ["sendDocument"]
    assert "无法生成图片" in sent[-1].text and sent[-1].method == "sendMessage"


async def test_a_file_sent_is_downloaded_read_and_offered(harness):
    alice = harness.person(ALICE)
    pdf = (Path(__file__).parent / "fixtures" / "import" / "drawn.pdf").read_bytes()
    alice.send_file("两张表.pdf", pdf)
    await harness.settle()
    seen = alice.seen()
    assert "读到 2 张表" in seen and "以哪一张为基础填写 2027 年" in seen
    labels = [b["text"] for row in harness.fake.keyboard_message(ALICE)["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["2026《兰溪路-真南路下立交工程建设及配套道路改造》→ 2027年", "2024《法律援助案件补贴》→ 2027年"]
    assert "项目性质是什么" in await harness.press(alice, "法律援助案件补贴")  # a 2024 table has none
    assert draft_of(harness.data_dir, ALICE).filing.project_name == "法律援助案件补贴"


async def test_a_photo_of_a_table_is_refused_with_what_to_send_instead(harness):
    alice = harness.person(ALICE)
    alice.send_file("ignored.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(500), mime_type="image/jpeg")
    await harness.settle()
    assert "没能读取“photo.jpg”：这不是文本、PDF 或 Excel 文件" in alice.seen()


async def test_a_download_that_fails_is_said_and_nothing_reaches_the_engine(harness):
    harness.fake.fail("getFile", "Bad Request: wrong file_id or the file is temporarily unavailable")
    alice = harness.person(ALICE)
    alice.send_file("表.pdf", b"%PDF-1.4")
    await harness.settle()
    assert alice.seen() == "没能从 Telegram 下载这个文件，请稍后再发一次。"
    assert draft_of(harness.data_dir, ALICE) is None


async def test_an_edited_message_is_not_applied_again(harness):
    alice = harness.person(ALICE)
    await fill_facts(alice, harness.settle, steps=2)
    update = alice.send("工伤鉴定")
    await harness.settle()
    harness.fake.edit(alice.user, update, "业务培训")
    alice.since = harness.fake.mark()
    await harness.settle()
    assert "不会重新处理" in alice.seen()
    assert draft_of(harness.data_dir, ALICE).filing.project_name == "工伤鉴定"


# ------------------------------------------------------------------ pieces
def test_callback_data_round_trip():
    assert decode(encode(CHOICE, "1a2b3c4d.17", 12)).number == 12
    assert decode(encode(PAGE, "s.3", 1)).kind == PAGE
    assert decode("c|x") is None and decode(None) is None and decode("z|t|1") is None and decode("c|t|-1") is None
    assert len(encode(CHOICE, "x" * 20, 999).encode()) <= 64
    with pytest.raises(ValueError):
        encode(CHOICE, "x" * 61, 1)


def test_keyboard_pages_follow_rows_of_columns():
    reply = Reply("q", "q", tuple(Choice(f"选项{i}", str(i)) for i in range(20)), "t.1", columns=2)
    keyboard = Keyboard.of(reply)
    assert keyboard.per_page == 16 and keyboard.pages == 2 and keyboard.page_of(17) == 1
    rows = keyboard.markup(1).inline_keyboard
    assert [len(r) for r in rows] == [2, 2, 2]  # 4 choices left, then ◀ 2/2


@pytest.mark.parametrize("unit", ["工伤鉴定，", "<b>粗</b> &amp; 细 ", "😀"])
def test_long_messages_split_at_lines_and_keep_markup_valid(unit):
    from fake_bot_api import check_html

    lines = [f"第{i}行 " + unit * (i % 40) for i in range(600)]
    text = "<blockquote>" + "\n".join(lines[:300]) + "</blockquote>\n" + "\n".join(lines[300:])
    parts = split_html(text)
    assert len(parts) > 1 and all(visible_length(p) <= LIMIT for p in parts)
    assert "\n".join(check_html(p) for p in parts) == check_html(text)  # nothing lost, every part parses
    giant = split_html("<b>" + unit * 5000 + "</b>")
    assert all(visible_length(p) <= LIMIT and check_html(p) for p in giant)


def test_logs_are_key_value_lines_without_the_token():
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyValueFormatter((TOKEN,)))
    log = logging.getLogger("test.telegram.logfmt")
    log.addHandler(handler)
    log.propagate = False
    log.warning("event=handled update_id=%s user=%s", 7, 1001)
    log.warning("POST https://api.telegram.org/bot%s/getMe failed", TOKEN)
    first, second = stream.getvalue().splitlines()
    assert "level=warning" in first and first.endswith("event=handled update_id=7 user=1001")
    assert TOKEN not in second and "bot***/getMe" in second and 'msg="' in second


# ------------------------------------------------------------------ configuration
def test_configuration_problems_are_one_line_without_secrets(monkeypatch, tmp_path):
    from jixiao.bot.adapters.telegram_config import ConfigError

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALLOWED_USERS", "666")  # a field's bare name is not a variable of ours
    for name in ("TELEGRAM_BOT_TOKEN", "JIXIAO_ALLOWED_USERS", "JIXIAO_DATA_DIR", "TELEGRAM_API_URL", "JIXIAO_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        load_config()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret-but-short")
    monkeypatch.setenv("JIXIAO_ALLOWED_USERS", "1, two")
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert "secret-but-short" not in str(raised.value) and "'two'" in str(raised.value)
    assert "\n" not in str(raised.value)
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nJIXIAO_ALLOWED_USERS=5, 6\nTELEGRAM_API_URL=http://127.0.0.1:8081\n")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    monkeypatch.delenv("JIXIAO_ALLOWED_USERS")
    config = load_config()
    assert config.allowed_users == {5, 6} and config.api_url == "http://127.0.0.1:8081/bot"
    assert config.base_file_url == "http://127.0.0.1:8081/file/bot" and config.data_dir.is_dir()
    assert TOKEN not in repr(config)
    assert make_config(tmp_path, ()).allowed_users == frozenset()


def test_serve_refuses_bad_configuration_with_status_2(monkeypatch, tmp_path):
    from jixiao.bot.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "ftp://nowhere")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "TELEGRAM_API_URL" in result.output


# ------------------------------------------------------------------ recipients
async def test_replies_go_to_the_user_who_pressed_not_the_pressed_messages_chat(harness):
    alice, bob = harness.person(ALICE, "王五"), harness.person(BOB, "李四")
    await harness.say(alice, "/new")
    await harness.say(bob, "/new")
    alices = harness.fake.keyboard_message(ALICE)
    bobs_token = draft_of(harness.data_dir, BOB).token
    mark = harness.fake.mark()
    harness.fake.callback(bob.user, alices, encode(CHOICE, bobs_token, 0))  # forged: Bob's press on Alice's message
    await harness.settle()
    assert harness.fake.sent(ALICE, mark) == []  # nothing into Alice's chat
    assert "项目名称" in "\n".join(c.text for c in harness.fake.sent(BOB, mark))
    assert draft_of(harness.data_dir, BOB).filing.year == 2027 and draft_of(harness.data_dir, ALICE).step == "year"


async def test_a_review_notice_goes_to_the_drafters_chat(harness):
    from test_conversation import Chat, finish

    engine = harness.bot.engine
    finish(Chat(engine.corpus, engine.index, user=f"tg:{ALICE}", engine=engine))
    alice, bob = harness.person(ALICE, "王五"), harness.person(BOB, "李四")
    code = (await harness.say(alice, "/share")).split("/review ")[1].split()[0]
    assert "请审核" in await harness.say(bob, f"/review {code}")
    mark = harness.fake.mark()
    await harness.press(bob, "退回修改")
    await harness.press(bob, "整张表")
    await harness.say(bob, "请补充成本测算依据")
    to_alice = "\n".join(c.text for c in harness.fake.sent(ALICE, mark))
    to_bob = "\n".join(c.text for c in harness.fake.sent(BOB, mark))
    assert "被退回修改" in to_alice and "请补充成本测算依据" in to_alice
    assert "被退回修改" not in to_bob and "已通知填表人" in to_bob
    assert draft_of(harness.data_dir, ALICE).status == "returned"


async def test_the_indicator_list_is_redrawn_in_place(harness):
    alice = harness.person(ALICE)
    await fill_facts(alice, harness.settle)
    await harness.press(alice, "全部采用")
    listing = harness.fake.keyboard_message(ALICE)
    await harness.press(alice, "2. ")
    (edit,) = alice.replies()
    assert edit.method == "editMessageText" and edit.params["message_id"] == listing["message_id"]
    assert "第 2/" in edit.text
    await harness.press(alice, "返回列表")
    (edit,) = alice.replies()
    assert edit.method == "editMessageText" and "指标（" in edit.text
    pages = json.dumps(edit.params["reply_markup"], ensure_ascii=False)
    assert "1/" in pages  # a long list keeps its pages
