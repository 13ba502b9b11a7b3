"""The drafting conversation, declared in one place: steps, commands, menus, review stages.

Read it as PTB's ``ConversationHandler(entry_points=…, states=…, fallbacks=…)``:

* ``STEPS`` — the states of a draft, in the order a draft walks them. Each names its
  question and answer functions, the help text, where its answers may ``Goto``, whether
  ``/skip`` is allowed (its ``skip`` function), when it applies, and its ``/edit`` label.
* ``COMMANDS`` — what works at any step (the fallbacks), with the steps they lead to.
* ``MENUS`` — lists shown outside a draft (drafts, look-ups, a review in progress, the
  tables of a file just sent).
* ``REVIEW_STAGES`` — the reviewer's side: decide → pick an indicator → comment.

The module checks itself when imported: every target exists, and every ``Goto("…")``
written in the conversation's code names a step that exists — and, in a step's own
functions, one its row declares — so a misspelt target fails loudly here, not in a
user's chat. ``flow.mmd`` beside this file is the same table as a diagram
(:func:`mermaid` draws it; a test compares the two).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from jixiao.bot.conversation import commands, facts, finish, forms, indicators, review, uploads
from jixiao.bot.conversation.outcomes import Context, Outcome, Turn
from jixiao.bot.conversation.replies import Reply
from jixiao.bot.conversation.state import Draft
from jixiao.bot.texts import render_plain

RETURN, ANY, END = "return_to", "any_step", review.END  # pseudo-targets: back where a detour began, …


class FlowError(Exception):
    """The flow table is inconsistent (found at import), or a step went where it may not."""


def _always(draft: Draft) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    """One state of a draft: its question, its answer, and where the answer may lead."""

    id: str
    ask: Callable[[Draft, Context], Reply]
    answer: Callable[[Draft, str, Context], Outcome]
    help_key: str
    to: tuple[str, ...] = ()  # where its Goto outcomes may lead
    skip: Callable[[Draft, Context], Outcome] | None = None  # /skip; None: the field must be answered
    applies: Callable[[Draft], bool] = _always
    in_line: bool = True  # reached by "next"; False: only by a Goto
    returns: bool = False  # "next" goes back to where the detour to this step began
    after: str | None = None  # outside a detour, "next" goes on as from this step (remap: as from year)
    edit_label: str | None = None  # prompts key of the field's name in the /edit menu
    enter: Callable[[Draft, Context], None] | None = None  # prepares the draft on arrival

    def check(self, target: str) -> None:
        if target not in self.to:
            raise FlowError(f"step {self.id!r} went to {target!r}; its row allows {self.to}")


@dataclass(frozen=True)
class Command:
    """A command that works anywhere (``on_draft``: only with a draft open)."""

    name: str
    handler: Callable[[Turn, str, Context], Outcome | None]
    on_draft: bool = False
    to: tuple[str, ...] = ()  # steps it leads to
    menu: str | None = None  # the menu it shows


@dataclass(frozen=True)
class Menu:
    """A list outside the draft; its buttons come back to ``handler``, and typed text that ``typed`` accepts."""

    id: str
    handler: Callable[[Turn, str, Context], Outcome | None]
    typed: Callable[[str], bool] = lambda text: True
    to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    """One stage of a review, as a step of the reviewer's side."""

    id: str
    ask: Callable
    answer: Callable
    to: tuple[str, ...] = ()

    def check(self, target: str) -> None:
        if target not in self.to:
            raise FlowError(f"review stage {self.id!r} went to {target!r}; its row allows {self.to}")


def _not_2020(draft: Draft) -> bool:
    return not facts.is_2020(draft)


def _form_2026(draft: Draft) -> bool:
    return draft.filing.format == "2026"


