"""An indicator proposal: the indicators of the most similar past projects, merged.

:func:`propose` searches the index for the ``top`` similar filings (the *hits*), then:

1. **places** every indicator of every hit in the target framework with
   ``Framework.map_level`` (2020 产出目标/数量 → 产出指标/数量指标 …; newer → older by
   inverting the older framework's table). An item with no home (2020 投入与管理) is
   dropped, except the names listed under ``moves`` in ``proposal_data.json``
   (立项依据的充分性, 项目立项的规范性), which go where Baoshan puts them:
   效益指标/可持续影响指标;
2. **merges** it with an indicator already collected when the names are equal after
   :func:`~bot.retrieval.text.indicator_key`, or near-duplicates: ``indicator_similarity``
   ≥ :data:`MERGE_SIMILARITY` (资金使用合规性 ≈ 资金使用规范性 at 85.7) *and* from different
   filings — one table never holds one measure twice under two names, so
   系统软件售后服务次数 / 系统硬件售后服务次数 (90) stay apart;
3. **weighs** it: each hit adds its weight — its score without the same-name bonus,
   relative to the best hit's — to every indicator it uses;
4. **keeps** the whole table of the best hit (the *leader*) when it is a same-name project
   or its name or goal similarity reaches :data:`LEADER_SIMILARITY`, and every indicator
   that two or more hits use with at least :data:`MIN_SUPPORT` of the hits' summed weight.
   (A leader that is only "the same unit" is not copied whole: its table is another
   project's.) The three constants were chosen on ``bench/proposals.py``; its sensitivity
   table is in ``docs/PROPOSALS.md``.

Kept indicators are ordered by the target framework's levels and, within a level, by how
many hits use them. The value is the best-ranked source's, re-printed with
``canonical(value, style)`` of the target framework (as in the source when it does not
parse). Nothing is scaled: a count or an amount of money from another unit or another
project carries a ``note`` saying to edit it; a deadline with a year (2026年12月底前) moves
by as many years as the query lies after its source, with a note. Each first level the
framework requires and no kept indicator fills gets the first ``generics`` entry of
``proposal_data.json`` for it, marked ``generic``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jixiao.bot.domain.frameworks import Framework, get_framework
from jixiao.bot.domain.models import Filing, Indicator
from jixiao.bot.domain.values import (
    Deadline,
    Quantity,
    ValueParseError,
    canonical,
    parse_value,
)
from jixiao.bot.retrieval.index import Hit, Query, SearchIndex, same_unit
from jixiao.bot.retrieval.text import indicator_key, indicator_similarity, normalize_name
from jixiao.bot.texts import render_plain

DATA_FILE = Path(__file__).with_name("proposal_data.json")
MERGE_SIMILARITY = 85.0  # indicator_similarity at or above which two names are one indicator
MIN_SUPPORT = 0.2  # share of the hits' summed weight an indicator needs (when 2+ hits use it)
LEADER_SIMILARITY = 0.5  # name or goal similarity the best hit needs for its whole table to be kept


@dataclass(frozen=True)
class ProposedIndicator:
    level1: str
    level2: str
    name: str
    value: str | None
    sources: tuple[str, ...]
    generic: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Proposal:
    similar: list[Hit]
    indicators: list[ProposedIndicator]


@cache
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def source_label(filing: Filing) -> str:
    """``2024 上海市宝山区司法局 残疾人就业保障金``: year, unit, project."""
    unit = filing.implementing_unit or filing.department or "未知单位"
    return f"{filing.year} {unit} {filing.project_name}"


@dataclass
class _Merged:
    """An indicator being collected from the hits."""

    level1: str
    level2: str
    name: str
    value: str | None
    origin: Filing  # where the value comes from
    order: int
    filings: list[Filing] = field(default_factory=list)
    support: float = 0.0

    def uses(self, filing: Filing) -> bool:
        return any(f is filing for f in self.filings)


def propose(
    index: SearchIndex,
    query: Query,
    target_format: str = "2026",
    top: int = 5,
    *,
    exclude: Callable[[Filing], bool] | None = None,
    min_support: float = MIN_SUPPORT,
    merge_similarity: float = MERGE_SIMILARITY,
    leader_similarity: float = LEADER_SIMILARITY,
) -> Proposal:
    """Indicators for ``query`` in ``target_format``'s framework, from its ``top`` most similar filings."""
    framework = get_framework(target_format)
    hits = index.search(query, top=top, exclude=exclude)
    if not hits:
        return Proposal(similar=[], indicators=_with_generics([], framework))
    weights = [_weight(hit) for hit in hits]
    best = max(weights) or 1.0
    weights = [w / best for w in weights]
    merged = _collect(hits, weights, framework, merge_similarity)

    lead = hits[max(range(len(hits)), key=weights.__getitem__)]
    strong = lead.same_name or max(lead.name_similarity, lead.goal_similarity) >= leader_similarity
    needed = min_support * sum(weights) - 1e-9
    kept = [m for m in merged
            if (strong and m.uses(lead.filing)) or (len(m.filings) >= 2 and m.support >= needed)]
    indicators = [_finish(m, framework, query) for m in _ordered(kept, framework)]
    return Proposal(similar=hits, indicators=_with_generics(indicators, framework))


def _collect(hits: list[Hit], weights: list[float], framework: Framework, merge_similarity: float) -> list[_Merged]:
    """Every hit's indicators placed in ``framework`` and merged, with their support."""
    merged: list[_Merged] = []
    for hit, weight in zip(hits, weights):
        used: list[_Merged] = []
        for indicator in hit.filing.indicators:
            placed = place(framework, hit.filing.format, indicator, merge_similarity)
            if placed is None:
                continue
            item = _find(merged, indicator.name, hit.filing, merge_similarity)
            if item is None:
                item = _Merged(*placed, indicator.name, indicator.value, hit.filing, len(merged))
                merged.append(item)
            elif item.value is None and indicator.value is not None:
                item.value, item.origin = indicator.value, hit.filing
            if not any(u is item for u in used):
                used.append(item)
                item.filings.append(hit.filing)
                item.support += weight
    return merged


