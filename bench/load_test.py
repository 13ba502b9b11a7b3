"""Load test: many users drafting at once through the real PTB ``Application``, against the framework's floor.

    .venv/bin/python bench/load_test.py                  # 1,000 users × 14 steps (under a minute)
    .venv/bin/python bench/load_test.py --quick          # 100 users (a smoke run)
    .venv/bin/python bench/load_test.py --users 50 --steps 5 --data-dir /tmp/load --keep

**Ours.** The bot's own ``Application`` is built by ``bot.adapters.telegram.build_application``
(the real handlers, ``PerUserOrder``, the engine's thread pool, the engine with the
bundled corpus and the durable per-user store in ``--data-dir``), with
:class:`OfflineRequest` as its HTTP layer: every Bot API call is recorded (time, method,
parameters) and answered at once with plausible JSON (a ``Message`` for sends and edits).
Logging is set up as ``jixiao serve`` sets it up (INFO, key=value lines), into a file.

Every simulated user has their own private chat (chat id = user id, all on the
allow-list) and drafts as a person does: each answer waits for the bot's reply to the
previous one. The path (:data:`SCRIPT`) is /new, the year *button*, the project name
``项目-<user id>``, the department, /show, the unit, the category *button*, /skip, the
dates *button*, the money, /skip, the goal (a similar-project search and 19 proposed
indicators), the "take them all" *button* and the "keep all values" *button* (the whole
table for review). A button press is a ``callback_query`` whose data is taken from the
keyboard of the bot's previous reply *to that user* (the recorded ``sendMessage``'s
``reply_markup``). All users start at once; updates go into ``application.update_queue``
as the poller puts them, so they pass PTB's update fetcher and our per-user ordering.

**Attribution.** A user has one update in flight at a time, so the calls to their chat
between feeding an update and its completion are that update's. Completion is seen by a
probe handler in group 1000 (after every handler of the bot has returned); it records how
many calls the chat had by then. A call to a chat while its user has nothing in flight, or
to a chat that is no user's, is *misrouted*. An update's latency runs from the moment the
update is built from JSON and queued to its last Bot API call.

**Checks.** Every update must be completed and get at least one message (sent or edited)
in the right chat; the text must hold the question expected after that answer (e.g.
"主管部门是哪个单位" after the project name); every "项目-<n>" in it must be the user's own;
a button press must be answered exactly once (``answerCallbackQuery`` with its query id);
no error notice, no "button expired", no ERROR log line. Afterwards the store is opened
fresh and each user's current draft must hold that user's answers (name, year,
department, unit, category, dates, money, goal, indicators, step). Any failure: exit 1.

**The floor.** In the same run, a bare PTB ``Application`` with the same builder settings
(``Defaults``, ``PerUserOrder``, the same offline request, the same probe) whose only
handler sends one reply per update gets the same updates (same users, same kinds, same
texts; button presses with made-up callback data) driven the same way. It runs once
before ours and once after (other work on a shared machine drifts); the ratio is ours
against the mean of the two.

**Where the time goes.** While ours runs, :class:`Timers` puts a stopwatch (wall and CPU
time, any thread) around ``Engine.handle`` and the store's ``AtomicJSONStorage.write`` and
``read``; with the CPU time of the event loop's thread this splits an update's cost
between PTB + adapter and the engine, and shows the durable saves' share.

**The durable save.** Each answer is saved through the store's journal (``store/journal.py``:
the new file is made durable in a shared journal, one ``fdatasync`` for all the saves
waiting at that moment, then put in place): the report gives how many saves each sync
covered. ``--no-journal`` saves each answer with its own fsyncs, as before the journal;
``--fsync-latency MS`` makes every fsync slower, to see how both fare on a slower disk than
this machine's (group commit pays where a sync is slow).

**Rate limiter.** The bot is built with PTB's ``AIORateLimiter``, which holds every
``chat_id`` call to 30 per second (Telegram's own limit for a bot). Offline it would make
both runs measure that limit, so it is taken out of our ``Application`` for the
measurement (``--rate-limiter`` keeps it); the floor has none.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import html
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from jixiao.bot.adapters.telegram import ENGINE_THREADS, build_application  # noqa: E402
from jixiao.bot.adapters.telegram_config import TelegramConfig  # noqa: E402
from jixiao.bot.adapters.telegram_logging import KeyValueFormatter  # noqa: E402
from jixiao.bot.adapters.telegram_order import PerUserOrder  # noqa: E402
from jixiao.bot.conversation.engine import Engine  # noqa: E402
from jixiao.bot.texts import render_plain  # noqa: E402
from jixiao.bot.wiring import build_engine  # noqa: E402
from jixiao.store.drafts import DraftStore  # noqa: E402
from jixiao.store.safe_storage import AtomicJSONStorage  # noqa: E402
from telegram import LinkPreviewOptions, Update  # noqa: E402
from telegram.constants import ParseMode  # noqa: E402
from telegram.ext import Application, ContextTypes, Defaults, TypeHandler  # noqa: E402
from telegram.request import BaseRequest, RequestData  # noqa: E402

TOKEN = "123456:LOAD-test-token-abcdefghijklmnop"
API_URL = "http://api.invalid/bot"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "绩效助手", "username": "jixiao_load_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
TODAY = date(2026, 11, 25)
FIRST_USER = 500_000_001  # user ids (= private chat ids) are FIRST_USER, FIRST_USER + 1, ...
PROBE_GROUP = 1000  # after every handler group of the bot
SENDS = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument", "sendPhoto")
TAG_RE = re.compile(r"<[^>]*>")
PROJECT_RE = re.compile(r"项目-(\d+)")

DEPARTMENT = "上海市松江区人力资源和社会保障局"
UNIT = "上海市松江区社会保障服务中心"
GOAL = "确保工伤认定和劳动能力鉴定工作有序开展。全年案件文书寄送量在18000件左右，完成鉴定案件不少于3300件。"


def project(user_id: int) -> str:
    return f"项目-{user_id}"


@dataclass(frozen=True)
class Step:
    """One answer: ``send`` a text or ``press`` the button whose label contains ``argument``;
    ``expect`` (one text or several) must be in the bot's reply; ``check`` holds for the
    stored draft afterwards. ``{project}`` stands for the user's own project name."""

    action: str
    argument: str
    expect: str | tuple[str, ...]
    check: Callable[[object, int], bool] = lambda draft, user: True

    def text(self, user_id: int) -> str:
        return self.argument.replace("{project}", project(user_id))

    def expected(self, user_id: int) -> list[str]:
        needles = (self.expect,) if isinstance(self.expect, str) else self.expect
        return [n.replace("{project}", project(user_id)) for n in needles]


