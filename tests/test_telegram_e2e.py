"""The real bot over HTTP: a fake Bot API server on 127.0.0.1, reached through ``TELEGRAM_API_URL``.

Nothing is faked inside the bot: PTB's httpx layer, long polling with ``getUpdates``
(or a webhook), multipart uploads, the rate limiter and the per-user ordering all run.
The last two tests run ``jixiao serve`` itself as a process: one kills it with SIGKILL
mid-draft and starts it again, the other serves a webhook.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from fake_bot_api import GOAL, TOKEN, FakeBotAPIServer, Person, draft_of, fill_facts, finish_draft
from jixiao.bot.adapters.telegram import ALLOWED_UPDATES, build_application
from jixiao.bot.adapters.telegram_config import TelegramConfig
from jixiao.bot.wiring import build_engine
from jixiao.store.corpus import OwnFilingStore
from jixiao.store.drafts import DraftStore

TODAY = date(2026, 11, 25)
ALICE, BOB, EVE = 1001, 1002, 6666
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def server():
    with FakeBotAPIServer() as running:
        yield running


def make_config(server: FakeBotAPIServer, data_dir: Path) -> TelegramConfig:
    return TelegramConfig(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=server.api_url,
                          JIXIAO_ALLOWED_USERS=f"{ALICE},{BOB}", JIXIAO_DATA_DIR=str(data_dir))


class Bot:
    """The real Application, started the way ``run_polling`` starts it, stopped cleanly."""

    def __init__(self, server: FakeBotAPIServer, data_dir: Path):
        self.server, self.data_dir = server, data_dir
        self.app = None

    async def start(self, webhook_port: int | None = None) -> Bot:
        config = make_config(self.server, self.data_dir)
        self.app = build_application(config, engine=build_engine(config.data_dir, today=lambda: TODAY))
        await self.app.initialize()
        await self.app.post_init(self.app)
        if webhook_port is None:
            await self.app.updater.start_polling(poll_interval=0, timeout=2, allowed_updates=ALLOWED_UPDATES)
        else:
            await self.app.updater.start_webhook(
                listen="127.0.0.1", port=webhook_port, url_path="telegram/hook", secret_token="s3cret-Token",
                webhook_url=f"http://127.0.0.1:{webhook_port}/telegram/hook", allowed_updates=ALLOWED_UPDATES)
        await self.app.start()
        return self

    async def stop(self) -> None:
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()
        await self.app.post_shutdown(self.app)


@pytest.fixture
async def bot(server, tmp_path):
    running = await Bot(server, tmp_path / "data").start()
    yield running
    await running.stop()


# ------------------------------------------------------------------ long polling
async def test_a_whole_draft_over_http_with_long_polling(server, bot):
    alice = Person(server.fake, ALICE)
    alice.send("/start")
    await alice.expect("/new")
    await fill_facts(alice)
    final = await finish_draft(alice)
    assert "已完成" in final
    uploads = {c.method: c.files for c in alice.replies() if c.method in ("sendDocument", "sendPhoto")}
    assert uploads["sendDocument"]["document"][0] == "2027-工伤鉴定.xlsx"
    assert uploads["sendDocument"]["document"][1][:2] == b"PK"  # the bytes survived multipart
    assert uploads["sendPhoto"]["photo"][1][:4] == b"\x89PNG"
    polls = server.fake.calls_to("getUpdates")
    assert polls[-1].params["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert server.fake.calls_to("setMyCommands") and server.fake.unanswered_queries() == []


async def test_two_users_at_once_never_cross(server, bot):
    alice, bob = Person(server.fake, ALICE, "王五"), Person(server.fake, BOB, "李四")
    await asyncio.gather(fill_facts(alice, project="甲项目"), fill_facts(bob, project="乙项目"))
    alice.send("/show")
    bob.send("/show")
    await asyncio.gather(alice.expect("甲项目"), bob.expect("乙项目"))
    for person, mine, theirs in ((alice, "甲项目", "乙项目"), (bob, "乙项目", "甲项目")):
        every = person.seen(since=0)
        assert mine in every and theirs not in every
        assert draft_of(bot.data_dir, person.chat_id).filing.project_name == mine


async def test_each_users_burst_is_applied_in_order(server, bot):
    alice, bob = Person(server.fake, ALICE), Person(server.fake, BOB)
    await asyncio.gather(fill_facts(alice, steps=2), fill_facts(bob, steps=2))
    answers = ["项目一", "上海市宝山区司法局", "上海市宝山区司法局", "/back", "上海市司法鉴定中心"]
    for text in answers:  # no waiting in between: both users' bursts interleave
        alice.send(text)
        bob.send(text.replace("一", "二"))
    await server.fake.until(lambda: all(draft_of(bot.data_dir, u).filing.implementing_unit == "上海市司法鉴定中心"
                                        for u in (ALICE, BOB)), what="both bursts applied")
    assert draft_of(bot.data_dir, ALICE).filing.project_name == "项目一"
    assert draft_of(bot.data_dir, BOB).filing.project_name == "项目二"
    assert draft_of(bot.data_dir, ALICE).step == "category"


async def test_an_unauthorised_user_over_http(server, bot):
    eve = Person(server.fake, EVE, "<b>&Eve")
    for text in ("/start", "/new", "帮我填表"):
        server.fake.message(eve.user, text)
    probe = server.fake.callback(eve.user, {"message_id": 9, "chat": {"id": EVE, "type": "private"}, "date": 1,
                                            "from": server.fake.bot, "text": "x"}, "c|s.0|0")
    query = probe["callback_query"]["id"]
    # Eve's updates run in order, so once her button press is answered the messages are done
    await server.fake.until(lambda: server.fake.answered.get(query), what="the press answered")
    (refusal,) = server.fake.sent(EVE)
    assert str(EVE) in refusal.text and "&lt;b&gt;&amp;Eve" in refusal.params["text"]
    assert not (bot.data_dir / "users").exists() or not any("6666" in p.name for p in (bot.data_dir / "users").iterdir())


async def test_a_stale_button_and_a_restart_over_http(server, tmp_path):
    data_dir = tmp_path / "data"
    first = await Bot(server, data_dir).start()
    alice = Person(server.fake, ALICE)
    await fill_facts(alice, steps=2)
    old = server.fake.keyboard_message(ALICE)
    await fill_facts(alice, steps=4)  # /new again: the old year buttons are stale now
    await first.stop()

    second = await Bot(server, data_dir).start()
    try:
        alice.since = server.fake.mark()
        server.fake.callback(alice.user, old, old["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
        await alice.expect("过期")
        assert server.fake.calls_to("answerCallbackQuery")[-1].params["text"] == "这个按钮已过期"
        alice.send("/start")
        assert "实施单位" in await alice.expect("继续填写")
        assert draft_of(data_dir, ALICE).step == "unit"
    finally:
        await second.stop()


# ------------------------------------------------------------------ a file sent to the bot
async def test_a_pdf_sent_to_the_bot_becomes_the_users_own_filings_and_starts_a_draft(server, bot):
    """Issue 13 item 4: a PDF of two ruled tables (drawn with reportlab; the corpus has neither)
    sent as a Telegram document is fetched with getFile and the file download, read into
    Alice's own filings, summarised, and one of its tables starts her 2027 draft."""
    alice = Person(server.fake, ALICE)
    pdf = (REPO / "tests" / "fixtures" / "import" / "drawn.pdf").read_bytes()
    alice.send_file("普陀区部门预算.pdf", pdf)
    read = await alice.expect("以哪一张为基础填写 2027 年")
    assert "读到 2 张表：2026 兰溪路-真南路下立交工程建设及配套道路改造、2024 法律援助案件补贴" in read
    assert "已存为您的往年表格（2 张）" in read
    assert [c.method for c in server.fake.calls if c.method in ("getFile", "download")] == ["getFile", "download"]
    own = OwnFilingStore(bot.data_dir)
    try:
        stored = own.all()
    finally:
        own.close()
    assert sorted(f.project_name for f in stored) == ["兰溪路-真南路下立交工程建设及配套道路改造", "法律援助案件补贴"]
    assert {f.source.file for f in stored} == {f"upload:tg:{ALICE}/普陀区部门预算.pdf"}
    alice.press("2024《法律援助案件补贴》→ 2027年")
    started = await alice.expect("项目性质是什么")  # a 2024 table has no 项目性质: asked first
    assert "以 2024 年的《法律援助案件补贴》为基础新建 2027 年的表（2026 版表格）" in started
    draft = draft_of(bot.data_dir, ALICE)
    assert (draft.filing.year, draft.filing.format, draft.filing.project_name) == (2027, "2026", "法律援助案件补贴")
    assert draft.filing.department == "上海市普陀区司法局" and draft.step == "nature"
    assert draft.filing.indicators and draft.base is not None and draft.base.year == 2024
    assert draft.filing.goal == "全年办理法律援助案件不少于1500件，受援人满意率不低于90%。"
    for action, argument, needle in [("press", "其他经常性项目", "计划起止日期"), ("press", "全年", "年度资金申请总额"),
                                     ("send", "120万", "当年财政拨款"), ("send", "/skip", "年度总体目标"),
                                     ("press", "沿用上面已填的目标", "从2024年的表开始"), ("press", "从2024年的表开始", "指标（")]:
        getattr(alice, action)(argument)
        await alice.expect(needle)
    final = draft_of(bot.data_dir, ALICE)
    assert final.filing.funding.annual_request == 1200000 and final.step == "indicators"
    assert ("每件案件平均补贴", "≤800.00(元)") in [(i.name, i.value) for i in final.filing.indicators]
    bob = Person(server.fake, BOB)
    bob.send("/start")
    assert "法律援助案件补贴" not in await bob.expect("/new")  # Bob's chat heard nothing of Alice's file


