"""Indicator proposals for a new project: what every filing shares, then what is similar.

:func:`propose` builds one table for a project from what the user has typed (name, category,
unit, goal, year and the annual budget), in the target framework, from five sources taken in
this order (an indicator a source proposes is left out when the table has it already —
:func:`~bot.retrieval.text.indicator_similarity` ≥ :data:`MERGE_SIMILARITY`, or the same count
under the same level):

1. ``goal``: every quantity the goal states (:func:`bot.domain.goal.goal_quantities`) with its
   value, named after the library indicator it matches (units agree and a key word of the
   entry is in the goal's words) or else from the goal's own words; for a multi-year project
   the annual goal gives this year's values and the 项目总目标 (``Query.overall_goal``) only
   checks them (an annual count above the whole period's gets a note);
2. ``budget``: a quantified cost — the budget ÷ the goal's main quantity when the type has a
   unit cost in that unit (4000元/人次), else a total ≤ the budget;
3. ``history``: the unit's own earlier project of the same or a similar name (in the corpus,
   where the user's approved tables are too), its table mapped into the target framework;
4. ``similar``: the indicators of the most similar past projects (of the same unit, or with a
   name or goal similarity of :data:`SIMILAR_EVIDENCE`) that two or more of them use — and that
   a project of this kind uses, or projects of two kinds do — or the best one's whole table when
   it is very like this project: the merge of :func:`_collect` with the thresholds
   :data:`MIN_SUPPORT` and :data:`LEADER_SIMILARITY`;
5. ``library``: the common-indicator library (``library.json``) for the project's types
   (:func:`bot.retrieval.library.choose_type`), slot by slot, up to the library's ``caps`` in
   the levels still empty (only the required ones when a close table filled the rest), so
   every level the framework requires is filled.

Values are printed with ``canonical(value, style)`` of the target framework. Nothing is copied
silently: another unit's count or unit cost carries a note; another project's total amount is
scaled by the two budgets or left out; no money value is above the budget; a satisfaction
target below 90% from another project is raised to 90%; a deadline moves into the target year.
An indicator whose value the validator would refuse (empty, unreadable) is left out, so a
proposal accepted as a whole passes :func:`bot.domain.validation.validate` without error.
Shanghai's 2020 投入与管理 items have no home in the 2024/2026 forms and are not carried over.

:func:`start_from_last_year` is the other way to begin: the unit's own last table of the same
project, values kept and amounts flagged, with the required levels it lacks filled.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from jixiao.bot.domain.frameworks import Framework, FrameworkChoice, choose_framework, get_framework
from jixiao.bot.domain.goal import GoalQuantity, goal_deadlines, goal_quantities, subject_overlap
from jixiao.bot.domain.models import Filing, Indicator
from jixiao.bot.domain.validation import check_indicator
from jixiao.bot.domain.validation.arithmetic_rules import budget_of
from jixiao.bot.domain.validation.findings import fmt_number
from jixiao.bot.domain.validation.names import is_satisfaction, is_unit_cost
from jixiao.bot.domain.values import (
    Deadline,
    Quantity,
    ValueParseError,
    canonical,
    format_value,
    parse_value,
)
from jixiao.bot.retrieval import costs
from jixiao.bot.retrieval.index import Hit, Query, SearchIndex, same_unit
from jixiao.bot.retrieval.library import Entry, TypeChoice, choose_type, library
from jixiao.bot.retrieval.text import indicator_key, indicator_similarity, normalize_name
from jixiao.bot.texts import render_plain

MERGE_SIMILARITY = 85.0  # indicator_similarity at or above which two names are one indicator
MIN_SUPPORT = 0.2  # share of the hits' summed weight an indicator needs (when 2+ hits use it)
LEADER_SIMILARITY = 0.5  # name or goal similarity the best hit needs for its whole table to be kept
HISTORY_SIMILARITY = 0.7  # name similarity an own-unit project of another name needs to be "last year's table"
HISTORY_SEARCH = 10  # hits searched for the unit's own project
SIMILAR_EVIDENCE = 0.2  # name or goal similarity a hit of another unit needs for its indicators to count
SATISFACTION_FLOOR = Decimal(90)  # satisfaction targets of other projects are raised to this
ORIGINS = ("goal", "budget", "history", "similar", "library")


@dataclass(frozen=True)
class ProposedIndicator:
    """One proposed indicator; ``reason`` says in plain words where it comes from.

    ``origin`` is one of :data:`ORIGINS`; ``generic`` marks an indicator of the common
    (共性) part of the library, offered for any project; ``note`` asks the user to check a
    value copied from elsewhere.
    """

    level1: str
    level2: str
    name: str
    value: str | None
    sources: tuple[str, ...]
    generic: bool = False
    note: str | None = None
    reason: str = ""
    origin: str = "library"


@dataclass(frozen=True)
class LastYearTable:
    """The unit's own earlier table of this project, mapped into the target framework."""

    filing: Filing
    same_name: bool
    indicators: list[ProposedIndicator]
    reason: str


