"""Steps that build the indicator tree: the proposal, the one list, one indicator, adding.

After the proposal the user works on **one list message** (``indicators``): every
indicator numbered, those whose value must change marked. From there one message does
one thing: ``3 ≥90%`` sets a value, ``删 3`` deletes, ``改名 3 新名称`` renames, ``3`` (or
its button) opens that indicator, "＋ 添加指标" adds one, "✓ 全部确认" goes on to the
review. A value just typed is never asked again. The indicators are kept in the framework's order
(``bot.domain.order``), so the numbers shown are their positions.
"""

from __future__ import annotations

import re

from jixiao.bot.conversation.facts import ask, clean, letters
from jixiao.bot.conversation.outcomes import Context, Goto, Outcome, Retry, Stay
from jixiao.bot.conversation.replies import Choice, Reply, button, join, say
from jixiao.bot.conversation.state import Draft, ProposedItem
from jixiao.bot.domain.frameworks import get_framework
from jixiao.bot.domain.limits import DRAFT_INDICATORS, INDICATOR_NAME_CHARS, NAME_LETTERS, VALUE_CHARS
from jixiao.bot.domain.models import Filing, Indicator
from jixiao.bot.domain.order import in_framework_order
from jixiao.bot.domain.validation import check_indicator
from jixiao.bot.domain.validation.arithmetic_rules import budget_of
from jixiao.bot.domain.validation.names import name_kind
from jixiao.bot.domain.values import Qualitative, ValueParseError, canonical, parse_value
from jixiao.bot.retrieval.library import GENERIC, choose_type, find_type, is_generic, library
from jixiao.bot.retrieval.text import normalize_name

QUALITY_WORDS = ("及时", "合规", "有效", "规范", "健全", "完善")
ALL, PICK, OWN, DONE, ADD, ACCEPT, DROP, LIST = "all", "pick", "own", "done", "add", "accept", "drop", "list"
LAST, TYPE, RENAME, KEEP = "last_year", "project_type", "rename", "keep"
SIMILAR_SHOWN = 3  # past tables named above a proposal
DELETE_TEXT = re.compile(r"^(?:删除?|删掉|del(?:ete)?|drop)\s*第?\s*(\d+)\s*(?:项|个)?$", re.IGNORECASE)
OPEN_TEXT = re.compile(r"^(?:#|第)?\s*(\d+)\s*(?:项|个)?$")
VALUE_TEXT = re.compile(r"^第?\s*(\d+)\s*(?:项|个)?\s*[.、:：,，\s]\s*(\S.*)$")
RENAME_TEXT = re.compile(r"^(?:改名称?|重命名|rename)\s*第?\s*(\d+)\s*(?:项|个)?\s*[为:：,，\s]\s*(\S.*)$", re.IGNORECASE)
LABEL_CHARS = 36  # of a list button: Telegram cuts longer ones on a phone anyway


def style(draft: Draft) -> str:
    return get_framework(draft.filing.format).value_style


def _capped(items: list[Indicator]) -> tuple[list[Indicator], Reply | None]:
    if len(items) <= DRAFT_INDICATORS:
        return items, None
    return items[:DRAFT_INDICATORS], say("chat.too_many_indicators", limit=DRAFT_INDICATORS, count=len(items))


# ------------------------------------------------------------------ proposal
def _query(draft: Draft):
    from jixiao.bot.retrieval import Query

    f = draft.filing
    return Query(name=f.project_name, category=f.category, department=f.department, goal=f.goal, year=f.year,
                 overall_goal=f.overall_goal)


def _propose(draft: Draft, ctx: Context):
    """The proposal for the draft as it stands: its facts, this year's amount, its project type."""
    from jixiao.bot.retrieval.proposals import propose

    return propose(ctx.index, _query(draft), target_format=draft.filing.format, budget=budget_of(draft.filing),
                   project_type=draft.project_type)


