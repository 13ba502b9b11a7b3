"""Share → comment → fix → approve, with two users; a third user is refused the code."""

import re
from datetime import date

from jixiao.bot.conversation.engine import Engine, Input
from jixiao.bot.lookup import lookup
from jixiao.bot.wiring import build_index
from jixiao.store.corpus import OwnFilingStore, bundled_corpus
from jixiao.store.drafts import DraftStore
from jixiao.store.shares import ShareStore
from test_conversation import Chat, confirm_all_values, fill_facts

TODAY = date(2026, 11, 25)


class Person(Chat):
    """One user of a shared engine (all users talk to the same bot)."""

    def __init__(self, engine, user):
        self.engine, self.user, self.last, self.buttons = engine, user, [], None

    def notices_for(self, user):
        return [r.plain for r in self.last if r.to == user]


def make_engine(tmp_path):
    corpus = [f for f in bundled_corpus() if f.complete]
    return Engine(DraftStore(tmp_path), corpus, build_index(corpus), today=lambda: TODAY,
                  shares=ShareStore(tmp_path), own_filings=OwnFilingStore(tmp_path), index_builder=build_index)


def code_in(text):
    return re.search(r"/review ([A-Z2-9]{8})", text)[1]


def test_share_comment_fix_approve(tmp_path):
    engine = make_engine(tmp_path)
    alice, bob, carol = Person(engine, "alice"), Person(engine, "bob"), Person(engine, "carol")

    fill_facts(alice)
    alice.press("全部采用")
    confirm_all_values(alice)
    assert "只有已完成的表" in alice.send("/share")  # not finished yet
    alice.send("/show")
    alice.press("confirm")
    code = code_in(alice.send("/share"))
    assert alice.draft.status == "shared" and len(alice.draft.versions) == 1

    assert "自己的草稿" in alice.send(f"/review {code}")
    seen = bob.send(f"/review {code}")
    assert "工伤鉴定" in seen and "请审核" in seen
    assert "已经被其他人使用" in carol.send(f"/review {code}")  # one-time: bound to bob now
    assert "找不到审核码" in carol.send("/review ZZZZ2222")

    first = alice.draft.filing.indicators[0]
    bob.press("return")
    bob.press(first.name)
    bob.send("目标太低，请改为不超过14元")
    assert bob.notices_for("alice") and "目标太低" in bob.notices_for("alice")[0]
    returned = alice.draft
    assert returned.status == "returned" and returned.reviews[-1].comments[0].indicator == first.name

    # the drafter sees the comment at the right indicator
    shown = alice.send("/show")
    table_line = next(line for line in shown.splitlines() if first.name in line)
    comment_at = shown.index(table_line)
    assert "目标太低" in shown[comment_at: comment_at + 200]
    assert "审核人的意见" in alice.send("/start") or alice.draft.step == "review"

    # fix: edit the value, confirm again, share again (bob is told)
    alice.send("/edit")
    alice.press("values")
    alice.send("≤14元")
    assert alice.draft.filing.indicators[0].value == "≤14.00(元)"
    confirm_all_values(alice)
    alice.press("confirm")
    second = code_in(alice.send("/share"))
    assert second != code
    assert alice.notices_for("bob") and second in alice.notices_for("bob")[0]
    versions = alice.draft.versions
    assert len(versions) >= 2
    assert versions[0].filing.indicators[0].value == first.value  # what bob commented on is kept
    assert alice.draft.reviews[0].version == 1

    bob.send(f"/review {second}")
    bob.press("approve")
    assert "通过审核" in bob.notices_for("alice")[0]
    assert alice.draft.status == "approved"

    # the approved table joins the corpus, marked as our own
    own = OwnFilingStore(tmp_path).all()
    assert [f.source.file for f in own] == [f"own:alice/{alice.draft.id}"]
    found = lookup(engine.corpus, "工伤鉴定").exact
    assert any(f.source.file.startswith("own:") and f.year == 2027 for f in found)
    assert any(h.filing.year == 2027 for h in engine.index.search(__import__("jixiao.bot.retrieval.index", fromlist=["Query"]).Query(name="工伤鉴定"), top=5))


def test_stale_review_buttons_and_drafts_listing(tmp_path):
    engine = make_engine(tmp_path)
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    fill_facts(alice)
    alice.press("全部采用")
    confirm_all_values(alice)
    alice.press("confirm")
    code = code_in(alice.send("/share"))
    bob.send(f"/review {code}")
    old = bob.buttons
    bob.press("return")
    replies = engine.handle("bob", Input(token=old.token, choice=0))
    assert "过期" in replies[0].plain  # the approve button of the earlier message
    assert "待审核" in alice.send("/drafts")