@dataclass(frozen=True)
class Proposal:
    """What :func:`propose` found: the similar projects, the indicators, and how it chose.

    ``similar`` are the past projects some indicator was taken from (:func:`drawn_on`), best first.

    ``framework`` is the target framework's id, ``project_type`` the types the library was
    read for (with their ``explanation``), ``last_year`` the unit's own last table when there
    is one (offer it as "start from last year's table").
    """

    similar: list[Hit]
    indicators: list[ProposedIndicator]
    framework: str = "2026"
    project_type: TypeChoice | None = None
    last_year: LastYearTable | None = None
    budget: float | None = None


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


# -- the table being built -------------------------------------------------------------------
class _Table:
    """The proposal being built: one indicator per measure, in the order the sources add them."""

    def __init__(self, framework: Framework, query: Query, budget: float | None):
        self.framework = framework
        self.style = framework.value_style
        self.query = query
        self.year = query.year or datetime.date.today().year
        self.budget = budget if budget and budget > 0 else None
        self.items: list[ProposedIndicator] = []
        self.promises: list[GoalQuantity] = []  # the goal's quantities already in the table
        self.promised: dict[str, GoalQuantity] = {}  # indicator name → the goal quantity it states

    def find(self, name: str, sources: tuple[str, ...] | None = None) -> int | None:
        """The item measuring ``name``: the same name, or a near one from another source (one
        table never holds one measure twice, so 系统软件/系统硬件售后服务次数 of one table stay apart)."""
        key = indicator_key(name)
        for i, item in enumerate(self.items):
            if indicator_key(item.name) == key:
                return i
            if (sources is None or not sources or item.sources != sources) and \
                    indicator_similarity(item.name, name) >= MERGE_SIMILARITY:
                return i
        return None

    def _same_count(self, item: ProposedIndicator) -> bool:
        """Another source already gave this count under this level (培训场次 ≥3场 from the goal,
        计划举办培训场次 =3场 from a similar project). Within one source two equal counts are two
        measures (系统软件售后服务次数, 系统硬件售后服务次数: 12次 each)."""
        q = costs.quantity_of(item.value)
        if q is None or q.unit_kind not in ("count", "area"):
            return False
        return any(o.level1 == item.level1 and o.level2 == item.level2 and (o.origin, o.sources) != (item.origin, item.sources)
                   and (p := costs.quantity_of(o.value)) is not None and p.unit == q.unit and p.number == q.number
                   for o in self.items)

    def add(self, item: ProposedIndicator) -> bool:
        """Add ``item`` unless the table measures it already (then its sources are merged in)."""
        if not self.framework.contains(item.level1, item.level2):
            return False
        if any(f.blocking for f in check_indicator(item.name, item.value)):
            return False  # an empty or unreadable value would block the accepted table
        at = self.find(item.name, item.sources)
        if at is not None and self._two_promises(self.items[at], item):
            at = None  # 每周课后服务时长 =5天 and 每天课后服务时长 ≥2小时: two things the goal states
        if at is not None:
            old = self.items[at]
            extra = tuple(s for s in item.sources if s not in old.sources)
            if extra:
                self.items[at] = replace(old, sources=old.sources + extra)
            return False
        if self._same_count(item) or self._restates_a_promise(item):
            return False
        self.items.append(item)
        return True

    @staticmethod
    def _two_promises(old: ProposedIndicator, item: ProposedIndicator) -> bool:
        """Two goal quantities of near names but other values are two measures (not one name twice)."""
        return (old.origin == item.origin == "goal" and old.value != item.value
                and indicator_key(old.name) != indicator_key(item.name))

    def _restates_a_promise(self, item: ProposedIndicator) -> bool:
        """A past table's figure for what this year's goal states (运维响应时间 ≤24小时 when the goal
        says 故障2小时内响应): the goal's figure is this year's, the old one is left out."""
        if item.origin == "goal":
            return False
        q = costs.quantity_of(item.value)
        return q is not None and any(p.value.unit == q.unit and subject_overlap(p, item.name) > 0 for p in self.promises)

    def count(self, level: tuple[str, str]) -> int:
        return sum(1 for i in self.items if (i.level1, i.level2) == level)

    def has_money(self, level: tuple[str, str]) -> bool:
        return any((i.level1, i.level2) == level and (q := costs.quantity_of(i.value)) is not None and q.unit_kind == "money"
                   for i in self.items)

    def print(self, q: Quantity) -> str:
        return format_value(q, self.style)

    def ordered(self) -> list[ProposedIndicator]:
        position: dict[tuple[str, str], int] = {}
        for level in self.framework.levels:
            for child in level.children:
                position[(level.name, child.name)] = len(position)
        indexed = sorted(enumerate(self.items), key=lambda p: (position.get((p[1].level1, p[1].level2), len(position)), p[0]))
        return [item for _, item in indexed]


