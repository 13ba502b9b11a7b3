"""One searchable text field (project names, or goals) as an inverted index.

Texts are stored once per distinct normalised text (a *doc*); each doc lists the filings
that carry it. Tokens are weighted by inverse document frequency, and similarity is the
cosine of the two token sets under those weights. Candidate generation walks the posting
lists of the query's rarest tokens first and stops after :data:`POSTING_BUDGET` postings,
so a query costs about the same on 1,000 or 100,000 filings.

The lists (each doc's tokens, each token's docs, each doc's filings) are :class:`Rows`:
a packed part (two flat integer arrays, which :meth:`TextField.parts` hands out for saving
and :meth:`TextField.from_parts` takes back, memory-mapped, without copying) plus the rows
changed or added since. A field packed and loaded again answers exactly as the one built,
and a field that had filings added answers exactly as one built from all of them at once
(the weights are recomputed by :meth:`TextField.refresh`); only a *removed* filing can leave
a difference, in which of two equally scored docs comes first.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from array import array
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

POSTING_BUDGET = 12_000  # postings walked per field and query, at most


@dataclass(frozen=True)
class FieldQuery:
    """A query text tokenised against one field."""

    ids: frozenset[int]  # tokens the field knows
    rare_first: tuple[int, ...]  # the same, rarest first (at most the field's query_tokens)
    norm: float  # includes tokens the field has never seen, at the highest weight


EMPTY = FieldQuery(frozenset(), (), 0.0)


class Rows:
    """Rows of integers: a packed base (``offsets``, ``values``: row ``i`` is
    ``values[offsets[i]:offsets[i + 1]]``, e.g. memory-mapped) plus rows changed or added since.

    A row read is a sequence (a memoryview slice of the base, or a list); :meth:`writable`
    gives a list that may be changed in place.
    """

    def __init__(self, offsets: Sequence[int] = (0,), values: Sequence[int] = (), *, typecode: str | None = None):
        """``typecode`` (``"i"``): rows added are kept as arrays of it (4 bytes an item, not a
        Python int each: what a large index is built in), else as lists (which sort)."""
        self._offsets = offsets
        self._values = memoryview(values) if isinstance(values, array) else values  # slices without copying
        self._base = len(offsets) - 1
        self._typecode = typecode
        self._changed: dict[int, list[int]] = {}
        self._added: list = []

    def __len__(self) -> int:
        return self._base + len(self._added)

    def __getitem__(self, row: int) -> Sequence[int]:
        if row >= self._base:
            return self._added[row - self._base]
        changed = self._changed.get(row)
        if changed is not None:
            return changed
        return self._values[self._offsets[row]:self._offsets[row + 1]]

    def append(self, items: Iterable[int] = ()) -> int:
        """A new last row; returns its number."""
        self._added.append(list(items) if self._typecode is None else array(self._typecode, items))
        return len(self) - 1

    def writable(self, row: int) -> list[int]:
        """Row ``row`` as a list that may be changed in place."""
        if row >= self._base:
            return self._added[row - self._base]
        changed = self._changed.get(row)
        if changed is None:
            changed = self._changed[row] = list(self[row])
        return changed

    def packed(self) -> tuple[array, array]:
        """``(offsets, values)`` of every row, for saving."""
        offsets, values = array("q", [0]), array("i")
        for row in range(len(self)):
            values.extend(self[row])
            offsets.append(len(values))
        return offsets, values


def text_hash(text: str) -> int:
    """A stable 64-bit hash of ``text`` (Python's own ``hash`` differs between processes)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class Texts:
    """Distinct texts by number, found again by text: a packed base (UTF-8 bytes, their
    offsets, and a sorted table of text hashes) plus the texts added since."""

    def __init__(self, blob: Sequence[int] = b"", offsets: Sequence[int] = (0,), hashes: Sequence[int] = (),
                 order: Sequence[int] = ()):
        self._blob, self._offsets = blob, offsets
        self._hashes, self._order = hashes, order  # hashes sorted; order[i] is the text of hashes[i]
        self._base = len(offsets) - 1
        self._decoded: dict[int, str] = {}  # base texts read so far
        self._added: list[str] = []
        self._added_of: dict[str, int] = {}

    def __len__(self) -> int:
        return self._base + len(self._added)

    def __getitem__(self, number: int) -> str:
        if number >= self._base:
            return self._added[number - self._base]
        text = self._decoded.get(number)
        if text is None:
            text = bytes(self._blob[self._offsets[number]:self._offsets[number + 1]]).decode("utf-8", "surrogatepass")
            self._decoded[number] = text
        return text

    def find(self, text: str) -> int | None:
        number = self._added_of.get(text)
        if number is not None or not self._base:
            return number
        wanted = text_hash(text)
        at = bisect_left(self._hashes, wanted)
        while at < len(self._hashes) and self._hashes[at] == wanted:
            if self[self._order[at]] == text:
                return self._order[at]
            at += 1
        return None

    def append(self, text: str) -> int:
        self._added.append(text)
        self._added_of[text] = number = len(self) - 1
        return number

    def packed(self) -> tuple[bytes, array, array, array]:
        """``(blob, offsets, hashes, order)`` of every text, for saving."""
        texts = [self[n] for n in range(len(self))]
        encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
        offsets = array("q", [0])
        for item in encoded:
            offsets.append(offsets[-1] + len(item))
        pairs = sorted((text_hash(t), n) for n, t in enumerate(texts))
        return b"".join(encoded), offsets, array("Q", [h for h, _ in pairs]), array("i", [n for _, n in pairs])


class TextField:
    """Distinct texts of one field, their tokens, IDF weights and posting lists."""

    #: What :meth:`parts` hands out and :meth:`from_parts` takes: flat arrays, then plain lists.
    ARRAYS = ("text_blob", "text_offsets", "text_hashes", "text_order", "doc_token_offsets", "doc_tokens",
              "posting_offsets", "postings", "member_offsets", "members", "idf2", "norms")

    def __init__(self, tokenize: Callable[[str], list[str]], *, query_tokens: int | None = None):
        self._tokenize = tokenize
        self._query_tokens = query_tokens
        self._texts = Texts()
        self._doc_tokens = Rows(typecode="i")
        self._members = Rows()
        self._vocab: dict[str, int] = {}
        self._token_text: list[str] = []
        self._postings = Rows(typecode="i")
        self._idf2: Sequence[float] = []
        self._norms: Sequence[float] = []
        self._unseen2 = 0.0
        self._docs = 0  # docs that some filing carries (a doc whose last filing left keeps its number)
        self._finalized = False

    # -- building -------------------------------------------------------------------
    def add(self, text: str, member: int, rank: Callable[[int], object] | None = None) -> int:
        """Record that filing ``member`` carries ``text``; returns the text's doc id.

        Before :meth:`finalize`, members are appended in any order (it sorts them); after it,
        ``rank`` orders them (smallest first) and :meth:`refresh` must follow a batch of adds.
        """
        doc = self._texts.find(text)
        if doc is None:
            doc = self._texts.append(text)
            ids = sorted({self._token_id(t) for t in self._tokenize(text)})
            for token in ids:
                self._postings.writable(token).append(doc)  # doc ids only grow: rows stay sorted
            self._doc_tokens.append(ids)
            self._members.append()
        members = self._members.writable(doc)
        if not members:
            self._docs += 1
            if self._finalized and doc < len(self._texts) - 1:  # a doc whose filings had all left
                for token in self._doc_tokens[doc]:
                    insort(self._postings.writable(token), doc)
        if self._finalized and rank is not None:
            insort(members, member, key=rank)
        else:
            members.append(member)
        return doc

    def remove(self, doc: int, member: int) -> None:
        """Filing ``member`` no longer carries doc ``doc``'s text (:meth:`refresh` must follow)."""
        members = self._members.writable(doc)
        members.remove(member)
        if not members:  # nobody carries the text now: it no longer counts, nor is it found
            self._docs -= 1
            for token in self._doc_tokens[doc]:
                self._postings.writable(token).remove(doc)

    def _token_id(self, token: str) -> int:
        tid = self._vocab.get(token)
        if tid is None:
            tid = self._vocab[token] = len(self._token_text)
            self._token_text.append(token)
            self._postings.append()
        return tid

    def finalize(self, rank: list[int]) -> None:
        """Compute weights and norms; order each doc's members by ``rank`` (0 = first)."""
        for doc in range(len(self._members)):
            self._members.writable(doc).sort(key=rank.__getitem__)
        self._pack()
        self.refresh()
        self._finalized = True

    def refresh(self) -> None:
        """Recompute the IDF weights and every doc's norm (after adding or removing filings)."""
        docs = max(self._docs, 1)
        postings = self._postings
        idf2 = [math.log(1 + docs / len(postings[t])) ** 2 if len(postings[t]) else 0.0 for t in range(len(postings))]
        self._unseen2 = math.log(1 + docs) ** 2
        get = idf2.__getitem__
        self._norms = [math.sqrt(sum(map(get, self._doc_tokens[d]))) for d in range(len(self._doc_tokens))]
        self._idf2 = idf2

    def _pack(self) -> None:
        """Rows built one by one become flat arrays (less memory, the form :meth:`parts` saves)."""
        self._doc_tokens = Rows(*self._doc_tokens.packed(), typecode="i")
        self._postings = Rows(*self._postings.packed(), typecode="i")
        self._members = Rows(*self._members.packed())

    # -- saving and loading ---------------------------------------------------------
    def parts(self) -> tuple[dict[str, array | bytes], list[str]]:
        """The field as flat arrays (named as in :data:`ARRAYS`) and its tokens, for saving."""
        blob, offsets, hashes, order = self._texts.packed()
        doc_offsets, doc_tokens = self._doc_tokens.packed()
        posting_offsets, postings = self._postings.packed()
        member_offsets, members = self._members.packed()
        arrays = {"text_blob": blob, "text_offsets": offsets, "text_hashes": hashes, "text_order": order,
                  "doc_token_offsets": doc_offsets, "doc_tokens": doc_tokens, "posting_offsets": posting_offsets,
                  "postings": postings, "member_offsets": member_offsets, "members": members,
                  "idf2": array("d", self._idf2), "norms": array("d", self._norms)}
        return arrays, list(self._token_text)

    @classmethod
    def from_parts(cls, tokenize: Callable[[str], list[str]], arrays: dict[str, Sequence], tokens: list[str], *,
                   query_tokens: int | None = None) -> TextField:
        """The field :meth:`parts` described; ``arrays`` may be memoryviews of a mapped file."""
        field = cls(tokenize, query_tokens=query_tokens)
        field._texts = Texts(arrays["text_blob"], arrays["text_offsets"], arrays["text_hashes"], arrays["text_order"])
        field._doc_tokens = Rows(arrays["doc_token_offsets"], arrays["doc_tokens"], typecode="i")
        field._postings = Rows(arrays["posting_offsets"], arrays["postings"], typecode="i")
        field._members = Rows(arrays["member_offsets"], arrays["members"])
        field._token_text = list(tokens)
        field._vocab = {token: tid for tid, token in enumerate(tokens)}
        field._idf2, field._norms = arrays["idf2"].tolist(), arrays["norms"].tolist()  # lists index fastest
        offsets = arrays["member_offsets"]
        field._docs = sum(1 for d in range(len(offsets) - 1) if offsets[d + 1] > offsets[d])
        docs = max(field._docs, 1)
        field._unseen2 = math.log(1 + docs) ** 2
        field._finalized = True
        return field

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

    def members(self, doc: int, limit: int | None = None) -> Sequence[int]:
        """Filings carrying the doc's text, most recent first, at most ``limit``."""
        members = self._members[doc]
        return members if limit is None else members[:limit]

    def text(self, doc: int) -> str:
        return self._texts[doc]

    def doc(self, text: str) -> int | None:
        """The doc whose text is exactly ``text``, if any filing carries it."""
        doc = self._texts.find(text)
        return doc if doc is not None and len(self._members[doc]) else None

    def __len__(self) -> int:
        return self._docs
