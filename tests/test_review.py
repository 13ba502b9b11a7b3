"""Share → comment → fix → approve between two users; what a code opens and when it dies.

The engine runs on the in-memory stores (``MemoryDraftStore``, ``MemoryShareStore``,
``MemoryOwnFilings``) unless a test is about the files themselves.
"""

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from jixiao.bot.conversation.engine import Engine, Input
from jixiao.bot.conversation.limits import CODE_MISSES
from jixiao.bot.conversation.state import APPROVED, RETURNED, SHARED
from jixiao.bot.lookup import lookup
from jixiao.bot.retrieval.index import Query
from jixiao.store.corpus import bundled_corpus
from jixiao.store.drafts import MemoryDraftStore
from jixiao.store.memory import MemoryOwnFilings
from jixiao.store.shares import MemoryShareStore
from test_conversation import TODAY, Chat, finish

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


class Person(Chat):
    """One user of a shared engine (all users talk to the same bot)."""

    def __init__(self, engine, user):
        super().__init__(engine.corpus, engine.index, user, engine=engine)

    def notices_for(self, user):
        return [r.plain for r in self.last if r.to == user]


@pytest.fixture(scope="module")
def corpus():
    return [f for f in bundled_corpus() if f.complete]


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def engine(corpus, clock):
    return Engine(MemoryDraftStore(), corpus, today=lambda: TODAY, shares=MemoryShareStore(),
                  own_filings=MemoryOwnFilings(), now=clock)


def code_in(text):
    return re.search(r"/review ([A-Z2-9]{8})", text)[1]


def shared(engine, user="alice"):
    """A finished draft of ``user``, shared: (the person, the code)."""
    person = Person(engine, user)
    finish(person)
    return person, code_in(person.send("/share"))


def test_share_comment_fix_approve(engine):
    alice, bob, carol = Person(engine, "alice"), Person(engine, "bob"), Person(engine, "carol")
    finish(alice)
    code = code_in(alice.send("/share"))
    assert alice.draft.status == SHARED and len(alice.draft.versions) == 1 and alice.draft.share_code == code

    assert "自己的草稿" in alice.send(f"/review {code}")
    seen = bob.send(f"/review {code.lower()}")
    assert "工伤鉴定" in seen and "请审核" in seen
    assert "已经被其他人使用" in carol.send(f"/review {code}")  # bound to bob now
    assert "找不到审核码" in carol.send("/review ZZZZ2222")

    first = alice.draft.filing.indicators[0]
    bob.press("return")
    bob.press(first.name)
    bob.send("目标太低，请改为不超过14元")
    (notice,) = bob.notices_for("alice")
    assert "目标太低" in notice and not any("目标太低" in r.plain for r in bob.last if r.to == "bob" and "被退回" in r.plain)
    returned = alice.draft
    assert returned.status == RETURNED and returned.reviews[-1].comments[0].indicator == first.name
    assert returned.step == "review" and returned.share_code is None

    shown = alice.send("/show")  # the comment at its indicator
    at = shown.index(next(line for line in shown.splitlines() if first.name in line))
    assert "目标太低" in shown[at: at + 200]

    alice.send("/edit")
    alice.press("indicators")
    alice.send("1 ≤14元")
    assert alice.draft.filing.indicators[0].value == "≤14.00(元)"
    alice.press("accept")
    alice.press("confirm")
    second = code_in(alice.send("/share"))
    assert second != code and second in alice.notices_for("bob")[0]  # bob hears of the new version
    versions = alice.draft.versions
    assert [v.number for v in versions] == [1, 2] and versions[0].filing.indicators[0].value == first.value

    assert "已经审核过" in bob.send(f"/review {code}") or "旧版本" in bob.text  # the old code opens nothing
    bob.send(f"/review {second}")
    bob.press("approve")
    assert "通过审核" in bob.notices_for("alice")[0]
    assert not any("通过审核" in r.plain for r in bob.last if r.to == "bob")  # bob is told "已批准", not the notice
    assert alice.draft.status == APPROVED

    own = engine.own_filings.all()  # the approved table joins the corpus, marked as our own
    assert [f.source.file for f in own] == [f"own:alice/{alice.draft.id}"]
    assert any(f.source.file.startswith("own:") and f.year == 2027 for f in lookup(engine.corpus, "工伤鉴定").exact)
    assert any(h.filing.year == 2027 for h in engine.index.search(Query(name="工伤鉴定"), top=5))
    assert "已经审核过" in bob.send(f"/review {second}")  # a decided version cannot be decided again


def test_an_older_code_of_a_superseded_version_is_refused(engine):
    alice, code = shared(engine)
    bob = Person(engine, "bob")
    alice.send("/edit")  # editing kills the code at once
    assert alice.draft.share_code is None
    alice.press("goal")
    alice.send("确保工伤认定和劳动能力鉴定工作有序开展。全年完成鉴定案件不少于3400件。")
    alice.press("confirm")
    new = code_in(alice.send("/share"))
    assert alice.draft.versions[-1].number == 2
    assert "旧版本" in bob.send(f"/review {code}")
    assert "请审核" in bob.send(f"/review {new}")
    bob.press("approve")
    assert alice.draft.status == APPROVED and [n.version for n in alice.draft.reviews] == [2]
    own = engine.own_filings.all()
    assert len(own) == 1 and "3400" in own[0].goal  # only the version approved joins the corpus