# -- the API ---------------------------------------------------------------------------------
def propose(
    index: SearchIndex | None,
    query: Query,
    target_format: str | None = None,
    top: int = 5,
    *,
    budget: float | None = None,
    project_type: str | None = None,
    region: str | None = None,
    exclude: Callable[[Filing], bool] | None = None,
    sources: Iterable[str] = ORIGINS,
    min_support: float = MIN_SUPPORT,
    merge_similarity: float = MERGE_SIMILARITY,
    leader_similarity: float = LEADER_SIMILARITY,
    similar_evidence: float = SIMILAR_EVIDENCE,
) -> Proposal:
    """Indicators for ``query`` in ``target_format``'s framework (see the module docstring).

    ``target_format`` None chooses the framework by year and region
    (:func:`~bot.domain.frameworks.choose_framework`, ``region`` or the query's department);
    ``budget`` is the annual amount in yuan; ``project_type`` overrides the library type
    (an id or label of ``library.json``, two joined by ``+``); ``index`` may be None or empty
    (library, goal and budget alone); ``sources`` limits the sources used (benchmarks).
    """
    if target_format is None:
        target_format = choose_framework(query.year or datetime.date.today().year, region=region,
                                         department=query.department).framework.id
    framework = get_framework(target_format)
    use = frozenset(sources)
    choice = choose_type(query.name, query.category, query.goal, override=project_type)
    quantities = goal_quantities(query.goal)
    hits: list[Hit] = []
    if index is not None and len(index) and use & {"history", "similar"}:
        hits = index.search(query, top=max(top, HISTORY_SEARCH), exclude=exclude)
    own = _own_project(hits, query, choice)
    table = _Table(framework, query, budget)
    if "goal" in use:
        _add_goal(table, quantities, choice)
        _add_deadlines(table, query.goal, choice)
        _check_overall(table, goal_quantities(query.overall_goal))
    if "budget" in use:
        _add_budget(table, quantities, choice)
    if "history" in use and own is not None:
        _add_history(table, own)
    close = own is not None
    if "similar" in use:
        evidence = [h for h in hits[:top] if _evidence(h, similar_evidence)]
        close = _add_similar(table, evidence, own, choice, min_support, merge_similarity, leader_similarity) or close
    if "library" in use:
        _fill_from_library(table, choice, quantities, only_required=close)
    last_year = start_from_last_year(own, query, framework.id, budget=budget, choice=choice) if own else None
    indicators = table.ordered()
    return Proposal(similar=drawn_on(hits, indicators)[:top], indicators=indicators, framework=framework.id,
                    project_type=choice, last_year=last_year, budget=table.budget)


