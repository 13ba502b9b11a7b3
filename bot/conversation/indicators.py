"""Steps that build the indicator tree: the proposal, choosing, adding, confirming values."""

from __future__ import annotations

from jixiao.bot.conversation.facts import ask, clean
from jixiao.bot.conversation.flow import Context, Goto, Outcome, Retry, Stay, Step
from jixiao.bot.conversation.replies import Choice, Reply, button, join, say
from jixiao.bot.conversation.state import Draft, ProposedItem
from jixiao.bot.domain.frameworks import get_framework
from jixiao.bot.domain.models import Indicator
from jixiao.bot.domain.validation import check_indicator
from jixiao.bot.domain.validation.names import name_kind
from jixiao.bot.domain.values import Qualitative, ValueParseError, canonical, parse_value

NAME_LIMIT = 60
QUALITY_WORDS = ("及时", "合规", "有效", "规范", "健全", "完善")
ALL, PICK, OWN, DONE, KEEP, KEEP_ALL, DROP = "all", "pick", "own", "done", "keep", "keep_all", "drop"


def style(draft: Draft) -> str:
    return get_framework(draft.filing.format).value_style


# ------------------------------------------------------------------ proposal
def enter_proposal(draft: Draft, ctx: Context) -> None:
    """Find similar past projects and keep their merged indicator set on the draft."""
    if ctx.index is None:
        draft.proposal, draft.similar = [], []
        return
    from jixiao.bot.retrieval.index import Query
    from jixiao.bot.retrieval.proposals import propose

    f = draft.filing
    query = Query(name=f.project_name, category=f.category, department=f.department, goal=f.goal, year=f.year)
    proposal = propose(ctx.index, query, target_format=f.format)
    draft.similar = [
        f"{hit.filing.year} {hit.filing.department or ''} {hit.filing.project_name}（{'，'.join(hit.reasons)}）"
        for hit in proposal.similar
    ]
    draft.proposal = [
        ProposedItem(level1=p.level1, level2=p.level2, name=p.name, value=p.value, sources=list(p.sources),
                     generic=p.generic, note=p.note)
        for p in proposal.indicators
    ]


def _proposal_lines(draft: Draft, *, numbered: bool = False, marks: bool = False) -> str:
    lines, group = [], None
    for i, item in enumerate(draft.proposal, 1):
        if (item.level1, item.level2) != group:
            group = (item.level1, item.level2)
            lines.append(f"【{item.level1} / {item.level2}】")
        mark = ("✅ " if item.selected else "⬜ ") if marks else ""
        number = f"{i}. " if numbered else ""
        extra = button("label.generic") if item.generic else ""
        lines.append(f"{mark}{number}{item.name}：{item.value or button('label.empty_value')}{extra}")
    return "\n".join(lines)


def ask_proposal(draft: Draft, ctx: Context) -> Reply:
    if not draft.proposal:
        return ask("chat.no_proposal", draft, [Choice(button("button.add_own_indicators"), OWN)])
    similar = "\n".join(f"• {line}" for line in draft.similar) or "—"
    choices = [Choice(button("button.accept_all"), ALL), Choice(button("button.pick"), PICK),
               Choice(button("button.add_own"), OWN)]
    return ask("chat.proposal", draft, choices, columns=3, similar=similar, count=len(draft.proposal),
               indicators=_proposal_lines(draft))


def _take_selected(draft: Draft) -> None:
    draft.filing.indicators = [
        Indicator(level1=p.level1, level2=p.level2, name=p.name, value=p.value) for p in draft.proposal if p.selected
    ]
    draft.notes = {p.name: p.note for p in draft.proposal if p.selected and p.note}


def answer_proposal(draft: Draft, text: str, ctx: Context) -> Outcome:
    labels = {button("button.accept_all"): ALL, button("button.pick"): PICK, button("button.add_own"): OWN}
    choice = labels.get(text.strip(), text.strip())
    if choice == ALL and draft.proposal:
        for item in draft.proposal:
            item.selected = True
        _take_selected(draft)
        return Goto("values")
    if choice == PICK and draft.proposal:
        return Goto("select")
    if choice == OWN:
        draft.filing.indicators, draft.notes = [], {}
        return Goto("add_level")
    return Retry(say("chat.pick_a_choice"))