def _weight(hit: Hit) -> float:
    """How much a hit's indicators count: its score without the same-name bonus.

    The bonus makes a same-name project rank first in the search; as evidence for a
    single indicator it is worth its name similarity (1.0) like any other hit, so a
    same-name table from another unit does not drown what the unit's own projects share.
    """
    return hit.score - (SearchIndex.SAME_NAME if hit.same_name else 0.0)


# -- placing and merging ---------------------------------------------------------------
def place(framework: Framework, source_format: str, indicator: Indicator,
          merge_similarity: float = MERGE_SIMILARITY) -> tuple[str, str] | None:
    """Where ``indicator`` of a ``source_format`` filing goes in ``framework``, or None."""
    try:
        placed = framework.map_level(source_format, indicator.level1, indicator.level2)
    except KeyError:  # no mapping that way (newer → older): invert the older one's table
        placed = _reverse_map(framework, source_format, indicator.level1, indicator.level2)
    if placed is not None:
        level1, level2 = placed
        return level1, framework.canonical_level2(level2) or level2
    moves = _data()["moves"]
    target = moves["to"].get(framework.id)
    if target and any(indicator_similarity(indicator.name, n) >= merge_similarity for n in moves["names"]):
        level1, level2 = target.split("/", 1)
        return level1, level2
    return None


def _reverse_map(framework: Framework, source_format: str, level1: str, level2: str) -> tuple[str, str] | None:
    source = get_framework(source_format)
    level2 = source.canonical_level2(level2) or level2
    wanted = f"{level1}/{level2}"
    for old, new in source.maps_from.get(framework.id, {}).items():
        if new == wanted:
            new1, new2 = old.split("/", 1)
            return new1, new2
    return None


def _find(merged: list[_Merged], name: str, filing: Filing, threshold: float) -> _Merged | None:
    key = indicator_key(name)
    best, best_score = None, threshold
    for item in merged:
        if indicator_key(item.name) == key:
            return item
        if item.uses(filing):
            continue
        score = indicator_similarity(item.name, name)
        if score >= best_score:
            best, best_score = item, score
    return best


def _ordered(items: list[_Merged], framework: Framework) -> list[_Merged]:
    position: dict[tuple[str, str], int] = {}
    for level in framework.levels:
        for child in level.children:
            position[(level.name, child.name)] = len(position)
    return sorted(items, key=lambda m: (position.get((m.level1, m.level2), len(position)),
                                        -len(m.filings), -m.support, m.order))


# -- values and notes ----------------------------------------------------------------
def _finish(item: _Merged, framework: Framework, query: Query) -> ProposedIndicator:
    value = item.value
    parsed = None
    if value is not None:
        try:
            parsed = parse_value(value)
            value = canonical(value, framework.value_style)
        except ValueParseError:
            parsed = None
    note = _note(parsed, item.origin, query)
    if isinstance(parsed, Deadline) and parsed.year is not None and query.year is not None:
        shift = query.year - item.origin.year
        if shift:  # 2026年12月底前 in a 2026 filing means the end of the filing's own year
            value = value.replace(f"{parsed.year}年", f"{parsed.year + shift}年", 1)
            note = render_plain("proposal.note_date_shifted", old=parsed.year, new=parsed.year + shift)
    return ProposedIndicator(
        level1=item.level1,
        level2=item.level2,
        name=item.name,
        value=value,
        sources=tuple(source_label(f) for f in item.filings),
        note=note,
    )


NOTE_KEYS = {
    ("count", "other_unit"): "proposal.note_count_other_unit",
    ("count", "other_project"): "proposal.note_count_other_project",
    ("money", "other_unit"): "proposal.note_money_other_unit",
    ("money", "other_project"): "proposal.note_money_other_project",
}


def _note(parsed, origin: Filing, query: Query) -> str | None:
    """A note when a count or an amount of money was copied from another unit or project.

    Percentages, times (≤24小时) and zero targets (=0次 事故) do not depend on the size of
    the project, so they carry no note.
    """
    if not isinstance(parsed, Quantity) or parsed.number == 0:
        return None
    kind = parsed.unit_kind
    if kind in ("percent", "time"):
        return None
    word = "money" if kind == "money" else "count"
    if not same_unit(query.department, origin):
        where = "other_unit"
    elif normalize_name(origin.project_name) != normalize_name(query.name):
        where = "other_project"
    else:
        return None  # the same project of the same unit: last year's figure is the starting point
    unit = origin.implementing_unit or origin.department or "—"
    key = NOTE_KEYS[(word, where)]
    return render_plain(key, unit=unit, project=origin.project_name)


def _with_generics(indicators: list[ProposedIndicator], framework: Framework) -> list[ProposedIndicator]:
    """Add a generic indicator to every required first level left empty, in level order."""
    generics = {}
    for entry in _data()["generics"].get(framework.id, []):
        generics.setdefault(entry["level1"], entry)
    result: list[ProposedIndicator] = []
    for level in framework.levels:
        mine = [i for i in indicators if i.level1 == level.name]
        if not mine and level.required and level.name in generics:
            g = generics[level.name]
            mine = [ProposedIndicator(g["level1"], g["level2"], g["name"], g["value"], (), generic=True)]
        result.extend(mine)
    result.extend(i for i in indicators if not framework.is_level1(i.level1))
    return result
