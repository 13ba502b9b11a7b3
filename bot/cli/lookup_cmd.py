"""``jixiao lookup NAME [--unit UNIT] [--detail] [--corpus FILE.json] [--json]``: last years' figures for a project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from jixiao.bot.cli import app
from jixiao.bot.lookup import LookupResult, YearStep, lookup, money_of, render_lookup
from jixiao.bot.paths import data_dir
from jixiao.bot.texts import render_plain
from jixiao.bot.wiring import load_corpus
from jixiao.store.corpus import load_filings_json


@app.command("lookup")
def lookup_command(
    name: Annotated[str, typer.Argument(help="Project name, e.g. 残疾人就业保障金.")],
    corpus_file: Annotated[Optional[Path], typer.Option("--corpus", help="A JSON array of filings (default: bundled + imported).")] = None,
    data: Annotated[Optional[Path], typer.Option("--data-dir", help="Store location for imported filings.")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Your 主管部门 or 申报单位: its filings come first and are compared year over year.")] = None,
    detail: Annotated[bool, typer.Option("--detail", help="Every filing's indicators and every change, not the short answer.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show the matching projects by unit (year over year only within one unit), exact name first, then fuzzy."""
    corpus = load_filings_json(corpus_file) if corpus_file else load_corpus(data_dir(data))
    result = lookup(corpus, name, unit=unit)
    if as_json:
        typer.echo(json.dumps(_as_json(result), ensure_ascii=False, indent=1))
    else:
        how = render_plain("lookup.more_cli", query=name)
        typer.echo("\n\n".join(render_lookup(result, html=False, detail=detail, ask_detail=how)))
    raise typer.Exit(code=0 if result.found else 1)


def _steps(history: list[YearStep]) -> list[dict]:
    return [
        {"from": s.before.year, "to": s.after.year, "money_from": money_of(s.before), "money_to": money_of(s.after),
         "changes": [{"name": c.name, "before": c.before, "after": c.after} for c in s.changes]}
        for s in history
    ]


def _as_json(result: LookupResult) -> dict:
    """The public JSON shape: ``exact``, ``fuzzy``, ``suggestions``, ``history`` (the first
    unit's year over year) as before, plus ``unit`` and ``units`` (every unit's years and steps)."""
    return {
        "exact": [f.to_json_dict() for f in result.exact],
        "fuzzy": [{"score": round(score, 1), "filing": f.to_json_dict()} for f, score in result.fuzzy],
        "suggestions": result.suggestions,
        "history": _steps(result.history),
        "unit": result.unit,
        "units": [{"unit": u.unit, "own": u.own, "years": u.years, "history": _steps(u.history)} for u in result.units],
    }
