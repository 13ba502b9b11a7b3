"""The corpus: the past filings the conversation proposes from and looks up.

Callers ask it questions — the most common departments, the filings of one project
name, the similar projects (through :attr:`Corpus.index`) — instead of walking a list of
filings. That keeps the question in one place and lets the filings themselves stay
wherever the store keeps them: this in-memory version holds them in a list; a larger
corpus can answer the same questions from a catalog and read each filing on demand.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator

from jixiao.bot.domain.models import Filing
from jixiao.bot.retrieval.text import normalize_name

HEADER_FIELDS = ("department", "implementing_unit", "category", "nature")


class Corpus:
    """Past filings with the questions the conversation asks of them; safe to share between threads."""

    def __init__(self, filings: Iterable[Filing] = (), *, indexed: bool = True):
        self._indexed = indexed
        self._lock = threading.Lock()
        self._set(list(filings))

    def _set(self, filings: list[Filing]) -> None:
        by_name: dict[str, list[Filing]] = {}
        for filing in filings:
            by_name.setdefault(normalize_name(filing.project_name), []).append(filing)
        for members in by_name.values():
            members.sort(key=lambda f: f.year)
        index = None
        if self._indexed and filings:
            from jixiao.bot.retrieval.index import SearchIndex

            index = SearchIndex(filings)
        # one assignment each: a reader on another thread sees the old or the new state, never half
        self._filings, self._by_name, self._index = filings, by_name, index

    # ------------------------------------------------------------------ questions
    def __len__(self) -> int:
        return len(self._filings)

    def __iter__(self) -> Iterator[Filing]:
        """Every filing (for the command line and benchmarks; the conversation asks questions)."""
        return iter(list(self._filings))

    @property
    def index(self):
        """The similar-project search (:class:`~jixiao.bot.retrieval.index.SearchIndex`), or None when empty."""
        return self._index

    def common(self, field: str, limit: int, *, format: str | None = None) -> list[str]:
        """The ``limit`` most frequent values of a header field (``HEADER_FIELDS``), most frequent first;
        with ``format``, counted over the filings of that form only."""
        if field not in HEADER_FIELDS:
            raise ValueError(f"not a header field: {field!r}")
        counted = Counter(getattr(f, field) for f in self._filings if format is None or f.format == format)
        counted.pop(None, None)
        counted.pop("", None)
        return [value for value, _ in counted.most_common(limit)]

    def named(self, name: str) -> list[Filing]:
        """The filings of project ``name`` (white space and bracket forms ignored), oldest first."""
        return list(self._by_name.get(normalize_name(name), ()))

    def names(self) -> list[str]:
        """Every distinct project name as printed, sorted."""
        return sorted({f.project_name for members in self._by_name.values() for f in members})

    # ------------------------------------------------------------------ changes
    def add(self, filings: Iterable[Filing]) -> None:
        """Filings join (an approved table, an uploaded file), replacing those with the same key;
        searchable as soon as this returns."""
        new = list(filings)
        keys = {f.key for f in new}
        with self._lock:
            self._set([f for f in self._filings if f.key not in keys] + new)


def as_corpus(filings: Corpus | Iterable[Filing]) -> Corpus:
    """``filings`` as a :class:`Corpus` (a list of filings is wrapped, unindexed)."""
    return filings if isinstance(filings, Corpus) else Corpus(filings, indexed=False)