SCRIPT: tuple[Step, ...] = (
    Step("send", "/new", "预算年度", lambda d, u: d.status == "drafting"),
    Step("press", "2027年（2026版表格）", "项目名称是什么", lambda d, u: d.filing.year == 2027),
    Step("send", "{project}", "主管部门是哪个单位", lambda d, u: d.filing.project_name == project(u)),
    Step("send", DEPARTMENT, "实施单位是哪个单位", lambda d, u: d.filing.department == DEPARTMENT),
    Step("send", "/show", "{project}"),
    Step("send", UNIT, "项目类别是什么", lambda d, u: d.filing.implementing_unit == UNIT),
    Step("press", "特定目标类", "项目性质是什么", lambda d, u: d.filing.category == "特定目标类"),
    Step("press", "其他经常性项目", "计划起止日期", lambda d, u: d.filing.nature == "其他经常性项目"),
    Step("press", "全年：2027-01-01 至 2027-12-31", "年度资金申请总额",
         lambda d, u: (str(d.filing.start), str(d.filing.end)) == ("2027-01-01", "2027-12-31")),
    Step("send", "711000", "当年财政拨款", lambda d, u: d.filing.funding.annual_request == 711000),
    Step("send", "/skip", "年度总体目标", lambda d, u: d.filing.funding.current_appropriation == 711000),
    Step("send", GOAL, "相似的往年项目", lambda d, u: d.filing.goal == GOAL),
    Step("press", "全部采用", "指标（", lambda d, u: len(d.filing.indicators) > 0),
    Step("press", "全部确认", ("请检查整张表", "📋 {project}"), lambda d, u: d.step == "review"),
)
#: The draft's step after each answer of :data:`SCRIPT` (``/show`` stays where it is).
STEP_AFTER = ("year", "name", "department", "unit", "unit", "category", "nature", "dates", "money", "money_detail",
              "goal", "proposal", "indicators", "review")
FAILURE_TEXTS = (render_plain("tg.error"), render_plain("chat.stale_button"), render_plain("tg.stale_button"))


# ------------------------------------------------------------------ the offline Bot API
@dataclass(slots=True)
class Call:
    """One Bot API call: when it arrived, what it asked."""

    t: float
    method: str
    params: dict
    message_id: int | None = None  # of the message sent or edited

    @property
    def text(self) -> str:
        """What the user sees (markup taken out)."""
        return html.unescape(TAG_RE.sub("", str(self.params.get("text") or self.params.get("caption") or "")))


