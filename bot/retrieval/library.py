"""The common-indicator library (``library.json``) and choosing a project's type.

The library is data: per project type (培训, 租赁, 人民调解 …) the indicators reviewers expect,
each under a *slot* (cost, quantity, quality, timeliness, social, sustained, satisfaction …)
that ``library.json`` places in every framework (cost is 成本指标/经济成本指标 in 2026 and
产出指标/成本指标 in the national 2024 form), with how its value is found: a fixed target, a
quantity of the goal, a deadline in the target year, or a cost from the budget. Its ``_doc``
and ``sources`` say where each type comes from.

:func:`choose_type` picks the types of a project from its name (strongest), goal and category
— one *expense* type (what the money buys) and one *field* type (the unit's line of work) at
most — and says why; an explicit choice overrides it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from jixiao.bot.texts import render_plain

DATA_FILE = Path(__file__).with_name("library.json")
FAMILIES = ("expense", "field")
OVERRIDE_SEPARATORS = re.compile(r"[+＋,，、;；\s]+")


@dataclass(frozen=True)
class GoalSpec:
    """Which goal quantities an entry takes its value from."""

    units: tuple[str, ...]
    keys: tuple[str, ...]  # one must appear in the quantity's words or clause; none: any
    op: str | None = None  # the operator when the goal states none


@dataclass(frozen=True)
class Entry:
    """One library indicator: where it goes and how its value is found."""

    slot: str
    name: str
    value: str | None = None  # a fixed target (及时, ≥95%); with ``goal``: the fallback
    goal: GoalSpec | None = None
    deadline: str | None = None  # 12月31日前: printed in the target year
    cost: str | None = None  # "total" or "unit"
    per: tuple[str, ...] = ()  # units a unit cost divides by
    keys: tuple[str, ...] = ()  # words the quantity a unit cost divides by must be about (none: any)


@dataclass(frozen=True)
class ProjectType:
    id: str
    label: str
    family: str
    sources: tuple[str, ...]
    leads: frozenset[str]
    name_words: tuple[str, ...]
    goal_words: tuple[str, ...]
    categories: tuple[str, ...]
    entries: tuple[Entry, ...]

    def slot_entries(self, slot: str) -> list[Entry]:
        return [e for e in self.entries if e.slot == slot]


@dataclass(frozen=True)
class Library:
    slots: dict[str, dict[str, str | None]]
    caps: dict[str, int]
    form_slots: frozenset[str]
    effect_words: tuple[str, ...]
    sources: dict[str, str]
    common: tuple[Entry, ...]
    management_2020: tuple[Entry, ...]
    types: dict[str, ProjectType]

    def level(self, slot: str, framework_id: str) -> tuple[str, str] | None:
        """Where ``slot`` lands in ``framework_id``'s form (None: it has no place there)."""
        target = self.slots.get(slot, {}).get(framework_id)
        if not target:
            return None
        level1, level2 = target.split("/", 1)
        return level1, level2


def _entry(raw: dict) -> Entry:
    goal = raw.get("goal")
    return Entry(
        slot=raw["slot"],
        name=raw["name"],
        value=raw.get("value"),
        goal=GoalSpec(tuple(goal["units"]), tuple(goal.get("keys", ())), goal.get("op")) if goal else None,
        deadline=raw.get("deadline"),
        cost=raw.get("cost"),
        per=tuple(raw.get("per", ())),
        keys=tuple(raw.get("keys", ())),
    )


