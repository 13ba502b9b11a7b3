"""Look-ups: what did we (or others) file for a project name in past years?

Exact name first (as :func:`jixiao.bot.retrieval.text.normalize_name` compares names:
white space, punctuation and full-width forms ignored), then fuzzy matches by rapidfuzz;
with no match, the closest names are offered.

The exact matches are grouped by unit (主管部门, or 实施单位 when that is blank): two units'
projects of the same name are different projects, so year-over-year comparison of money
and of indicator values is made only inside one unit. The asking user's own unit comes
first, else the unit with the most years; the other units are listed apart.

:func:`render_lookup` gives a short answer (at most :data:`SHORT_LINES` lines) by default
and everything — every filing's indicators, every change — with ``detail=True``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from jixiao.bot.domain.models import Filing
from jixiao.bot.render import fmt_money
from jixiao.bot.render.chat_table import pack
from jixiao.bot.retrieval.corpus import Corpus, as_corpus
from jixiao.bot.retrieval.text import indicator_key, normalize_name, normalize_unit
from jixiao.bot.texts import render_html, render_plain
from rapidfuzz import fuzz, process

FUZZY_CUTOFF = 60  # rapidfuzz WRatio, 0–100: below this a name is not a match
MAX_FUZZY = 5
MAX_SUGGESTIONS = 3
SHORT_LINES = 15  # the short answer never has more lines
SHORT_STEPS = 3  # year-over-year steps in the short answer (the latest ones)
SHORT_UNITS = 3  # other units named in the short answer
DETAIL_WORDS = ("详细", "全部", "detail", "details")  # "/lookup 名称 详细" asks for the long form


@dataclass(frozen=True)
class Change:
    """One indicator whose value differs between two years (``None`` = not in that year)."""

    name: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class YearStep:
    """What changed from one year's filing of a project to the next one's (same unit)."""

    before: Filing
    after: Filing
    changes: tuple[Change, ...]


@dataclass
class UnitFilings:
    """One unit's filings of the project, oldest first, and its year-over-year steps."""

    unit: str  # as printed (主管部门, else 实施单位; "" when neither is known)
    filings: list[Filing]
    history: list[YearStep]
    own: bool = False  # the asking user's unit

    @property
    def years(self) -> list[int]:
        return sorted({f.year for f in self.filings})