def test_resharing_the_same_table_kills_the_first_code(engine):
    alice, code = shared(engine)
    again = code_in(alice.send("/share"))
    assert again != code and alice.draft.versions[-1].number == 1  # the same version, a new code
    bob = Person(engine, "bob")
    assert "已失效" in bob.send(f"/review {code}")
    assert "请审核" in bob.send(f"/review {again}")


def test_cancelling_or_deleting_a_shared_draft_kills_its_code(engine):
    alice, code = shared(engine)
    bob = Person(engine, "bob")
    bob.send(f"/review {code}")
    alice.send("/cancel")
    alice.press("yes")
    assert "已失效" in bob.press("approve") and alice.draft is None  # the verdict is refused, not recorded
    drafts = engine.store.load("alice").drafts
    assert drafts[0].reviews == [] and drafts[0].status == "abandoned"

    carol_code = shared(engine, "carol")[1]
    carol = Person(engine, "carol")
    carol.send("/drafts")
    carol.send("1")
    carol.send("/delete")
    carol.press("yes")
    assert "不存在" in bob.send(f"/review {carol_code}")


def test_codes_expire(engine, clock):
    alice, code = shared(engine)
    bob = Person(engine, "bob")
    clock.now += timedelta(days=7, minutes=1)
    assert "已过期" in bob.send(f"/review {code}")
    fresh = code_in(alice.send("/share"))
    assert "7 天内有效" in alice.text
    bob.send(f"/review {fresh}")
    clock.now += timedelta(days=8)
    assert "已过期" in bob.press("approve") and alice.draft.status == SHARED


def test_wrong_codes_are_rate_limited_per_user(engine, clock):
    alice, code = shared(engine)
    bob, carol = Person(engine, "bob"), Person(engine, "carol")
    for i in range(CODE_MISSES):
        assert "找不到审核码" in bob.send(f"/review WRONG{i:03d}")
    assert "次数太多" in bob.send(f"/review {code}")  # even the right one, for a while
    assert "请审核" in carol.send(f"/review {code}")  # another user is not limited
    clock.now += timedelta(minutes=16)
    assert "已经被其他人使用" in bob.send(f"/review {code}")


def test_review_on_an_engine_built_with_default_arguments():
    engine = Engine()
    assert "找不到审核码" in engine.handle("bob", Input("/review ABCDEFGH"))[0].plain
    assert "只有已完成的表" in engine.handle("alice", Input("/share"))[0].plain


def test_stale_review_buttons_and_drafts_listing(engine):
    alice, code = shared(engine)
    bob = Person(engine, "bob")
    bob.send(f"/review {code}")
    old = bob.buttons
    bob.press("return")
    replies = engine.handle("bob", Input(token=old.token, choice=0))
    assert "过期" in replies[0].plain  # the approve button of the earlier message
    assert alice.draft.status == SHARED
    assert "待审核" in alice.send("/drafts")


def test_shared_versions_do_not_grow_with_every_edit(engine):
    alice, _ = shared(engine)
    storage = engine.store.files.storage("alice")  # what the user's file holds, as JSON

    def size():
        return len(json.dumps(storage.read(), ensure_ascii=False).encode())

    before = size()
    alice.send("/edit")
    alice.press("indicators")
    for i in range(1000):
        alice.send(f"1 ≤{14 + i % 7}元")
    assert len(alice.draft.versions) == 1
    assert size() < before * 1.5, (before, size())


def test_a_damaged_shares_file_is_set_aside_and_the_user_told(tmp_path, corpus, caplog):
    from jixiao.bot.wiring import build_engine

    (tmp_path / "shares.json").write_text('{"shares": {"1": {"code": 5}}}')  # valid JSON, wrong shape
    engine = build_engine(tmp_path, today=lambda: TODAY)  # starts anyway
    alice, code = shared(engine)
    bob = Person(engine, "bob")
    assert "请审核" in bob.send(f"/review {code}")
    (tmp_path / "shares.json").write_bytes(b"\x00garbage")  # damaged while running
    answer = bob.send(f"/review {code}")
    aside = sorted(tmp_path.glob("shares.json.corrupt-*"))
    assert len(aside) == 2 and aside[-1].read_bytes() == b"\x00garbage"
    assert "审核码文件损坏" in answer and aside[-1].name in answer and "请联系管理员" in answer
    assert "找不到审核码" in answer  # the codes are gone, and it says so
    assert str(aside[-1]) in caplog.text
    assert "请审核" in bob.send("/review " + code_in(alice.send("/share")))  # sharing works again


def test_a_code_drawn_twice_is_drawn_again(corpus):
    codes = iter(["AAAA2222", "AAAA2222", "BBBB3333"])
    engine = Engine(MemoryDraftStore(), corpus, today=lambda: TODAY, new_code=lambda: next(codes))
    first, second = shared(engine, "alice")[1], shared(engine, "carol")[1]
    assert (first, second) == ("AAAA2222", "BBBB3333")
    assert engine.shares.get("AAAA2222").owner == "alice" and engine.shares.get("BBBB3333").owner == "carol"