# ------------------------------------------------------------------ select (a toggle list)
def ask_select(draft: Draft, ctx: Context) -> Reply:
    choices = [
        Choice(button("button.toggle_on" if p.selected else "button.toggle_off", number=i, name=p.name), f"t{i}")
        for i, p in enumerate(draft.proposal, 1)
    ] + [Choice(button("button.done_selecting"), DONE)]
    chosen = sum(p.selected for p in draft.proposal)
    return ask("chat.select", draft, choices, chosen=chosen, count=len(draft.proposal),
               indicators=_proposal_lines(draft, numbered=True, marks=True))


def answer_select(draft: Draft, text: str, ctx: Context) -> Outcome:
    text = text.strip()
    if text in (DONE, "完成", button("button.done_selecting")):
        if not any(p.selected for p in draft.proposal):
            return Retry(say("chat.select_none"))
        _take_selected(draft)
        return Goto("add_level")
    numbers = [t for t in text.removeprefix("t").replace("，", " ").replace(",", " ").split() if t]
    if not numbers or not all(n.isdigit() and 1 <= int(n) <= len(draft.proposal) for n in numbers):
        return Retry(say("chat.bad_toggle", count=len(draft.proposal)))
    for n in numbers:
        item = draft.proposal[int(n) - 1]
        item.selected = not item.selected
    return Stay(edit_in_place=True)


# ------------------------------------------------------------------ add your own
def _level_choices(draft: Draft) -> list[Choice]:
    framework = get_framework(draft.filing.format)
    return [Choice(f"{l1.name}/{l2.name}", f"{l1.name}/{l2.name}") for l1 in framework.levels for l2 in l1.children]


def ask_add_level(draft: Draft, ctx: Context) -> Reply:
    choices = [*_level_choices(draft), Choice(button("button.done_adding"), DONE)]
    return ask("chat.add_level", draft, choices, columns=2, count=len(draft.filing.indicators))


def answer_add_level(draft: Draft, text: str, ctx: Context) -> Outcome:
    text = text.strip()
    if text in (DONE, "完成", button("button.done_adding")):
        if not draft.filing.indicators:
            return Retry(say("chat.need_indicators"))
        return Goto("values")
    framework = get_framework(draft.filing.format)
    level1, _, level2 = text.partition("/")
    if not level2:  # a bare 二级 name typed
        found = framework.level2(level1)
        level1, level2 = (found.parent, found.name) if found else ("", "")
    if not framework.contains(level1, level2):
        return Retry(say("chat.bad_level", value=text))
    draft.pending = {"level1": level1, "level2": level2}
    return Goto("add_name")


def ask_add_name(draft: Draft, ctx: Context) -> Reply:
    return ask("chat.add_name", draft, level=f"{draft.pending.get('level1', '')}/{draft.pending.get('level2', '')}")


def answer_add_name(draft: Draft, text: str, ctx: Context) -> Outcome:
    name = clean(text)
    if not name or len(name) > NAME_LIMIT:
        return Retry(say("chat.bad_indicator_name", limit=NAME_LIMIT))
    if any(i.name == name for i in draft.filing.indicators):
        return Retry(say("chat.duplicate_name", name=name))
    if not draft.pending.get("level2"):
        return Goto("add_level")
    draft.pending["name"] = name
    return Goto("add_value")


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


def ask_add_value(draft: Draft, ctx: Context) -> Reply:
    name = draft.pending.get("name", "")
    return ask("chat.add_value", draft, _value_choices(name, None), columns=4, name=name)


def checked_value(draft: Draft, name: str, text: str) -> tuple[str | None, Reply | None]:
    """The canonical value, or None and why it is refused; warnings come back as a note."""
    findings = check_indicator(name, text)
    errors = [f for f in findings if f.blocking]
    if errors:
        return None, say("chat.value_refused", reasons="\n".join(f"• {f.message}" for f in errors))
    try:
        printed = canonical(text, style(draft))
    except ValueParseError as exc:  # check_indicator caught it already; kept for safety
        return None, say("chat.value_refused", reasons=f"• {exc}")
    warnings = [f for f in check_indicator(name, printed) if not f.blocking]
    note = say("chat.value_warnings", reasons="\n".join(f"• {f.message}" for f in warnings)) if warnings else None
    return printed, note