@dataclass
class LookupResult:
    query: str
    unit: str | None = None  # the asking user's unit, when known
    exact: list[Filing] = field(default_factory=list)  # every unit's, by year
    fuzzy: list[tuple[Filing, float]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # closest names when nothing matched
    units: list[UnitFilings] = field(default_factory=list)  # the exact matches by unit, the first one compared

    @property
    def found(self) -> bool:
        return bool(self.exact or self.fuzzy)

    @property
    def history(self) -> list[YearStep]:
        """Year over year of the first unit (the asking user's, else the one with most years)."""
        return self.units[0].history if self.units else []


def money_of(filing: Filing) -> float | None:
    """The money a filing asked for in its year."""
    f, p = filing.funding, filing.prior_year
    for amount in (f.annual_request, f.total, p.current_budget, p.total_budget):
        if amount is not None:
            return amount
    return None


def unit_of(filing: Filing) -> str:
    """The unit a filing belongs to, as printed: 主管部门 (申报单位), else 实施单位."""
    return filing.department or filing.implementing_unit or ""


def parse_query(text: str) -> tuple[str, bool]:
    """``"残疾人就业保障金 详细"`` → ``("残疾人就业保障金", True)``: a trailing word asks for details."""
    words = text.strip().rsplit(maxsplit=1)
    if len(words) == 2 and words[1].lower() in DETAIL_WORDS:
        return words[0], True
    return text.strip(), False


def compare(before: Filing, after: Filing) -> YearStep:
    """Indicator values that changed between two filings of the same project (by name)."""
    old = {indicator_key(i.name): i for i in before.indicators}
    new = {indicator_key(i.name): i for i in after.indicators}
    changes = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        value_a, value_b = (a.value if a else None), (b.value if b else None)
        if a is None or b is None or value_a != value_b:
            changes.append(Change((b or a).name, value_a if a else None, value_b if b else None))
    return YearStep(before, after, tuple(changes))


def lookup(corpus: Corpus | Iterable[Filing], query: str, *, unit: str | None = None) -> LookupResult:
    """Every filing named ``query``, grouped by unit (``unit`` — the asking user's 主管部门
    or 申报单位 — first), then similar names; the closest names when nothing matches."""
    corpus = as_corpus(corpus)
    wanted = normalize_name(query)
    result = LookupResult(query=query, unit=unit)
    if not wanted:
        return result
    result.exact = corpus.named(query)
    forms = [(name, form) for name, form in corpus.name_forms() if form != wanted]  # normalised once, in the index
    scored = process.extract(normalize_name(wanted), [form for _, form in forms], scorer=fuzz.WRatio, limit=None)
    scored = [(forms[at][0], score, at) for _, score, at in scored]
    close = [(name, score) for name, score, _ in scored if score >= FUZZY_CUTOFF][:MAX_FUZZY]
    result.fuzzy = [(f, score) for name, score in close for f in corpus.named(name) if f.project_name == name]
    if not result.found:
        result.suggestions = [name for name, _, _ in scored[:MAX_SUGGESTIONS]]
    result.units = _by_unit(result.exact, unit)
    return result


def _by_unit(filings: list[Filing], asking: str | None) -> list[UnitFilings]:
    """The filings grouped by unit, each with its own year-over-year steps; the asking
    unit first, then the units with the most years, the latest first."""
    groups: dict[str, list[Filing]] = {}
    for filing in filings:
        groups.setdefault(normalize_unit(unit_of(filing)), []).append(filing)
    mine = normalize_unit(asking) if asking else ""
    units = []
    for members in groups.values():
        own = bool(mine) and any(mine in (normalize_unit(f.department), normalize_unit(f.implementing_unit)) for f in members)
        units.append(UnitFilings(unit_of(members[-1]), members, _history(members), own))
    units.sort(key=lambda u: (not u.own, -len(u.years), -u.years[-1], u.unit))
    return units


def _history(filings: list[Filing]) -> list[YearStep]:
    """Year over year of one unit's filings (oldest first; the last filing of a year counts)."""
    of_year = {f.year: f for f in filings}
    years = sorted(of_year)
    return [compare(of_year[a], of_year[b]) for a, b in zip(years, years[1:])]


# ------------------------------------------------------------------ rendering


def render_lookup(result: LookupResult, *, html: bool, detail: bool = False, ask_detail: str | None = None) -> list[str]:
    """The answer as messages of at most 4096 characters.

    Short by default (at most :data:`SHORT_LINES` lines, one message): the first unit's
    years, money and year-over-year steps, the other units apart, the similar names, and
    how to ask for details — ``ask_detail``, by default the chat's ``/lookup 名称 详细``.
    ``detail=True`` gives every filing with its indicators and every change.
    """
    say = render_html if html else render_plain
    if not result.found:
        return [say("lookup.none", query=result.query, suggestions="、".join(result.suggestions) or "—")]
    if result.exact:
        title = say("lookup.title", query=result.query, exact=len(result.exact), units=len(result.units), fuzzy=len(result.fuzzy))
    else:
        title = say("lookup.title_fuzzy", query=result.query, fuzzy=len(result.fuzzy))
    if detail:
        blocks = [[title], *_detail_blocks(result, say)]
        return pack(blocks, html=html, continued=say("table.continued", project=result.query))
    how = ask_detail if ask_detail is not None else render_plain("lookup.more_chat", query=result.query)
    return ["\n".join([title, *_short_lines(result, say), say("lookup.more", how=how)])]


def _years(filings: list[Filing]) -> str:
    return "、".join(str(year) for year in sorted({f.year for f in filings}))


def _unit_name(unit: str) -> str:
    return unit or render_plain("lookup.no_unit")


def _short_lines(result: LookupResult, say) -> list[str]:
    lines = []
    if result.units:
        first = result.units[0]
        latest = first.filings[-1]
        key = "lookup.unit_own" if first.own else "lookup.unit"
        lines.append(say(key, unit=_unit_name(first.unit), years=_years(first.filings)))
        lines.append(say("lookup.latest", year=latest.year, budget=fmt_money(money_of(latest)) or "—",
                         count=len(latest.indicators), form=latest.format))
        lines += [_step_line(step, say) for step in first.history[-SHORT_STEPS:]]
        others = result.units[1:]
        if others:
            lines.append(say("lookup.others_title"))
            lines += [say("lookup.other_unit", unit=_unit_name(u.unit), years=_years(u.filings)) for u in others[:SHORT_UNITS]]
            if len(others) > SHORT_UNITS:
                lines.append(say("lookup.more_units", count=len(others) - SHORT_UNITS))
    if result.fuzzy:
        names = []
        for filing, _score in result.fuzzy:
            names.append(render_plain("lookup.fuzzy_name", name=filing.project_name, year=filing.year))
        lines.append(say("lookup.fuzzy_short", names="、".join(dict.fromkeys(names[:MAX_FUZZY]))))
    return lines


def _step_line(step: YearStep, say) -> str:
    a, b = money_of(step.before), money_of(step.after)
    delta = "" if not a or b is None else f"{(b - a) / a:+.1%}"
    return say("lookup.history_step", before=step.before.year, after=step.after.year, money_before=fmt_money(a) or "—",
               money_after=fmt_money(b) or "—", delta=delta, changed=len(step.changes))


def _detail_blocks(result: LookupResult, say) -> list[list[str]]:
    blocks = []
    for index, group in enumerate(result.units):
        if index == 1:
            blocks.append([say("lookup.others_title")])
        key = "lookup.unit_own" if group.own else "lookup.unit"
        blocks.append([say(key, unit=_unit_name(group.unit), years=_years(group.filings))])
        blocks += [_filing_lines(filing, say) for filing in group.filings]
        if group.history:
            blocks.append(_history_lines(group.history, say))
    if result.fuzzy:
        blocks.append([say("lookup.fuzzy_title"), *(
            say("lookup.fuzzy_line", year=f.year, name=f.project_name, unit=_unit_name(unit_of(f))) for f, _ in result.fuzzy)])
    return blocks


def _filing_lines(filing: Filing, say) -> list[str]:
    unit = filing.implementing_unit or filing.department or "—"
    lines = [say("lookup.filing", year=filing.year, name=filing.project_name, unit=unit, form=filing.format)]
    p = filing.prior_year
    if filing.format == "2020":
        lines.append(say("lookup.money_2020", budget=fmt_money(money_of(filing)) or "—",
                         last_budget=fmt_money(p.last_year_budget) or "—", last_executed=fmt_money(p.last_year_executed) or "—"))
    else:
        lines.append(say("lookup.money", budget=fmt_money(money_of(filing)) or "—"))
    for indicator in filing.indicators:
        lines.append(say("lookup.indicator", level=indicator.level2, name=indicator.name,
                         value=indicator.value or render_plain("label.empty_value")))
    return lines


def _history_lines(history: list[YearStep], say) -> list[str]:
    lines = [say("lookup.history_title")]
    for step in history:
        lines.append(_step_line(step, say))
        for change in step.changes:
            if change.before is not None and change.after is not None:
                lines.append(say("lookup.change", name=change.name, before=change.before, after=change.after))
        added = [c.name for c in step.changes if c.before is None]
        dropped = [c.name for c in step.changes if c.after is None]
        if added:
            lines.append(say("lookup.added", names="、".join(added)))
        if dropped:
            lines.append(say("lookup.dropped", names="、".join(dropped)))
    return lines