def enter_proposal(draft: Draft, ctx: Context) -> None:
    """Proposes indicators (the library, the goal's numbers, costs from this year's amount, the
    unit's own last table, similar projects) and keeps them, their reasons and the type on the draft."""
    f = draft.filing
    proposal = _propose(draft, ctx)
    draft.proposal = [
        ProposedItem(level1=p.level1, level2=p.level2, name=p.name, value=p.value, sources=list(p.sources),
                     generic=p.generic, note=p.note, reason=p.reason, origin=p.origin)
        for p in proposal.indicators
    ]
    drawn_on = [label for p in proposal.indicators if p.origin in ("history", "similar") for label in p.sources]
    draft.similar = list(dict.fromkeys(drawn_on))[:SIMILAR_SHOWN]
    draft.type_explanation = proposal.project_type.explanation if proposal.project_type else ""
    if proposal.last_year is not None:
        draft.base, draft.base_same_name = proposal.last_year.filing, proposal.last_year.same_name
    elif draft.base is not None and normalize_name(draft.base.project_name) != normalize_name(f.project_name):
        draft.base = None  # found for the name the draft had before an /edit


def refresh_costs(draft: Draft, ctx: Context) -> Reply | None:
    """After this year's amount changed: the cost indicators made from the old amount and kept as
    proposed are made again from the new one (a value the user changed stays theirs); says which."""
    made = {p.name: p for p in draft.proposal if p.origin == "budget"}
    if not made or not draft.filing.indicators:
        return None
    f = draft.filing
    fresh = _propose(draft, ctx)
    again = {p.name: p for p in fresh.indicators if p.origin == "budget"}
    lines = []
    for indicator in f.indicators:
        old, new = made.get(indicator.name), again.get(indicator.name)
        if old is None or new is None or indicator.value != old.value or new.value == old.value:
            continue
        indicator.value = old.value = new.value
        old.reason = new.reason
        lines.append(button("label.cost_refreshed", name=indicator.name, value=new.value, reason=new.reason))
    return say("chat.costs_refreshed", lines="\n".join(lines)) if lines else None


def _proposal_lines(draft: Draft, *, numbered: bool = False, marks: bool = False, reasons: bool = False) -> str:
    """The proposal by level; with ``reasons``, each indicator's reason under it — once in the
    level's heading when every indicator of the level has the same one (read on a phone)."""
    lines, group, shared = [], None, None
    for i, item in enumerate(draft.proposal, 1):
        if (item.level1, item.level2) != group:
            group = (item.level1, item.level2)
            members = {p.reason for p in draft.proposal if (p.level1, p.level2) == group}
            shared = members.pop() if reasons and len(members) == 1 and len(
                [p for p in draft.proposal if (p.level1, p.level2) == group]) > 1 else None
            heading = f"【{item.level1} / {item.level2}】"
            lines.append(button("label.level_reason", level=heading, reason=shared) if shared else heading)
        mark = ("✅ " if item.selected else "⬜ ") if marks else ""
        number = f"{i}. " if numbered or reasons else ""
        check = button("label.check_note") if item.note else ""
        lines.append(f"{mark}{number}{item.name}：{item.value or button('label.empty_value')}{check}")
        if reasons and item.reason and not shared:
            lines.append(button("label.reason", reason=item.reason))
    return "\n".join(lines)


def _proposal_choices(draft: Draft) -> list[Choice]:
    keep = [Choice(button("button.keep_indicators", count=len(draft.filing.indicators)), KEEP)] \
        if draft.filing.indicators else []  # a draft started from a table, or back here by /edit
    choices = [*keep, Choice(button("button.accept_all"), ALL), Choice(button("button.pick"), PICK),
               Choice(button("button.add_own"), OWN)]
    if draft.base is not None:
        choices.append(Choice(button("button.from_last_year", year=draft.base.year), LAST))
    return [*choices, Choice(button("button.change_type"), TYPE)]


