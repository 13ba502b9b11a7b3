"""``jixiao propose --name NAME [--category C] [--department D] [--goal TEXT] --year Y [--corpus F] [--top K] [--json]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from jixiao.bot.cli import app
from jixiao.bot.domain.frameworks import framework_for_year
from jixiao.bot.retrieval.index import Query, SearchIndex
from jixiao.bot.retrieval.proposals import Proposal, propose
from jixiao.store.corpus import bundled_corpus, load_filings_json
from pydantic import ValidationError


@app.command("propose")
def propose_command(
    name: Annotated[str, typer.Option("--name", help="The new project's name (项目名称).")],
    year: Annotated[int, typer.Option("--year", help="The year being filed; picks the target framework.")] = 2026,
    category: Annotated[str | None, typer.Option("--category", help="项目类别, e.g. 其他运转类.")] = None,
    department: Annotated[str | None, typer.Option("--department", help="The filing unit (申报单位).")] = None,
    goal: Annotated[str | None, typer.Option("--goal", help="The project's goal (年度总目标), free text.")] = None,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="A JSON array of filings to search (default: the bundled corpus).")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many similar projects to merge.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: similar projects and indicators.")] = False,
) -> None:
    """Propose indicators for a new project from the most similar past filings."""
    try:
        filings = load_filings_json(corpus) if corpus else bundled_corpus()
    except (OSError, ValueError, ValidationError) as exc:
        typer.echo(f"{corpus}: cannot read filings: {str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(code=2) from None
    framework = framework_for_year(year)
    query = Query(name=name, category=category, department=department, goal=goal, year=year)
    proposal = propose(SearchIndex(filings), query, framework.id, top=top)
    if as_json:
        typer.echo(json.dumps(to_json(proposal), ensure_ascii=False, indent=1))
    else:
        typer.echo(render(proposal, framework.title))


def to_json(proposal: Proposal) -> dict:
    """The ``--json`` form: ``{"similar": [...], "indicators": [...]}``."""
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
        "indicators": [
            {
                "level1": item.level1,
                "level2": item.level2,
                "name": item.name,
                "value": item.value,
                "sources": list(item.sources),
                "generic": item.generic,
            }
            for item in proposal.indicators
        ],
    }


def render(proposal: Proposal, title: str) -> str:
    """A readable listing: the similar projects with their reasons, then the indicators by level."""
    lines = ["相似项目："]
    if not proposal.similar:
        lines.append("  （语料中没有相似项目）")
    for rank, hit in enumerate(proposal.similar, 1):
        unit = hit.filing.implementing_unit or hit.filing.department or "未知单位"
        lines.append(f"  {rank}. {hit.filing.year} {unit} {hit.filing.project_name}  得分 {hit.score:.3f}")
        lines.append(f"     {'；'.join(hit.reasons)}")
    lines.append("")
    lines.append(f"建议指标（{title}）：")
    shown: tuple[str, str] | None = None
    for item in proposal.indicators:
        if (item.level1, item.level2) != shown:
            shown = (item.level1, item.level2)
            lines.append(f"  {item.level1} / {item.level2}")
        where = "通用指标" if item.generic else f"{len(item.sources)}个相似项目使用：{'；'.join(item.sources)}"
        lines.append(f"    - {item.name}  {item.value or '（无指标值）'}  [{where}]")
        if item.note:
            lines.append(f"      注：{item.note}")
    return "\n".join(lines)
