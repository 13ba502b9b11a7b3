"""One searchable text field (project names, or goals) as an inverted index.

Texts are stored once per distinct normalised text (a *doc*); each doc lists the filings
that carry it. Tokens are weighted by inverse document frequency, and similarity is the
cosine of the two token sets under those weights. Candidate generation walks the posting
lists of the query's rarest tokens first and stops after :data:`POSTING_BUDGET` postings,
so a query costs about the same on 1,000 or 100,000 filings.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass

POSTING_BUDGET = 12_000  # postings walked per field and query, at most


@dataclass(frozen=True)
class FieldQuery:
    """A query text tokenised against one field."""

    ids: frozenset[int]  # tokens the field knows
    rare_first: tuple[int, ...]  # the same, rarest first (at most the field's query_tokens)
    norm: float  # includes tokens the field has never seen, at the highest weight


EMPTY = FieldQuery(frozenset(), (), 0.0)


class TextField:
    """Distinct texts of one field, their tokens, IDF weights and posting lists."""

    def __init__(self, tokenize: Callable[[str], list[str]], *, query_tokens: int | None = None):
        self._tokenize = tokenize
        self._query_tokens = query_tokens
        self._doc_of: dict[str, int] = {}
        self._texts: list[str] = []
        self._doc_tokens: list[array] = []
        self._members: list[list[int]] = []
        self._vocab: dict[str, int] = {}
        self._token_text: list[str] = []
        self._postings: list[array] = []
        self._idf2: list[float] = []
        self._norms: list[float] = []
        self._unseen2 = 0.0

    def add(self, text: str, member: int) -> int:
        """Record that filing ``member`` carries ``text``; returns the text's doc id."""
        doc = self._doc_of.get(text)
        if doc is None:
            doc = len(self._texts)
            self._doc_of[text] = doc
            self._texts.append(text)
            ids = sorted({self._token_id(t) for t in self._tokenize(text)})
            for token in ids:
                self._postings[token].append(doc)
            self._doc_tokens.append(array("i", ids))
            self._members.append([])
        self._members[doc].append(member)
        return doc

    def _token_id(self, token: str) -> int:
        tid = self._vocab.get(token)
        if tid is None:
            tid = self._vocab[token] = len(self._token_text)
            self._token_text.append(token)
            self._postings.append(array("i"))
        return tid

    def finalize(self, rank: list[int]) -> None:
        """Compute weights and norms; order each doc's members by ``rank`` (0 = first)."""
        docs = max(len(self._texts), 1)
        self._idf2 = [math.log(1 + docs / len(p)) ** 2 for p in self._postings]
        self._unseen2 = math.log(1 + docs) ** 2
        idf2 = self._idf2
        self._norms = [math.sqrt(sum(idf2[t] for t in tokens)) for tokens in self._doc_tokens]
        for members in self._members:
            members.sort(key=rank.__getitem__)

    # -- queries --------------------------------------------------------------------
    def query(self, text: str) -> FieldQuery:
        """Tokenise ``text`` for this field (``text`` is already normalised)."""
        if not text:
            return EMPTY
        tokens = set(self._tokenize(text))
        known = [self._vocab[t] for t in tokens if t in self._vocab]
        unseen = len(tokens) - len(known)
        norm = math.sqrt(sum(self._idf2[t] for t in known) + unseen * self._unseen2)
        rare_first = sorted(known, key=lambda t: (len(self._postings[t]), t))
        if self._query_tokens is not None:
            rare_first = rare_first[: self._query_tokens]
        return FieldQuery(frozenset(known), tuple(rare_first), norm)

    def candidates(self, q: FieldQuery, limit: int) -> list[int]:
        """Up to ``limit`` docs sharing the most weight with ``q``, best first."""
        acc: dict[int, float] = {}
        budget = POSTING_BUDGET
        for token in q.rare_first:
            postings = self._postings[token]
            if len(postings) > budget:
                if acc:
                    break
                postings = postings[:budget]
            budget -= len(postings)
            weight = self._idf2[token]
            get = acc.get
            for doc in postings:
                acc[doc] = get(doc, 0.0) + weight
        norms = self._norms
        return [doc for _, doc in heapq.nlargest(limit, [(w / norms[d], d) for d, w in acc.items()])]

    def cosine(self, q: FieldQuery, doc: int) -> float:
        """IDF-weighted cosine between the query's and the doc's token sets (0–1)."""
        if not q.ids:
            return 0.0
        idf2 = self._idf2
        shared = sum(idf2[t] for t in q.ids.intersection(self._doc_tokens[doc]))
        return shared / (q.norm * self._norms[doc]) if shared else 0.0

    def shared(self, q: FieldQuery, doc: int, limit: int) -> list[str]:
        """Up to ``limit`` tokens the query and the doc share, most telling first."""
        common = [t for t in self._doc_tokens[doc] if t in q.ids]
        common.sort(key=lambda t: (-self._idf2[t], t))
        return [self._token_text[t] for t in common[:limit]]

    def members(self, doc: int, limit: int) -> list[int]:
        """Filings carrying the doc's text, most recent first, at most ``limit``."""
        return self._members[doc][:limit]

    def text(self, doc: int) -> str:
        return self._texts[doc]

    def doc(self, text: str) -> int | None:
        """The doc whose text is exactly ``text``, if any."""
        return self._doc_of.get(text)

    def __len__(self) -> int:
        return len(self._texts)