def drawn_on(hits: list[Hit], indicators: list[ProposedIndicator]) -> list[Hit]:
    """The hits the proposal took indicators from — the similar projects worth naming. A hit that
    only scored (the same category, a shared word) and gave nothing is not one: the chat names
    the tables drawn on, and the CLI must say the same."""
    labels = {label for item in indicators if item.origin in ("history", "similar") for label in item.sources}
    return [h for h in hits if source_label(h.filing) in labels]


def framework_reason(choice: FrameworkChoice, year: int) -> str:
    """Why this framework, in plain words (the rules of :func:`~bot.domain.frameworks.choose_framework`)."""
    title = choice.framework.title
    if choice.rule == "override":
        return render_plain("proposal.format_override", title=title)
    if choice.rule == "from_year":
        return render_plain("proposal.format_from_year", year=year, title=title)
    if choice.rule == "region":
        return render_plain("proposal.format_region", title=title)
    return render_plain("proposal.format_default", title=title)


def start_from_last_year(own: Hit, query: Query, target_format: str, *, budget: float | None = None,
                         choice: TypeChoice | None = None) -> LastYearTable:
    """The unit's own table ``own`` as this year's start: its indicators mapped into the target
    framework, values kept (amounts flagged, deadlines moved into this year), and the levels the
    framework requires but it lacks filled from the library (a cost from the budget)."""
    framework = get_framework(target_format)
    choice = choice or choose_type(query.name, query.category, query.goal)
    table = _Table(framework, query, budget)
    _add_history(table, own)
    _fill_from_library(table, choice, goal_quantities(query.goal), only_required=True)
    key = "proposal.reason_history_same" if own.same_name else "proposal.reason_history_similar"
    reason = render_plain(key, year=own.filing.year, project=own.filing.project_name)
    return LastYearTable(own.filing, own.same_name, table.ordered(), reason)


def _own_project(hits: list[Hit], query: Query, choice: TypeChoice) -> Hit | None:
    """The unit's own earlier project of the same name, else of a very similar name and the same
    kind (社区矫正中心保安经费 is not last year's 社区矫正中心房屋租赁费), most recent first."""
    own = [h for h in hits if h.same_unit and (query.year is None or h.filing.year <= query.year)]
    same = [h for h in own if h.same_name]
    if same:
        return max(same, key=lambda h: h.filing.year)
    near = [h for h in own if h.name_similarity >= HISTORY_SIMILARITY and _same_kind(h.filing, choice)]
    return max(near, key=lambda h: (h.name_similarity, h.filing.year)) if near else None


def _same_kind(filing: Filing, choice: TypeChoice) -> bool:
    """The filing's library types share one with ``choice`` (or neither has any)."""
    theirs = set(choose_type(filing.project_name, filing.category).ids)
    return bool(theirs & set(choice.ids)) or not (theirs or choice.ids)


def _evidence(hit: Hit, threshold: float) -> bool:
    """A hit whose indicators may count: of the same unit (its way of filing), or like this project
    in name or goal; a hit that only shares the category or the year does not."""
    return hit.same_unit or max(hit.name_similarity, hit.goal_similarity) >= threshold


# -- 1. the goal's numbers -------------------------------------------------------------------
def _goal_entry(q: GoalQuantity, candidates: list[Entry], used: set[int]) -> tuple[Entry, bool] | None:
    """The library entry that names goal quantity ``q``: units agree, a key word is in the goal's
    words (better) or its clause; a key-less entry only for units other than % — and then
    (``False``: no word of it in the goal) the goal's own name is the better one."""
    best, best_score = None, 0
    for i, entry in enumerate(candidates):
        spec = entry.goal
        if i in used or spec is None or q.value.unit not in spec.units:
            continue
        if not spec.keys:
            score = 1 if q.value.unit != "%" else 0
        elif any(k in q.words for k in spec.keys):
            score = 3
        elif any(k in q.context for k in spec.keys):
            score = 2
        else:
            score = 0
        if score > best_score:
            best, best_score = i, score
    if best is None:
        return None
    used.add(best)
    return candidates[best], best_score > 1


def _slot_of_goal(q: GoalQuantity) -> str:
    """Where a goal quantity no library entry names goes, by its unit and words."""
    kind = q.kind
    if kind == "percent":
        if is_satisfaction(q.name):
            return "satisfaction"
        return "social" if any(w in q.words for w in library().effect_words) else "quality"
    if kind == "time":
        return "timeliness"
    if kind == "money":
        return "cost"
    return "quantity"


