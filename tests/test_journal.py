"""The write-ahead journal (store/journal.py): records, group commit, segments, replay after a crash."""

from __future__ import annotations

import os
import threading

import pytest
from jixiao.bot.conversation.state import Draft, Session
from jixiao.bot.conversation.stores import UserWrite
from jixiao.bot.domain.models import Filing
from jixiao.store import journal as journal_module
from jixiao.store.drafts import DraftStore
from jixiao.store.journal import Journal, Record, decode, encode, latest


def draft(user: str, name: str) -> Draft:
    return Draft(user=user, filing=Filing(year=2027, format="2026", project_name=name))


def save(store: DraftStore, user: str, name: str) -> Draft:
    state = store.load(user)
    new = draft(user, name)
    store.commit([UserWrite(user, state.revision, Session(user=user, current=new.id), (new,))])
    return new


def names(directory, user: str) -> list[str]:
    return sorted(d.filing.project_name for d in DraftStore(directory, journal=False).load(user).drafts)


def crash(store: DraftStore) -> None:
    """The process dies: its journal's descriptors close (the lock goes), nothing is cleaned up."""
    segment = store.journal._segment
    os.close(segment.fd)
    segment.fd = -1
    store.journal = None


# ------------------------------------------------------------------ records
def test_records_read_back_until_the_first_cut_or_damaged_one():
    records = [Record("tg:1", 3, "ab", b'{"x": 1}', 10), Record("tg:2", 1, "cd", "中文".encode(), 11)]
    data = b"".join(encode(r) for r in records)
    assert list(decode(data + bytes(100))) == records  # the zeros after the last record end it
    assert list(decode(data[:-1])) == records[:1]  # a record cut short is not one
    damaged = bytearray(data)
    damaged[-2] ^= 0xFF
    assert list(decode(bytes(damaged))) == records[:1]  # nor is one whose CRC fails
    assert latest([records[0], Record("tg:1", 4, "ab", b"{}", 12), records[1]])["tg:1"].revision == 4


# ------------------------------------------------------------------ group commit
def test_saves_waiting_together_share_one_sync(tmp_path, monkeypatch):
    store = DraftStore(tmp_path)
    save(store, "tg:0", "暖身")  # the segment exists
    slow, real = threading.Event(), os.fdatasync

    def slow_sync(fd):
        slow.wait(0.2)  # the first sync takes a while; the others queue behind it
        real(fd)

    monkeypatch.setattr(journal_module.os, "fdatasync", slow_sync)
    before = store.journal.syncs
    threads = [threading.Thread(target=save, args=(store, f"tg:{n}", f"项目{n}")) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.journal.syncs - before < 8  # fewer syncs than saves: they were grouped
    for n in range(1, 9):
        assert names(tmp_path, f"tg:{n}") == [f"项目{n}"]


def test_a_journal_that_cannot_be_written_gives_way_to_a_direct_durable_write(tmp_path, monkeypatch):
    store = DraftStore(tmp_path)
    save(store, "tg:1", "甲")
    broken = store.journal._segment

    def fails(*args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(journal_module.os, "pwrite", fails)
    save(store, "tg:1", "乙")  # written as before the journal: temp file, fsync, rename, fsync
    monkeypatch.undo()
    assert names(tmp_path, "tg:1") == ["乙", "甲"]
    save(store, "tg:1", "丙")
    assert store.journal._segment is not broken  # no record goes after the one that failed
    assert names(tmp_path, "tg:1") == ["丙", "乙", "甲"]


def test_when_nothing_can_be_written_the_save_fails_and_the_file_is_unchanged(tmp_path, monkeypatch):
    store = DraftStore(tmp_path)
    save(store, "tg:1", "甲")
    before = store.files.path("tg:1").read_bytes()

    def fails(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_module.os, "pwrite", fails)
    monkeypatch.setattr(os, "fsync", fails)
    with pytest.raises(OSError):
        save(store, "tg:1", "乙")
    monkeypatch.undo()
    assert store.files.path("tg:1").read_bytes() == before and names(tmp_path, "tg:1") == ["甲"]


def test_full_segments_are_retired_once_their_files_are_synced(tmp_path, monkeypatch):
    monkeypatch.setattr(Journal, "SEGMENT_BYTES", 4096)
    monkeypatch.setattr(Journal, "FIRST_SEGMENT_BYTES", 4096)
    synced = []
    store = DraftStore(tmp_path)
    real = type(store.files.storage("tg:1")).sync
    monkeypatch.setattr(type(store.files.storage("tg:1")), "sync", lambda s: synced.append(s.path.name) or real(s))
    for n in range(12):
        save(store, f"tg:{n % 3}", f"项目{n}")
    store.journal.close()
    assert not list((tmp_path / "users").glob(".journal-*"))  # every segment retired
    assert {store.files.path(f"tg:{n}").name for n in range(3)} <= set(synced)


# ------------------------------------------------------------------ after a crash
def test_a_dead_process_journal_restores_files_older_than_its_records(tmp_path):
    store = DraftStore(tmp_path)
    save(store, "tg:1", "甲")
    path = store.files.path("tg:1")
    older = path.read_bytes()
    save(store, "tg:1", "乙")
    save(store, "tg:2", "丙")
    crash(store)
    path.write_bytes(older)  # power failure: the last replace of tg:1 never reached the disk
    store.files.path("tg:2").write_bytes(b'{"_meta": {"1": {"revision": 1, "generation": "00')  # torn
    again = DraftStore(tmp_path)
    assert names(tmp_path, "tg:1") == ["乙", "甲"] and names(tmp_path, "tg:2") == ["丙"]
    assert not list((tmp_path / "users").glob(".journal-*"))  # replayed, then removed
    assert again.load("tg:1").revision == 2


def test_replay_never_takes_a_file_back(tmp_path):
    store = DraftStore(tmp_path)
    save(store, "tg:1", "甲")
    crash(store)  # its journal says revision 1
    later = DraftStore(tmp_path, journal=False)
    save(later, "tg:1", "乙")  # revision 2, by another process since
    DraftStore(tmp_path)  # replays the dead journal
    assert names(tmp_path, "tg:1") == ["乙", "甲"]


def test_replay_leaves_a_file_made_again_since_alone(tmp_path):
    store = DraftStore(tmp_path)
    save(store, "tg:1", "甲")
    save(store, "tg:1", "乙")
    crash(store)
    other = DraftStore(tmp_path, journal=False)
    other.files.storage("tg:1").set_aside()  # damaged and made again: another generation
    save(other, "tg:1", "新")
    DraftStore(tmp_path)
    assert names(tmp_path, "tg:1") == ["新"]


def test_a_live_process_journal_is_left_alone(tmp_path):
    store = DraftStore(tmp_path)
    save(store, "tg:1", "甲")
    journals = list((tmp_path / "users").glob(".journal-*"))
    DraftStore(tmp_path)  # another process starting now
    assert list((tmp_path / "users").glob(".journal-*")) == journals
    store.close()
    assert not list((tmp_path / "users").glob(".journal-*"))
