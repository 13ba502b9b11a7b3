"""Look-ups: what did we (or others) file for a project name in past years?

Exact name first (white space and full-width forms ignored), then fuzzy matches by
rapidfuzz; with no match, the closest names are offered. When a project has several
years, a compact year-over-year comparison of money and of indicator values that
changed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from jixiao.bot.domain.models import Filing
from rapidfuzz import fuzz, process

FUZZY_CUTOFF = 60  # rapidfuzz WRatio, 0–100: below this a name is not a match
MAX_FUZZY = 5
MAX_SUGGESTIONS = 3


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


@dataclass(frozen=True)
class Change:
    """One indicator whose value differs between two years (``None`` = not in that year)."""

    name: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class YearStep:
    """What changed from one year's filing of a project to the next one's."""

    before: Filing
    after: Filing
    changes: tuple[Change, ...]


@dataclass
class LookupResult:
    query: str
    exact: list[Filing] = field(default_factory=list)
    fuzzy: list[tuple[Filing, float]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # closest names when nothing matched
    history: list[YearStep] = field(default_factory=list)  # year over year, for the exact matches

    @property
    def found(self) -> bool:
        return bool(self.exact or self.fuzzy)


def money_of(filing: Filing) -> float | None:
    """The money a filing asked for in its year."""
    f, p = filing.funding, filing.prior_year
    for amount in (f.annual_request, f.total, p.current_budget, p.total_budget):
        if amount is not None:
            return amount
    return None


def _indicator_key(name: str) -> str:
    """Names that differ only by 的 or spacing are the same indicator (立项依据的充分性 ≈ 立项依据充分性)."""
    return normalise_name(name).replace("的", "")


def compare(before: Filing, after: Filing) -> YearStep:
    """Indicator values that changed between two filings of the same project (by name)."""
    old = {_indicator_key(i.name): i for i in before.indicators}
    new = {_indicator_key(i.name): i for i in after.indicators}
    changes = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        value_a, value_b = (a.value if a else None), (b.value if b else None)
        if a is None or b is None or value_a != value_b:
            changes.append(Change((b or a).name, value_a if a else None, value_b if b else None))
    return YearStep(before, after, tuple(changes))


def lookup(corpus: list[Filing], query: str) -> LookupResult:
    wanted = normalise_name(query)
    result = LookupResult(query=query)
    if not wanted:
        return result
    result.exact = sorted((f for f in corpus if normalise_name(f.project_name) == wanted), key=lambda f: f.year)
    names = sorted({f.project_name for f in corpus if normalise_name(f.project_name) != wanted})
    scored = process.extract(wanted, names, scorer=fuzz.WRatio, processor=normalise_name, limit=None)
    close = [(name, score) for name, score, _ in scored if score >= FUZZY_CUTOFF][:MAX_FUZZY]
    by_name = {}
    for f in corpus:
        by_name.setdefault(f.project_name, []).append(f)
    result.fuzzy = [(f, score) for name, score in close for f in sorted(by_name[name], key=lambda f: f.year)]
    if not result.found:
        result.suggestions = [name for name, _, _ in scored[:MAX_SUGGESTIONS]]
    by_unit: dict[str, list[Filing]] = {}
    for f in result.exact:
        by_unit.setdefault(f.department or "", []).append(f)
    chain = max(by_unit.values(), key=len, default=[])
    if len({f.year for f in chain}) < 2:  # one unit's history first; else across units
        chain = result.exact
    years = sorted({f.year for f in chain})
    for a, b in zip(years, years[1:]):
        before = next(f for f in chain if f.year == a)
        after = next(f for f in chain if f.year == b)
        result.history.append(compare(before, after))
    return result


# ------------------------------------------------------------------ rendering
TELEGRAM_LIMIT = 4096


def _yuan(amount: float | None) -> str:
    return "—" if amount is None else f"{amount:,.2f}"


def _line(key: str, html: bool, **params) -> str:
    from jixiao.bot.texts import render_html, render_plain

    return (render_html if html else render_plain)(key, **params)


def _filing_lines(filing: Filing, html: bool) -> list[str]:
    unit = filing.implementing_unit or filing.department or "—"
    lines = [_line("lookup.filing", html, year=filing.year, name=filing.project_name, unit=unit, form=filing.format)]
    p = filing.prior_year
    if filing.format == "2020":
        lines.append(_line("lookup.money_2020", html, budget=_yuan(money_of(filing)),
                           last_budget=_yuan(p.last_year_budget), last_executed=_yuan(p.last_year_executed)))
    else:
        lines.append(_line("lookup.money", html, budget=_yuan(money_of(filing))))
    for indicator in filing.indicators:
        lines.append(_line("lookup.indicator", html, level=indicator.level2, name=indicator.name,
                           value=indicator.value or _line("label.empty_value", html)))
    return lines


def _history_lines(result: LookupResult, html: bool) -> list[str]:
    if not result.history:
        return []
    lines = [_line("lookup.history_title", html)]
    for step in result.history:
        a, b = money_of(step.before), money_of(step.after)
        delta = "" if not a or b is None else f"{(b - a) / a:+.1%}"
        lines.append(_line("lookup.history_step", html, before=step.before.year, after=step.after.year,
                           money_before=_yuan(a), money_after=_yuan(b), delta=delta, changed=len(step.changes)))
        for change in step.changes:
            if change.before is not None and change.after is not None:
                lines.append(_line("lookup.change", html, name=change.name, before=change.before, after=change.after))
        added = [c.name for c in step.changes if c.before is None]
        dropped = [c.name for c in step.changes if c.after is None]
        if added:
            lines.append(_line("lookup.added", html, names="、".join(added)))
        if dropped:
            lines.append(_line("lookup.dropped", html, names="、".join(dropped)))
    return lines


def render_lookup(result: LookupResult, html: bool = True) -> list[str]:
    """The answer as messages of at most 4096 characters, split between lines."""
    if not result.found:
        return [_line("lookup.none", html, query=result.query, suggestions="、".join(result.suggestions) or "—")]
    lines = [_line("lookup.title", html, query=result.query, exact=len(result.exact), fuzzy=len(result.fuzzy))]
    for filing in result.exact:
        lines += ["", *_filing_lines(filing, html)]
    lines += ["", *_history_lines(result, html)] if result.history else []
    if result.fuzzy:
        lines += ["", _line("lookup.fuzzy_title", html)]
        for filing, _score in result.fuzzy:
            lines += ["", *_filing_lines(filing, html)]
    messages, current = [], ""
    for line in lines:
        piece = line[: TELEGRAM_LIMIT - 1]
        if len(current) + len(piece) + 1 > TELEGRAM_LIMIT:
            messages.append(current.rstrip("\n"))
            current = ""
        current += piece + "\n"
    messages.append(current.rstrip("\n"))
    return [m for m in messages if m.strip()]
