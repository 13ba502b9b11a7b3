"""A file the user sends: read it, keep its tables as their own, offer one as the start of a draft.

The adapter fetches the bytes (Telegram: the document, its size checked first; console:
``/import PATH``) and hands the engine an :class:`Upload`. :func:`receive` reads it with the
importer (``bot.corpus.importer``: PDF, .xlsx, our JSON, text — told by content), says what
was read (:func:`~bot.corpus.importer.describe`: "读到 3 张表：…") and returns an
``AddOwnFiling`` effect per table kept, its source ``upload:<user>/<file>``: the engine
stores them with the approved tables, searchable at once. Then it offers each table as the
start of a new draft for the next budget year (the ``upload`` menu, one button per table).

What is kept: a table read whole (``complete``) that the corpus does not hold already (the
same year, unit and indicators from another file: a seed, a table imported before — it is
offered, not stored twice, so one table never counts as two similar projects). A table whose
cells lost their places
(refused by the importer) or that could not be read whole (``complete = False``) is named
with the reason and not kept, so nothing half-read ever reaches a proposal; the other
tables of the same file are kept. Such a table that still has its name and indicators is
offered as the start of a draft all the same (from the session, marked 不完整, the clerk told
to check every line) — it is never stored. A file that cannot be read at all (too large, not a
PDF/Excel/text/JSON file, not a filing) is refused whole with the importer's reason.

A draft started from a table (:func:`start_from`) takes its facts (name, units, category,
nature, the goals) and its indicators placed in the new year's form
(``indicators.take_table``, the function "从去年的表开始" uses too), the amounts flagged for
update; it continues at the first question the table does not answer (the plan period,
then the money). No I/O here: the engine carries out the effects.
"""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.bot.conversation import indicators
from jixiao.bot.conversation.effects import AddOwnFiling
from jixiao.bot.conversation.facts import clean, letters
from jixiao.bot.conversation.indicators import short
from jixiao.bot.conversation.outcomes import Ask, Context, Outcome, Turn
from jixiao.bot.conversation.replies import Choice, Reply, button, join, say
from jixiao.bot.conversation.state import Draft, UploadedTable
from jixiao.bot.corpus.importer import MAX_IMPORT_BYTES, ImportReport, describe, import_bytes
from jixiao.bot.corpus.refusals import refusal
from jixiao.bot.domain.limits import (
    GOAL_CHARS,
    GOAL_MIN_CHARS,
    KIND_CHARS,
    NAME_LETTERS,
    PROJECT_NAME_CHARS,
    UNIT_CHARS,
)
from jixiao.bot.domain.models import Filing, Source

BASE = "base:"  # the value of an offer's button: base:<position in session.uploaded>
OFFERED = 30  # tables offered from one file (a 部门预算 PDF can hold dozens); all are kept
FACTS = ("name", "department", "unit", "category", "nature")  # the steps a table answers
__all__ = ["Upload", "import_help", "is_offer_choice", "offer_menu", "receive", "start_from"]


@dataclass(frozen=True)
class Upload:
    """A file the user sent: its name and bytes, or (``data`` None) only its size when the
    adapter did not fetch a file over the limit; ``report`` when it was read already (the
    console reads a path with ``import_file``)."""

    filename: str
    data: bytes | None = None
    size: int | None = None
    report: ImportReport | None = None


# ------------------------------------------------------------------ reading
def _read(upload: Upload) -> ImportReport:
    if upload.report is not None:
        return upload.report
    if upload.data is None:  # over the limit: the adapter did not download it
        size, limit = upload.size or 0, MAX_IMPORT_BYTES
        return ImportReport(upload.filename, refusal=refusal(
            "file too large", "import.too_large", size=f"{size / 2**20:.1f} MB", limit=f"{limit / 2**20:.1f} MB"))
    return import_bytes(upload.data, upload.filename)


def _own(filing: Filing, user: str, filename: str, position: int) -> Filing:
    """``filing`` as this user's own, its source naming the user and the file."""
    index = filing.source.index if filing.source is not None else position
    return filing.model_copy(update={"source": Source(file=f"upload:{user}/{filename}", index=index)}, deep=True)


def receive(turn: Turn, upload: Upload, ctx: Context) -> None:
    """Reads the file, keeps its whole tables (effects), says what was read and offers a start."""
    report = _read(upload)
    name = upload.filename.rsplit("/", 1)[-1]
    if report.refusal is not None:
        turn.say(say("upload.refused", name=name, reason=describe(report)), *_resume(turn))
        return
    kept = [_own(f, turn.user, name, i) for i, f in enumerate(report.filings) if f.complete]
    partial = [_own(f, turn.user, name, i) for i, f in enumerate(report.filings) if not f.complete and _startable(f)]
    known = {id(f): _known(f, ctx) for f in kept}  # the same table in the corpus already (a seed, an earlier file)
    turn.effects.extend(AddOwnFiling(f) for f in kept if known[id(f)] is None)
    summary = say("upload.read", name=name, summary=describe(report))
    lost = len(report.filings) + len(report.refused) - len(kept) - len(partial)
    if lost:
        key = "upload.not_kept_pdf" if report.kind == "pdf" else "upload.not_kept"
        summary = join(summary, say(key, count=lost))
    if partial:
        summary = join(summary, say("upload.partial", count=len(partial)))
    if not kept and not partial:
        turn.say(summary, *_resume(turn))
        return
    offered = [known[id(f)] or f for f in kept]
    turn.session.uploaded = ([UploadedTable(key=f.key, name=f.project_name, year=f.year) for f in offered]
                             + [UploadedTable(key=f.key, name=f.project_name, year=f.year, partial=f) for f in partial]
                             )[:OFFERED]
    stored = sum(known[id(f)] is None for f in kept)
    summary = join(summary, say("upload.kept", count=stored)) if stored else summary
    if stored < len(kept):
        summary = join(summary, say("upload.known", count=len(kept) - stored))
    turn.say(summary, _offer(turn, ctx))


