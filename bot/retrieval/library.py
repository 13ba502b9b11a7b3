"""The common-indicator library (``library.json``) and choosing a project's type.

The library is data: per project type (培训, 租赁, 人民调解 …) the indicators reviewers expect,
each under a *slot* (cost, quantity, quality, timeliness, social, sustained, satisfaction …)
that ``library.json`` places in every framework (cost is 成本指标/经济成本指标 in 2026 and
产出指标/成本指标 in the national 2024 form), with how its value is found: a fixed target, a
quantity of the goal, a deadline in the target year, or a cost from the budget. Its ``_doc``
and ``sources`` say where each type comes from.

:func:`choose_type` picks the types of a project from the whole of its name (the head word
most), goal and category, with a confidence — one *expense* type (what the money buys) and one
*field* type (the unit's line of work) at most — and says why; when no type fits well it picks
none, and the project gets the generic (通用) indicators every filing shares rather than another
kind's. An explicit choice (a type, or 通用) overrides it.
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
    single: bool = False  # a unit cost only when the goal buys one kind of thing (设备购置单价)


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
    not_words: tuple[str, ...] = ()  # a name with one of these is not of this type (运行补助 is no 补贴 to persons)

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
        single=bool(raw.get("single", False)),
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
            entries=tuple(_entry(e) for e in spec["entries"]), not_words=tuple(match.get("not", ())),
        )
    return Library(
        slots=raw["slots"], caps=raw["caps"], form_slots=frozenset(raw["form_slots"]),
        effect_words=tuple(raw["effect_words"]), sources=raw["sources"],
        common=tuple(_entry(e) for e in raw["common"]["entries"]),
        management_2020=tuple(_entry(e) for e in raw["management_2020"]["entries"]),
        types=types,
    )


# -- choosing the type ---------------------------------------------------------------------
GENERIC = "通用"  # the choice of no library type: the indicators every filing shares
GENERIC_NAMES = (GENERIC, "general", "通用指标")
MIN_CONFIDENCE = 0.4  # below this a type is not used: the generic indicators are better than a wrong type
NAME_WEIGHT, GOAL_WEIGHT = 0.6, 0.4  # how much the name and the goal count in a type's confidence
NAME_FULL = 4  # characters of name words that make the name evidence whole (社区矫正, 执法检查)
GOAL_FULL = 2  # distinct words of the type in the goal that make the goal evidence whole
HEAD_SUFFIXES = re.compile(r"(（[^）]*）|\([^)]*\)|专项经费|工作经费|经费|费用|费|专项|项目|资金|补助资金)+$")


@dataclass(frozen=True)
class TypeChoice:
    """The project's types (expense first, then field; none: the generic indicators) and why.

    ``by`` is ``"override"``, ``"name"``, ``"goal"``, ``"category"`` or ``"none"``; ``words``
    are the words of the name or goal that chose them (the category for ``"category"``);
    ``confidence`` (0–1) how well the name and the goal agree with the types chosen — the
    lowest of them; ``closest`` the best type left out for too low a confidence (for ``"none"``).
    """

    types: tuple[ProjectType, ...]
    by: str
    words: tuple[str, ...] = ()
    confidence: float = 1.0
    closest: ProjectType | None = None

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
        if self.closest is not None:
            return render_plain("proposal.type_none_closest", label=self.closest.label)
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


def is_generic(text: str | None) -> bool:
    """``通用`` (or its other names): the user wants no library type."""
    return (text or "").strip() in GENERIC_NAMES


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
    known = "、".join([f"{t.id}（{t.label}）" for t in types.values()] + [GENERIC])
    raise KeyError(f"unknown project type {text!r}; known: {known}")


def _longest_first(words: tuple[str, ...]) -> tuple[str, ...]:
    """The matched words without those inside a longer one (运维 inside 信息化运维 is one word)."""
    kept = [w for w in words if not any(w != o and w in o for o in words)]
    return tuple(dict.fromkeys(kept))


def _head(name: str) -> str:
    """The name without the words every project name may end with (经费, 项目, （二期）): what is
    left ends with the head of the name, which says what the project is (…服务补贴 is a 补贴)."""
    return HEAD_SUFFIXES.sub("", name) or name


@dataclass(frozen=True)
class _Evidence:
    type: ProjectType
    name_words: tuple[str, ...]
    goal_words: tuple[str, ...]
    category: bool
    confidence: float
    head_end: int  # where the type's last name word ends in the name (later: nearer the head)


def _evidence(t: ProjectType, name: str, goal: str, category: str) -> _Evidence:
    """How well ``t`` fits the project: its name words in the name (the head word counts double),
    its goal words in the goal (distinct), and the category — one confidence."""
    blocked = any(w in name for w in t.not_words)  # 道路照明设施维护 is no 信息化运维, whatever its goal says
    name_words = () if blocked else _longest_first(tuple(w for w in t.name_words if w in name))
    goal_words = () if blocked else _longest_first(tuple(w for w in t.goal_words if w in goal))
    head = _head(name)
    name_chars = sum(len(w) for w in name_words)
    if any(head.endswith(w) for w in name_words):
        name_chars += NAME_FULL // 2
    name_part = min(1.0, name_chars / NAME_FULL)
    goal_part = min(1.0, len(goal_words) / GOAL_FULL)
    in_category = bool(category) and category in t.categories
    if not goal.strip():  # nothing but the name to go by: the name alone decides
        confidence = name_part if name_words else (MIN_CONFIDENCE if in_category else 0.0)
    else:
        confidence = NAME_WEIGHT * name_part + GOAL_WEIGHT * goal_part + (0.1 if in_category else 0.0)
    head_end = max((name.find(w) + len(w) for w in name_words), default=-1)
    return _Evidence(t, name_words, goal_words, in_category, round(min(1.0, confidence), 3), head_end)


@lru_cache(maxsize=8192)
def choose_type(name: str, category: str | None = None, goal: str | None = None,
                override: str | None = None) -> TypeChoice:
    """The project's types from the whole of its name, goal and category; ``override`` wins.

    Every type gets a confidence from all three (:func:`_evidence`): its words in the name — the
    head of the name (…补贴, …培训) counts double —, its words in the goal, the category. Per
    family the most confident type at or above :data:`MIN_CONFIDENCE` is kept (ties: more name
    words, then the one nearer the head). One short name word the goal does not echo (办案 in
    看守所及办案区视频监控设备更新) is not enough: with no type that fits, the project gets
    the generic indicators (:data:`GENERIC`) rather than another kind's.
    """
    if override:
        if is_generic(override):
            return TypeChoice((), "override")
        chosen = [find_type(part) for part in OVERRIDE_SEPARATORS.split(override) if part and not is_generic(part)]
        return TypeChoice(tuple(dict.fromkeys(chosen)), "override")
    name, goal, category = name or "", goal or "", category or ""
    scored = [_evidence(t, name, goal, category) for t in library().types.values()]
    rank = lambda e: (e.confidence, sum(len(w) for w in e.name_words), e.head_end, len(e.goal_words))  # noqa: E731
    kept = []
    for family in FAMILIES:
        best = max((e for e in scored if e.type.family == family and e.confidence >= MIN_CONFIDENCE), key=rank, default=None)
        if best is not None:
            kept.append(best)
    closest = max(scored, key=rank)
    if not kept:
        return TypeChoice((), "none", confidence=closest.confidence,
                          closest=closest.type if closest.confidence > 0 else None)
    by_name = [e for e in kept if e.name_words]
    if by_name:
        words = _longest_first(tuple(w for e in by_name for w in e.name_words))
        words = tuple(sorted(words, key=name.find))  # in the order the name has them
        return TypeChoice(tuple(e.type for e in by_name), "name", words, min(e.confidence for e in by_name))
    if any(e.goal_words for e in kept):
        best = max(kept, key=lambda e: len(e.goal_words))
        return TypeChoice((best.type,), "goal", best.goal_words, best.confidence)
    return TypeChoice((kept[0].type,), "category", (category,), kept[0].confidence)
