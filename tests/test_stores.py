"""The draft and share stores (store/drafts.py, store/shares.py), each test run on the file
store and on its in-memory twin, as tinydb's tests run on JSONStorage and MemoryStorage."""

from __future__ import annotations

import pytest
from jixiao.bot.conversation.state import Draft, Session, Share
from jixiao.bot.conversation.stores import StaleRevision, UserWrite
from jixiao.bot.domain.models import Filing
from jixiao.store.drafts import DraftStore, MemoryDraftStore
from jixiao.store.safe_storage import AtomicJSONStorage
from jixiao.store.shares import MemoryShareStore, ShareStore
from jixiao.store.user_files import PerUserDB


@pytest.fixture(params=["memory", "file"])
def drafts(request, tmp_path):
    store = MemoryDraftStore() if request.param == "memory" else DraftStore(tmp_path)
    yield store
    store.close()


@pytest.fixture(params=["memory", "file"])
def shares(request, tmp_path):
    yield MemoryShareStore() if request.param == "memory" else ShareStore(tmp_path)


def draft(user: str, name: str = "工伤鉴定") -> Draft:
    return Draft(user=user, filing=Filing(year=2027, format="2026", project_name=name))


def test_a_new_user_loads_empty_at_revision_zero(drafts):
    state = drafts.load("tg:1")
    assert state.session == Session(user="tg:1") and state.drafts == [] and state.revision == 0


def test_a_commit_raises_the_revision_and_a_stale_one_writes_nothing(drafts):
    first = draft("tg:1")
    drafts.commit([UserWrite("tg:1", 0, Session(user="tg:1", current=first.id), (first,))])
    state = drafts.load("tg:1")
    assert state.revision == 1 and [d.id for d in state.drafts] == [first.id] and state.session.current == first.id
    with pytest.raises(StaleRevision):
        drafts.commit([UserWrite("tg:1", 0, Session(user="tg:1"), (draft("tg:1", "迟到的"),))])
    assert drafts.load("tg:1") == state  # nothing of the stale write


def test_one_commit_for_two_users_is_all_or_nothing(drafts):
    drafts.commit([UserWrite("tg:2", 0, Session(user="tg:2"))])
    alice, bob = draft("tg:1"), draft("tg:2")
    with pytest.raises(StaleRevision):  # bob's file is at 1 now
        drafts.commit([UserWrite("tg:1", 0, drafts=(alice,)), UserWrite("tg:2", 0, drafts=(bob,))])
    assert drafts.load("tg:1").drafts == [] and drafts.load("tg:2").drafts == []
    drafts.commit([UserWrite("tg:1", 0, drafts=(alice,)), UserWrite("tg:2", 1, drafts=(bob,))])
    assert [d.id for d in drafts.load("tg:1").drafts] == [alice.id]
    assert [d.id for d in drafts.load("tg:2").drafts] == [bob.id]
    assert drafts.users() == ["tg:1", "tg:2"]


def test_a_commit_replaces_and_deletes_drafts_by_id(drafts):
    kept, gone = draft("tg:1", "甲"), draft("tg:1", "乙")
    drafts.commit([UserWrite("tg:1", 0, drafts=(kept, gone))])
    renamed = kept.model_copy(update={"filing": kept.filing.model_copy(update={"project_name": "甲改"})})
    drafts.commit([UserWrite("tg:1", 1, drafts=(renamed,), deleted=(gone.id,))])
    assert [(d.id, d.filing.project_name) for d in drafts.load("tg:1").drafts] == [(kept.id, "甲改")]


def test_a_claim_binds_one_reviewer_and_codes_are_forgotten_when_old(shares):
    assert shares.add(Share(code="ABCD2345", owner="tg:1", draft="d1", version=1, created="2026-11-25T09:00:00+00:00"))
    assert not shares.add(Share(code="ABCD2345", owner="tg:9", draft="x", version=1))  # a code is never reused
    assert shares.get("abcd2345 ").owner == "tg:1"
    assert shares.claim("ABCD2345", "tg:2") and shares.claim("ABCD2345", "tg:2")  # the holder again: yes
    assert not shares.claim("ABCD2345", "tg:3") and not shares.claim("ZZZZ9999", "tg:3")
    assert shares.get("ABCD2345").reviewer == "tg:2"
    shares.add(Share(code="EFGH6789", owner="tg:1", draft="d2", version=1, created="2026-12-20T09:00:00+00:00"),
               forget_before="2026-12-01T00:00:00+00:00")
    assert shares.get("ABCD2345") is None and shares.get("EFGH6789") is not None


