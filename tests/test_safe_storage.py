"""The crash-safe store (store/safe_storage.py, store/user_files.py).

Laid out like tinydb's own tests: a storage contract and TinyDB round trips that run
against tinydb's MemoryStorage as well as ours, then what only a file can do: atomicity,
fsync, corrupt files, the writers' lock across processes and threads, one file per user.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import pickle
import re
import threading
from pathlib import Path

import pytest
from jixiao.store.safe_storage import AtomicJSONStorage, CorruptStoreError, LockingTinyDB
from jixiao.store.user_files import PerUserDB
from tinydb import Query, TinyDB
from tinydb.operations import increment
from tinydb.storages import MemoryStorage

SPAWN = multiprocessing.get_context("spawn")
TEMP_NAME = re.compile(r"\.db\.json\.tmp-[0-9a-f]{16}")
CORRUPT_NAME = re.compile(r"db\.json\.corrupt-\d{8}T\d{6}\.\d{6}Z")
CHINESE = "项目绩效目标：全年完成≥85.00(%)，群众满意度 及时 😀"


def temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".tmp-" in p.name)


# --- the storage contract, for tinydb's MemoryStorage and for ours -------------------------


@pytest.fixture(params=["memory", "atomic"])
def storage(request, tmp_path):
    if request.param == "memory":
        yield MemoryStorage()
    else:
        yield AtomicJSONStorage(tmp_path / "db.json")


def test_empty_storage_reads_none(storage):
    assert storage.read() is None


def test_write_then_read(storage):
    data = {"_default": {"1": {"name": CHINESE, "n": 1}}, "drafts": {}}
    storage.write(data)
    assert storage.read() == data


def test_write_replaces_everything(storage):
    storage.write({"a": {"1": {"x": 1}}, "b": {"2": {"y": 2}}})
    storage.write({"c": {}})
    assert storage.read() == {"c": {}}


def test_close_is_harmless(storage):
    storage.write({"a": {}})
    storage.close()


# --- TinyDB round trips, for MemoryStorage, our storage, and LockingTinyDB ----------------


@pytest.fixture(params=["memory", "atomic", "locking"])
def db(request, tmp_path):
    if request.param == "memory":
        database = TinyDB(storage=MemoryStorage)
    elif request.param == "atomic":
        database = TinyDB(tmp_path / "db.json", storage=AtomicJSONStorage)
    else:
        database = LockingTinyDB(tmp_path / "db.json")
    yield database
    database.close()


def test_insert_and_get(db):
    doc_id = db.insert({"name": CHINESE})
    assert db.get(doc_id=doc_id) == {"name": CHINESE}
    assert db.insert_multiple([{"n": 1}, {"n": 2}]) == [doc_id + 1, doc_id + 2]
    assert len(db) == 3


def test_update_upsert_remove(db):
    Doc = Query()
    db.insert_multiple([{"k": "a", "v": 1}, {"k": "b", "v": 2}])
    db.update({"v": 10}, Doc.k == "a")
    db.upsert({"k": "b", "v": 20}, Doc.k == "b")
    db.upsert({"k": "c", "v": 30}, Doc.k == "c")
    assert sorted((d["k"], d["v"]) for d in db.all()) == [("a", 10), ("b", 20), ("c", 30)]
    db.remove(Doc.k == "a")
    assert db.search(Doc.v > 15) == [{"k": "b", "v": 20}, {"k": "c", "v": 30}]
    db.truncate()
    assert db.all() == []


def test_tables(db):
    db.table("drafts").insert({"answer": CHINESE})
    db.table("_meta").insert({"user_key": "console:张三"})
    assert db.tables() == {"drafts", "_meta"}
    db.drop_table("_meta")
    assert db.tables() == {"drafts"}
    assert db.table("drafts").all() == [{"answer": CHINESE}]
    db.drop_tables()
    assert db.tables() == set()


def test_search_sees_writes(db):
    Doc = Query()
    assert db.search(Doc.n == 1) == []
    db.insert({"n": 1})
    assert db.search(Doc.n == 1) == [{"n": 1}]


# --- what only the file storage does ---------------------------------------------------------


def test_data_survives_reopening_and_stays_readable(tmp_path):
    path = tmp_path / "db.json"
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        db.table("drafts").insert({"answer": CHINESE})
    text = path.read_text(encoding="utf-8")
    assert CHINESE in text  # ensure_ascii=False: the file is readable as it stands
    assert "\\u" not in text
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        assert db.table("drafts").all() == [{"answer": CHINESE}]


def test_json_arguments_are_passed_through(tmp_path):
    path = tmp_path / "db.json"
    with TinyDB(path, storage=AtomicJSONStorage, indent=2, ensure_ascii=True) as db:
        db.insert({"a": "张"})
    text = path.read_text(encoding="utf-8")
    assert "\n  " in text and "\\u5f20" in text


def test_opening_does_not_create_the_file(tmp_path):
    path = tmp_path / "sub" / "db.json"
    storage = AtomicJSONStorage(path)
    assert path.parent.is_dir() and not path.exists()
    assert storage.read() is None


def test_empty_file_reads_none(tmp_path):
    path = tmp_path / "db.json"
    path.write_bytes(b"")
    assert AtomicJSONStorage(path).read() is None


def test_lone_surrogate_is_saved_not_refused(tmp_path):
    path = tmp_path / "db.json"
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        db.insert({"text": "broken \ud800 emoji", "ok": CHINESE})
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        assert db.all() == [{"text": "broken \ud800 emoji", "ok": CHINESE}]


def test_unserializable_data_leaves_file_alone(tmp_path):
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    storage.write({"a": {"1": {"x": 1}}})
    with pytest.raises(TypeError):
        storage.write({"a": {"1": {"x": object()}}})
    assert storage.read() == {"a": {"1": {"x": 1}}}
    assert temp_files(tmp_path) == []


def test_failed_replace_keeps_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.insert({"answer": "old"})
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        db.insert({"answer": "new"})
    assert path.read_bytes() == before
    assert TinyDB(path, storage=AtomicJSONStorage).all() == [{"answer": "old"}]
    assert temp_files(tmp_path) == []

    monkeypatch.undo()  # the lock was released: the next write goes through
    db.insert({"answer": "new"})
    assert [d["answer"] for d in db.all()] == ["old", "new"]


def _die_before_replace(path: str) -> None:
    db = LockingTinyDB(path)
    os.replace = lambda src, dst: os._exit(3)  # the process dies between fsync and rename
    db.insert({"answer": "never acknowledged"})


def test_crash_before_replace_leaves_temp_that_next_open_removes(tmp_path):
    path = tmp_path / "db.json"
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        db.insert({"answer": "acknowledged"})
    before = path.read_bytes()
    unrelated = [tmp_path / ".other.json.tmp-0123456789abcdef", tmp_path / ".db.json.tmp-notours"]
    for other in unrelated:
        other.write_text("x")

    child = SPAWN.Process(target=_die_before_replace, args=(str(path),))
    child.start()
    child.join(60)
    assert child.exitcode == 3

    assert path.read_bytes() == before
    leftovers = [name for name in temp_files(tmp_path) if TEMP_NAME.fullmatch(name)]
    assert len(leftovers) == 1
    assert "never acknowledged" in (tmp_path / leftovers[0]).read_text(encoding="utf-8")

    with TinyDB(path, storage=AtomicJSONStorage) as db:
        assert db.all() == [{"answer": "acknowledged"}]
    assert not (tmp_path / leftovers[0]).exists()
    assert all(other.exists() for other in unrelated)


def test_fsync_of_file_then_rename_then_directory(tmp_path, monkeypatch):
    path = tmp_path / "db.json"
    storage = AtomicJSONStorage(path)
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", Path(src).name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    storage.write({"a": {}})

    assert len(events) == 3
    (op1, synced_file), (op2, src, dst), (op3, synced_dir) = events
    assert (op1, op2, op3) == ("fsync", "replace", "fsync")
    assert TEMP_NAME.fullmatch(Path(synced_file).name) and Path(synced_file).parent == tmp_path
    assert src == Path(synced_file).name and dst == "db.json"
    assert Path(synced_dir) == tmp_path


def test_lock_file_is_a_sidecar(tmp_path):
    storage = AtomicJSONStorage(tmp_path / "db.json")
    storage.write({"a": {}})
    assert (tmp_path / "db.json.lock").exists()


# --- corrupt files -------------------------------------------------------------------------

CORRUPT = {
    "cut mid-character": (b'{"_default": {"1": {"answer": "\xe5\xae', "not valid utf-8"),
    "cut JSON": (b'{"_default": {"1": {"answer": "ok"}', "invalid JSON"),
    "zero blocks": (b"\x00" * 4096, "invalid JSON"),
    "whitespace": (b"  \n", "invalid JSON"),
    "not utf-8": (b"\xff\xfe{}", "not valid utf-8"),
    "a list": (b"[1, 2]", "top level is a JSON list"),
    "table not object": (b'{"drafts": [1]}', "table 'drafts'"),
    "document not object": (b'{"drafts": {"1": "x"}}', "document '1' in table 'drafts'"),
    "nested too deeply": (b'{"drafts": {"1": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}}", "nested too deeply"),
    "a 5,000-digit integer": (b'{"drafts": {"1": {"a": ' + b"7" * 5_000 + b"}}}", "unusable JSON"),
}


@pytest.mark.parametrize("content, reason", CORRUPT.values(), ids=CORRUPT.keys())
def test_corrupt_file_is_set_aside_and_reported(tmp_path, content, reason):
    path = tmp_path / "db.json"
    path.write_bytes(content)

    with pytest.raises(CorruptStoreError) as caught:
        TinyDB(path, storage=AtomicJSONStorage)
    error = caught.value
    assert error.path == path
    assert error.moved_to.parent == tmp_path and CORRUPT_NAME.fullmatch(error.moved_to.name)
    assert str(path) in str(error) and str(error.moved_to) in str(error)
    assert reason in error.reason and reason in str(error)

    assert error.moved_to.read_bytes() == content
    assert not path.exists()
    with TinyDB(path, storage=AtomicJSONStorage) as db:  # opening again starts empty
        assert db.all() == []
        db.insert({"answer": "fresh"})
    assert error.moved_to.read_bytes() == content


def test_corrupt_store_error_pickles(tmp_path):
    error = CorruptStoreError(tmp_path / "a.json", tmp_path / "a.json.corrupt-x", "invalid JSON")
    again = pickle.loads(pickle.dumps(error))
    assert (again.path, again.moved_to, again.reason, str(again)) == (
        error.path, error.moved_to, error.reason, str(error))


def test_set_aside_mode_starts_empty_and_logs(tmp_path, caplog):
    path = tmp_path / "db.json"
    path.write_bytes(b'{"_default": {"1": ')
    with caplog.at_level(logging.WARNING, logger="jixiao.store.safe_storage"):
        db = TinyDB(path, storage=AtomicJSONStorage, on_corrupt="set_aside")
    assert db.all() == []
    [moved] = [p for p in tmp_path.iterdir() if CORRUPT_NAME.fullmatch(p.name)]
    assert moved.read_bytes() == b'{"_default": {"1": '
    [record] = [r for r in caplog.records if r.name == "jixiao.store.safe_storage"]
    assert record.levelno == logging.WARNING
    assert str(path) in record.getMessage() and str(moved) in record.getMessage()
    assert record.args  # lazy %-formatting
    db.insert({"answer": "fresh"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"_default": {"1": {"answer": "fresh"}}}


def test_class_level_default_switch(tmp_path, monkeypatch):
    path = tmp_path / "db.json"
    path.write_bytes(b"garbage")
    monkeypatch.setattr(AtomicJSONStorage, "ON_CORRUPT", "set_aside")
    assert AtomicJSONStorage(path).read() is None
    assert AtomicJSONStorage.ON_CORRUPT == "set_aside"
    monkeypatch.undo()
    path.write_bytes(b"garbage")
    with pytest.raises(CorruptStoreError):
        AtomicJSONStorage(path)


def test_bad_on_corrupt_value_is_refused(tmp_path):
    with pytest.raises(ValueError, match="on_corrupt"):
        AtomicJSONStorage(tmp_path / "db.json", on_corrupt="ignore")


def test_two_set_asides_in_a_row_keep_both_files(tmp_path):
    path = tmp_path / "db.json"
    moved = []
    for content in (b"first", b"second"):
        path.write_bytes(content)
        with pytest.raises(CorruptStoreError) as caught:
            AtomicJSONStorage(path)
        moved.append(caught.value.moved_to)
    assert moved[0] != moved[1]
    assert [m.read_bytes() for m in moved] == [b"first", b"second"]


def test_corruption_after_opening_is_caught_at_the_next_read(tmp_path):
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.insert({"answer": "ok"})
    path.write_bytes(b"scribbled over")
    with pytest.raises(CorruptStoreError) as caught:
        db.all()
    assert caught.value.moved_to.read_bytes() == b"scribbled over"


# --- the writers' lock ---------------------------------------------------------------------


def _insert_many(path: str, worker: int, count: int) -> None:
    db = LockingTinyDB(path)
    for i in range(count):
        db.insert({"worker": worker, "i": i})
        db.table("counter").update(increment("n"), doc_ids=[1])
    db.close()


def test_two_processes_inserting_lose_nothing(tmp_path):
    path = tmp_path / "db.json"
    with LockingTinyDB(path) as db:
        db.table("counter").insert({"n": 0})
    workers = [SPAWN.Process(target=_insert_many, args=(str(path), w, 200)) for w in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        docs = db.all()
        assert db.table("counter").all() == [{"n": 400}]
    assert len(docs) == 400
    assert {(d["worker"], d["i"]) for d in docs} == {(w, i) for w in (1, 2) for i in range(200)}
    assert len({d.doc_id for d in docs}) == 400


def _increment(path: str, count: int) -> None:
    storage = AtomicJSONStorage(path)
    for _ in range(count):
        with storage.transaction():
            data = storage.read() or {"counter": {"1": {"n": 0}}}
            data["counter"]["1"]["n"] += 1
            storage.write(data)


def test_transaction_makes_read_modify_write_atomic_across_processes(tmp_path):
    path = tmp_path / "db.json"
    workers = [SPAWN.Process(target=_increment, args=(str(path), 150)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert AtomicJSONStorage(path).read() == {"counter": {"1": {"n": 300}}}


def _hold_lock(path: str, acquired, seconds: float) -> None:
    import time

    storage = AtomicJSONStorage(path)
    with storage.transaction():
        acquired.set()
        time.sleep(seconds)
        storage.write({"holder": {"1": {"done": True}}})


def test_transaction_waits_for_another_process(tmp_path):
    path = tmp_path / "db.json"
    acquired = SPAWN.Event()
    holder = SPAWN.Process(target=_hold_lock, args=(str(path), acquired, 0.5))
    holder.start()
    assert acquired.wait(60)
    storage = AtomicJSONStorage(path)  # opening takes the lock too, so it waits as well
    with storage.transaction():
        assert storage.read() == {"holder": {"1": {"done": True}}}
    holder.join(60)
    assert holder.exitcode == 0


@pytest.mark.parametrize("shared", [True, False], ids=["one TinyDB", "a TinyDB per thread"])
def test_threads_inserting_lose_nothing(tmp_path, shared):
    path = tmp_path / "db.json"
    common = LockingTinyDB(path)
    errors = []

    def work(worker):
        try:
            db = common if shared else LockingTinyDB(path)
            for i in range(50):
                db.insert({"worker": worker, "i": i})
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    docs = common.all()
    assert len(docs) == 200 and len({d.doc_id for d in docs}) == 200


def test_locking_tables_see_other_writers(tmp_path):
    path = tmp_path / "db.json"
    first, second = LockingTinyDB(path), LockingTinyDB(path)
    Doc = Query()
    assert second.all() == []  # second counts no documents yet
    first.insert({"n": 0})
    assert first.search(Doc.n == 1) == []  # a result TinyDB would normally cache
    second.insert({"n": 1})  # must not reuse id 1
    assert first.search(Doc.n == 1) == [{"n": 1}]
    first.insert({"n": 2})
    assert sorted(d.doc_id for d in second.all()) == [1, 2, 3]


# --- one file per user ---------------------------------------------------------------------

ODD_KEYS = [
    "tg:12345", "console:张三", "a/b", "../../etc/passwd", ".hidden", "..", ".", "",
    "😀🎉", "x" * 200, "/" * 200, "A", "a", "a b", "a_b", "a:b", "a-b", "nul\x00byte",
    "line\nbreak", "con", "a.json", "tg:12345 ",
]


def test_two_users_two_files(tmp_path):
    users = PerUserDB(tmp_path)
    users.db("tg:1").table("drafts").insert({"answer": "one"})
    users.db("tg:2").table("drafts").insert({"answer": "two"})
    files = sorted(p.name for p in tmp_path.glob("*.json"))
    assert files == sorted([PerUserDB.file_name("tg:1"), PerUserDB.file_name("tg:2")])
    assert users.db("tg:1").table("drafts").all() == [{"answer": "one"}]
    assert users.db("tg:1") is users.db("tg:1")
    users.close()


def test_writing_one_user_leaves_the_other_untouched(tmp_path):
    users = PerUserDB(tmp_path)
    users.db("alice").table("drafts").insert({"answer": "a0"})
    users.db("bob").table("drafts").insert({"answer": "b0"})
    bob = users.path("bob")
    before = (bob.read_bytes(), bob.stat().st_mtime_ns, bob.stat().st_ino)
    drafts = users.db("alice").table("drafts")
    for i in range(5):
        drafts.upsert({"answer": f"a{i}"}, Query().answer.exists())
    assert (bob.read_bytes(), bob.stat().st_mtime_ns, bob.stat().st_ino) == before
    assert drafts.all() == [{"answer": "a4"}]


def test_odd_user_keys_get_safe_distinct_names(tmp_path):
    names = [PerUserDB.file_name(key) for key in ODD_KEYS]
    assert len(set(names)) == len(ODD_KEYS)
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9_-]+-[0-9a-f]{16}\.json", name), name
        assert not name.startswith((".", "-")) and len(name) <= 62
    assert PerUserDB.file_name("tg:12345").startswith("tg_12345-")
    assert PerUserDB.file_name("console:张三").startswith("console-")

    users = PerUserDB(tmp_path)
    for key in ODD_KEYS:
        users.db(key).table("drafts").insert({"key": key})
        assert users.path(key).parent == tmp_path
    users.close()
    assert sorted(p.name for p in tmp_path.glob("*.json")) == sorted(names)


def test_users_are_recovered_from_the_files(tmp_path, caplog):
    with PerUserDB(tmp_path) as users:
        for key in ODD_KEYS:
            users.db(key)
    (tmp_path / "notes.json").write_text("{}")  # not a user file: skipped with a warning
    with caplog.at_level(logging.WARNING):
        assert PerUserDB(tmp_path).users() == sorted(ODD_KEYS)
    assert "notes.json" in caplog.text


def test_a_file_of_another_key_is_refused(tmp_path):
    with PerUserDB(tmp_path) as users:
        users.db("mallory")
    os.replace(tmp_path / PerUserDB.file_name("mallory"), tmp_path / PerUserDB.file_name("alice"))
    with pytest.raises(ValueError, match="mallory"):
        PerUserDB(tmp_path).db("alice")


def test_corrupt_user_file(tmp_path, caplog):
    path = PerUserDB(tmp_path).path("tg:9")
    path.write_bytes(b'{"drafts": {"1": {"answer": "half')
    with pytest.raises(CorruptStoreError) as caught:
        PerUserDB(tmp_path).db("tg:9")
    assert caught.value.path == path
    path.write_bytes(b"[]")
    with caplog.at_level(logging.WARNING, logger="jixiao.store.safe_storage"):
        db = PerUserDB(tmp_path, on_corrupt="set_aside").db("tg:9")
    assert db.table("drafts").all() == [] and str(path) in caplog.text


def _per_user_inserts(directory: str, worker: int) -> None:
    with PerUserDB(directory) as users:
        drafts = users.db("tg:42").table("drafts")
        for i in range(50):
            drafts.insert({"worker": worker, "i": i})


def test_two_processes_one_user(tmp_path):
    workers = [SPAWN.Process(target=_per_user_inserts, args=(str(tmp_path), w)) for w in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with PerUserDB(tmp_path) as users:
        assert len(users.db("tg:42").table("drafts")) == 100
        assert users.db("tg:42").table("_meta").all() == [{"user_key": "tg:42"}]
        assert users.users() == ["tg:42"]