# ------------------------------------------------------------------ the states of a draft
_STEPS = [
    Step("year", forms.ask_year, forms.answer_year, "chat.help_year", to=("remap",), skip=forms.skip_year,
         edit_label="chat.field_year"),
    Step("remap", forms.ask_remap, forms.answer_remap, "chat.help_remap", in_line=False, returns=True, after="year"),
    Step("name", facts.ask_name, facts.answer_name, "chat.help_name", edit_label="chat.field_name"),
    Step("department", facts.ask_department, forms.answer_department, "chat.help_department", to=("remap",),
         edit_label="chat.field_department"),
    Step("unit", facts.ask_unit, facts.answer_unit, "chat.help_unit", applies=_not_2020, edit_label="chat.field_unit"),
    Step("category", facts.ask_category, facts.answer_category, "chat.help_category", edit_label="chat.field_category"),
    Step("nature", facts.ask_nature, facts.answer_nature, "chat.help_nature", applies=_form_2026,
         edit_label="chat.field_nature"),
    Step("dates", facts.ask_dates, facts.answer_dates, "chat.help_dates", skip=facts.skip_dates,
         edit_label="chat.field_dates"),
    Step("money", facts.ask_money, facts.answer_money, "chat.help_money", edit_label="chat.field_money"),
    Step("money_total", facts.ask_money_total, facts.answer_money_total, "chat.help_money_total",
         applies=facts.multi_year, edit_label="chat.field_money_total"),
    Step("money_detail", facts.ask_money_detail, facts.answer_money_detail, "chat.help_money_detail",
         skip=facts.skip_money_detail, edit_label="chat.field_money_detail"),
    Step("overall_goal", facts.ask_overall_goal, facts.answer_overall_goal, "chat.help_overall_goal",
         applies=facts.multi_year, edit_label="chat.field_overall_goal"),
    Step("goal", facts.ask_goal, facts.answer_goal, "chat.help_goal", edit_label="chat.field_goal"),
    Step("proposal", indicators.ask_proposal, indicators.answer_proposal, "chat.help_proposal",
         to=("indicators", "select", "add_level", "project_type"), enter=indicators.enter_proposal,
         edit_label="chat.field_proposal"),
    Step("project_type", indicators.ask_project_type, indicators.answer_project_type, "chat.help_project_type",
         to=("proposal",), in_line=False),
    Step("select", indicators.ask_select, indicators.answer_select, "chat.help_select", to=("indicators",), in_line=False),
    Step("indicators", indicators.ask_indicators, indicators.answer_indicators, "chat.help_indicators",
         to=("indicator", "add_level", "review"), in_line=False, edit_label="chat.field_indicators"),
    Step("indicator", indicators.ask_indicator, indicators.answer_indicator, "chat.help_indicator",
         to=("indicators", "rename"), in_line=False),
    Step("rename", indicators.ask_rename, indicators.answer_rename, "chat.help_rename", to=("indicators",), in_line=False),
    Step("add_level", indicators.ask_add_level, indicators.answer_add_level, "chat.help_add",
         to=("add_name", "indicators"), in_line=False, edit_label="chat.field_add"),
    Step("add_name", indicators.ask_add_name, indicators.answer_add_name, "chat.help_add",
         to=("add_value", "add_level"), in_line=False),
    Step("add_value", indicators.ask_add_value, indicators.answer_add_value, "chat.help_add",
         to=("indicators", "add_level"), in_line=False),
    Step("review", finish.ask_review, finish.answer_review, "chat.help_review", to=("done", "edit_menu"), in_line=False),
    Step("done", finish.ask_done, finish.answer_done, "chat.help_done", in_line=False),
    Step("confirm_cancel", finish.ask_cancel, finish.answer_cancel, "chat.help_cancel", in_line=False, returns=True),
    Step("confirm_delete", finish.ask_delete, finish.answer_delete, "chat.help_delete", in_line=False, returns=True),
]
EDITABLE = tuple(step.id for step in _STEPS if step.edit_label)
_STEPS.append(Step("edit_menu", finish.ask_edit_menu, finish.answer_edit_menu, "chat.help_edit",
                   to=(*EDITABLE, "review"), in_line=False, returns=True))
