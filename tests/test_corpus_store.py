"""store/corpus.py: one read and one write per upsert, damaged files set aside, bad records skipped."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from jixiao.bot.domain.models import Filing, Source
from jixiao.bot.wiring import load_corpus
from jixiao.store import corpus as corpus_module
from jixiao.store.corpus import CorpusStore, FilingsFileError, OwnFilingStore, bundled_corpus, load_filings_json
from jixiao.store.safe_storage import AtomicJSONStorage

SEEDS = bundled_corpus()


def copies(count: int, batch: str = "a") -> list[Filing]:
    """``count`` distinct filings made from the seeds (own source key, varied name)."""
    return [
        SEEDS[i % len(SEEDS)].model_copy(update={
            "project_name": f"{SEEDS[i % len(SEEDS)].project_name}（{batch}{i}）",
            "source": Source(file=f"{batch}.txt", index=i),
        })
        for i in range(count)
    ]


@pytest.fixture(params=[CorpusStore, OwnFilingStore])
def kind(request):
    return request.param


class Counting:
    """Counts AtomicJSONStorage reads and writes of one path."""

    def __init__(self, monkeypatch, path: Path):
        self.reads = self.writes = 0
        read, write = AtomicJSONStorage.read, AtomicJSONStorage.write

        def counted_read(storage):
            self.reads += storage.path == path
            return read(storage)

        def counted_write(storage, data):
            self.writes += storage.path == path
            return write(storage, data)

        monkeypatch.setattr(AtomicJSONStorage, "read", counted_read)
        monkeypatch.setattr(AtomicJSONStorage, "write", counted_write)


def test_upsert_is_one_read_and_one_write_whatever_the_number_of_filings(tmp_path, monkeypatch, kind):
    store = kind(tmp_path)
    store.upsert(copies(3))  # the file exists: the next opening has nothing to set up
    store = kind(tmp_path)
    counting = Counting(monkeypatch, store.path)
    assert store.upsert(copies(500, "b")) == 500
    assert (counting.reads, counting.writes) == (2, 1)  # one check when the store opens, one under the lock
    assert store.upsert(copies(500, "c")) == 500
    assert (counting.reads, counting.writes) == (3, 2)
    assert store.upsert([]) == 0 and counting.writes == 2


def test_upsert_replaces_filings_with_the_same_key_and_counts_only_new_ones(tmp_path, kind):
    store = kind(tmp_path)
    first = copies(5)
    assert store.upsert(first) == 5
    changed = [f.model_copy(update={"goal": "改过的目标"}) for f in first[:2]]
    assert store.upsert(changed + copies(1, "z")) == 1
    again = kind(tmp_path).all()  # as a new process would read it
    assert len(again) == 6 and len({f.key for f in again}) == 6
    assert {f.key: f.goal for f in again}[first[0].key] == "改过的目标"
    assert {f.key: f.goal for f in again}[first[4].key] == first[4].goal
    assert store.upsert(copies(2, "d") + copies(2, "d")) == 2  # duplicates within one call: one each


def test_the_file_keeps_tinydb_s_layout(tmp_path):
    store = CorpusStore(tmp_path)
    store.upsert(copies(2))
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert list(data) == ["filings"] and list(data["filings"]) == ["1", "2"]
    assert data["filings"]["2"] == {"key": "a.txt#1", "filing": copies(2)[1].to_json_dict()}


def test_two_writers_at_once_keep_both_sets(tmp_path):
    stores = [CorpusStore(tmp_path) for _ in range(4)]
    threads = [threading.Thread(target=s.upsert, args=(copies(50, f"w{i}"),)) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(CorpusStore(tmp_path).all()) == 200


# ------------------------------------------------------------------ damaged files
DAMAGED = {
    "invalid JSON": b"{not json",
    "not UTF-8": b'{"filings": {"1": "\xff"}}',
    "nested too deeply": b"[" * 100_000 + b"]" * 100_000,
    "a 5,000-digit number": b'{"filings": {"1": {"key": 1' + b"0" * 5000 + b"}}}",
    "a list": b"[1, 2]",
    "a table of numbers": b'{"filings": {"1": 5}}',
}


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_file_is_set_aside_and_reads_as_empty(tmp_path, kind, case, caplog):
    path = tmp_path / kind.FILE_NAME
    path.write_bytes(DAMAGED[case])
    assert kind(tmp_path).all() == []
    (moved,) = tmp_path.glob(f"{kind.FILE_NAME}.corrupt-*")
    assert moved.read_bytes() == DAMAGED[case] and not path.exists()
    assert str(path) in caplog.text and str(moved) in caplog.text
    store = kind(tmp_path)  # and the store works again
    assert store.upsert(copies(2)) == 2 and len(kind(tmp_path).all()) == 2


def test_a_bad_record_is_skipped_with_a_warning_and_the_file_kept(tmp_path, kind, caplog):
    store = kind(tmp_path)
    store.upsert(copies(4))
    data = json.loads(store.path.read_text(encoding="utf-8"))
    data["filings"]["2"]["filing"]["funding"] = {"total": "很多"}
    data["filings"]["3"] = {"key": "no filing here"}
    store.path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    kept = kind(tmp_path).all()
    assert [f.key for f in kept] == ["a.txt#0", "a.txt#3"]
    assert f"Skipping record 2 of {store.path}: funding.total: Input should be a valid number" in caplog.text
    assert f"Skipping record 3 of {store.path}" in caplog.text
    assert json.loads(store.path.read_text(encoding="utf-8")) == data  # nothing lost
    assert kind(tmp_path).upsert(copies(1, "new")) == 1  # writing keeps the bad record as it was
    assert json.loads(store.path.read_text(encoding="utf-8"))["filings"]["2"] == data["filings"]["2"]


def test_load_corpus_starts_with_the_bundled_filings_when_both_stores_are_damaged(tmp_path):
    (tmp_path / CorpusStore.FILE_NAME).write_bytes(b"{not json")
    (tmp_path / OwnFilingStore.FILE_NAME).write_bytes(b'{"filings": {"1": {"key": "k", "filing": {"year": []}}}}')
    corpus = load_corpus(tmp_path)
    assert {f.key for f in corpus} == {f.key for f in SEEDS if f.complete}


def test_reading_needs_no_write_access(tmp_path, monkeypatch, kind):
    kind(tmp_path).upsert(copies(3))

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "x.lock"))

    monkeypatch.setattr(corpus_module.AtomicJSONStorage, "__init__", read_only)  # no lock file can be made
    assert len(kind(tmp_path).all()) == 3


# ------------------------------------------------------------------ JSON files of filings
def test_load_filings_json_reads_one_filing_an_array_and_a_bom(tmp_path):
    one, many = tmp_path / "one.json", tmp_path / "many.json"
    one.write_bytes(b"\xef\xbb\xbf" + json.dumps(SEEDS[0].to_json_dict(), ensure_ascii=False).encode())
    many.write_text(json.dumps([f.to_json_dict() for f in SEEDS[:3]], ensure_ascii=False), encoding="utf-8")
    assert load_filings_json(one) == SEEDS[:1] and load_filings_json(many) == SEEDS[:3]


@pytest.mark.parametrize("content, reason", [
    (b"[" * 100_000 + b"]" * 100_000, "the JSON is nested too deeply"),
    (b'{"a": "\\ud800"}', "a holds a lone surrogate"),
    (b"null", "the file holds a JSON null, not a filing or an array of filings"),
    (b"[{}, 7]", "filing 0: year: Field required; and 2 more problems"),
    (b'{"year": 1, "format": "1999", "project_name": "x"}', "format: Value error, unknown format '1999'"),
    (b"{", "not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
])
def test_load_filings_json_says_why_in_one_line(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(FilingsFileError) as raised:
        load_filings_json(path)
    assert str(raised.value).startswith(reason) and "\n" not in str(raised.value)
    assert raised.value.path == path
