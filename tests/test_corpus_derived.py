"""The corpus on disk (bot/retrieval/stored.py): the derived file is used when fresh, rebuilt when
not, and a corpus loaded from it — or grown by adds — answers exactly as one built from the filings."""

from __future__ import annotations

import json
import logging
import random

import pytest
from jixiao.bot.domain.models import Filing, Source
from jixiao.bot.retrieval import stored
from jixiao.bot.retrieval.corpus import Corpus
from jixiao.bot.retrieval.index import Query, SearchIndex
from jixiao.bot.retrieval.text import normalize_name
from jixiao.bot.wiring import load_corpus
from jixiao.store.corpus import CorpusStore, OwnFilingStore, bundled_corpus

SEEDS = bundled_corpus()
UNITS = ["上海市宝山区司法局", "上海市松江区人力资源和社会保障局", "上海市徐汇区司法局", "上海市浦东新区法律援助中心"]


def varied(count: int, seed: int = 3, file: str = "imported.xlsx") -> list[Filing]:
    """Seed tables under other units, years and names, each its own key."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        base = rng.choice(SEEDS)
        name = rng.choice([base.project_name, base.project_name + "（二期）", "智慧" + base.project_name])
        out.append(base.model_copy(update={"project_name": name, "department": rng.choice(UNITS),
                                           "year": base.year + rng.choice([-1, 0, 1]),
                                           "source": Source(file=file, index=n)}))
    return out


def queries() -> list[Query]:
    own = [Query(f.project_name, f.category, f.department, f.goal, f.year) for f in SEEDS]
    new = [Query("智慧法律援助案件补贴", "特定目标类", UNITS[0], SEEDS[3].goal, 2027), Query("工伤鉴定"),
           Query("信息系统运行维护", None, UNITS[2], None, 2026)]
    return own + new


def answers(corpus: Corpus) -> list:
    """Everything the conversation asks of a corpus, as plain data."""
    index = corpus.index
    out = [[(h.filing.key, h.score, h.reasons) for h in index.search(q, top=8)] for q in queries()]
    out.append([corpus.common(field, 6) for field in ("department", "implementing_unit", "category", "nature")])
    out.append(corpus.common("category", 6, format="2024"))
    out.append(corpus.names())
    out.append(corpus.name_forms())
    out.append([[f.key for f in corpus.named(f.project_name)] for f in SEEDS])
    out.append([[f.key for f in corpus.named(f.project_name, year=f.year)] for f in SEEDS])
    out.append([getattr(corpus.latest(f.project_name, before=2025), "key", None) for f in SEEDS])
    out.append([getattr(corpus.get(f.key), "key", None) for f in SEEDS] + [corpus.get("no such key")])
    return out


@pytest.fixture
def data_dir(tmp_path):
    CorpusStore(tmp_path).upsert(varied(300))
    return tmp_path


def test_name_forms_are_each_name_normalised():
    corpus = Corpus(SEEDS + varied(50))
    assert corpus.name_forms() == [(name, normalize_name(name)) for name in corpus.names()]


def test_an_import_builds_the_derived_file_and_start_up_maps_it(data_dir, monkeypatch):
    assert stored.pack_path(data_dir).exists() and stored.is_fresh(data_dir)

    def no_rebuild(*args, **kwargs):
        raise AssertionError("rebuilt although fresh")

    monkeypatch.setattr(stored, "build_index", no_rebuild)
    loaded = load_corpus(data_dir)
    monkeypatch.undo()
    from_list = Corpus(stored_list(data_dir))
    assert len(loaded) == len(from_list) > 300
    assert answers(loaded) == answers(from_list)
    assert [f.key for f in loaded] == [f.key for f in from_list]


def stored_list(data_dir) -> list[Filing]:
    """What the corpus holds, read the slow way: the seeds and corpus.json merged by key, complete ones."""
    merged = {f.key: f for f in SEEDS}
    merged.update({f.key: f for f in CorpusStore(data_dir).all()})
    return [f for f in merged.values() if f.complete]


def test_adding_filings_answers_as_a_corpus_built_with_them(data_dir):
    more = varied(40, seed=9, file="later.xlsx")
    grown = load_corpus(data_dir)
    grown.add(more[:10])
    grown.add(more[10:])
    built = Corpus(stored_list(data_dir) + more)
    assert answers(grown) == answers(built)
    grown.add(more[:5])  # the same tables again change nothing
    assert answers(grown) == answers(built)


def test_a_replaced_filing_is_searched_in_its_new_form(data_dir):
    corpus = load_corpus(data_dir)
    old = next(iter(corpus))
    new = old.model_copy(update={"project_name": "档案数字化加工服务"})
    corpus.add([new])
    assert len(corpus) == len(stored_list(data_dir))
    hits = corpus.index.search(Query("档案数字化加工服务"), top=3)
    assert hits[0].filing.key == old.key and hits[0].filing.project_name == "档案数字化加工服务"
    assert old.project_name not in [f.project_name for f in corpus.named(old.project_name) if f.key == old.key]


def test_a_changed_corpus_file_makes_the_derived_file_stale(data_dir, caplog):
    caplog.set_level(logging.INFO)
    path = data_dir / CorpusStore.FILE_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    first = next(iter(data["filings"].values()))
    first["filing"]["project_name"] = "手工改过的名称"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # an edit behind the store's back
    assert not stored.is_fresh(data_dir)
    corpus = load_corpus(data_dir)
    assert "手工改过的名称" in corpus.names() and stored.is_fresh(data_dir)
    assert "corpus_derived_stale" in caplog.text


def test_new_code_makes_the_derived_file_stale(data_dir, monkeypatch):
    monkeypatch.setattr(stored, "code_stamp", lambda: "another version of the program")
    assert not stored.is_fresh(data_dir)
    assert len(load_corpus(data_dir)) == len(stored_list(data_dir)) and stored.is_fresh(data_dir)


@pytest.mark.parametrize("damage", [b"", b"JXPACK1\n" + bytes(40), b"not a pack at all" * 10], ids=["empty", "zeros", "junk"])
def test_a_damaged_derived_file_is_rebuilt(data_dir, damage, caplog):
    stored.pack_path(data_dir).write_bytes(damage)
    corpus = load_corpus(data_dir)
    assert answers(corpus) == answers(Corpus(stored_list(data_dir)))
    assert stored.is_fresh(data_dir)


def test_a_pack_cut_short_is_refused(data_dir):
    path = stored.pack_path(data_dir)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(stored.PackError):
        stored.load(path)


def test_an_unwritable_data_directory_reads_the_corpus_whole(data_dir, monkeypatch, caplog):
    stored.pack_path(data_dir).unlink()

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(stored, "refresh", read_only)
    corpus = load_corpus(data_dir)
    assert answers(corpus) == answers(Corpus(stored_list(data_dir)))
    assert "corpus_derived_unwritable" in caplog.text


def test_own_filings_join_the_mapped_corpus_and_staged_ones_do_not(data_dir):
    mine = varied(3, seed=5, file="own:alice/d1")
    OwnFilingStore(data_dir).upsert(mine[:2])
    OwnFilingStore(data_dir).stage(mine[2:])
    keys = {f.key for f in load_corpus(data_dir)}
    assert {f.key for f in mine[:2]} <= keys and mine[2].key not in keys


def test_a_saved_index_searches_as_the_built_one(tmp_path):
    filings = SEEDS + varied(200, seed=11)
    built = SearchIndex(filings)
    path = tmp_path / "x.pack"
    stored.write(path, built, {})
    loaded = stored.load(path)
    for q in queries():
        assert [(h.filing, h.score, h.reasons) for h in loaded.search(q, top=6)] == \
               [(h.filing, h.score, h.reasons) for h in built.search(q, top=6)]


def test_named_in_one_year_is_the_names_filings_of_that_year():
    corpus = Corpus(SEEDS)
    for filing in SEEDS:
        assert corpus.named(filing.project_name, year=filing.year) == [
            f for f in corpus.named(filing.project_name) if f.year == filing.year]
    assert any(len(corpus.named(f.project_name, year=f.year)) < len(corpus.named(f.project_name)) for f in SEEDS)
