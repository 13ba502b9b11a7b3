"""An approved table reaches the corpus even when the process dies between the verdict and the corpus.

The approval is two writes: the verdict in the drafter's file and the table in
``own_filings.json``. The engine stages the table first, commits the verdict, then confirms
the table; ``build_engine`` settles what a crash left staged (``Engine.recover_own_filings``).
Each test runs on a data directory, as ``jixiao serve`` does, and "crashes" by raising out of
the engine at the chosen moment (nothing after it runs, as after a SIGKILL).
"""

import pytest
from jixiao.bot.conversation.engine import Engine
from jixiao.bot.conversation.state import APPROVED
from jixiao.bot.retrieval.index import Query
from jixiao.bot.wiring import build_engine
from jixiao.store.corpus import OwnFilingStore
from jixiao.store.drafts import DraftStore
from test_conversation import TODAY, finish
from test_review import Person, code_in


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


def approve(engine) -> Person:
    alice, bob = Person(engine, "alice"), Person(engine, "bob")
    finish(alice)
    code = code_in(alice.send("/share"))
    bob.send(f"/review {code}")
    bob.press("approve")
    return alice


def own_keys(engine) -> set[str]:
    return {f.key for f in engine.corpus if f.key.startswith("own:")}


def test_a_crash_after_the_verdict_is_stored_is_healed_at_the_next_start(tmp_path, monkeypatch):
    engine = build_engine(tmp_path, today=lambda: TODAY)

    def dies(self, filings):
        raise Crash

    monkeypatch.setattr(Engine, "add_own_filings", dies)  # the verdict is committed, then the process dies
    with pytest.raises(Crash):
        approve(engine)
    monkeypatch.undo()
    drafts = DraftStore(tmp_path).drafts("alice")
    assert drafts[0].status == APPROVED  # the verdict was stored …
    store = OwnFilingStore(tmp_path)
    assert store.all() == [] and len(store.pending()) == 1  # … and the table only staged

    again = build_engine(tmp_path, today=lambda: TODAY)  # the next start
    key = f"own:alice/{drafts[0].id}#1"
    assert own_keys(again) == {key}
    assert [f.key for f in OwnFilingStore(tmp_path).all()] == [key] and OwnFilingStore(tmp_path).pending() == []
    assert any(h.filing.key == key for h in again.index.search(Query(name="工伤鉴定"), top=10))


def test_a_crash_before_the_verdict_is_stored_leaves_no_table(tmp_path, monkeypatch):
    engine = build_engine(tmp_path, today=lambda: TODAY)
    commit = DraftStore.commit

    def dies_when_approving(self, writes):
        if any(d.status == APPROVED for w in writes for d in w.drafts):
            raise Crash  # the table is staged, the verdict never written
        return commit(self, writes)

    monkeypatch.setattr(DraftStore, "commit", dies_when_approving)
    with pytest.raises(Crash):
        approve(engine)
    monkeypatch.undo()
    assert len(OwnFilingStore(tmp_path).pending()) == 1
    assert DraftStore(tmp_path).drafts("alice")[0].status != APPROVED

    again = build_engine(tmp_path, today=lambda: TODAY)
    assert own_keys(again) == set()  # "approved" was never stored, so no table joins
    assert OwnFilingStore(tmp_path).pending() == [] and OwnFilingStore(tmp_path).all() == []


def test_an_approval_without_a_crash_leaves_nothing_staged(tmp_path):
    engine = build_engine(tmp_path, today=lambda: TODAY)
    alice = approve(engine)
    key = f"own:alice/{alice.draft.id}#1"
    assert own_keys(engine) == {key}
    store = OwnFilingStore(tmp_path)
    assert [f.key for f in store.all()] == [key] and store.pending() == []
    assert own_keys(build_engine(tmp_path, today=lambda: TODAY)) == {key}  # and it is there after a restart


def test_a_table_a_user_sent_is_kept_if_a_crash_left_it_staged(tmp_path):
    from jixiao.bot.domain.models import Source
    from jixiao.store.corpus import bundled_corpus

    sent = bundled_corpus()[0].model_copy(update={"source": Source(file="upload:alice/表.pdf", index=0)})
    OwnFilingStore(tmp_path).stage([sent])  # the turn that read it died before confirming
    engine = build_engine(tmp_path, today=lambda: TODAY)
    assert sent.key in own_keys(engine) | {f.key for f in engine.corpus if f.key.startswith("upload:")}
    assert OwnFilingStore(tmp_path).pending() == [] and [f.key for f in OwnFilingStore(tmp_path).all()] == [sent.key]