def _add_goal(table: _Table, quantities: tuple[GoalQuantity, ...], choice: TypeChoice) -> None:
    lib = library()
    candidates = [e for slot in lib.slots for e in choice.entries(slot) if e.goal is not None]
    used: set[int] = set()
    for q in quantities:
        value = q.value
        if value.unit_kind == "money":
            amount = costs.yuan(value)
            if table.budget is not None and amount is not None and amount > Decimal(str(table.budget)):
                if any(w in q.words for w in ECONOMIC_RESULTS):  # 意向投资额达到150亿元: a result, not a cost
                    _add_result(table, q, quantities)
                continue  # never a cost above the budget (a goal restating the budget is not a cost target)
        found = _goal_entry(q, candidates, used)
        if found is not None:
            entry, named = found
            slot, name = entry.slot, entry.name if named or not q.name else q.name  # 42所 → 义务教育学校数量
            if slot == "satisfaction" and _names_whom(q.name):
                name = q.name  # 家长满意度 as the goal says, not the type's 服务对象满意度
            if q.per and q.per != "每年" and not name.startswith("每"):
                name = q.per + name
            if not q.stated_op and entry.goal and entry.goal.op:
                value = replace(value, op=entry.goal.op)
            if any(f.blocking for f in check_indicator(name, table.print(value))):
                name = q.name  # the entry's 工程建设数量 cannot take 45公里: the goal's own 长度 name can
        else:
            slot, name = _slot_of_goal(q), q.name
        level = lib.level(slot, table.framework.id)
        if level is None:
            continue
        if table.add(ProposedIndicator(*level, name=name, value=table.print(value), sources=(),
                                       reason=_goal_reason(table, q, quantities), origin="goal")):
            table.promises.append(q)
            table.promised[name] = q


ECONOMIC_RESULTS = ("投资", "引资", "签约额", "产值", "营收", "收入", "税收", "交易额", "融资", "销售额", "带动", "拉动")


def _add_result(table: _Table, q: GoalQuantity, quantities: tuple[GoalQuantity, ...]) -> None:
    """An amount the project brings in (投资额, 产值) as an economic benefit, named as the goal says."""
    level = library().level("economic", table.framework.id)
    name = q.name.removesuffix("金额") if q.name.endswith("额金额") else q.name  # 意向投资额金额 → 意向投资额
    if level is not None and table.add(ProposedIndicator(*level, name=name, value=table.print(q.value), sources=(),
                                                         reason=_goal_reason(table, q, quantities), origin="goal")):
        table.promises.append(q)
        table.promised[name] = q


def _names_whom(name: str) -> bool:
    """A satisfaction the goal names with whose it is (家长满意度, 群众满意率; not a bare 满意度)."""
    return is_satisfaction(name) and len(name.replace("满意度", "").replace("满意率", "")) >= 2


def _check_overall(table: _Table, overall: tuple[GoalQuantity, ...]) -> None:
    """A multi-year project's annual values are this year's (the annual goal first); the 项目总目标
    only checks them: an annual count above the whole period's count of the same thing (same
    unit, the same subject) gets a note to check it. The total is never put in as this year's."""
    if not overall:
        return
    for at, item in enumerate(table.items):
        q = table.promised.get(item.name) if item.origin == "goal" else None
        if q is None or q.value.unit_kind in ("percent", "time", "money"):
            continue
        number, unit = costs.base_count(q.value)
        for total in overall:
            whole, whole_unit = costs.base_count(total.value)
            if whole_unit == unit and number > whole and subject_overlap(total, q.words or q.context) > 0:
                note = render_plain("proposal.note_over_overall", annual=q.text, total=total.text)
                table.items[at] = replace(item, note=note)
                break


def _goal_reason(table: _Table, q: GoalQuantity, quantities: tuple[GoalQuantity, ...]) -> str:
    """来自年度目标：…; for a cost the goal states per item, its product with the count it is per
    and whether that fits the budget (5元 × 430,000人次 = 2,150,000元，不超过预算 2,160,000 元)."""
    promise = render_plain("proposal.reason_goal", promise=q.text)
    product = costs.goal_product(q, quantities) if q.value.unit_kind == "money" and table.budget else None
    if product is None:
        return promise
    total, arithmetic = product
    key = "proposal.reason_goal_cost_fits" if total <= Decimal(str(table.budget)) else "proposal.reason_goal_cost_over"
    return render_plain(key, promise=promise, arithmetic=arithmetic, budget=fmt_number(table.budget))