def _startable(filing: Filing) -> bool:
    """A table not read whole that can still start a draft: it has its name and some indicators."""
    return letters(filing.project_name) >= NAME_LETTERS and bool(filing.indicators)


def _known(filing: Filing, ctx: Context) -> Filing | None:
    """The corpus's copy of ``filing`` from another source (the same year, unit and indicators),
    so that one table never counts as two similar projects."""
    def facts(f: Filing):
        return f.year, f.department, f.implementing_unit, [(i.level2, i.name, i.value) for i in f.indicators]

    return next((f for f in ctx.corpus.named(filing.project_name, year=filing.year)
                 if f.key != filing.key and facts(f) == facts(filing)), None)


def _resume(turn: Turn) -> tuple[Reply, ...]:
    """A hint back to the open draft, if any."""
    return (say("upload.draft_waits", name=turn.draft.label()),) if turn.draft is not None else ()


def _offer(turn: Turn, ctx: Context) -> Reply:
    session = turn.session
    year = ctx.today.year + 1
    session.turn += 1
    session.menu = "upload"
    choices = [Choice(short(button("button.start_from_partial" if t.partial else "button.start_from_upload",
                                   year=year, old=t.year, name=t.name)), f"{BASE}{i}")
               for i, t in enumerate(session.uploaded)]
    key = "upload.offer_one" if len(choices) == 1 else "upload.offer"
    waiting = button("upload.draft_waits", name=turn.draft.label()) if turn.draft is not None else ""
    return say(key, choices=choices, token=session.token, year=year, count=len(choices), waiting=waiting)


def import_help(turn: Turn, argument: str, ctx: Context) -> Outcome | None:
    """/import: how to send a file (the console reads ``/import PATH`` itself)."""
    if turn.draft is None:
        turn.say(say("upload.how"))
        return None
    return Ask((say("upload.how"),))


def is_offer_choice(text: str) -> bool:
    """Typed text that answers the offer (its button's value); anything else goes on to the draft."""
    return text.startswith(BASE)


# ------------------------------------------------------------------ starting a draft
def offer_menu(turn: Turn, text: str, ctx: Context) -> Outcome | None:
    """The ``upload`` menu: the table chosen becomes a new draft for the next budget year."""
    wanted = text.strip().removeprefix(BASE)
    tables = turn.session.uploaded
    if not wanted.isdigit() or not 0 <= int(wanted) < len(tables):
        turn.session.menu = "upload"  # still offered
        turn.say(say("chat.pick_a_choice"))
        return None
    chosen = tables[int(wanted)]
    table = chosen.partial or ctx.corpus.get(chosen.key)
    if table is None:  # not in the corpus (it could not be stored): nothing to start from
        turn.say(say("upload.gone", name=chosen.name))
        return None
    draft, taken = start_from(turn.user, table, ctx)
    turn.drafts.append(draft)
    turn.open(draft)
    turn.session.uploaded = []
    started = say("upload.started_partial" if chosen.partial else "upload.started", year=draft.filing.year,
                  form=draft.filing.format, old=table.year, name=table.project_name)
    return Ask((join(started, taken),), whole=True)


def _kept(value: str | None, limit: int, least: int = 1) -> str | None:
    """``value`` when the chat itself would accept it (some letters, not too long), else None: asked."""
    value = clean(value or "")
    return value if least <= len(value) <= limit and letters(value) >= NAME_LETTERS else None


def start_from(user: str, table: Filing, ctx: Context) -> tuple[Draft, Reply]:
    """A new draft for the next budget year with ``table``'s facts and indicators, in the form
    of that year for the table's unit, at the first question the table does not answer; and
    what was taken."""
    from jixiao.bot.conversation.flow import next_step
    from jixiao.bot.conversation.forms import form_for

    year = ctx.today.year + 1
    form = form_for(year, table.department)
    filing = Filing(
        year=year, format=form, project_name=_kept(table.project_name, PROJECT_NAME_CHARS) or "",
        department=_kept(table.department, UNIT_CHARS), implementing_unit=_kept(table.implementing_unit, UNIT_CHARS),
        category=_kept(table.category, KIND_CHARS), nature=_kept(table.nature, KIND_CHARS) if form == "2026" else None,
        goal=_kept(table.goal, GOAL_CHARS, GOAL_MIN_CHARS), overall_goal=_kept(table.overall_goal, GOAL_CHARS, GOAL_MIN_CHARS),
    )
    draft = Draft(user=user, filing=filing, base=table, base_same_name=True)
    taken = indicators.take_table(draft, table)
    step = "year"
    while (following := next_step(draft, step)) in FACTS and _answered(draft, following):
        draft.history.append(step)  # /back walks the facts the table gave
        step = following
    draft.history.append(step)
    draft.step = following
    return draft, taken


def _answered(draft: Draft, step: str) -> bool:
    f = draft.filing
    return bool({"name": f.project_name, "department": f.department, "unit": f.implementing_unit,
                 "category": f.category, "nature": f.nature}[step])