def ask_proposal(draft: Draft, ctx: Context) -> Reply:
    """Shows the proposed indicators with their reasons and the project type; asks how to use them."""
    if not draft.proposal:
        return ask("chat.no_proposal", draft, [Choice(button("button.add_own_indicators"), OWN),
                                              Choice(button("button.change_type"), TYPE)])
    base = draft.base
    parts = [
        button("label.project_type", explanation=draft.type_explanation or button("proposal.type_none")),
        button("label.drawn_on", tables="；".join(draft.similar)) if draft.similar else button("label.drawn_on_none"),
        _proposal_lines(draft, reasons=True),
        button("label.check_legend") if any(p.note for p in draft.proposal) else "",
        button("label.last_year_offer", year=base.year, name=base.project_name,
               count=len({i.name for i in base.indicators}))
        if base is not None else "",
        button("label.keep_offer", count=len(draft.filing.indicators)) if draft.filing.indicators else "",
    ]
    return ask("chat.proposal", draft, _proposal_choices(draft), columns=3, count=len(draft.proposal),
               proposal="\n\n".join(part for part in parts if part))


def _take_selected(draft: Draft) -> Reply | None:
    chosen = [p for p in draft.proposal if p.selected]
    items, note = _capped([Indicator(level1=p.level1, level2=p.level2, name=p.name, value=p.value) for p in chosen])
    draft.filing.indicators = in_framework_order(items, draft.filing.format)
    draft.notes = {p.name: p.note for p in chosen if p.note}
    return note


def take_table(draft: Draft, table: Filing, *, same_name: bool = True) -> Reply:
    """Starts the draft's indicators from ``table`` (the unit's last table, or an uploaded one):
    its indicators placed in this draft's form, values kept, amounts and dates flagged for
    update, the levels the form requires but the table lacks filled from the library and the
    budget (:func:`bot.retrieval.proposals.start_from_last_year`). Says what was taken."""
    from jixiao.bot.retrieval import Hit
    from jixiao.bot.retrieval.proposals import start_from_last_year

    f = draft.filing
    own = Hit(table, 0.0, (), same_name=same_name, same_unit=True)
    choice = choose_type(f.project_name, f.category, f.goal, override=draft.project_type)
    start = start_from_last_year(own, _query(draft), f.format, budget=budget_of(f), choice=choice)
    items, capped = _capped([Indicator(level1=p.level1, level2=p.level2, name=p.name, value=p.value)
                             for p in start.indicators])
    draft.filing.indicators = in_framework_order(items, f.format)
    kept = {i.name for i in items}
    draft.notes = {p.name: p.note for p in start.indicators if p.note and p.name in kept}
    taken = say("chat.table_taken_flagged" if draft.notes else "chat.table_taken", year=table.year,
                name=table.project_name, count=len(items), form=f.format, flagged=len(draft.notes))
    return join(taken, capped) if capped else taken


