"""The indicator frameworks (2020, 2024, 2026 …), read from ``frameworks.json``.

The frameworks are data: which first levels (一级) a year's form has, which second
levels (二级) sit under each, which are required, how values are printed, and how a
level of an older framework maps into a newer one. Adding a year is an edit of the
JSON file, not of this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

FRAMEWORKS_FILE = Path(__file__).with_name("frameworks.json")


@dataclass(frozen=True)
class Level2:
    name: str
    parent: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Level1:
    name: str
    required: bool
    children: tuple[Level2, ...]


@dataclass(frozen=True, eq=False)
class Framework:
    """One year's indicator tree plus how to print values and map older levels."""

    id: str
    title: str
    value_style: str
    level_word: dict[str, str]
    levels: tuple[Level1, ...]
    maps_from: dict[str, dict[str, str | None]] = field(default_factory=dict)
    _by_level2: dict[str, Level2] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, Level2] = {}
        for level in self.levels:
            for child in level.children:
                for spelling in (child.name, *child.aliases):
                    index[spelling] = child
        object.__setattr__(self, "_by_level2", index)

    # -- look-ups -------------------------------------------------------
    @property
    def level1_names(self) -> list[str]:
        return [level.name for level in self.levels]

    def level1(self, name: str) -> Level1 | None:
        for level in self.levels:
            if level.name == name:
                return level
        return None

    def level2(self, name: str) -> Level2 | None:
        """The second level printed as ``name`` (its own name or an alias)."""
        return self._by_level2.get(name)

    def canonical_level2(self, name: str) -> str | None:
        found = self.level2(name)
        return found.name if found else None

    def is_level1(self, name: str) -> bool:
        return self.level1(name) is not None

    def is_level2(self, name: str) -> bool:
        return self.level2(name) is not None

    def contains(self, level1: str, level2: str) -> bool:
        found = self.level2(level2)
        return found is not None and found.parent == level1

    def map_level(self, source_framework: str, level1: str, level2: str) -> tuple[str, str] | None:
        """Where ``level1/level2`` of ``source_framework`` lands in this framework.

        Returns ``None`` when the item has no home here (dropped). Levels of the same
        framework map onto themselves.
        """
        if source_framework == self.id:
            return (level1, level2) if self.contains(level1, level2) else None
        source = get_framework(source_framework)
        level2 = source.canonical_level2(level2) or level2
        table = self.maps_from.get(source_framework)
        if table is None:
            raise KeyError(f"framework {self.id} has no mapping from {source_framework}")
        target = table.get(f"{level1}/{level2}")
        if target is None:
            return None
        new1, new2 = target.split("/", 1)
        return new1, new2


def _build(framework_id: str, raw: dict) -> Framework:
    levels = tuple(
        Level1(
            name=level["name"],
            required=bool(level.get("required", False)),
            children=tuple(
                Level2(
                    name=child["name"],
                    parent=level["name"],
                    required=bool(child.get("required", False)),
                    aliases=tuple(child.get("aliases", ())),
                )
                for child in level["children"]
            ),
        )
        for level in raw["levels"]
    )
    return Framework(
        id=framework_id,
        title=raw["title"],
        value_style=raw["value_style"],
        level_word=dict(raw["level_word"]),
        levels=levels,
        maps_from={k: dict(v) for k, v in raw.get("maps_from", {}).items()},
    )


@cache
def all_frameworks() -> dict[str, Framework]:
    """Every framework in the data file, keyed by its id ("2020", "2024", …)."""
    raw = json.loads(FRAMEWORKS_FILE.read_text(encoding="utf-8"))
    return {fid: _build(fid, spec) for fid, spec in raw["frameworks"].items()}


def get_framework(framework_id: str) -> Framework:
    try:
        return all_frameworks()[framework_id]
    except KeyError:
        known = ", ".join(sorted(all_frameworks()))
        raise KeyError(f"unknown framework {framework_id!r} (known: {known})") from None


def framework_ids() -> list[str]:
    return sorted(all_frameworks())


def framework_for_year(year: int) -> Framework:
    """The newest framework whose id is not later than ``year`` (2025 → 2024's).

    This ignores the region: :func:`choose_framework` is the rule for a new filing.
    """
    usable = [fid for fid in framework_ids() if int(fid) <= year]
    return get_framework(usable[-1] if usable else framework_ids()[0])


# -- which framework a new filing uses --------------------------------------------------
@dataclass(frozen=True)
class FrameworkChoice:
    """The framework chosen for a filing and the rule that chose it.

    ``rule`` is ``"override"`` (the user chose), ``"from_year"`` (2026 on, everywhere),
    ``"region"`` (Shanghai's 2020 form, Shanghai filings up to 2023) or ``"default"`` (the
    national 产出/效益/满意度 form); ``region`` is the region recognised, if any. Words for
    people are the caller's (prompts), not this module's.
    """

    framework: Framework
    rule: str
    region: str | None = None


@cache
def _choice_data() -> dict:
    return json.loads(FRAMEWORKS_FILE.read_text(encoding="utf-8"))["choice"]


def region_of(*texts: str | None) -> str | None:
    """The region of ``frameworks.json`` named in any of ``texts`` (a unit's name, a region)."""
    joined = " ".join(t for t in texts if t)
    for region, spec in _choice_data()["regions"].items():
        if any(w in joined for w in spec["words"]) and not any(w in joined for w in spec.get("not_if", ())):
            return region
    return None


def choose_framework(year: int, *, region: str | None = None, department: str | None = None,
                     override: str | None = None) -> FrameworkChoice:
    """The framework a ``year`` filing of a unit in ``region`` (or named ``department``) uses.

    Shanghai's 2020 form only for Shanghai filings up to 2023; the 2026 form from 2026 on;
    the national form otherwise, including when the region is unknown. ``override`` (a
    framework id the user picked) wins. A ``region`` given explicitly is used instead of the
    department's name.
    """
    if override:
        return FrameworkChoice(get_framework(override), "override")
    found = region_of(region) if region else region_of(department)
    for rule in _choice_data()["rules"]:
        if "from_year" in rule and year < rule["from_year"]:
            continue
        if "to_year" in rule and year > rule["to_year"]:
            continue
        if "region" in rule and found != rule["region"]:
            continue
        kind = "region" if "region" in rule else "from_year" if "from_year" in rule else "default"
        return FrameworkChoice(get_framework(rule["framework"]), kind, found)
    raise LookupError("frameworks.json: the last choice rule must have no conditions")