async def test_a_file_over_the_limit_is_refused_unread_over_http(server, bot):
    alice = Person(server.fake, ALICE)
    alice.send_file("全部预算.pdf", b"%PDF-1.4 tiny", file_size=25 * 1024 * 1024)
    refused = await alice.expect("没能读取")
    assert "文件太大（25.0 MB），最多 20.0 MB" in refused
    assert not [c for c in server.fake.calls if c.method in ("getFile", "download")]


# ------------------------------------------------------------------ webhook
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_checks_the_secret_token(server, tmp_path):
    pytest.importorskip("tornado", reason="webhooks need python-telegram-bot[webhooks]")
    port = free_port()
    bot = await Bot(server, tmp_path / "data").start(webhook_port=port)
    try:
        (hook,) = server.fake.calls_to("setWebhook")
        assert hook.params["secret_token"] == "s3cret-Token" and hook.params["url"].endswith("/telegram/hook")
        alice = Person(server.fake, ALICE)
        alice.send("/new")  # the fake delivers it by POST with the secret header
        await alice.expect("预算年度")
        forged = urllib.request.Request(f"http://127.0.0.1:{port}/telegram/hook", method="POST",
                                        data=json.dumps({"update_id": 999, "message": {}}).encode(),
                                        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "wrong"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            await asyncio.to_thread(urllib.request.urlopen, forged, timeout=5)
        assert refused.value.code == 403
    finally:
        await bot.stop()


# ------------------------------------------------------------------ jixiao serve, killed and restarted
def serve(server: FakeBotAPIServer, data_dir: Path, log: Path, *options: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "JIXIAO_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=server.api_url, JIXIAO_ALLOWED_USERS=str(ALICE),
               JIXIAO_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "jixiao.bot", "serve", *options], cwd=data_dir.parent, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def started(person: Person, process: subprocess.Popen, log: Path, needle: str) -> str:
    """Waits for ``needle`` from a freshly started ``jixiao serve``; fails at once if it exits."""
    def check():
        if process.poll() is not None:
            pytest.fail(f"jixiao serve exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        return person._found((needle,))
    return await person.fake.until(check, timeout=30, what=f"{needle!r} from jixiao serve")


async def test_jixiao_serve_survives_sigkill_mid_draft(server, tmp_path):
    data_dir, log = tmp_path / "data", tmp_path / "serve.log"
    alice = Person(server.fake, ALICE)
    process = serve(server, data_dir, log)
    try:
        alice.send("/start")
        await started(alice, process, log, "/new")
        await fill_facts(alice, steps=6, type_year=True)  # up to 项目性质
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert draft_of(data_dir, ALICE).step == "nature"

        process = serve(server, data_dir, log)
        alice.send("/start")
        resumed = await started(alice, process, log, "项目性质")
        assert "继续填写：2027 工伤鉴定" in resumed
        for action, argument, needle in [("press", "其他经常性项目", "计划起止日期"), ("send", "2027-01-01 至 2027-12-31", "年度资金申请总额"),
                                         ("send", "711000", "当年财政拨款"), ("send", "/skip", "年度总体目标")]:
            getattr(alice, action)(argument)
            await alice.expect(needle)
        alice.send(GOAL)
        await alice.expect("相似的往年项目")
        assert "已完成" in await finish_draft(alice)
        assert {c.method for c in alice.replies()} >= {"sendDocument", "sendPhoto"}

        process.send_signal(signal.SIGTERM)  # a graceful stop
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        print(log.read_text(encoding="utf-8", errors="replace"))  # shown when the test fails
    output = log.read_text(encoding="utf-8", errors="replace")
    assert TOKEN not in output and "event=started" in output


async def test_jixiao_serve_with_a_webhook(server, tmp_path):
    pytest.importorskip("tornado", reason="webhooks need python-telegram-bot[webhooks]")
    data_dir, log, port = tmp_path / "data", tmp_path / "serve.log", free_port()
    process = serve(server, data_dir, log, "--webhook", f"http://127.0.0.1:{port}/tg/hook", "--port", str(port))
    alice = Person(server.fake, ALICE)
    try:
        alice.send("/new")  # delivered by POST once the bot has set its webhook
        await started(alice, process, log, "预算年度")
        (hook,) = server.fake.calls_to("setWebhook")
        assert len(hook.params["secret_token"]) >= 32  # none configured: a random one
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert hook.params["secret_token"] not in log.read_text()


# ------------------------------------------------------------------ review between two people
async def test_review_between_two_people_over_http(server, bot):
    """Alice shares, a superseded code is refused, Bob approves while Alice keeps writing:
    the notice reaches Alice's chat only, and the approval is stored."""
    from test_conversation import Chat, finish

    engine = bot.app.bot_data["jixiao"].engine
    finish(Chat(engine.corpus, engine.index, user=f"tg:{ALICE}", engine=engine))  # a finished table, quickly
    alice, bob = Person(server.fake, ALICE, "王五"), Person(server.fake, BOB, "李四")
    start = server.fake.mark()

    alice.send("/share")
    old_code = (await alice.expect("已生成审核码")).split("/review ")[1].split()[0]
    alice.send("/edit")
    await alice.expect("要修改哪一项")
    alice.press("年度目标")
    await alice.expect("年度总体目标")
    alice.send("确保工伤认定和劳动能力鉴定工作有序开展。全年完成鉴定案件不少于3400件。")
    await alice.expect("请检查整张表")
    alice.press("确认完成")
    await alice.expect("已完成")
    alice.send("/share")
    code = (await alice.expect("第 2 版")).split("/review ")[1].split()[0]
    assert code != old_code

    bob.send(f"/review {old_code}")
    assert "旧版本" in await bob.expect("旧版本", "审核码")
    bob.send(f"/review {code}")
    await bob.expect("请审核")

    alice.since = bob.since = server.fake.mark()
    server.fake.press(bob.user, "✓ 批准", BOB)  # Bob approves while Alice keeps writing
    for text in ("/drafts", "/new", "/show"):
        server.fake.message(alice.user, text)
    await bob.expect("已批准")
    await alice.expect("已通过审核")
    await server.fake.until(lambda: "预算年度" in alice.seen(), what="Alice's own messages answered")

    bob_saw = "\n".join(c.text for c in server.fake.sent(BOB, start))
    alice_saw = "\n".join(c.text for c in server.fake.sent(ALICE, start))
    assert "已通过审核" in alice_saw and "已通过审核" not in bob_saw
    assert "已通知填表人" in bob_saw and "已通知填表人" not in alice_saw
    (shared,) = [d for d in DraftStore(bot.data_dir).drafts(f"tg:{ALICE}") if d.versions]
    assert shared.status == "approved" and [(n.version, n.verdict) for n in shared.reviews] == [(2, "approved")]
    assert draft_of(bot.data_dir, ALICE).step == "year"  # Alice's /new was kept too