def _add_deadlines(table: _Table, goal: str | None, choice: TypeChoice) -> None:
    """A date the goal sets (于2027年10月底前完成采购) as the type's deadline indicator."""
    level = library().level("timeliness", table.framework.id)
    if level is None:
        return
    names = [e.name for e in choice.entries("timeliness") if e.deadline is not None]
    for n, deadline in enumerate(goal_deadlines(goal)):
        text = deadline.value.text if deadline.value.year is not None else f"{table.year}年{deadline.value.text}"
        name = names[0] if n == 0 and names else f"{deadline.words or '项目'}完成时间"
        table.add(ProposedIndicator(*level, name=name, value=canonical(text, table.style), sources=(),
                                    reason=render_plain("proposal.reason_goal", promise=deadline.text), origin="goal"))


# -- 2. costs from the budget ----------------------------------------------------------------
def _add_budget(table: _Table, quantities: tuple[GoalQuantity, ...], choice: TypeChoice) -> None:
    level = library().level("cost", table.framework.id)
    if table.budget is None or level is None or table.has_money(level):
        return
    entries = choice.entries("cost")
    for entry in sorted(entries, key=lambda e: e.cost != "unit"):  # a unit cost of any type before a total
        cost = _entry_cost(entry, table, quantities, choice)
        if cost is not None:
            table.add(ProposedIndicator(*level, name=entry.name, value=table.print(cost.value), sources=(),
                                        reason=cost.reason, origin="budget"))
            return


def _entry_cost(entry: Entry, table: _Table, quantities: tuple[GoalQuantity, ...],
                choice: TypeChoice) -> costs.Cost | None:
    """The cost ``entry`` proposes: a total ≤ the budget (naming the several things the goal buys,
    if it does), or the budget ÷ the main output — not when the goal buys several kinds of things."""
    if table.budget is None or entry.cost is None:
        return None
    if entry.cost == "total":
        return costs.total_cost(table.budget, _several_kinds(choice, quantities))
    if entry.single and costs.several_kinds(entry.per, quantities, entry.keys):
        return None
    main = costs.main_quantity(entry.per, quantities, entry.keys)
    return costs.unit_cost(table.budget, main, quantities) if main is not None else None


def _several_kinds(choice: TypeChoice, quantities: tuple[GoalQuantity, ...]) -> list[GoalQuantity]:
    """The kinds of things the goal buys, when a one-kind unit cost of the types was left out for them."""
    for entry in choice.entries("cost"):
        if entry.single and (kinds := costs.several_kinds(entry.per, quantities, entry.keys)):
            return kinds
    return []


# -- 3 and 4. the unit's own history and similar projects ------------------------------------
def _add_history(table: _Table, own: Hit) -> None:
    key = "proposal.reason_history_same" if own.same_name else "proposal.reason_history_similar"
    reason = render_plain(key, year=own.filing.year, project=own.filing.project_name)
    for indicator in own.filing.indicators:
        placed = place(table.framework, own.filing.format, indicator)
        if placed is None:
            continue
        item = _from_filing(table, placed, indicator.name, indicator.value, own.filing, "history", reason,
                            (source_label(own.filing),), own_same=own.same_name)
        if item is not None:
            table.add(item)