def test_a_file_with_data_but_no_key_is_left_for_its_reader(tmp_path):
    users = PerUserDB(tmp_path)
    path = users.path("tg:1")
    path.write_text('{"drafts": {"1": {"id": []}}}')
    users.storage("tg:1")
    assert path.read_text() == '{"drafts": {"1": {"id": []}}}'  # opening it wrote nothing into it


def test_set_aside_keeps_the_bytes(tmp_path):
    storage = AtomicJSONStorage(tmp_path / "db.json")
    storage.write({"t": {"1": {"x": "值"}}})
    before = (tmp_path / "db.json").read_bytes()
    moved = storage.set_aside()
    assert moved.read_bytes() == before and storage.read() is None and ".corrupt-" in moved.name


# ------------------------------------------------------------------ the kept version of each file
def commit_draft(store, user: str, name: str) -> Draft:
    state = store.load(user)
    new = draft(user, name)
    store.commit([UserWrite(user, state.revision, Session(user=user, current=new.id), (new,))])
    return new


def test_answers_after_the_first_read_nothing(drafts):
    commit_draft(drafts, "tg:1", "项目0")
    first = drafts.reads  # a new user's file: read when loaded, and at the commit (no revision at its start yet)
    for n in range(1, 10):
        commit_draft(drafts, "tg:1", f"项目{n}")
    assert len(drafts.load("tg:1").drafts) == 10
    assert first <= 2 and drafts.reads == first  # every later load and commit used the version kept


def test_unchanged_documents_are_written_back_as_they_were(tmp_path):
    store = DraftStore(tmp_path)
    first = commit_draft(store, "tg:1", "甲")
    second = commit_draft(store, "tg:1", "乙")
    state = store.load("tg:1")
    text = store.files.path("tg:1").read_text(encoding="utf-8")
    assert text.startswith('{"_meta": {"1": {"revision": 2, "generation": "')
    assert first.model_dump_json() in text and second.model_dump_json() in text
    assert state.texts == {first.id: first.model_dump_json(), second.id: second.model_dump_json(),
                           "": state.session.model_dump_json()}


def test_another_process_writing_the_file_is_seen(tmp_path):
    mine, theirs = DraftStore(tmp_path), DraftStore(tmp_path)  # two processes' stores of one directory
    commit_draft(mine, "tg:1", "甲")
    loaded = mine.load("tg:1")
    commit_draft(theirs, "tg:1", "乙")  # moves the file on
    with pytest.raises(StaleRevision):
        mine.commit([UserWrite("tg:1", loaded.revision, drafts=(draft("tg:1", "丙"),))])
    assert sorted(d.filing.project_name for d in mine.load("tg:1").drafts) == ["乙", "甲"]  # read afresh


def test_a_file_made_again_at_the_same_revision_is_read_not_taken_from_memory(tmp_path):
    mine, theirs = DraftStore(tmp_path), DraftStore(tmp_path)
    commit_draft(mine, "tg:1", "甲")
    loaded = mine.load("tg:1")  # revision 1, generation g1, kept in memory
    theirs.files.storage("tg:1").set_aside()  # damaged, say: the other process starts the user afresh
    kept = commit_draft(theirs, "tg:1", "乙")  # revision 1 again, another generation
    mine.commit([UserWrite("tg:1", loaded.revision, drafts=(draft("tg:1", "丙"),))])
    names = sorted(d.filing.project_name for d in DraftStore(tmp_path).load("tg:1").drafts)
    assert names == ["丙", "乙"] and kept.id in {d.id for d in DraftStore(tmp_path).load("tg:1").drafts}


def test_a_small_cache_forgets_and_reads_again(tmp_path, monkeypatch):
    monkeypatch.setattr(DraftStore, "CACHE_BYTES", 1)  # keeps one user at most
    store = DraftStore(tmp_path)
    for user in ("tg:1", "tg:2", "tg:1", "tg:2"):
        commit_draft(store, user, user)
    assert [d.filing.project_name for d in store.load("tg:1").drafts] == ["tg:1", "tg:1"]
    assert store.reads >= 3
