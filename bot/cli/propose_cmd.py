"""``jixiao propose --name NAME [--category C] [--department D] [--goal TEXT] --year Y [--corpus F] [--top K]
[--budget AMOUNT] [--type TYPE] [--region R] [--format F] [--no-corpus] [--json]``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from jixiao.bot.cli import app
from jixiao.bot.domain.amounts import parse_yuan
from jixiao.bot.domain.frameworks import choose_framework
from jixiao.bot.retrieval.index import Query, SearchIndex
from jixiao.bot.retrieval.library import library
from jixiao.bot.retrieval.proposals import Proposal, framework_reason, propose
from jixiao.store.corpus import bundled_corpus, load_filings_json
from pydantic import ValidationError


@app.command("propose")
def propose_command(
    name: Annotated[str, typer.Option("--name", help="The new project's name (项目名称).")],
    year: Annotated[int | None, typer.Option("--year", help="The year being filed; with the region it picks the framework. Default: the next budget year (today's year + 1), as the chat.")] = None,
    category: Annotated[str | None, typer.Option("--category", help="项目类别, e.g. 其他运转类.")] = None,
    department: Annotated[str | None, typer.Option("--department", help="The filing unit (申报单位); its name tells the region.")] = None,
    goal: Annotated[str | None, typer.Option("--goal", help="The project's goal (年度总目标), free text.")] = None,
    overall_goal: Annotated[str | None, typer.Option("--overall-goal", help="A multi-year project's 项目总目标: checks the annual values (never proposed as this year's).")] = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="A JSON array of filings to search (default: the bundled corpus).")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many similar projects to merge.")] = 5,
    budget: Annotated[str | None, typer.Option("--budget", help="The annual amount in 元 (800000, 800,000 or 80万).")] = None,
    project_type: Annotated[str | None, typer.Option("--type", help="The project type of the indicator library (id or label, e.g. training, 培训, 补贴+人民调解); default: chosen from the name and goal.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="The region (e.g. 上海, 浙江) when the unit's name does not say it.")] = None,
    form: Annotated[str | None, typer.Option("--format", help="The framework to use (2020, 2024, 2026), overriding year and region.")] = None,
    no_corpus: Annotated[bool, typer.Option("--no-corpus", help="Propose from the library, the goal and the budget alone.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: similar projects, indicators, type and format.")] = False,
) -> None:
    """Propose indicators for a new project: library, the goal's numbers, costs from the budget, history."""
    year = year if year is not None else date.today().year + 1
    amount = None
    if budget is not None:
        amount = parse_yuan(budget)
        if amount is None or amount <= 0:
            typer.echo(f"--budget {budget!r}: not an amount of money in 元 (e.g. 800000 or 80万)", err=True)
            raise typer.Exit(code=2)
    try:
        filings = [] if no_corpus else load_filings_json(corpus) if corpus else bundled_corpus()
    except (OSError, ValueError, ValidationError) as exc:
        typer.echo(f"{corpus}: cannot read filings: {str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(code=2) from None
    try:
        chosen = choose_framework(year, region=region, department=department, override=form)
        query = Query(name=name, category=category, department=department, goal=goal, year=year,
                      overall_goal=overall_goal)
        proposal = propose(SearchIndex(filings) if filings else None, query, chosen.framework.id, top=top,
                           budget=amount, project_type=project_type)
    except KeyError as exc:  # an unknown --format or --type
        typer.echo(str(exc.args[0]), err=True)
        raise typer.Exit(code=2) from None
    reason = framework_reason(chosen, year)
    if as_json:
        typer.echo(json.dumps(to_json(proposal, reason), ensure_ascii=False, indent=1))
    else:
        typer.echo(render(proposal, chosen.framework.title, reason))


def _indicator_json(item) -> dict:
    return {
        "level1": item.level1,
        "level2": item.level2,
        "name": item.name,
        "value": item.value,
        "sources": list(item.sources),
        "generic": item.generic,
        "reason": item.reason,
        "origin": item.origin,
        "note": item.note,
    }


def to_json(proposal: Proposal, format_reason: str = "") -> dict:
    """The ``--json`` form: ``{"similar", "indicators", "project_type", "format", "budget", "last_year"}``.

    ``similar`` and the first six keys of each indicator are the original contract; the rest
    were added (issue 11): per indicator ``reason``, ``origin`` and ``note``.
    """
    choice = proposal.project_type
    last = proposal.last_year
    return {
        "similar": [
            {
                "project_name": hit.filing.project_name,
                "department": hit.filing.department,
                "year": hit.filing.year,
                "score": hit.score,
                "source": hit.filing.source.model_dump() if hit.filing.source else None,
            }
            for hit in proposal.similar
        ],
        "indicators": [_indicator_json(item) for item in proposal.indicators],
        "project_type": {
            "ids": list(choice.ids) if choice else [],
            "label": choice.label if choice else None,
            "explanation": choice.explanation if choice else None,
            "known": {t.id: t.label for t in library().types.values()},
        },
        "format": {"id": proposal.framework, "reason": format_reason},
        "budget": proposal.budget,
        "last_year": None if last is None else {
            "project_name": last.filing.project_name,
            "year": last.filing.year,
            "same_name": last.same_name,
            "reason": last.reason,
            "indicators": [_indicator_json(item) for item in last.indicators],
        },
    }


def render(proposal: Proposal, title: str, format_reason: str = "") -> str:
    """A readable listing: format and type, the similar projects with their reasons, then the indicators."""
    lines = [f"表格：{format_reason or title}"]
    if proposal.project_type is not None:
        lines.append(f"项目类型：{proposal.project_type.explanation}（可用 --type 改）")
    lines += ["", "相似项目："]
    if not proposal.similar:
        lines.append("  （语料中没有相似项目）")
    for rank, hit in enumerate(proposal.similar, 1):
        unit = hit.filing.implementing_unit or hit.filing.department or "未知单位"
        lines.append(f"  {rank}. {hit.filing.year} {unit} {hit.filing.project_name}")
        lines.append(f"     {'；'.join(hit.reasons)}")
    lines.append("")
    lines.append(f"建议指标（{title}）：")
    lines += _listing(proposal.indicators)
    if proposal.last_year is not None:
        lines += ["", f"或从去年的表开始（{proposal.last_year.reason}）："]
        lines += _listing(proposal.last_year.indicators)
    return "\n".join(lines)


def _listing(indicators) -> list[str]:
    lines: list[str] = []
    shown: tuple[str, str] | None = None
    for item in indicators:
        if (item.level1, item.level2) != shown:
            shown = (item.level1, item.level2)
            lines.append(f"  {item.level1} / {item.level2}")
        where = "通用指标：" + item.reason if item.generic else item.reason
        lines.append(f"    - {item.name}  {item.value or '（无指标值）'}  [{where}]")
        if item.note:
            lines.append(f"      注：{item.note}")
    return lines