def _add_similar(table: _Table, hits: list[Hit], own: Hit | None, choice: TypeChoice, min_support: float,
                 merge_similarity: float, leader_similarity: float) -> bool:
    """The indicators the similar projects share; True when the best one is close to this project
    (then its whole table is kept and the library only fills the levels still empty)."""
    if not hits:
        return False
    weights = [_weight(hit) for hit in hits]
    best = max(weights) or 1.0
    weights = [w / best for w in weights]
    merged = _collect(hits, weights, table.framework, merge_similarity)
    lead = hits[max(range(len(hits)), key=weights.__getitem__)]
    strong = lead.same_name or max(lead.name_similarity, lead.goal_similarity) >= leader_similarity
    needed = min_support * sum(weights) - 1e-9
    alike = {id(h.filing) for h in hits if _same_kind(h.filing, choice)
             or max(h.name_similarity, h.goal_similarity) >= leader_similarity}
    kept = [m for m in merged if (strong and m.uses(lead.filing))
            or (len(m.filings) >= 2 and m.support >= needed and _shared_for(m, alike))]
    satisfaction = library().level("satisfaction", table.framework.id)
    for m in _ordered(kept, table.framework):
        if (m.level1, m.level2) == satisfaction and table.count(satisfaction):
            continue  # one satisfaction target is enough: the goal's, the unit's own, or one of these
        labels = tuple(source_label(f) for f in m.filings)
        is_own = own is not None and m.origin is own.filing
        origin = "history" if is_own else "similar"
        if lead.same_name and m.filings[0] is lead.filing:
            reason = render_plain("proposal.reason_similar_same_name", year=lead.filing.year,
                                  unit=lead.filing.implementing_unit or lead.filing.department or "—")
        else:
            reason = render_plain("proposal.reason_similar", count=len(labels), projects="；".join(labels[:2]))
        item = _from_filing(table, (m.level1, m.level2), m.name, m.value, m.origin, origin, reason, labels,
                            own_same=is_own and own.same_name)
        if item is not None:
            table.add(item)
    return strong


def _shared_for(m: _Merged, alike: set[int]) -> bool:
    """An indicator several hits share may come over when a hit of this project's kind uses it, or
    when hits of two kinds do (the unit's or the form's habit: 立项依据的充分性, 预算执行率) — not
    when only projects of another kind do (人民调解公信力 for a rent)."""
    if any(id(f) in alike for f in m.filings):
        return True
    return len({_kind(f) for f in m.filings}) >= 2


def _kind(filing: Filing) -> str:
    ids = choose_type(filing.project_name, filing.category).ids
    return ids[0] if ids else ""


def _from_filing(table: _Table, placed: tuple[str, str], name: str, value: str | None, origin: Filing,
                 kind: str, reason: str, labels: tuple[str, ...], *, own_same: bool) -> ProposedIndicator | None:
    """An indicator of a past filing, its value re-printed for this table (or None to leave it out)."""
    parsed = None
    if value is not None:
        try:
            parsed = parse_value(value)
            value = canonical(value, table.style)
        except ValueParseError:
            parsed = None
    note = _note(parsed, origin, table.query)
    if isinstance(parsed, Deadline) and parsed.year is not None:
        shift = table.year - origin.year
        if shift:  # 2026年12月底前 in a 2026 filing means the end of the filing's own year
            value = value.replace(f"{parsed.year}年", f"{parsed.year + shift}年", 1)
            note = render_plain("proposal.note_date_shifted", old=parsed.year, new=parsed.year + shift)
    if isinstance(parsed, Quantity):
        adjusted = _money(table, name, parsed, origin, own_same)
        if adjusted is None:
            return None
        if adjusted is not parsed:
            value, reason, note = table.print(adjusted[0]), adjusted[1], None
        elif kind == "history" and parsed.unit_kind == "money":
            note = render_plain("proposal.note_history_money", year=origin.year)
        if is_satisfaction(name) and parsed.unit == "%" and parsed.number < SATISFACTION_FLOOR and not own_same:
            value = table.print(replace(parsed, op="≥", number=SATISFACTION_FLOOR))
            reason = render_plain("proposal.reason_satisfaction_floor", old=fmt_number(parsed.number))
    return ProposedIndicator(*placed, name=name, value=value, sources=labels, note=note, reason=reason, origin=kind)


def _money(table: _Table, name: str, q: Quantity, origin: Filing, own_same: bool):
    """``q`` itself when it may stay, (new value, reason) when scaled, None to leave it out."""
    amount = costs.yuan(q)
    if amount is None or table.budget is None or q.number == 0:
        return q
    budget = Decimal(str(table.budget))
    if is_unit_cost(name):
        return q if amount <= budget else None
    if own_same and amount <= budget:
        return q  # last year's own figure: kept, flagged for update
    theirs = budget_of(origin)
    if not theirs:
        return None
    scaled = costs.scaled_total(amount, theirs, table.budget, source_label(origin))
    return (scaled.value, scaled.reason) if costs.yuan(scaled.value) <= budget else None