STEPS: dict[str, Step] = {step.id: step for step in _STEPS}

# ------------------------------------------------------------------ anywhere
COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("/start", commands.start),
    Command("/help", commands.help_),
    Command("/new", commands.new_draft, to=("year",)),
    Command("/drafts", commands.list_drafts, menu="drafts"),
    Command("/lookup", commands.lookup, menu="lookup_query"),
    Command("/import", uploads.import_help),
    Command("/share", review.share),
    Command("/review", review.open_review, menu="review"),
    Command("/show", commands.show, on_draft=True),
    Command("/back", commands.back, on_draft=True),
    Command("/skip", commands.skip, on_draft=True),
    Command("/edit", commands.edit, on_draft=True, to=("edit_menu",)),
    Command("/cancel", commands.cancel, on_draft=True, to=("confirm_cancel",)),
    Command("/delete", commands.delete, on_draft=True, to=("confirm_delete",)),
)}

# ------------------------------------------------------------------ lists outside a draft
MENUS: dict[str, Menu] = {m.id: m for m in (
    Menu("start", commands.start_menu, typed=lambda text: False, to=(ANY,)),  # no draft open: /new or /drafts
    Menu("drafts", commands.open_draft, typed=commands.is_draft_choice, to=(ANY,)),
    Menu("lookup", commands.lookup_menu, typed=lambda text: False),  # typed text goes on to the draft
    Menu("lookup_query", commands.lookup_menu, to=("lookup",)),
    Menu("review", review.review_menu, to=("decide",)),
    Menu("upload", uploads.offer_menu, typed=uploads.is_offer_choice, to=(ANY,)),  # a table of a file sent: a new draft
)}

# ------------------------------------------------------------------ the reviewer's side
REVIEW_STAGES: dict[str, Stage] = {s.id: s for s in (
    Stage("decide", review.ask_decide, review.answer_decide, to=("pick", END)),
    Stage("pick", review.ask_pick, review.answer_pick, to=("comment",)),
    Stage("comment", review.ask_comment, review.answer_comment, to=(END,)),
)}


# ------------------------------------------------------------------ moving along
def next_step(draft: Draft, after: str) -> str:
    """The first in-line step after ``after`` that applies to this draft."""
    order = list(STEPS)
    for step_id in order[order.index(after) + 1 :]:
        step = STEPS[step_id]
        if step.in_line and step.applies(draft):
            return step_id
    raise FlowError(f"no step after {after!r} for this draft")


def editable_steps(draft: Draft) -> list[Step]:
    return [STEPS[step_id] for step_id in EDITABLE if STEPS[step_id].applies(draft)]


# ------------------------------------------------------------------ the checks, at import
def goto_targets(source: str) -> list[str]:
    """The literal targets of every ``Goto(...)`` in ``source``."""
    found = []
    for node in ast.walk(ast.parse(textwrap.dedent(source))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Goto":
            target = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "step"), None)
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                found.append(target.value)
    return found


def _own_targets(function) -> list[str]:
    return goto_targets(inspect.getsource(function)) if function is not None else []


