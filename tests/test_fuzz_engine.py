"""Stateful fuzzing of the conversation engine: random commands, text and button presses.

A hypothesis ``RuleBasedStateMachine`` drives the real ``Engine`` (on the in-memory stores:
bundled corpus, search index, share codes, a fixed today) for two users. Rules send
commands (/new /back /skip /edit /show /cancel /delete /help /drafts /lookup /share
/review CODE, unknown ones), free text (empty, blank, 10,000 characters, emoji, control
characters, lone surrogates, HTML, SQL-looking text, numbers, valid-looking values,
dates), files sent (filings, damaged and cut ones, garbage, one too large), button presses (valid by value and by position, stale tokens of older replies,
forged tokens and positions out of range), "good answers" that walk a draft through the
whole flow so the fuzzing reaches the proposal, the indicator list, review, the finished
table and sharing, and changes of the year or the form once indicators exist (/edit →
年度/表格 → every form and year, then whatever the remap question offers).

Invariants after every step: no exception escapes ``Engine.handle``; every stored draft
and session validates against its pydantic model (re-read from the store files); the
session's open draft exists; every reply has non-empty ``html`` and ``plain``; the HTML
uses only Telegram's tags (b i u s code pre a blockquote), every ``<``, ``>`` and ``&``
outside a tag is escaped, tags nest properly (checked with ``html.parser``) and user text
with markup never reaches the HTML unescaped; input longer than ``MAX_INPUT`` gets the
limit message and nothing else.

Bounded for CI. A longer local run (every finished table rendered)::

    JIXIAO_FUZZ_EXAMPLES=500 JIXIAO_FUZZ_STEPS=100 JIXIAO_FUZZ_EXPORTS=100000 .venv/bin/pytest -q tests/test_fuzz_engine.py
"""

from __future__ import annotations

import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from jixiao.bot.conversation import engine as engine_module
from jixiao.bot.conversation.engine import MAX_INPUT, Engine, Input, Upload, clean_input
from jixiao.bot.conversation.finish import export_files as render_files
from jixiao.bot.conversation.flow import STEPS as FLOW
from jixiao.bot.conversation.state import Draft, Session
from jixiao.bot.corpus.importer import import_file
from jixiao.store.corpus import bundled_corpus
from jixiao.store.drafts import MemoryDraftStore
from jixiao.store.memory import MemoryOwnFilings
from jixiao.store.shares import MemoryShareStore

TODAY = date(2026, 11, 25)
USERS = ("fuzz:alice", "fuzz:bob")
EXAMPLES = int(os.environ.get("JIXIAO_FUZZ_EXAMPLES", "60"))
STEPS = int(os.environ.get("JIXIAO_FUZZ_STEPS", "50"))

ALLOWED_TAG = re.compile(r'</?(?:b|i|u|s|code|pre|blockquote)>|<a href="[^"<>]*">|</a>')
ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
TAG_LIKE = re.compile(r"<[^<>]*>")
TAGS_ONLY = re.compile(r"(?:\s|<[^<>]*>)*")
PICK = st.integers(0, 10**6)  # an index, taken modulo the number of things to pick from
SHARE_CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{8}\b")

COMMANDS = ["/new", "/back", "/skip", "/edit", "/show", "/cancel", "/delete", "/help", "/start", "/drafts", "/lookup",
            "/share", "/review", "/foo", "/NEW", "/new@jixiao_bot", "/", "//", "/review XXXX"]