def _collect(hits: list[Hit], weights: list[float], framework: Framework, merge_similarity: float) -> list[_Merged]:
    """Every hit's indicators placed in ``framework`` and merged, with their support."""
    merged: list[_Merged] = []
    for hit, weight in zip(hits, weights):
        used: list[_Merged] = []
        for indicator in hit.filing.indicators:
            placed = place(framework, hit.filing.format, indicator)
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
    """Where ``indicator`` of a ``source_format`` filing goes in ``framework``, or None.

    2020 投入与管理 items have no home in the 2024/2026 forms (``maps_from`` says null) and
    are dropped; ``merge_similarity`` is kept for callers of the old signature.
    """
    try:
        placed = framework.map_level(source_format, indicator.level1, indicator.level2)
    except KeyError:  # no mapping that way (newer → older): invert the older one's table
        placed = _reverse_map(framework, source_format, indicator.level1, indicator.level2)
    if placed is None:
        return None
    level1, level2 = placed
    return level1, framework.canonical_level2(level2) or level2


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


# -- notes -------------------------------------------------------------------------------
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


# -- 5. the library --------------------------------------------------------------------------
def _fill_from_library(table: _Table, choice: TypeChoice, quantities: tuple[GoalQuantity, ...], *,
                       only_required: bool = False) -> None:
    """Library entries slot by slot, up to the slot's cap (or one where a required level is
    empty, with ``only_required``), in the framework's order."""
    lib = library()
    fid = table.framework.id
    for slot in sorted(lib.slots, key=lambda s: _slot_position(table.framework, lib.level(s, fid))):
        level = lib.level(slot, fid)
        if level is None:
            continue
        have = table.count(level)
        if only_required and slot not in lib.form_slots:
            need = 1 if have == 0 and _required(table, level) else 0
        else:
            need = lib.caps.get(slot, 0) if have == 0 else 0
            if have == 0 and _required(table, level):
                need = max(need, 1)
        for entry in choice.entries(slot):
            if need <= 0:
                break
            item = _from_entry(table, entry, level, choice, quantities)
            if item is not None and table.add(item):
                need -= 1


def _required(table: _Table, level: tuple[str, str]) -> bool:
    """A level the framework's check requires filled: a required 二级, or any 二级 of a required
    一级 that has no indicator yet (效益指标 needs one of its four: the first slot tried fills it)."""
    framework = table.framework
    child = framework.level2(level[1])
    parent = framework.level1(level[0])
    if child is not None and child.required:
        return True
    return bool(parent and parent.required) and not any(i.level1 == level[0] for i in table.items)


def _slot_position(framework: Framework, level: tuple[str, str] | None) -> int:
    order = [(l1.name, l2.name) for l1 in framework.levels for l2 in l1.children]
    return order.index(level) if level in order else len(order)


def _from_entry(table: _Table, entry: Entry, level: tuple[str, str], choice: TypeChoice,
                quantities: tuple[GoalQuantity, ...]) -> ProposedIndicator | None:
    """A library entry as an indicator of this table, or None when its value cannot be found."""
    lib = library()
    common = entry in lib.common or entry in lib.management_2020
    reason = _library_reason(entry, choice, common)
    origin = "library"
    if entry.cost is not None:
        cost = _entry_cost(entry, table, quantities, choice)
        if cost is None:
            return None
        value, reason, origin = table.print(cost.value), cost.reason, "budget"
    elif entry.deadline is not None:
        value = canonical(f"{table.year}年{entry.deadline}", table.style)
    elif entry.value is not None:
        value = canonical(entry.value, table.style)
    else:
        return None  # a goal entry whose quantity the goal does not state
    return ProposedIndicator(*level, name=entry.name, value=value, sources=(), generic=common and origin == "library",
                             reason=reason, origin=origin)


def _library_reason(entry: Entry, choice: TypeChoice, common: bool) -> str:
    if entry in library().management_2020:
        return render_plain("proposal.reason_management_2020")
    if common:
        return render_plain("proposal.reason_common")
    owner = next(t for t in choice.types if entry in t.entries)
    return render_plain("proposal.reason_library", type=owner.label)