class OfflineRequest(BaseRequest):
    """PTB's HTTP layer answered in-process: records every call by chat, answers at once.

    Calls with a ``chat_id`` go to that chat's list (``chats``); ``answerCallbackQuery`` goes
    to the chat of the user whose query it answers (query ids are ``<user id>:<n>``); any
    call to a chat that is no simulated user's goes to ``stray``, other calls to ``other``.
    """

    def __init__(self, user_ids):
        self.chats: dict[int, list[Call]] = {uid: [] for uid in user_ids}
        self.stray: list[Call] = []
        self.other: list[Call] = []
        self._next_message_id: dict[int, int] = {}

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url, method, request_data: RequestData | None = None, read_timeout=None,
                         write_timeout=None, connect_timeout=None, pool_timeout=None) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[1]
        params = {}
        if request_data is not None:
            params = request_data.parameters
            request_data.json_parameters  # noqa: B018 - what an HTTP request would encode
        call = Call(time.perf_counter(), name, params)
        result = self._answer(call)
        return 200, json.dumps({"ok": True, "result": result}, ensure_ascii=False).encode()

    def _answer(self, call: Call) -> object:
        params = call.params
        if call.method == "answerCallbackQuery":
            owner = int(str(params.get("callback_query_id", "0:")).split(":")[0] or 0)
            self.chats.get(owner, self.stray).append(call)
            return True
        chat_id = params.get("chat_id")
        if chat_id is None:
            self.other.append(call)
            return BOT_USER if call.method == "getMe" else True
        chat_id = int(chat_id)
        self.chats.get(chat_id, self.stray).append(call)
        if call.method not in SENDS:
            return True
        if call.method.startswith("edit"):
            call.message_id = int(params.get("message_id") or 0)
        else:
            call.message_id = self._next_message_id.get(chat_id, 1000) + 1
            self._next_message_id[chat_id] = call.message_id
        message = {"message_id": call.message_id, "from": BOT_USER, "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private", "first_name": "用户"}}
        if "text" in params:
            message["text"] = call.text
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        if call.method == "sendDocument":
            message["document"] = {"file_id": f"d{call.message_id}", "file_unique_id": f"d{call.message_id}"}
        if call.method == "sendPhoto":
            message["photo"] = [{"file_id": f"p{call.message_id}", "file_unique_id": f"p{call.message_id}",
                                 "width": 1, "height": 1}]
        if call.method.startswith("edit"):
            message["edit_date"] = int(time.time())
        return message


# ------------------------------------------------------------------ driving users
@dataclass(slots=True)
class Fed:
    """One update fed to the application, and what came of it."""

    user: int
    step: int
    update_id: int
    query_id: str | None
    start: int  # the chat's call count when the update was fed
    t0: float = 0.0
    end: int | None = None  # the chat's call count when the update was done
    done_at: float | None = None