@cache
def library() -> Library:
    """The library as read from ``library.json`` (once)."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    types = {}
    for spec in raw["types"]:
        match = spec["match"]
        types[spec["id"]] = ProjectType(
            id=spec["id"], label=spec["label"], family=spec["family"], sources=tuple(spec["sources"]),
            leads=frozenset(spec.get("leads", ())), name_words=tuple(match["name"]),
            goal_words=tuple(match.get("goal", ())), categories=tuple(match.get("category", ())),
            entries=tuple(_entry(e) for e in spec["entries"]),
        )
    return Library(
        slots=raw["slots"], caps=raw["caps"], form_slots=frozenset(raw["form_slots"]),
        effect_words=tuple(raw["effect_words"]), sources=raw["sources"],
        common=tuple(_entry(e) for e in raw["common"]["entries"]),
        management_2020=tuple(_entry(e) for e in raw["management_2020"]["entries"]),
        types=types,
    )


# -- choosing the type ---------------------------------------------------------------------
@dataclass(frozen=True)
class TypeChoice:
    """The project's types (expense first, then field; none: common indicators only) and why.

    ``by`` is ``"override"``, ``"name"``, ``"goal"``, ``"category"`` or ``"none"``; ``words``
    are the words of the name or goal that chose them (the category for ``"category"``).
    """

    types: tuple[ProjectType, ...]
    by: str
    words: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.types)

    @property
    def label(self) -> str:
        return "＋".join(t.label for t in self.types) or render_plain("proposal.type_general")

    @property
    def explanation(self) -> str:
        """Why these types, in plain words (prompts/proposals.md)."""
        words = "、".join(self.words)
        if self.by == "override":
            return render_plain("proposal.type_override", label=self.label)
        if self.by == "name":
            return render_plain("proposal.type_by_name", words=words, label=self.label)
        if self.by == "goal":
            return render_plain("proposal.type_by_goal", words=words, label=self.label)
        if self.by == "category":
            return render_plain("proposal.type_by_category", words=words, label=self.label)
        return render_plain("proposal.type_none")

    def entries(self, slot: str) -> list[Entry]:
        """The library entries for ``slot``, best first: the type that leads the slot, the
        other type, then the common entries (Shanghai's 投入与管理 items for their slots)."""
        expense = [t for t in self.types if t.family == "expense"]
        field = [t for t in self.types if t.family == "field"]
        ordered = expense + field if expense and slot in expense[0].leads else field + expense
        found = [e for t in ordered for e in t.slot_entries(slot)]
        lib = library()
        found += [e for e in (*lib.common, *lib.management_2020) if e.slot == slot]
        return found


def find_type(text: str) -> ProjectType:
    """The type named ``text``: its id, its label, or a word of its label (补贴 → 补贴/津贴)."""
    types = library().types
    wanted = text.strip()
    if wanted in types:
        return types[wanted]
    for t in types.values():
        if wanted == t.label:
            return t
    for t in types.values():
        parts = re.split(r"[/（）()]", t.label)
        if wanted and (wanted in parts or any(p and p in wanted for p in parts if len(p) >= 2)):
            return t
    known = "、".join(f"{t.id}（{t.label}）" for t in types.values())
    raise KeyError(f"unknown project type {text!r}; known: {known}")


def _score(t: ProjectType, name: str, goal: str, category: str) -> tuple[int, int, int, tuple[str, ...]]:
    name_words = tuple(w for w in t.name_words if w in name)
    goal_hits = sum(1 for w in t.goal_words if w in goal)
    return (sum(len(w) for w in name_words), goal_hits, int(bool(category) and category in t.categories), name_words)


def _longest_first(words: tuple[str, ...]) -> tuple[str, ...]:
    """The matched words without those inside a longer one (运维 inside 信息化运维 is one word)."""
    kept = [w for w in words if not any(w != o and w in o for o in words)]
    return tuple(dict.fromkeys(kept))


@lru_cache(maxsize=8192)
def choose_type(name: str, category: str | None = None, goal: str | None = None,
                override: str | None = None) -> TypeChoice:
    """The project's types from its name, then goal, then category; ``override`` wins.

    Per family the type whose name words cover most of the name wins (ties: more goal words,
    then the category). A field type found only in the goal is not added to a name's type:
    the name says what the project is, the goal what it does.
    """
    if override:
        chosen = [find_type(part) for part in OVERRIDE_SEPARATORS.split(override) if part]
        return TypeChoice(tuple(dict.fromkeys(chosen)), "override")
    name, goal, category = name or "", goal or "", category or ""
    scored = [(_score(t, name, goal, category), t) for t in library().types.values()]
    by_name = []
    for family in FAMILIES:
        best = max((s for s in scored if s[1].family == family and s[0][0] > 0), key=lambda s: s[0][:3], default=None)
        if best is not None:
            by_name.append(best)
    if by_name:
        words = _longest_first(tuple(w for s, _ in by_name for w in s[3]))
        words = tuple(sorted(words, key=name.find))  # in the order the name has them
        return TypeChoice(tuple(t for _, t in by_name), "name", words)
    best = max(scored, key=lambda s: (s[0][1], s[0][2]))
    if best[0][1] > 0:
        t = best[1]
        return TypeChoice((t,), "goal", _longest_first(tuple(w for w in t.goal_words if w in goal)))
    if best[0][2] > 0:
        return TypeChoice((best[1],), "category", (category,))
    return TypeChoice((), "none")