ARGUMENTS = ["", "工伤鉴定", "完全不存在的项目名称xyz", "ABCDEFGH", "<b>x</b>", "'; DROP TABLE drafts; --", " " * 3]
VALID_LOOKING = [
    "2027", "2026", "2020", "1999", "2101", "２０２７", "工伤鉴定", "业务培训", "网络信息系统运行与维护",
    "上海市松江区人力资源和社会保障局", "上海市松江区社会保障服务中心", "特定目标类", "其他经常性项目",
    "2027-01-01 至 2027-12-31", "2027年3月1日至2027年11月30日", "2027-12-31 至 2027-01-01", "全年",
    "2027-02-30 至 2027-03-01", "711000", "71.1万元", "0", "-5", "1e12", "711000 0 0", "700000/11000/0",
    "确保工伤认定和劳动能力鉴定工作有序开展。全年案件文书寄送量在18000件左右，完成鉴定案件不少于3300件。",
    "≥85%", "≤14元", "不低于3次", "=100%", "及时", "80%-90%", "≥**人次", "3个工作日内", "12月31日前",
    "1", "2 3", "t1", "99", "done", "keep", "keep_all", "drop", "confirm", "edit", "yes", "no", "back",
    "all", "pick", "own", "全部采用", "逐个选择", "自己添加", "产出指标/数量指标", "数量指标", "approve", "return",
    "__table__", "__previous_goal__", "open:deadbeef", "1. 业务培训", "accept", "add", "list", "#1", "#99", "删 1",
    "删除 99", "1 ≥90%", "2 及时", "99 ≥1件", "form:2020", "form:2024", "form:2026", "form:1999", "2024版表格",
    "level:效益指标/可持续影响指标", "level:无/此层", "keep_form", "__same_as_department__", "阶段性项目",
    "2026-01-01 至 2028-12-31", "300万",
]
ODD = [
    "", " ", "\n\t ", "\u200b", "\ufeff", "🙂🙂", "👨‍👩‍👧‍👦 项目", "\x00", "\x07\x1b[31m红\x1b[0m", "\r\n\r\n",
    "<b>&</b>", "<script>alert(1)</script>", "a < b & c > d", "&amp;&lt;", "<i>未闭合", "</b>", '<a href="x">',
    "'; DROP TABLE drafts; --", "Robert'); DROP TABLE students;--", "{placeholder} {name}", "%s %d {0}",
    "\\", "NaN", "Infinity", "-0", "1" * 40, "\ud800", "工伤\udcff鉴定",
]


def free_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD),
        st.sampled_from(VALID_LOOKING),
        st.text(max_size=60),
        st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),  # control characters
        st.text(alphabet="<>&/\"'bi ", min_size=1, max_size=30),  # markup-ish
        st.integers(-10**12, 10**12).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.dates().map(lambda d: f"{d.isoformat()} 至 {d.isoformat()}"),
        st.builds(lambda t, n: t * n, st.sampled_from(["长", "a", "🙂", "<b>", "\x00"]), st.integers(1, 3000)),
    )