def answer_proposal(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Takes the whole proposal or last year's table (to the list), goes to choosing or to the
    project type, or starts with none."""
    labels = {button("button.accept_all"): ALL, button("button.pick"): PICK, button("button.add_own"): OWN,
              button("button.add_own_indicators"): OWN, button("button.change_type"): TYPE,
              button("button.keep_indicators", count=len(draft.filing.indicators)): KEEP}
    if draft.base is not None:
        labels[button("button.from_last_year", year=draft.base.year)] = LAST
    choice = labels.get(text.strip(), text.strip())
    if choice == KEEP and draft.filing.indicators:
        return Goto("indicators")
    if choice == ALL and draft.proposal:
        for item in draft.proposal:
            item.selected = True
        return Goto("indicators", _take_selected(draft))
    if choice == LAST and draft.base is not None:
        return Goto("indicators", take_table(draft, draft.base, same_name=draft.base_same_name))
    if choice == PICK and draft.proposal:
        return Goto("select")
    if choice == TYPE:
        return Goto("project_type")
    if choice == OWN:
        draft.filing.indicators, draft.notes = [], {}
        return Goto("add_level")
    return Retry(say("chat.pick_a_choice"))


# ------------------------------------------------------------------ the project type
AUTO = "auto"


def ask_project_type(draft: Draft, ctx: Context) -> Reply:
    """The library's project types as a list, the generic indicators (通用) and 按名称自动判断;
    the proposal is made again for the one chosen."""
    types = library().types.values()
    choices = [Choice(t.label, t.id) for t in types] + [Choice(button("button.type_generic"), GENERIC),
                                                        Choice(button("button.type_auto"), AUTO)]
    return ask("chat.ask_project_type", draft, choices, columns=2,
               kind=button("label.project_type", explanation=draft.type_explanation or button("proposal.type_none")))


def answer_project_type(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Keeps the type chosen (with the current type of the other kind: 培训 for 人民调解 stays
    培训＋人民调解) and proposes again."""
    text = text.strip()
    if text in (AUTO, button("button.type_auto")):
        draft.project_type = None
        return Goto("proposal")
    if is_generic(text) or text == button("button.type_generic"):
        draft.project_type = GENERIC  # no library type: what every filing shares, named from the goal
        return Goto("proposal")
    try:
        picked = find_type(text)
    except KeyError:
        return Retry(say("chat.pick_a_choice"))
    f = draft.filing
    current = choose_type(f.project_name, f.category, f.goal, override=draft.project_type).types
    kept = [t.id for t in current if t.family != picked.family]
    draft.project_type = "+".join([picked.id, *kept] if picked.family == "expense" else [*kept, picked.id])
    return Goto("proposal")


# ------------------------------------------------------------------ select (a toggle list)
def ask_select(draft: Draft, ctx: Context) -> Reply:
    """The proposal as a toggle list (redrawn in place on each press)."""
    choices = [
        Choice(button("button.toggle_on" if p.selected else "button.toggle_off", number=i, name=p.name), f"t{i}")
        for i, p in enumerate(draft.proposal, 1)
    ] + [Choice(button("button.done_selecting"), DONE)]
    chosen = sum(p.selected for p in draft.proposal)
    return ask("chat.select", draft, choices, chosen=chosen, count=len(draft.proposal),
               indicators=_proposal_lines(draft, numbered=True, marks=True))


def answer_select(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Toggles the numbers given; "完成选择" takes the chosen ones to the list."""
    text = text.strip()
    if text in (DONE, "完成", button("button.done_selecting")):
        if not any(p.selected for p in draft.proposal):
            return Retry(say("chat.select_none"))
        return Goto("indicators", _take_selected(draft))
    numbers = [t for t in text.removeprefix("t").replace("，", " ").replace(",", " ").split() if t]
    if not numbers or not all(n.isdigit() and 1 <= int(n) <= len(draft.proposal) for n in numbers):
        return Retry(say("chat.bad_toggle", count=len(draft.proposal)))
    for n in numbers:
        item = draft.proposal[int(n) - 1]
        item.selected = not item.selected
    return Stay(in_place=True)


# ------------------------------------------------------------------ values
def checked_value(draft: Draft, name: str, text: str) -> tuple[str | None, Reply | None]:
    """The canonical value, or None and why it is refused; warnings come back as a note."""
    if len(text) > VALUE_CHARS:
        return None, say("chat.value_refused", reasons=f"• {button('label.value_too_long', limit=VALUE_CHARS)}")
    findings = check_indicator(name, text)
    errors = [f for f in findings if f.blocking]
    if errors:
        return None, say("chat.value_refused", reasons="\n".join(f"• {f.message}" for f in errors))
    try:
        printed = canonical(text, style(draft))
    except ValueParseError as exc:  # check_indicator caught it already; kept for safety
        return None, say("chat.value_refused", reasons=f"• {exc}")
    # what was typed ("1": read as =1.00, write the operator) and what will be printed
    warnings = list(dict.fromkeys(f.message for f in (*findings, *check_indicator(name, printed)) if not f.blocking))
    note = say("chat.value_warnings", reasons="\n".join(f"• {message}" for message in warnings)) if warnings else None
    return printed, note


def _value_choices(name: str, value: str | None) -> list[Choice]:
    if name_kind(name) in ("rate", "count", "money"):
        return []
    try:
        parsed = parse_value(value or "")
    except ValueParseError:
        parsed = None
    if value and not isinstance(parsed, Qualitative):
        return []
    return [Choice(word, word) for word in QUALITY_WORDS if word != value][:4]


def _set_value(draft: Draft, index: int, text: str) -> tuple[bool, Reply]:
    """Sets indicator ``index``'s value: (True, what was done) or (False, why not)."""
    item = draft.filing.indicators[index]
    value, note = checked_value(draft, item.name, text)
    if value is None:
        return False, join(say("chat.value_for", number=index + 1, name=item.name), note)
    draft.filing.indicators[index] = item.model_copy(update={"value": value})
    changed = say("chat.value_changed", number=index + 1, name=item.name, value=value)
    return True, join(changed, note) if note else changed


def _rename(draft: Draft, index: int, text: str) -> tuple[bool, Reply]:
    """Renames indicator ``index`` (a name, not another indicator's): (True, what was done) or (False, why not)."""
    item, name = draft.filing.indicators[index], clean(text)
    if not name or len(name) > INDICATOR_NAME_CHARS or letters(name) < NAME_LETTERS:
        return False, say("chat.bad_indicator_name", limit=INDICATOR_NAME_CHARS, least=NAME_LETTERS)
    if any(i.name == name for j, i in enumerate(draft.filing.indicators) if j != index):
        return False, say("chat.duplicate_name", name=name)
    draft.filing.indicators[index] = item.model_copy(update={"name": name})
    if item.name in draft.notes:
        draft.notes[name] = draft.notes.pop(item.name)
    renamed = say("chat.indicator_renamed", number=index + 1, old=item.name, name=name)
    _, note = checked_value(draft, name, item.value or "")  # the value may not suit the new name
    return True, join(renamed, note) if note else renamed


def _delete(draft: Draft, index: int) -> Reply:
    item = draft.filing.indicators.pop(index)
    draft.notes.pop(item.name, None)
    return say("chat.indicator_dropped", number=index + 1, name=item.name)


# ------------------------------------------------------------------ the list
def _blocked(draft: Draft) -> list[int]:
    """Positions of indicators whose value cannot be filed as it is."""
    return [i for i, item in enumerate(draft.filing.indicators) if checked_value(draft, item.name, item.value or "")[0] is None]


def _list_lines(draft: Draft, blocked: list[int]) -> str:
    lines, group = [], None
    for i, item in enumerate(draft.filing.indicators):
        if (item.level1, item.level2) != group:
            group = (item.level1, item.level2)
            lines.append(f"【{item.level1} / {item.level2}】")
        mark = button("label.must_fix") if i in blocked else button("label.check_note") if item.name in draft.notes else ""
        lines.append(f"{i + 1}. {item.name}：{item.value or button('label.empty_value')}{mark}")
    if any(item.name in draft.notes for item in draft.filing.indicators):
        lines.append(button("label.check_legend"))
    return "\n".join(lines)


def short(text: str) -> str:
    """A button's label cut to what a phone shows."""
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def ask_indicators(draft: Draft, ctx: Context) -> Reply:
    """The one list: every indicator numbered; accept all, add, or pick one."""
    items = draft.filing.indicators
    if not items:
        return ask("chat.need_indicators", draft, [Choice(button("button.add_indicator"), ADD)])
    blocked = _blocked(draft)
    choices = [Choice(button("button.accept_list"), ACCEPT, "y"), Choice(button("button.add_indicator"), ADD, "+")]
    choices += [Choice(short(f"{i}. {item.name}：{item.value or button('label.empty_value')}"), f"#{i}", str(i))
                for i, item in enumerate(items, 1)]
    key = "chat.indicator_list_blocked" if blocked else "chat.indicator_list"
    return ask(key, draft, choices, count=len(items), limit=DRAFT_INDICATORS, indicators=_list_lines(draft, blocked),
               blocked="、".join(str(i + 1) for i in blocked), example=f"{(blocked or [0])[0] + 1} ≥90%")


def answer_indicators(draft: Draft, text: str, ctx: Context) -> Outcome:
    """One change per message: a value (``3 ≥90%``), a deletion (``删 3``), opening one, adding, accepting."""
    items, text = draft.filing.indicators, text.strip()
    if text in (ADD, button("button.add_indicator"), "添加", "添加指标"):
        if len(items) >= DRAFT_INDICATORS:
            return Retry(say("chat.indicator_limit", limit=DRAFT_INDICATORS))
        return Goto("add_level")
    if not items:
        return Retry(say("chat.need_indicators"))
    if text in (ACCEPT, button("button.accept_list"), "全部确认", "确认"):
        blocked = _blocked(draft)
        if blocked:
            return Retry(say("chat.values_to_fix", numbers="、".join(str(i + 1) for i in blocked),
                             example=f"{blocked[0] + 1} ≥90%"))
        for i, item in enumerate(items):  # the values as the form prints them
            items[i] = item.model_copy(update={"value": checked_value(draft, item.name, item.value or "")[0]})
        return Goto("review")
    number = _number(text, DELETE_TEXT, len(items))
    if number is not None:
        return Stay(_delete(draft, number), in_place=True)
    match = RENAME_TEXT.match(text)
    if match and 1 <= int(match[1]) <= len(items):
        done, reply = _rename(draft, int(match[1]) - 1, match[2])
        return Stay(reply) if done else Retry(reply)
    number = _number(text.removeprefix("#"), OPEN_TEXT, len(items))
    if number is not None:
        draft.cursor = number
        return Goto("indicator", in_place=True)
    match = VALUE_TEXT.match(text)
    if match and 1 <= int(match[1]) <= len(items):
        done, reply = _set_value(draft, int(match[1]) - 1, match[2].strip())
        return Stay(reply) if done else Retry(reply)
    return Retry(_list_hint(text, len(items)))


def _list_hint(text: str, count: int) -> Reply:
    """Why a line to the list was not understood: a number out of range, a rename without its
    new name, or (else) the forms the list takes."""
    for pattern in (DELETE_TEXT, RENAME_TEXT, VALUE_TEXT, OPEN_TEXT):
        match = pattern.match(text)
        if match and not 1 <= int(match[1]) <= count:
            return say("chat.list_no_such", number=match[1], count=count)
    rename = re.match(r"^(?:改名称?|重命名|rename)\s*第?\s*(\d+)\s*(?:项|个)?\s*$", text, re.IGNORECASE)
    if rename:
        return say("chat.list_rename_how", number=rename[1])
    return say("chat.list_hint", count=count)


def _number(text: str, pattern: re.Pattern, count: int) -> int | None:
    """The 0-based position ``text`` names with ``pattern``, if it is one of ``count``."""
    match = pattern.match(text)
    if match and 1 <= int(match[1]) <= count:
        return int(match[1]) - 1
    return None


# ------------------------------------------------------------------ one indicator
def ask_indicator(draft: Draft, ctx: Context) -> Reply:
    """One indicator: type its new value, or delete it, or go back to the list."""
    items = draft.filing.indicators
    if not 0 <= draft.cursor < len(items):
        return ask("chat.indicator_gone", draft, [Choice(button("button.back_to_list"), LIST)])
    item = items[draft.cursor]
    # keyed, so that a console user typing a number means a value, never "delete"
    choices = [*_value_choices(item.name, item.value), Choice(button("button.rename"), RENAME, "名"),
               Choice(button("button.drop"), DROP, "删"), Choice(button("button.back_to_list"), LIST, "返")]
    note = draft.notes.get(item.name)
    asked = ask("chat.one_indicator", draft, choices, columns=3, number=draft.cursor + 1, count=len(items),
                level=f"{item.level1} / {item.level2}", name=item.name, value=item.value or button("label.empty_value"))
    return join(say("chat.value_note", note=note), asked) if note else asked


def answer_indicator(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Stores the new value (back to the list), or deletes the indicator."""
    items, text = draft.filing.indicators, text.strip()
    if text in (LIST, button("button.back_to_list")) or not 0 <= draft.cursor < len(items):
        return Goto("indicators", in_place=True)
    if text in (DROP, button("button.drop"), "删除"):
        return Goto("indicators", _delete(draft, draft.cursor), in_place=True)
    if text in (RENAME, button("button.rename"), "改名", "改名称"):
        return Goto("rename")
    done, reply = _set_value(draft, draft.cursor, text)
    if not done:
        return Retry(reply)
    return Goto("indicators", reply)


def ask_rename(draft: Draft, ctx: Context) -> Reply:
    """Asks the new name of the indicator being edited."""
    items = draft.filing.indicators
    if not 0 <= draft.cursor < len(items):
        return ask("chat.indicator_gone", draft, [Choice(button("button.back_to_list"), LIST)])
    return ask("chat.ask_rename", draft, [Choice(button("button.back_to_list"), LIST)], number=draft.cursor + 1,
               name=items[draft.cursor].name, limit=INDICATOR_NAME_CHARS)


def answer_rename(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Renames the indicator and shows the list (its value stays)."""
    if text.strip() in (LIST, button("button.back_to_list")) or not 0 <= draft.cursor < len(draft.filing.indicators):
        return Goto("indicators", in_place=True)
    done, reply = _rename(draft, draft.cursor, text)
    return Goto("indicators", reply) if done else Retry(reply)


# ------------------------------------------------------------------ add your own
def _level_choices(draft: Draft) -> list[Choice]:
    framework = get_framework(draft.filing.format)
    return [Choice(f"{l1.name}/{l2.name}", f"{l1.name}/{l2.name}") for l1 in framework.levels for l2 in l1.children]


def ask_add_level(draft: Draft, ctx: Context) -> Reply:
    """Asks which 一级/二级 the new indicator belongs to."""
    choices = [*_level_choices(draft), Choice(button("button.done_adding"), DONE)]
    return ask("chat.add_level", draft, choices, columns=2, count=len(draft.filing.indicators))


def answer_add_level(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Keeps the level and asks the name; "不添加了" goes back to the list."""
    text = text.strip()
    if text in (DONE, "完成", button("button.done_adding")):
        if not draft.filing.indicators:
            return Retry(say("chat.need_indicators"))
        return Goto("indicators")
    if len(draft.filing.indicators) >= DRAFT_INDICATORS:
        return Goto("indicators", say("chat.indicator_limit", limit=DRAFT_INDICATORS))
    framework = get_framework(draft.filing.format)
    level1, _, level2 = text.partition("/")
    if not level2:  # a bare 二级 name typed
        found = framework.level2(level1)
        level1, level2 = (found.parent, found.name) if found else ("", "")
    if not framework.contains(level1, level2):
        return Retry(say("chat.bad_level", value=text))
    draft.pending = {"level1": level1, "level2": framework.canonical_level2(level2) or level2}
    return Goto("add_name")


def ask_add_name(draft: Draft, ctx: Context) -> Reply:
    """Asks the new indicator's name."""
    return ask("chat.add_name", draft, level=f"{draft.pending.get('level1', '')}/{draft.pending.get('level2', '')}")


def answer_add_name(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Keeps the name (a name, not taken yet) and asks the value."""
    name = clean(text)
    if not name or len(name) > INDICATOR_NAME_CHARS or letters(name) < NAME_LETTERS:
        return Retry(say("chat.bad_indicator_name", limit=INDICATOR_NAME_CHARS, least=NAME_LETTERS))
    if any(i.name == name for i in draft.filing.indicators):
        return Retry(say("chat.duplicate_name", name=name))
    if not draft.pending.get("level2"):
        return Goto("add_level")
    draft.pending["name"] = name
    return Goto("add_value")


def ask_add_value(draft: Draft, ctx: Context) -> Reply:
    """Asks the new indicator's value."""
    name = draft.pending.get("name", "")
    return ask("chat.add_value", draft, _value_choices(name, None), columns=4, name=name)


def answer_add_value(draft: Draft, text: str, ctx: Context) -> Outcome:
    """Adds the indicator with its checked value and shows the list (the value is not asked again)."""
    name = draft.pending.get("name")
    if not name or not draft.pending.get("level2"):
        return Goto("add_level")
    if len(draft.filing.indicators) >= DRAFT_INDICATORS:
        draft.pending = {}
        return Goto("indicators", say("chat.indicator_limit", limit=DRAFT_INDICATORS))
    value, note = checked_value(draft, name, text.strip())
    if value is None:
        return Retry(note)
    new = Indicator(level1=draft.pending["level1"], level2=draft.pending["level2"], name=name, value=value)
    draft.filing.indicators = in_framework_order([*draft.filing.indicators, new], draft.filing.format)
    draft.pending = {}
    added = say("chat.indicator_added", name=name, value=value)
    return Goto("indicators", join(added, note) if note else added)