@dataclass
class Result:
    label: str
    users: int
    steps: int
    fed: list[Fed] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lost: int = 0
    misrouted: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the whole process
    main_cpu_seconds: float = 0.0  # the event loop's thread: PTB, the adapter, the load generator, the fake API
    system_cpu_seconds: float = 0.0  # the kernel's part of cpu_seconds (system calls: files, fsync); runs without the GIL
    errors_logged: int = 0
    journal: tuple[int, int] | None = None  # saves, fdatasyncs of the store's journal
    engine_ms: list[float] = field(default_factory=list)
    timers: dict[str, list] = field(default_factory=dict)

    def problem(self, text: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(text)

    @property
    def updates(self) -> int:
        return sum(1 for f in self.fed if f.done_at is not None)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def latencies(self, request: OfflineRequest) -> list[float]:
        """Milliseconds from feeding each completed update to its last Bot API call."""
        out = []
        for f in self.fed:
            if f.done_at is None:
                continue
            calls = request.chats[f.user][f.start:f.end]
            out.append(((calls[-1].t if calls else f.done_at) - f.t0) * 1000)
        return out


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Driver:
    """Feeds users' updates into ``app`` and waits, per user, for each to be done."""

    def __init__(self, app: Application, request: OfflineRequest, result: Result, *, floor: bool):
        self.app, self.request, self.result, self.floor = app, request, result, floor
        self.pending: dict[int, tuple[Fed, asyncio.Future]] = {}
        self.next_update_id = 1
        app.add_handler(TypeHandler(Update, self.probe), group=PROBE_GROUP)

    async def probe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs after every other handler: the update is done; note the chat's call count."""
        entry = self.pending.pop(update.update_id, None)
        if entry is None:
            return
        fed, future = entry
        fed.end = len(self.request.chats[fed.user])
        fed.done_at = time.perf_counter()
        future.set_result(None)

    def payload(self, user_id: int, step: Step, n: int) -> tuple[dict, str | None]:
        """The update a person's answer makes (without its id); the callback query id or None."""
        user = {"id": user_id, "is_bot": False, "first_name": f"用户{user_id % 10000}", "language_code": "zh-hans"}
        chat = {"id": user_id, "type": "private", "first_name": user["first_name"]}
        if step.action == "send":
            text = step.text(user_id)
            message = {"message_id": 2 * n + 1, "from": user, "chat": chat, "date": int(time.time()), "text": text}
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            return {"message": message}, None
        query_id = f"{user_id}:{n}"
        if self.floor:
            pressed = {"message_id": 1000 + n, "from": BOT_USER, "chat": chat, "date": int(time.time()), "text": "问题"}
            data = f"c|floor{n}|0"
        else:
            found = self.button(user_id, step.argument)
            if found is None:
                return {}, None
            pressed, data = found
        callback = {"id": query_id, "from": user, "message": pressed, "chat_instance": f"ci{user_id}", "data": data}
        return {"callback_query": callback}, query_id

    def button(self, user_id: int, label: str) -> tuple[dict, str] | None:
        """The newest message with a keyboard in the user's chat, and the data of its button ``label``."""
        for call in reversed(self.request.chats[user_id]):
            markup = call.params.get("reply_markup") if call.method in SENDS else None
            if not markup:
                continue
            buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
            found = [b for b in buttons if b.get("text") == label] or [b for b in buttons if label in b.get("text", "")]
            if len(found) != 1:
                self.result.problem(f"user {user_id}: button {label!r} not (uniquely) in {[b.get('text') for b in buttons]}")
                return None
            pressed = {"message_id": call.message_id, "from": BOT_USER, "date": int(time.time()),
                       "chat": {"id": user_id, "type": "private", "first_name": "用户"}, "text": call.text,
                       "reply_markup": markup}
            return pressed, found[0]["callback_data"]
        self.result.problem(f"user {user_id}: no keyboard to press {label!r} on")
        return None

    async def person(self, user_id: int, script: tuple[Step, ...]) -> None:
        """One user answering ``script``, each answer after the reply to the previous one."""
        loop = asyncio.get_running_loop()
        calls = self.request.chats[user_id]
        done = 0
        for n, step in enumerate(script):
            if len(calls) != done:  # calls to this chat while nothing of it was in flight
                self.result.misrouted += len(calls) - done
                self.result.problem(f"user {user_id}: {len(calls) - done} call(s) outside any update of theirs")
            payload, query_id = self.payload(user_id, step, n)
            if not payload:  # the answers not given are counted lost by verify_replies
                return
            update_id = self.next_update_id
            self.next_update_id += 1
            fed = Fed(user_id, n, update_id, query_id, start=len(calls))
            future = loop.create_future()
            self.pending[update_id] = (fed, future)
            self.result.fed.append(fed)
            fed.t0 = time.perf_counter()
            await self.app.update_queue.put(Update.de_json({"update_id": update_id, **payload}, self.app.bot))
            await future
            done = fed.end

    async def run(self, user_ids: list[int], script: tuple[Step, ...], timeout: float) -> None:
        people = asyncio.gather(*(self.person(uid, script) for uid in user_ids))
        try:
            await asyncio.wait_for(people, timeout)
        except asyncio.TimeoutError:
            self.result.problem(f"timed out after {timeout:.0f} s with {len(self.pending)} update(s) in flight")


# ------------------------------------------------------------------ verifying
def verify_replies(result: Result, request: OfflineRequest, script: tuple[Step, ...], *, floor: bool) -> None:
    """Every update was fed, done and answered in its own chat with the expected content."""
    missing = result.users * len(script) - len(result.fed)
    if missing:
        result.lost += missing
        result.problem(f"{missing} answer(s) never given (the run stopped or a button was missing)")
    for fed in result.fed:
        if fed.done_at is None:
            result.lost += 1
            result.problem(f"user {fed.user} step {fed.step + 1}: never completed")
            continue
        calls = request.chats[fed.user][fed.start:fed.end]
        sends = [c for c in calls if c.method in SENDS]
        if not sends:
            result.lost += 1
            result.problem(f"user {fed.user} step {fed.step + 1}: no reply")
            continue
        if fed.query_id is not None and not floor:
            answers = [c for c in calls if c.method == "answerCallbackQuery"]
            if [c.params.get("callback_query_id") for c in answers] != [fed.query_id]:
                result.problem(f"user {fed.user} step {fed.step + 1}: callback query answered {len(answers)} times")
        if floor:
            if len(sends) != 1 or sends[0].method != "sendMessage":
                result.problem(f"floor user {fed.user} step {fed.step + 1}: {len(sends)} replies, expected one")
            continue
        text = "\n".join(c.text for c in sends)
        foreign = {n for n in PROJECT_RE.findall(text) if int(n) != fed.user}
        if foreign:
            result.misrouted += 1
            result.problem(f"user {fed.user} step {fed.step + 1}: another user's project {sorted(foreign)} in the reply")
        for expected in script[fed.step].expected(fed.user):
            if expected not in text:
                result.problem(f"user {fed.user} step {fed.step + 1}: {expected!r} not in the reply {text[:120]!r}")
        for bad in FAILURE_TEXTS:
            if bad in text:
                result.problem(f"user {fed.user} step {fed.step + 1}: failure notice {bad[:30]!r} in the reply")
    last_end: dict[int, int] = {}
    for fed in result.fed:
        if fed.end is not None:
            last_end[fed.user] = max(last_end.get(fed.user, 0), fed.end)
    for uid, calls in request.chats.items():  # calls after the user's last update was done
        last = last_end.get(uid, 0)
        if len(calls) > last:
            result.misrouted += len(calls) - last
            result.problem(f"user {uid}: {len(calls) - last} call(s) after their last update was done")
    if request.stray:
        result.misrouted += len(request.stray)
        result.problem(f"{len(request.stray)} call(s) to chats of no user, e.g. {request.stray[0].method} "
                       f"{request.stray[0].params.get('chat_id')}")


def verify_store(result: Result, data_dir: Path, user_ids: list[int], script: tuple[Step, ...]) -> None:
    """The store, opened afresh, holds each user's answers in their current draft."""
    answered_by: dict[int, int] = {}
    for fed in result.fed:
        if fed.done_at is not None:
            answered_by[fed.user] = answered_by.get(fed.user, 0) + 1
    store = DraftStore(data_dir)
    try:
        for uid in user_ids:
            user = f"tg:{uid}"
            answered = answered_by.get(uid, 0)
            session = store.session(user)
            draft = store.draft(user, session.current) if session.current else None
            if draft is None:
                result.problem(f"user {uid}: no current draft in the store")
                continue
            if draft.user != user:
                result.misrouted += 1
                result.problem(f"user {uid}: the current draft belongs to {draft.user}")
            failed = [n + 1 for n, step in enumerate(script[:answered]) if not step.check(draft, uid)]
            if failed:
                result.problem(f"user {uid}: the stored draft misses the answer(s) of step(s) {failed}")
            if answered and draft.step != STEP_AFTER[answered - 1]:
                result.problem(f"user {uid}: stored step {draft.step!r}, expected {STEP_AFTER[answered - 1]!r}")
    finally:
        store.close()


class Timers:
    """Wall and CPU time spent inside a few functions, from any thread, while the ``with`` block runs.

    Only a stopwatch around the real methods (restored afterwards): where our update's time
    goes, for the report. ``totals[name]`` is ``[calls, wall seconds, CPU seconds]``.
    """

    TARGETS = ((Engine, "handle", "engine"), (AtomicJSONStorage, "write_bytes", "store write"),
               (AtomicJSONStorage, "read", "store read"))

    def __init__(self):
        self.totals = {name: [0, 0.0, 0.0] for _, _, name in self.TARGETS}
        self._lock = threading.Lock()
        self._saved = []

    def _wrap(self, method, name):
        @functools.wraps(method)
        def timed(*args, **kwargs):
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
                with self._lock:
                    entry = self.totals[name]
                    entry[0] += 1
                    entry[1] += wall
                    entry[2] += cpu
        return timed

    def __enter__(self) -> Timers:
        for owner, attribute, name in self.TARGETS:
            method = owner.__dict__[attribute]
            self._saved.append((owner, attribute, method))
            setattr(owner, attribute, self._wrap(method, name))
        return self

    def __exit__(self, *exc) -> None:
        for owner, attribute, method in reversed(self._saved):
            setattr(owner, attribute, method)
        self._saved.clear()


# ------------------------------------------------------------------ the two applications
def make_config(data_dir: Path, user_ids: list[int]) -> TelegramConfig:
    return TelegramConfig(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, JIXIAO_DATA_DIR=str(data_dir),
                          JIXIAO_ALLOWED_USERS=",".join(map(str, user_ids)), TELEGRAM_API_URL=API_URL)


class CountingHandler(logging.Handler):
    """Counts ERROR lines; collects ``engine_ms`` of the adapter's ``event=handled`` lines."""

    ENGINE_MS = re.compile(r"engine_ms=([\d.]+)")

    def __init__(self):
        super().__init__(logging.INFO)
        self.errors = 0
        self.engine_ms: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors += 1
        elif isinstance(record.msg, str) and record.msg.startswith("event=handled"):
            match = self.ENGINE_MS.search(record.getMessage())
            if match:
                self.engine_ms.append(float(match.group(1)))


class LogCapture:
    """Logging as ``jixiao serve`` sets it up (INFO, key=value), into ``path``; counts errors."""

    def __init__(self, path: Path | None):
        self.path = path
        self.counter = CountingHandler()

    def __enter__(self) -> CountingHandler:
        root = logging.getLogger()
        self.saved = (root.handlers[:], root.level)
        self.stream = open(self.path, "a", encoding="utf-8") if self.path else None
        handlers: list[logging.Handler] = [self.counter]
        if self.stream is not None:
            handler = logging.StreamHandler(self.stream)
            handler.setFormatter(KeyValueFormatter((TOKEN,)))
            handlers.append(handler)
        root.handlers[:] = handlers
        root.setLevel(logging.INFO)
        logging.getLogger("httpx").setLevel(logging.WARNING)
        return self.counter

    def __exit__(self, *exc) -> None:
        root = logging.getLogger()
        root.handlers[:], level = self.saved
        root.setLevel(level)
        if self.stream is not None:
            self.stream.close()


async def run_ours(data_dir: Path, user_ids: list[int], script: tuple[Step, ...], *, rate_limiter: bool = False,
                   timeout: float = 1800.0, log_path: Path | None = None,
                   journal: bool = True) -> tuple[Result, OfflineRequest]:
    """Our bot's ``Application`` on ``data_dir``: every user drafts ``script``; checked."""
    result = Result("ours", len(user_ids), len(script))
    request = OfflineRequest(user_ids)
    with LogCapture(log_path) as log:
        engine = build_engine(data_dir, today=lambda: TODAY, journal=journal)  # what build_application builds
        app = build_application(make_config(data_dir, user_ids), engine=engine, request=request)
        if not rate_limiter:
            app.bot._rate_limiter = None  # 30 sends/s, Telegram's limit: see the module's docstring
        driver = Driver(app, request, result, floor=False)
        await app.initialize()
        await app.post_init(app)
        await app.start()
        try:
            with Timers() as timers:
                await measured(driver, result, user_ids, script, timeout)
            result.timers = timers.totals
        finally:
            await app.stop()
            await app.shutdown()
            if engine.store.journal is not None:
                result.journal = (engine.store.journal.saves, engine.store.journal.syncs)
            await app.post_shutdown(app)  # waits for the engine's threads, closes the store
        result.errors_logged = log.errors
        result.engine_ms = log.engine_ms
    verify_replies(result, request, script, floor=False)
    verify_store(result, data_dir, user_ids, script)
    if result.errors_logged:
        result.problem(f"{result.errors_logged} ERROR line(s) logged" + (f" (see {log_path})" if log_path else ""))
    return result, request


async def reply_once(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The floor's only handler: one message back to the chat."""
    await context.bot.send_message(update.effective_chat.id, "收到")


async def run_floor(user_ids: list[int], script: tuple[Step, ...], *, timeout: float = 1800.0,
                    log_path: Path | None = None) -> tuple[Result, OfflineRequest]:
    """A bare ``Application`` (same builder settings and request) with one reply per update; checked."""
    result = Result("floor", len(user_ids), len(script))
    request = OfflineRequest(user_ids)
    with LogCapture(log_path) as log:
        app = (Application.builder().token(TOKEN).base_url(API_URL)
               .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
               .concurrent_updates(PerUserOrder()).request(request).get_updates_request(request).build())
        app.add_handler(TypeHandler(Update, reply_once))
        driver = Driver(app, request, result, floor=True)
        await app.initialize()
        await app.start()
        try:
            await measured(driver, result, user_ids, script, timeout)
        finally:
            await app.stop()
            await app.shutdown()
        result.errors_logged = log.errors
    verify_replies(result, request, script, floor=True)
    if result.errors_logged:
        result.problem(f"{result.errors_logged} ERROR line(s) logged")
    return result, request


async def measured(driver: Driver, result: Result, user_ids: list[int], script: tuple[Step, ...], timeout: float) -> None:
    gc.collect()
    cpu, main_cpu, wall, times = time.process_time(), time.thread_time(), time.perf_counter(), os.times()
    await driver.run(user_ids, script, timeout)
    result.seconds = time.perf_counter() - wall
    result.cpu_seconds = time.process_time() - cpu
    result.main_cpu_seconds = time.thread_time() - main_cpu
    result.system_cpu_seconds = os.times().system - times.system


# ------------------------------------------------------------------ the report
def summary(results: list[tuple[Result, OfflineRequest]]) -> dict:
    """Throughput (the mean over ``results``), latency percentiles (over all of them), CPU, calls."""
    lat = [ms for result, request in results for ms in result.latencies(request)]
    updates = sum(r.updates for r, _ in results)
    return {"updates": updates // len(results), "rate": sum(r.rate for r, _ in results) / len(results),
            "rates": [r.rate for r, _ in results], "p50": percentile(lat, 0.50), "p99": percentile(lat, 0.99),
            "max": max(lat) if lat else float("nan"),
            "cpu_ms": 1000 * sum(r.cpu_seconds for r, _ in results) / max(1, updates),
            "calls": sum(len(c) for _, q in results for c in q.chats.values()) // len(results)}


def breakdown(result: Result) -> list[str]:
    """Where our updates' time went, from :class:`Timers`."""
    t, n = result.timers, max(1, result.updates)
    if not t or not t["engine"][0] or not result.seconds:
        return []
    calls, wall, cpu = t["engine"]
    writes, write_wall, write_cpu = t["store write"]
    reads, read_wall, _ = t["store read"]
    lines = [
        f"Inside ours, per update: {1000 * result.main_cpu_seconds / n:.2f} ms CPU in the event loop's thread (PTB, "
        f"the adapter, the load generator, the offline API) and {1000 * cpu / calls:.2f} ms CPU in Engine.handle "
        f"({1000 * result.cpu_seconds / n:.2f} ms CPU in all, of which {1000 * result.system_cpu_seconds / n:.2f} ms in "
        f"the kernel, outside the GIL); Engine.handle took {1000 * wall / calls:.2f} ms in its "
        f"thread, with {wall / result.seconds:.1f} of the {ENGINE_THREADS} engine threads busy on average.",
    ]
    if writes:
        lines.append(
            f"Durable saves: {writes / n:.2f} atomic writes per update (temp file, fsync, rename, directory fsync), "
            f"{1000 * write_wall / writes:.2f} ms each ({1000 * write_cpu / writes:.2f} ms CPU; the rest is the disk and "
            f"waiting for the GIL after each system call): {write_wall / wall:.0%} of Engine.handle's time. "
            f"{reads / n:.1f} reads of the user's file per update ({1000 * read_wall / max(1, reads):.2f} ms each).")
    return lines


def report(ours: tuple[Result, OfflineRequest], floors: list[tuple[Result, OfflineRequest]], *,
           rate_limiter: bool, fsync_latency: float = 0.0) -> str:
    a, b = summary([ours]), summary(floors)
    result = ours[0]
    ratio = a["rate"] / b["rate"] if b["rate"] else float("nan")
    met = "met" if ratio >= 0.5 else "NOT met"
    lost = result.lost + sum(f.lost for f, _ in floors)
    misrouted = result.misrouted + sum(f.misrouted for f, _ in floors)
    problems = len(result.problems) + sum(len(f.problems) for f, _ in floors)
    floor_runs = " and ".join(f"{rate:,.0f}" for rate in b["rates"])
    lines = [
        f"ours: {a['rate']:,.0f} updates/s, p50 {a['p50']:.0f} ms, p99 {a['p99']:.0f} ms "
        f"({a['updates']:,} updates: {result.users:,} users × {result.steps} steps, all at once)",
        f"floor: {b['rate']:,.0f} updates/s, p50 {b['p50']:.0f} ms, p99 {b['p99']:.0f} ms "
        f"(one reply per update, same updates and concurrency; mean of {len(floors)} runs around ours: {floor_runs})",
        f"ratio ours/floor: {ratio:.2f} (goal at least 0.50: {met})",
        f"lost: {lost}, misrouted: {misrouted}, other failed checks: {problems}",
        "",
        "| application | updates | per second | latency median ms | 99th pct ms | max ms | CPU ms per update | Bot API calls |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = [("ours: engine, validation, durable save, reply", [ours])]
    rows += [(f"floor: one reply per update ({'before' if i == 0 else 'after'} ours)", [f]) for i, f in enumerate(floors)]
    for name, runs in rows:
        s = summary(runs)
        lines.append(f"| {name} | {s['updates']:,} | {s['rate']:,.0f} | {s['p50']:.1f} | {s['p99']:.1f} | {s['max']:.1f} "
                     f"| {s['cpu_ms']:.2f} | {s['calls']:,} |")
    lines.append("")
    lines += breakdown(result)
    if result.engine_ms:
        e = result.engine_ms
        lines.append(f"The adapter's engine_ms (queueing for an engine thread included): median "
                     f"{percentile(e, 0.5):.1f} ms, 99th percentile {percentile(e, 0.99):.1f} ms.")
    if fsync_latency:
        lines.append(f"Disk: every fsync and fdatasync made {fsync_latency:g} ms slower (--fsync-latency), a slower "
                     "disk than this machine's.")
    if result.journal:
        saves, syncs = result.journal
        lines.append(f"Journal (group commit): {saves:,} saves made durable by {syncs:,} fdatasyncs "
                     f"({saves / max(1, syncs):.2f} saves per sync).")
    elif result.timers:
        lines.append("Journal: off (--no-journal): each save fsynced on its own.")
    lines.append("Latency: from the update being queued to its last Bot API call, with every user's next answer "
                 "sent as soon as the previous reply arrived (a closed loop: the median is about users ÷ throughput).")
    lines.append("PTB's AIORateLimiter (30 sends/s, Telegram's limit) was " +
                 ("kept." if rate_limiter else "taken out of our Application for the measurement; the floor has none."))
    lines.append("Checked: every reply in the right chat, with the expected question and only the user's own "
                 "project name; each button press answered once; the stored drafts hold every user's answers.")
    for run in [result] + [f for f, _ in floors]:
        for problem in run.problems[:20]:
            lines.append(f"PROBLEM ({run.label}): {problem}")
    return "\n".join(lines)


def slower_disk(seconds: float) -> None:
    """Every fsync and fdatasync waits ``seconds`` more (the GIL released, as a disk's wait is)."""
    for name in ("fsync", "fdatasync"):
        real = getattr(os, name)

        def slow(fd, real=real):
            time.sleep(seconds)
            return real(fd)

        setattr(os, name, slow)


def failures(*results: Result) -> int:
    return sum(r.lost + r.misrouted + len(r.problems) for r in results)


async def main_async(args) -> int:
    user_ids = [FIRST_USER + i for i in range(args.users)]
    script = SCRIPT[: args.steps]
    temp = None
    if args.data_dir is None:
        temp = Path(tempfile.mkdtemp(prefix="jixiao-load-"))
        data_dir = temp / "data"
    else:
        data_dir = args.data_dir
        if data_dir.exists() and any(data_dir.iterdir()):
            print(f"--data-dir {data_dir} is not empty; give a new or empty directory", file=sys.stderr)
            return 2
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"{data_dir.name}-bot.log"
    try:
        if temp is None or args.keep:
            print(f"data in {data_dir}, the bot's log in {log_path}", file=sys.stderr, flush=True)
        floors = [await run_floor(user_ids, script, timeout=args.timeout)]
        gc.collect()
        ours = await run_ours(data_dir, user_ids, script, rate_limiter=args.rate_limiter, timeout=args.timeout,
                              log_path=log_path, journal=not args.no_journal)
        gc.collect()
        floors.append(await run_floor(user_ids, script, timeout=args.timeout))
        print(report(ours, floors, rate_limiter=args.rate_limiter, fsync_latency=args.fsync_latency))
        return 1 if failures(ours[0], *(f for f, _ in floors)) else 0
    finally:
        if temp is not None and not args.keep:
            shutil.rmtree(temp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000, help="simulated users, all drafting at once (default 1000)")
    parser.add_argument("--steps", type=int, default=len(SCRIPT), choices=range(1, len(SCRIPT) + 1), metavar="K",
                        help=f"answers per user, 1 to {len(SCRIPT)} (default {len(SCRIPT)}: the facts, the proposal, "
                             "the values, the review)")
    parser.add_argument("--data-dir", type=Path, default=None, help="the bot's store (new or empty; default a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temp data dir (and the bot's log)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 100 users")
    parser.add_argument("--rate-limiter", action="store_true",
                        help="keep PTB's AIORateLimiter in our Application (30 sends/s: very slow)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds for each run (default 1800)")
    parser.add_argument("--no-journal", action="store_true",
                        help="save each answer with its own fsyncs instead of the store's journal (group commit)")
    parser.add_argument("--fsync-latency", type=float, default=0.0, metavar="MS",
                        help="make every fsync and fdatasync MS milliseconds slower: a slower disk than this one")
    args = parser.parse_args(argv)
    if args.fsync_latency:
        slower_disk(args.fsync_latency / 1000)
    if args.quick:
        args.users = min(args.users, 100)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