class TelegramHTML(HTMLParser):
    """Checks that tags open and close in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def check_reply(reply, sent: str) -> None:
    assert reply.html.strip(), f"empty html: {reply!r}"
    assert reply.plain.strip(), f"empty plain: {reply!r}"
    outside = ALLOWED_TAG.sub("", reply.html)
    assert "<" not in outside and ">" not in outside, f"a tag Telegram refuses, or raw < >: {reply.html[:500]!r}"
    stray = ENTITY.sub("", outside)
    assert "&" not in stray, f"an unescaped &: {reply.html[:500]!r}"
    parser = TelegramHTML()
    parser.feed(reply.html)
    parser.close()
    assert not parser.errors and not parser.stack, f"unbalanced tags {parser.errors} {parser.stack}: {reply.html[:500]!r}"
    text = clean_input(sent)
    if TAG_LIKE.search(text) and not TAGS_ONLY.fullmatch(text):  # markup plus text: must arrive escaped
        assert text not in reply.html, f"user text reached the HTML unescaped: {text!r}"
    for choice in reply.choices:
        assert choice.label.strip(), f"a button without a label: {reply!r}"
    if reply.choices:
        assert reply.token, f"buttons without a token: {reply!r}"


_EXPORTED: dict[str, tuple] = {}
EXPORT_CHECKS = int(os.environ.get("JIXIAO_FUZZ_EXPORTS", "12"))  # distinct finished tables rendered per run
_RENDERED = [0]


def export_once(draft):
    """``export_files``, with the files made at once and checked, once per distinct table.

    The .xlsx and .png attachments of the finished table are made when an adapter sends
    them (~0.3 s); the fuzzer makes them here for the first ``EXPORT_CHECKS`` distinct
    finished tables of a run, so those are checked to render whatever text they hold, and
    reuses them while the table stays the same (every input at the "done" step asks the
    question again, with the files). Later tables get the files unmade: rendering is the
    renderers' tests' business, and a few hundred PNGs would dominate this test's time.
    """
    key = draft.filing.model_dump_json()
    if key not in _EXPORTED:
        files = render_files(draft)
        assert sorted(f.filename.rsplit(".", 1)[-1] for f in files) == ["png", "xlsx"], (
            f"the finished table's files: {[f.filename for f in files]}")
        if _RENDERED[0] < EXPORT_CHECKS:
            _RENDERED[0] += 1
            for attachment in files:
                assert attachment.data, f"{attachment.filename} did not render for {draft.filing!r}"
        _EXPORTED.clear()
        _EXPORTED[key] = files
    return _EXPORTED[key]


CORPUS = [f for f in bundled_corpus() if f.complete]
_FIXTURES = Path(__file__).parent / "fixtures"
_SEED_TEXT = (_FIXTURES / "seeds" / "2024_baoshan_justice_bureau.txt").read_bytes()
UPLOADS = [  # files a user might send: read already (a PDF, as the console passes it), seed text, damaged text
    Upload("两张表.pdf", report=import_file(_FIXTURES / "import" / "drawn.pdf")),
    Upload("宝山.txt", data=_SEED_TEXT),
    Upload("cut.txt", data=_SEED_TEXT[: len(_SEED_TEXT) // 3]),
    Upload("lines.txt", data=b"\n".join(_SEED_TEXT.replace(b"\t", b"\n").split(b"\n")[:400])),
    Upload("huge.pdf", size=10**9),
    Upload("<b>&.pdf", data=b"%PDF-1.4 broken"),
]


class EngineMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.engine = Engine(MemoryDraftStore(), CORPUS, today=lambda: TODAY, shares=MemoryShareStore(),
                             own_filings=MemoryOwnFilings())
        self._export_files = engine_module.export_files
        engine_module.export_files = export_once  # restored in teardown
        self.buttons: dict[str, object] = {}  # user -> the last reply with buttons
        self.tokens: dict[str, list[tuple[str, tuple]]] = {u: [] for u in USERS}  # every (token, choices) seen
        self.codes: list[tuple[str, str]] = []  # (share code, its owner) seen in replies

    def teardown(self):
        engine_module.export_files = self._export_files
        self.engine.store.close()

    # ------------------------------------------------------------ sending
    def send(self, user: str, inp: Input):
        replies = self.engine.handle(user, inp)  # no exception may escape
        assert replies, f"no reply to {inp!r}"
        for reply in replies:
            check_reply(reply, inp.text)
            if reply.choices and (reply.to in (None, user)):
                self.tokens[user].append((reply.token, reply.choices))
            for code in SHARE_CODE.findall(reply.plain) if "/review" in reply.plain else ():
                self.codes.append((code, user))
        mine = [r for r in replies if r.choices and r.to in (None, user)]
        if mine:
            self.buttons[user] = mine[-1]
        return replies

    # ------------------------------------------------------------ rules
    @initialize(user=st.sampled_from(USERS))
    def start(self, user):
        self.send(user, Input("/start"))

    @rule(user=st.sampled_from(USERS), name=st.sampled_from(COMMANDS), argument=st.sampled_from(ARGUMENTS))
    def command(self, user, name, argument):
        self.send(user, Input(f"{name} {argument}" if argument else name))

    @rule(user=st.sampled_from(USERS), text=free_text())
    def text(self, user, text):
        self.send(user, Input(text))

    @rule(user=st.sampled_from(USERS), upload=st.one_of(
        st.sampled_from(UPLOADS), st.builds(lambda d: Upload("random.bin", data=d), st.binary(max_size=300))))
    def send_a_file(self, user, upload):
        """A file sent (a filing, a damaged one, one too large, garbage), at any step."""
        replies = self.send(user, Input(upload=upload))
        assert any(upload.filename.rsplit("/", 1)[-1] in r.plain for r in replies), replies

    @rule(user=st.sampled_from(USERS), extra=st.one_of(st.just(10_000 - MAX_INPUT), st.integers(1, 6000)), char=st.sampled_from(["长", "a", "🙂", "\x00", " "]))
    def oversized(self, user, extra, char):
        text = char * (MAX_INPUT + extra)
        replies = self.send(user, Input(text))
        assert len(replies) == 1, replies
        assert "太长" in replies[0].plain and str(MAX_INPUT) in replies[0].plain, replies[0].plain

    # Rules draw the same things whatever the engine's state (positions are taken modulo the
    # number of buttons), so hypothesis can replay and shrink an example although draft ids,
    # share codes and timestamps differ from run to run.
    @rule(user=st.sampled_from(USERS), pick=PICK, by_position=st.booleans())
    def press_valid(self, user, pick, by_position):
        reply = self.buttons.get(user)
        if reply is None:
            return
        i = pick % len(reply.choices)
        if by_position:
            self.send(user, Input(token=reply.token, choice=i))
        else:
            self.send(user, Input(reply.choices[i].value, token=reply.token))

    @rule(user=st.sampled_from(USERS), old=PICK, pick=PICK, by_position=st.booleans())
    def press_stale(self, user, old, pick, by_position):
        seen = self.tokens[user]
        if not seen:
            return
        token, choices = seen[old % len(seen)]
        i = pick % len(choices)
        if by_position:
            self.send(user, Input(token=token, choice=i))
        else:
            self.send(user, Input(choices[i].value, token=token))

    @rule(user=st.sampled_from(USERS), forged=st.one_of(
        st.text(max_size=70),
        PICK,  # a real token (by index) with a forged position or value
        st.builds(lambda h, n: f"{h}.{n}", st.text("0123456789abcdef", min_size=8, max_size=8), st.integers(-3, 10**6)),
        st.integers(-3, 10**6).map(lambda n: f"s.{n}"),
    ), by_position=st.booleans(), position=st.one_of(st.integers(-10**6, -1), st.integers(30, 10**9), st.integers(0, 40)),
          value=free_text())
    def press_forged(self, user, forged, by_position, position, value):
        known = [t for t, _ in self.tokens[user]] or ["s.0"]
        token = known[forged % len(known)] if isinstance(forged, int) else forged
        if by_position:
            self.send(user, Input(token=token, choice=position))
        else:
            self.send(user, Input(value, token=token))

    @rule(pick=PICK, reviewer=st.sampled_from(["other", "other", "owner"]), lower=st.booleans())
    def review_a_code(self, pick, reviewer, lower):
        """/review with a real share code (mostly by the other user), or a made-up one."""
        code, owner = self.codes[pick % len(self.codes)] if self.codes else ("ABCDEFGH", USERS[0])
        other = next(u for u in USERS if u != owner)
        user = other if reviewer == "other" else owner
        self.send(user, Input(f"/review {code.lower() if lower else code}"))

    @rule(user=st.sampled_from(USERS), form=st.sampled_from(["form:2020", "form:2024", "form:2026", "2026", "2027",
                                                             "2020", "2024版表格", "2020版", "form:2031"]),
          then=PICK, by_position=st.booleans())
    def change_year_or_form(self, user, form, then, by_position):
        """/edit → 年度/表格 → a form or a year, while the draft has indicators; then any answer to what follows."""
        store = self.engine.store
        session = store.session(user)
        draft = store.draft(user, session.current) if session.current else None
        if draft is None or not draft.filing.indicators:
            return
        event("changed the year or form with indicators present")
        self.send(user, Input("/edit"))
        draft = store.draft(user, session.current)
        self.send(user, Input("year", token=draft.token))
        draft = store.draft(user, session.current)
        self.send(user, Input(form, token=draft.token) if form.startswith("form:") else Input(form))
        draft = store.draft(user, session.current)
        if draft.step == "remap":
            event("the remap question was asked")
            choices = FLOW["remap"].ask(draft, None).choices
            i = then % len(choices)
            self.send(user, Input(token=draft.token, choice=i) if by_position else Input(choices[i].value, token=draft.token))

    @rule(user=st.sampled_from(USERS), steps=st.integers(1, 40))
    def good_answers(self, user, steps):
        """Walk the user's draft forward with sensible answers (to reach the later steps)."""
        store = self.engine.store
        refused = None
        for _ in range(steps):
            session = store.session(user)
            if session.menu == "review":
                self.send(user, Input("approve"))
                continue
            draft = store.draft(user, session.current) if session.current else None
            inp = good_input(draft)
            if draft is not None and (draft.id, draft.turn, draft.step) == refused:
                inp = Input("删 1") if draft.step == "indicators" else Input("/edit")
            self.send(user, inp)
            if draft is not None and draft.step == "done":
                return
            after = store.draft(user, draft.id) if draft is not None else None
            refused = (after.id, after.turn, after.step) if after is not None and after.turn == draft.turn else None

    # ------------------------------------------------------------ invariants
    @invariant()
    def stored_state_is_valid(self):
        store = self.engine.store
        for user in USERS:
            data = store.files.storage(user).read() or {}
            drafts = [Draft.model_validate(row) for row in data.get("drafts", {}).values()]
            sessions = [Session.model_validate(row) for row in data.get("session", {}).values()]
            assert len(sessions) <= 1
            ids = [d.id for d in drafts]
            assert len(ids) == len(set(ids)), f"duplicate draft ids {ids}"
            for draft in drafts:
                event(f"a draft reached {draft.step}")
                event(f"a draft was {draft.status}")
                assert draft.user == user
                assert draft.step in FLOW, draft.step
                assert all(step in FLOW for step in draft.history), draft.history
                assert draft.status != "deleted"
                assert len(draft.filing.indicators) <= 60 and len(draft.versions) <= 10
            if sessions and sessions[0].menu:
                event(f"a session showed the menu {sessions[0].menu}")
            if sessions and sessions[0].current is not None:
                assert sessions[0].current in ids, f"the open draft {sessions[0].current} is not stored"