def answer_add_value(draft: Draft, text: str, ctx: Context) -> Outcome:
    name = draft.pending.get("name")
    if not name or not draft.pending.get("level2"):
        return Goto("add_level")
    value, note = checked_value(draft, name, text.strip())
    if value is None:
        return Retry(note)
    draft.filing.indicators.append(
        Indicator(level1=draft.pending["level1"], level2=draft.pending["level2"], name=name, value=value)
    )
    draft.pending = {}
    added = say("chat.indicator_added", name=name, value=value)
    return Goto("add_level", join(added, note) if note else added)


# ------------------------------------------------------------------ confirm each value
def enter_values(draft: Draft, ctx: Context) -> None:
    draft.cursor = 0


def ask_values(draft: Draft, ctx: Context) -> Reply:
    items = draft.filing.indicators
    if not items:
        return ask("chat.need_indicators", draft, [Choice(button("button.add_indicator"), "add")])
    i = min(draft.cursor, len(items) - 1)
    item = items[i]
    note = draft.notes.get(item.name)
    choices = [Choice(button("button.keep"), KEEP), *_value_choices(item.name, item.value),
               Choice(button("button.keep_all"), KEEP_ALL), Choice(button("button.drop"), DROP)]
    asked = ask("chat.confirm_value", draft, choices, columns=3, index=i + 1, count=len(items),
                level=f"{item.level1} / {item.level2}", name=item.name, value=item.value or button("label.empty_value"))
    return join(say("chat.value_note", note=note), asked) if note else asked


def _advance(draft: Draft, note: Reply | None = None) -> Outcome:
    draft.cursor += 1
    if draft.cursor >= len(draft.filing.indicators):
        return Goto("review", note)
    return Stay(note)


def answer_values(draft: Draft, text: str, ctx: Context) -> Outcome:
    items = draft.filing.indicators
    text = text.strip()
    if not items:
        return Goto("add_level")
    draft.cursor = min(draft.cursor, len(items) - 1)
    item = items[draft.cursor]
    if text in (DROP, button("button.drop"), "删除"):
        del items[draft.cursor]
        draft.cursor -= 1
        return _advance(draft, say("chat.indicator_dropped", name=item.name))
    if text in (KEEP_ALL, button("button.keep_all")):
        while draft.cursor < len(items):
            current = items[draft.cursor]
            value, why = checked_value(draft, current.name, current.value or "")
            if value is None:
                return Retry(join(say("chat.keep_all_stopped", name=current.name), why))
            items[draft.cursor] = current.model_copy(update={"value": value})
            draft.cursor += 1
        return Goto("review")
    wanted = (item.value or "") if text in (KEEP, button("button.keep"), "保留", "好", "确认") else text
    value, note = checked_value(draft, item.name, wanted)
    if value is None:
        return Retry(note)
    items[draft.cursor] = item.model_copy(update={"value": value})
    return _advance(draft, note)


def back_in_values(draft: Draft) -> bool:
    """/back inside the value list steps one indicator back; False at the first one."""
    if draft.step == "values" and draft.cursor > 0:
        draft.cursor -= 1
        return True
    return False


STEPS = [
    Step("proposal", ask_proposal, answer_proposal, "chat.help_proposal", enter=enter_proposal,
         edit_label="chat.field_indicators"),
    Step("select", ask_select, answer_select, "chat.help_select", in_line=False),
    Step("add_level", ask_add_level, answer_add_level, "chat.help_add", in_line=False, edit_label="chat.field_add"),
    Step("add_name", ask_add_name, answer_add_name, "chat.help_add", in_line=False),
    Step("add_value", ask_add_value, answer_add_value, "chat.help_add", in_line=False),
    Step("values", ask_values, answer_values, "chat.help_values", enter=enter_values, edit_label="chat.field_values"),
]
