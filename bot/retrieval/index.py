"""Similar-project search: which past filings are most like the project being filed.

:class:`SearchIndex` is built once from the corpus. Project names and goals each get an
inverted index (:class:`~bot.retrieval.fields.TextField`) over their *distinct* normalised
texts, so a name filed by 500 units is tokenised and stored once. A search

1. gathers candidates: filings whose name or goal shares a rare token with the query
   (the posting lists walked are bounded, so the work does not grow with the corpus), plus
   the most recent filings of the query's department (and of its category when the text
   finds too little);
2. scores each candidate (weights are the ``W_*`` class constants)::

       score = SAME_NAME (when the normalised names are equal: the sum of the W_*)
             + W_NAME × cosine(name tokens)   + W_GOAL × cosine(goal tokens)
             + W_DEPARTMENT × same unit       + W_CATEGORY × same category
             + W_RECENT × 1 / (1 + |year − query year|)

   Token weights are IDF; the cosine is over token sets. A same-name project therefore
   always ranks above every other filing (the rest sums to less than the bonus), and among
   same-name projects the same unit and the nearest year come first. The goal cosine, the
   one costly term, is computed best-first and only while a filing could still enter the
   top with a perfect goal match;
3. returns the best ``top`` not excluded as :class:`Hit`, each with the reasons it matched.

The index is built once (from a list of filings, or by ``bot.retrieval.stored`` when the
corpus changes) and then saved as flat arrays (:meth:`SearchIndex.parts`) that a later start
maps from disk without rebuilding anything (:meth:`SearchIndex.from_parts`); filings added
while the bot runs are indexed in place (:meth:`SearchIndex.add`). Built, loaded or grown,
it answers alike. Per filing it keeps the numbers it scores with (name and goal docs, units,
year, category: :class:`~bot.retrieval.catalog.FilingTable`); a filing itself is read only
when it is a hit (or ``exclude`` must see it).

``bench/search_scale.py`` measures it built in memory (docs/SEARCH_SCALE.md) and
``bench/startup.py`` mapped from disk (docs/BENCHMARKS.md): about 13–14 ms p95 at 100,000
synthetic filings on this 2-core machine, shared with other work.
"""

from __future__ import annotations

import threading
from array import array
from bisect import insort
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from jixiao.bot.domain.models import Filing
from jixiao.bot.retrieval.catalog import FilingTable, Header
from jixiao.bot.retrieval.fields import Rows, TextField
from jixiao.bot.retrieval.text import clean, normalize_name, normalize_unit, shared_words, tokenizer
from jixiao.bot.texts import render_plain


@dataclass(frozen=True)
class Query:
    """What a user knows about a new project before choosing indicators."""

    name: str
    category: str | None = None
    department: str | None = None
    goal: str | None = None
    year: int | None = None
    overall_goal: str | None = None  # 项目总目标 of a multi-year (阶段性) project: the whole period's


@dataclass(frozen=True)
class Hit:
    """A past filing like the query, its score and why it matched (Chinese, for people).

    The fields after ``reasons`` are the parts of the score, for callers that weigh hits
    (:func:`bot.retrieval.proposals.propose`).
    """

    filing: Filing
    score: float
    reasons: tuple[str, ...]
    same_name: bool = False
    name_similarity: float = 0.0  # IDF-weighted cosine of the name tokens, 0–1
    goal_similarity: float = 0.0
    same_unit: bool = False
    same_category: bool = False


def _units_match(a: str, b: str) -> bool:
    """Two normalised unit names name one unit: equal, or one contains the other (4+ chars)."""
    return a == b or (len(a) >= 4 and len(b) >= 4 and (a in b or b in a))


def filing_units(filing: Filing) -> tuple[str, ...]:
    """The normalised department and implementing unit of ``filing`` (either may be absent)."""
    units = (normalize_unit(filing.department), normalize_unit(filing.implementing_unit))
    return tuple(dict.fromkeys(u for u in units if u))


