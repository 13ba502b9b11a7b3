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

``bench/search_scale.py`` measures it (docs/SEARCH_SCALE.md): about 4 ms p95 and 140 MiB
at 100,000 synthetic filings.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from jixiao.bot.domain.models import Filing
from jixiao.bot.retrieval.fields import TextField
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
    """An index over past filings, built once; :meth:`search` finds the most similar."""

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

    def __init__(self, filings: Iterable[Filing], *, tokenizer_name: str = "bigram"):
        self.tokenizer_name = tokenizer_name
        tokenize = tokenizer(tokenizer_name)
        self._filings: list[Filing] = list(filings)
        self._names = TextField(tokenize)
        self._goals = TextField(tokenize, query_tokens=24)
        self._name_doc: list[int] = []
        self._goal_doc: list[int] = []
        self._units: dict[str, list[int]] = {}
        self._categories: dict[str, list[int]] = {}
        self._unit_of: list[tuple[str, ...]] = []
        order = sorted(range(len(self._filings)), key=lambda i: -self._filings[i].year)
        rank = [0] * len(order)
        for position, fid in enumerate(order):
            rank[fid] = position
        for fid, filing in enumerate(self._filings):
            self._name_doc.append(self._names.add(normalize_name(filing.project_name), fid))
            self._goal_doc.append(self._goals.add(clean(filing.goal), fid))
            self._unit_of.append(filing_units(filing))
        for fid in order:  # posting lists of units and categories: most recent first
            for unit in self._unit_of[fid]:
                self._units.setdefault(unit, []).append(fid)
            if self._filings[fid].category:
                self._categories.setdefault(self._filings[fid].category, []).append(fid)
        self._names.finalize(rank)
        self._goals.finalize(rank)

    def __len__(self) -> int:
        return len(self._filings)

    @property
    def filings(self) -> list[Filing]:
        """The indexed filings, in the order given."""
        return self._filings

    # -- search -------------------------------------------------------------------
    def search(self, query: Query, top: int = 5, exclude: Callable[[Filing], bool] | None = None) -> list[Hit]:
        """The ``top`` filings most like ``query``, best first; ``exclude`` drops filings."""
        if top <= 0 or not self._filings:
            return []
        name_text = normalize_name(query.name)
        name_q = self._names.query(name_text)
        goal_q = self._goals.query(clean(query.goal))
        units = self._matching_units(query.department)

        # Everything but the goal is cheap; the goal cosine is computed only for filings
        # that could still enter the top with a perfect goal match (best-first, bounded).
        name_cos: dict[int, float] = {}
        cheap: list[tuple[float, int, int]] = []
        for fid in self._candidates(query, name_text, name_q, goal_q, units, top):
            filing = self._filings[fid]
            ndoc = self._name_doc[fid]
            if ndoc not in name_cos:
                name_cos[ndoc] = self._names.cosine(name_q, ndoc)
            score = self.W_NAME * name_cos[ndoc]
            if name_text and self._names.text(ndoc) == name_text:
                score += self.SAME_NAME
            if units and not units.isdisjoint(self._unit_of[fid]):
                score += self.W_DEPARTMENT
            if query.category and filing.category == query.category:
                score += self.W_CATEGORY
            if query.year is not None:
                score += self.W_RECENT / (1 + abs(query.year - filing.year))
            cheap.append((score, filing.year, -fid))
        cheap.sort(reverse=True)

        best: list[tuple[float, int, int]] = []  # (score, year, -fid), best first
        goal_cos: dict[int, float] = {}
        for score, year, neg_fid in cheap:
            if len(best) == top and score + self.W_GOAL < best[-1][0]:
                break
            filing = self._filings[-neg_fid]
            if exclude is not None and exclude(filing):
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
            filing = self._filings[fid]
            ndoc = self._name_doc[fid]
            hit = Hit(
                filing=filing,
                score=round(score, 4),
                reasons=(),
                same_name=bool(name_text) and self._names.text(ndoc) == name_text,
                name_similarity=round(name_cos[ndoc], 4),
                goal_similarity=round(goal_cos[self._goal_doc[fid]], 4),
                same_unit=bool(units) and not units.isdisjoint(self._unit_of[fid]),
                same_category=bool(query.category) and filing.category == query.category,
            )
            hits.append(replace(hit, reasons=_reasons(hit, shared_words(name_text, self._names.text(ndoc)))))
        return hits

    def _candidates(self, query: Query, name_text: str, name_q, goal_q, units: frozenset[str], top: int) -> dict[int, None]:
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
        if len(candidates) < 4 * top and query.category in self._categories:
            candidates.update(dict.fromkeys(self._categories[query.category][: self.UNIT_FILINGS]))
        return candidates

    def _matching_units(self, department: str | None) -> frozenset[str]:
        """Indexed units the query's department names: equal, or one contains the other."""
        unit = normalize_unit(department)
        if not unit:
            return frozenset()
        if unit in self._units:
            return frozenset((unit,))
        return frozenset(u for u in self._units if _units_match(unit, u))



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