def check_flow() -> None:
    """Raises ``FlowError`` for a target that does not exist or a row that does not declare it."""
    steps, stages = set(STEPS), set(REVIEW_STAGES)
    problems = [f"{name!r} is both a step and a review stage" for name in steps & stages]
    for step in STEPS.values():
        problems += [f"step {step.id}: unknown target {t!r}" for t in step.to if t not in steps]
        for function in (step.answer, step.skip):
            problems += [f"step {step.id}: {function.__name__} goes to {t!r}, not in its row {step.to}"
                         for t in _own_targets(function) if t not in step.to]
        if step.edit_label is not None and step.edit_label not in _known_prompts():
            problems.append(f"step {step.id}: no prompt {step.edit_label!r}")
    for command in COMMANDS.values():
        problems += [f"command {command.name}: unknown target {t!r}" for t in command.to if t not in steps]
        problems += [f"command {command.name}: goes to {t!r}, not in its row" for t in _own_targets(command.handler)
                     if t not in command.to]
        if command.menu is not None and command.menu not in MENUS:
            problems.append(f"command {command.name}: unknown menu {command.menu!r}")
    for menu in MENUS.values():
        problems += [f"menu {menu.id}: unknown target {t!r}" for t in menu.to if t not in {*MENUS, *stages, ANY}]
    for stage in REVIEW_STAGES.values():
        problems += [f"review stage {stage.id}: unknown target {t!r}" for t in stage.to if t not in {*stages, END}]
        problems += [f"review stage {stage.id}: goes to {t!r}, not in its row" for t in _own_targets(stage.answer)
                     if t not in stage.to]
    for module in (commands, facts, finish, forms, indicators, review, uploads):  # helpers' Gotos too
        problems += [f"{module.__name__}: Goto({t!r}) names no step or stage" for t in goto_targets(inspect.getsource(module))
                     if t not in {*steps, *stages, END}]
    if problems:
        raise FlowError("the flow table is inconsistent:\n" + "\n".join(problems))


def _known_prompts() -> set[str]:
    from jixiao.bot.texts import all_messages

    return set(all_messages())


# ------------------------------------------------------------------ the diagram
def edges() -> set[tuple[str, str]]:
    """Every edge of the flow as (from, to) node ids (the diagram's, see :func:`mermaid`)."""
    found: set[tuple[str, str]] = set()
    for step in STEPS.values():
        found |= {(step.id, target) for target in _nexts(step.after or step.id) if step.in_line or step.after}
        found |= {(step.id, target) for target in step.to}
        if step.returns:
            found.add((step.id, RETURN))
    for command in COMMANDS.values():
        node = command_node(command.name)
        found |= {(node, target) for target in command.to}
        if command.menu is not None:
            found.add((node, menu_node(command.menu)))
    for menu in MENUS.values():
        found |= {(menu_node(menu.id), menu_node(t) if t in MENUS else t) for t in menu.to}
    for stage in REVIEW_STAGES.values():
        found |= {(stage.id, target) for target in stage.to}
    return found


def _nexts(step_id: str) -> list[str]:
    """Where "next" may lead from an in-line step: the following one, or past those that may not apply."""
    in_line = [s for s in STEPS.values() if s.in_line]
    position = next((i for i, s in enumerate(in_line) if s.id == step_id), len(in_line))
    found = []
    for later in in_line[position + 1 :]:
        found.append(later.id)
        if later.applies is _always:
            break
    return found


def command_node(name: str) -> str:
    return "cmd_" + name.lstrip("/")


def menu_node(menu_id: str) -> str:
    return "menu_" + menu_id


def nodes() -> set[str]:
    return {node for edge in edges() for node in edge} | set(STEPS) | {command_node(c) for c in COMMANDS}


def mermaid() -> str:
    """The flow as a Mermaid flowchart (``flow.mmd`` is this, with comments)."""
    labels = {step.id: f"{step.id}: {render_plain(step.edit_label)}" if step.edit_label else step.id
              for step in STEPS.values()}
    labels.update({command_node(c): c for c in COMMANDS})
    labels.update({menu_node(m): f"menu: {m}" for m in MENUS})
    labels.update({s: f"review: {s}" for s in REVIEW_STAGES})
    labels.update({RETURN: "back where the detour began", ANY: "the draft's own step", END: "review over"})
    order = [*STEPS, *(command_node(c) for c in COMMANDS), *(menu_node(m) for m in MENUS), *REVIEW_STAGES,
             END, RETURN, ANY]
    rank = {node: i for i, node in enumerate(order)}
    lines = ["flowchart TD"]
    lines += [f"    {node}[\"{labels.get(node, node)}\"]" for node in sorted(nodes(), key=rank.get)]
    lines += [f"    {a} --> {b}" for a, b in sorted(edges(), key=lambda e: (rank[e[0]], rank[e[1]]))]
    return "\n".join(lines) + "\n"


check_flow()