def good_input(draft) -> Input:
    """A sensible answer for the draft's step (like a person following the questions)."""
    if draft is None or draft.step == "done" or draft.status in ("finished", "abandoned", "shared", "approved"):
        return Input("/new") if draft is None or draft.step != "done" else Input("/share")
    token = draft.token
    answers = {
        "year": Input("form:2020", token=token) if draft.id[0] in "0123" else Input(token=token, choice=0),
        "remap": Input("drop", token=token),
        "name": Input("工伤鉴定"),
        "department": Input("上海市松江区人力资源和社会保障局"),
        "unit": Input("__same_as_department__", token=token),
        "category": Input("特定目标类"),
        "nature": Input("其他经常性项目", token=token),
        "dates": Input("全年"),
        "money": Input("711000"),
        "money_total": Input("300万"),
        "money_detail": Input("/skip"),
        "overall_goal": Input("三年内建成覆盖全区的工伤鉴定服务体系，鉴定案件全部在线办理。"),
        "goal": Input("确保工伤认定和劳动能力鉴定工作有序开展。全年案件文书寄送量在18000件左右，完成鉴定案件不少于3300件。"),
        "proposal": Input("全部采用" if draft.proposal else "自己添加", token=token),
        "project_type": Input(token=token, choice=draft.turn % 20),
        "select": Input("done", token=token),
        "indicators": Input("accept" if draft.filing.indicators else "add", token=token),
        "indicator": Input("list", token=token),
        "add_level": Input("done" if draft.filing.indicators else "产出指标/数量指标", token=token),
        "add_name": Input("年度服务场次"),
        "add_value": Input("≥3次"),
        "review": Input("confirm", token=token),
        "edit_menu": Input("back", token=token),
        "confirm_cancel": Input("no", token=token),
        "confirm_delete": Input("no", token=token),
    }
    return answers.get(draft.step, Input("/back"))


EngineMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
TestEngineFuzz = EngineMachine.TestCase
