"""The corpus: the past filings the conversation proposes from and looks up.

Callers ask it questions — the most common departments, the filings of one project
name, the similar projects (through :attr:`Corpus.index`) — instead of walking a list of
filings. Every question is answered from the search index and its catalog of header
fields (:class:`~bot.retrieval.catalog.FilingTable`), so none of them walks the filings:

=====================  ============================================================
``common``             counts of a header column (kept until the corpus changes)
``named``, ``latest``  the name's posting in the index; only those filings are read
``get``                one filing by key
``names``              the catalog's distinct printed names (sorted once per change)
``name_forms``         the same with each one's normalised form (the index's, not computed again)
``index``              the similar-project search
``add``                indexes the new filings in place (no rebuild)
=====================  ============================================================

``Corpus(filings)`` holds a list in memory; :meth:`Corpus.open` maps the derived file
of a data directory (:mod:`~bot.retrieval.stored`) and adds our own approved tables, so
start-up does not grow with the corpus and a filing is read from disk only when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from jixiao.bot.domain.models import Filing
from jixiao.bot.retrieval.catalog import HEADER_FIELDS
from jixiao.bot.retrieval.index import SearchIndex

__all__ = ["HEADER_FIELDS", "Corpus", "as_corpus"]


class Corpus:
    """Past filings with the questions the conversation asks of them; safe to share between threads."""

    def __init__(self, filings: Iterable[Filing] = ()):
        self._use(SearchIndex(filings))

    @classmethod
    def of_index(cls, index: SearchIndex) -> Corpus:
        """The corpus of an index built or loaded elsewhere (it is changed by :meth:`add`)."""
        corpus = cls.__new__(cls)
        corpus._use(index)
        return corpus

    @classmethod
    def open(cls, data_dir: Path) -> Corpus:
        """The corpus of ``data_dir``: bundled seeds, imported filings (``corpus.json``, through
        its derived file) and our own approved tables (``own_filings.json``); complete ones only."""
        from jixiao.bot.retrieval import stored
        from jixiao.store.corpus import OwnFilingStore

        corpus = cls.of_index(stored.open_base(Path(data_dir)))
        if (Path(data_dir) / OwnFilingStore.FILE_NAME).exists():
            own = OwnFilingStore(Path(data_dir))
            corpus.add([f for f in own.all() if f.complete])
            own.close()
        return corpus

    def _use(self, index: SearchIndex) -> None:
        self._index = index
        self._table = index.table
        self._lock = index._lock  # one lock: a question never sees half of an add
        self._common: dict[tuple[str, str | None], list[str]] = {}
        self._forms: list[tuple[str, str]] | None = None

    # ------------------------------------------------------------------ questions
    def __len__(self) -> int:
        return self._table.live

    def __iter__(self) -> Iterator[Filing]:
        """Every filing (for the command line and benchmarks: a stored corpus reads each one)."""
        with self._lock:
            fids = list(self._table.fids())
        return (self._table.filing(fid) for fid in fids)

    @property
    def index(self) -> SearchIndex | None:
        """The similar-project search (:class:`~jixiao.bot.retrieval.index.SearchIndex`), or None when empty."""
        return self._index if len(self) else None

    def common(self, field: str, limit: int, *, format: str | None = None) -> list[str]:
        """The ``limit`` most frequent values of a header field (``HEADER_FIELDS``), most frequent first;
        with ``format``, counted over the filings of that form only."""
        if field not in HEADER_FIELDS:
            raise ValueError(f"not a header field: {field!r}")
        with self._lock:
            ranked = self._common.get((field, format))
            if ranked is None:
                counted = self._table.counts(field, format)
                values = self._table.values
                ranked = [values[v] for v, _ in counted.most_common() if values[v]]  # neither None nor ""
                self._common[(field, format)] = ranked
        return ranked[:limit]

    def named(self, name: str, *, year: int | None = None) -> list[Filing]:
        """The filings of project ``name`` (white space and bracket forms ignored), oldest first;
        with ``year``, of that year only (chosen from the catalog: only those filings are read)."""
        years = self._table.years
        return [self._table.filing(fid) for fid in self._named(name) if year is None or years[fid] == year]

    def get(self, key: str) -> Filing | None:
        """The filing with ``key`` (``Filing.key``), or None; reads that one filing only."""
        with self._lock:
            fid = self._table.fid_of(key)
        return None if fid is None else self._table.filing(fid)

    def latest(self, name: str, before: int | None = None) -> Filing | None:
        """The most recent filing of project ``name`` (of a year before ``before``), or None;
        reads that one filing only."""
        years = self._table.years
        fids = [fid for fid in self._named(name) if before is None or years[fid] < before]
        return self._table.filing(max(fids, key=lambda fid: years[fid])) if fids else None

    def _named(self, name: str) -> list[int]:
        years = self._table.years
        return sorted(self._index.same_name(name), key=lambda fid: (years[fid], fid))

    def names(self) -> list[str]:
        """Every distinct project name as printed, sorted."""
        with self._lock:
            return list(self._table.printed_names())

    def name_forms(self) -> list[tuple[str, str]]:
        """Every distinct project name as printed and as compared (:func:`normalize_name`),
        sorted as :meth:`names`; taken from the index, so no name is normalised again."""
        with self._lock:
            if self._forms is None:
                table, name_doc, texts = self._table, self._index._name_doc, self._index._names.text
                doc_of: dict[int, int] = {}
                for fid in table.fids():
                    doc_of.setdefault(table.names[fid], name_doc[fid])
                forms = {table.name_texts[n]: texts(doc) for n, doc in doc_of.items()}
                self._forms = [(name, forms[name]) for name in table.printed_names()]
            return self._forms

    # ------------------------------------------------------------------ changes
    def add(self, filings: Iterable[Filing]) -> None:
        """Filings join (an approved table, an uploaded file), replacing those with the same key
        (one identical to the stored copy changes nothing); searchable as soon as this returns."""
        with self._lock:
            new: dict[str, Filing] = {}
            replaced: list[int] = []
            for filing in filings:
                fid = self._table.fid_of(filing.key)
                if fid is not None and self._table.filing(fid) == filing:
                    new.pop(filing.key, None)
                    continue
                if fid is not None:
                    replaced.append(fid)
                new.pop(filing.key, None)
                new[filing.key] = filing
            if not new:
                return
            self._index.add(new.values(), retire=replaced)
            self._common.clear()
            self._forms = None


def as_corpus(filings: Corpus | Iterable[Filing]) -> Corpus:
    """``filings`` as a :class:`Corpus` (a list of filings is wrapped)."""
    return filings if isinstance(filings, Corpus) else Corpus(filings)