def same_unit(department: str | None, filing: Filing) -> bool:
    """True when ``department`` (as a user types it) is the filing's department or unit."""
    unit = normalize_unit(department)
    return bool(unit) and any(_units_match(unit, u) for u in filing_units(filing))


class SearchIndex:
    """An index over past filings; :meth:`search` finds the most similar.

    Built once from a list of filings, or loaded from the arrays :meth:`parts` gave
    (:meth:`from_parts`, memory-mapped: nothing is rebuilt). :meth:`add` indexes more
    filings in place, with the same results as building from all of them at once.
    Searching and adding may happen on different threads.
    """

    W_NAME = 1.0
    W_GOAL = 0.2
    W_DEPARTMENT = 0.15
    W_CATEGORY = 0.05
    W_RECENT = 0.03
    SAME_NAME = W_NAME + W_GOAL + W_DEPARTMENT + W_CATEGORY + W_RECENT  # beats any other filing
    NAME_DOCS = 40  # distinct names taken as candidates
    GOAL_DOCS = 30  # distinct goals taken as candidates
    MEMBERS = 30  # filings taken per distinct name or goal (most recent first)
    UNIT_FILINGS = 60  # most recent filings of the query's department taken as candidates
    GOAL_REASON = 0.05  # a goal cosine at least this is shown as a reason
    GOAL_QUERY_TOKENS = 24  # the goal's rarest tokens a query walks

    def __init__(self, filings: Iterable[Filing], *, tokenizer_name: str = "bigram", lines: Iterable[bytes] | None = None):
        """The index of ``filings``. With ``lines`` (each filing's JSON, in the same order) the
        filings may be :class:`~bot.retrieval.catalog.Header` s and are not kept: each is
        parsed from its line again when asked for (how a derived file is built from a large
        corpus without holding every filing in memory)."""
        self._start(tokenizer_name, FilingTable())
        table = self.table
        given = ((filing, None) for filing in filings) if lines is None else zip(filings, lines)
        for filing, line in given:
            fid = table.append(filing, line)
            self._name_doc.append(self._names.add(normalize_name(filing.project_name), fid))
            self._goal_doc.append(self._goals.add(clean(filing.goal), fid))
            first, second = self._unit_pair(filing)
            self._unit1.append(first)
            self._unit2.append(second)
        years = table.years
        order = sorted(range(len(table)), key=lambda i: -years[i])
        rank = [0] * len(order)
        for position, fid in enumerate(order):
            rank[fid] = position
        units: dict[int, list[int]] = {}
        categories: dict[int, list[int]] = {}
        for fid in order:  # posting lists of units and categories: most recent first
            for unit in (self._unit1[fid], self._unit2[fid]):
                if unit >= 0:
                    units.setdefault(unit, []).append(fid)
            category = table.value(fid, "category")
            if category:
                categories.setdefault(self._category_row(category), []).append(fid)
        for unit, fids in units.items():
            self._units.writable(unit).extend(fids)
        for row, fids in categories.items():
            self._categories.writable(row).extend(fids)
        self._names.finalize(rank)
        self._goals.finalize(rank)

    def _start(self, tokenizer_name: str, table: FilingTable) -> None:
        """Empty structures over ``table`` (filled by ``__init__`` or :meth:`from_parts`)."""
        self.tokenizer_name = tokenizer_name
        tokenize = tokenizer(tokenizer_name)
        self.table = table
        self._lock = threading.RLock()
        self._names = TextField(tokenize)
        self._goals = TextField(tokenize, query_tokens=self.GOAL_QUERY_TOKENS)
        self._name_doc: list[int] = []  # by fid
        self._goal_doc: list[int] = []
        self._unit1: list[int] = []  # the filing's normalised units (numbers in _unit_texts; -1: none)
        self._unit2: list[int] = []
        self._unit_texts: list[str] = []
        self._unit_ids: dict[str, int] = {}
        self._units = Rows()  # by unit number: its filings, most recent first
        self._category_texts: list[str] = []
        self._category_ids: dict[str, int] = {}
        self._categories = Rows()  # by category number: its filings, most recent first

    def _unit_pair(self, filing: Filing | Header) -> tuple[int, int]:
        """The numbers of the filing's normalised units (:func:`filing_units`), -1 for none."""
        numbers = []
        for unit in filing_units(filing):
            number = self._unit_ids.get(unit)
            if number is None:
                number = self._unit_ids[unit] = len(self._unit_texts)
                self._unit_texts.append(unit)
                self._units.append()
            numbers.append(number)
        numbers += [-1, -1]
        return numbers[0], numbers[1]

    def _category_row(self, category: str) -> int:
        row = self._category_ids.get(category)
        if row is None:
            row = self._category_ids[category] = len(self._category_texts)
            self._category_texts.append(category)
            self._categories.append()
        return row

    def __len__(self) -> int:
        return self.table.live

    @property
    def filings(self) -> list[Filing]:
        """The indexed filings, in the order given (every one of them read: for small corpora)."""
        return list(self.table)

    # -- changes ------------------------------------------------------------------
    def add(self, filings: Iterable[Filing], *, retire: Iterable[int] = ()) -> list[int]:
        """Index ``filings`` too (their numbers are returned), after retiring filings ``retire``
        (replaced by newer copies): the index then answers as one built from all its filings at
        once. Costs the new filings' tokens plus one pass over every doc to renew the weights
        (:meth:`TextField.refresh`)."""
        with self._lock:
            retired = [self._retire_one(fid) for fid in dict.fromkeys(retire) if fid not in self.table.retired]
            added = [self._add_one(filing) for filing in filings]
            if added or retired:
                self._names.refresh()
                self._goals.refresh()
            return added

    def _add_one(self, filing: Filing) -> int:
        table = self.table
        fid = table.append(filing)
        years = table.years

        def rank(member: int) -> tuple[int, int]:  # as __init__ orders: most recent first, then as given
            return -years[member], member

        self._name_doc.append(self._names.add(normalize_name(filing.project_name), fid, rank))
        self._goal_doc.append(self._goals.add(clean(filing.goal), fid, rank))
        first, second = self._unit_pair(filing)
        self._unit1.append(first)
        self._unit2.append(second)
        for unit in (first, second):
            if unit >= 0:
                insort(self._units.writable(unit), fid, key=rank)
        if filing.category:
            insort(self._categories.writable(self._category_row(filing.category)), fid, key=rank)
        return fid

    def _retire_one(self, fid: int) -> int:
        self._names.remove(self._name_doc[fid], fid)
        self._goals.remove(self._goal_doc[fid], fid)
        for unit in (self._unit1[fid], self._unit2[fid]):
            if unit >= 0:
                self._units.writable(unit).remove(fid)
        category = self.table.value(fid, "category")
        if category:
            self._categories.writable(self._category_ids[category]).remove(fid)
        self.table.retire(fid)
        return fid

    def same_name(self, name: str) -> list[int]:
        """The numbers of the filings named ``name`` (as :func:`normalize_name` compares), most recent first."""
        text = normalize_name(name)
        with self._lock:
            doc = self._names.doc(text)
            return [] if doc is None else list(self._names.members(doc))

    # -- saving and loading ---------------------------------------------------------
    def parts(self) -> tuple[dict[str, array | bytes], dict[str, list]]:
        """The index (and its filing table) as named flat arrays and lists, for
        :meth:`from_parts`; the filings themselves are the caller's to save."""
        with self._lock:
            arrays: dict[str, array | bytes] = {}
            lists: dict[str, list] = {"tokenizer": [self.tokenizer_name]}
            for prefix, field in (("names", self._names), ("goals", self._goals)):
                field_arrays, tokens = field.parts()
                arrays.update({f"{prefix}/{name}": value for name, value in field_arrays.items()})
                lists[f"{prefix}/tokens"] = tokens
            table_arrays, table_lists = self.table.parts()
            arrays.update({f"table/{name}": value for name, value in table_arrays.items()})
            lists.update({f"table/{name}": value for name, value in table_lists.items()})
            for name in ("name_doc", "goal_doc", "unit1", "unit2"):
                arrays[f"index/{name}"] = array("i", getattr(self, f"_{name}"))
            for name, rows in (("units", self._units), ("categories", self._categories)):
                arrays[f"index/{name}_offsets"], arrays[f"index/{name}"] = rows.packed()
            lists["index/unit_texts"] = self._unit_texts
            lists["index/category_texts"] = self._category_texts
            return arrays, lists

    @classmethod
    def from_parts(cls, arrays: dict[str, Sequence], lists: dict[str, list], lines: tuple[Sequence[int], Sequence[int]],
                   keys: Callable[[], list[str]]) -> SearchIndex:
        """The index :meth:`parts` described; ``arrays`` may be memoryviews of a mapped file,
        ``lines`` the filings' JSON lines (bytes, offsets), ``keys()`` their keys when needed."""
        index = cls.__new__(cls)
        table = FilingTable.from_parts({name[6:]: a for name, a in arrays.items() if name.startswith("table/")},
                                       {name[6:]: v for name, v in lists.items() if name.startswith("table/")},
                                       lines, keys)
        index._start(lists["tokenizer"][0], table)
        tokenize = tokenizer(index.tokenizer_name)
        for prefix, query_tokens in (("names", None), ("goals", cls.GOAL_QUERY_TOKENS)):
            field = TextField.from_parts(tokenize, {name: arrays[f"{prefix}/{name}"] for name in TextField.ARRAYS},
                                         lists[f"{prefix}/tokens"], query_tokens=query_tokens)
            setattr(index, f"_{prefix}", field)
        for name in ("name_doc", "goal_doc", "unit1", "unit2"):
            setattr(index, f"_{name}", arrays[f"index/{name}"].tolist())
        index._units = Rows(arrays["index/units_offsets"], arrays["index/units"])
        index._categories = Rows(arrays["index/categories_offsets"], arrays["index/categories"])
        index._unit_texts = list(lists["index/unit_texts"])
        index._unit_ids = {unit: n for n, unit in enumerate(index._unit_texts)}
        index._category_texts = list(lists["index/category_texts"])
        index._category_ids = {category: n for n, category in enumerate(index._category_texts)}
        return index

    # -- search -------------------------------------------------------------------
    def search(self, query: Query, top: int = 5, exclude: Callable[[Filing], bool] | None = None) -> list[Hit]:
        """The ``top`` filings most like ``query``, best first; ``exclude`` drops filings."""
        with self._lock:
            return self._search(query, top, exclude)

    def _search(self, query: Query, top: int, exclude: Callable[[Filing], bool] | None) -> list[Hit]:
        if top <= 0 or not len(self):
            return []
        table = self.table
        years, categories = table.years, table.columns["category"]
        wanted_category = table.value_id(query.category) if query.category else None
        name_text = normalize_name(query.name)
        name_q = self._names.query(name_text)
        goal_q = self._goals.query(clean(query.goal))
        units = self._matching_units(query.department)
        unit1, unit2 = self._unit1, self._unit2

        # Everything but the goal is cheap; the goal cosine is computed only for filings
        # that could still enter the top with a perfect goal match (best-first, bounded).
        name_cos: dict[int, float] = {}
        cheap: list[tuple[float, int, int]] = []
        for fid in self._candidates(query, name_text, name_q, goal_q, units, top):
            year = years[fid]
            ndoc = self._name_doc[fid]
            if ndoc not in name_cos:
                name_cos[ndoc] = self._names.cosine(name_q, ndoc)
            score = self.W_NAME * name_cos[ndoc]
            if name_text and self._names.text(ndoc) == name_text:
                score += self.SAME_NAME
            if units and (unit1[fid] in units or unit2[fid] in units):
                score += self.W_DEPARTMENT
            if wanted_category is not None and categories[fid] == wanted_category:
                score += self.W_CATEGORY
            if query.year is not None:
                score += self.W_RECENT / (1 + abs(query.year - year))
            cheap.append((score, year, -fid))
        cheap.sort(reverse=True)

        best: list[tuple[float, int, int]] = []  # (score, year, -fid), best first
        goal_cos: dict[int, float] = {}
        for score, year, neg_fid in cheap:
            if len(best) == top and score + self.W_GOAL < best[-1][0]:
                break
            if exclude is not None and exclude(table.filing(-neg_fid)):
                continue
            gdoc = self._goal_doc[-neg_fid]
            if gdoc not in goal_cos:
                goal_cos[gdoc] = self._goals.cosine(goal_q, gdoc)
            entry = (score + self.W_GOAL * goal_cos[gdoc], year, neg_fid)
            if len(best) < top or entry > best[-1]:
                insort(best, entry, key=lambda e: (-e[0], -e[1], -e[2]))
                del best[top:]

        hits: list[Hit] = []
        for score, _, neg_fid in best:
            fid = -neg_fid
            filing = table.filing(fid)
            ndoc = self._name_doc[fid]
            hit = Hit(
                filing=filing,
                score=round(score, 4),
                reasons=(),
                same_name=bool(name_text) and self._names.text(ndoc) == name_text,
                name_similarity=round(name_cos[ndoc], 4),
                goal_similarity=round(goal_cos[self._goal_doc[fid]], 4),
                same_unit=bool(units) and (unit1[fid] in units or unit2[fid] in units),
                same_category=wanted_category is not None and categories[fid] == wanted_category,
            )
            hits.append(replace(hit, reasons=_reasons(hit, shared_words(name_text, self._names.text(ndoc)))))
        return hits

    def _candidates(self, query: Query, name_text: str, name_q, goal_q, units: frozenset[int], top: int) -> dict[int, None]:
        """Filings worth scoring: the same name, similar names, similar goals, the unit's own."""
        candidates: dict[int, None] = {}
        same_name = self._names.doc(name_text) if name_text else None
        if same_name is not None:
            candidates.update(dict.fromkeys(self._names.members(same_name, self.MEMBERS)))
        for doc in self._names.candidates(name_q, self.NAME_DOCS):
            candidates.update(dict.fromkeys(self._names.members(doc, self.MEMBERS)))
        for doc in self._goals.candidates(goal_q, self.GOAL_DOCS):
            candidates.update(dict.fromkeys(self._goals.members(doc, self.MEMBERS)))
        for unit in units:
            candidates.update(dict.fromkeys(self._units[unit][: self.UNIT_FILINGS]))
        category = self._category_ids.get(query.category) if query.category else None
        if len(candidates) < 4 * top and category is not None:
            candidates.update(dict.fromkeys(self._categories[category][: self.UNIT_FILINGS]))
        return candidates

    def _matching_units(self, department: str | None) -> frozenset[int]:
        """Numbers of the indexed units the query's department names: equal, or one contains the other."""
        unit = normalize_unit(department)
        if not unit:
            return frozenset()
        if unit in self._unit_ids:
            return frozenset((self._unit_ids[unit],))
        return frozenset(n for n, u in enumerate(self._unit_texts) if _units_match(unit, u))


def _reasons(hit: Hit, shared: list[str]) -> tuple[str, ...]:
    """Why ``hit`` matched, in plain words: 同名项目（2020年）, 名称相近（都有“信息”“运维”）…

    No scores and no character pairs: the words shown are the longest stretches the two
    names share (:func:`~bot.retrieval.text.shared_words`).
    """
    reasons: list[str] = []
    if hit.same_name:
        reasons.append(render_plain("proposal.reason_same_name", year=hit.filing.year))
    elif hit.name_similarity > 0 and shared:
        reasons.append(render_plain("proposal.reason_similar_name", shared="”“".join(shared)))
    if hit.goal_similarity >= SearchIndex.GOAL_REASON:
        reasons.append(render_plain("proposal.reason_similar_goal"))
    if hit.same_unit:
        reasons.append(render_plain("proposal.reason_same_unit", unit=hit.filing.implementing_unit or hit.filing.department))
    if hit.same_category:
        reasons.append(render_plain("proposal.reason_same_category", category=hit.filing.category))
    if not reasons:
        reasons.append(render_plain("proposal.reason_none", year=hit.filing.year))
    return tuple(reasons)
