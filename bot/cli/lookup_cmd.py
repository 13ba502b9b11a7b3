"""``jixiao lookup NAME [--corpus FILE.json] [--json]``: last years' figures for a project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from jixiao.bot.cli import app
from jixiao.bot.lookup import lookup, money_of, render_lookup
from jixiao.bot.paths import data_dir
from jixiao.bot.wiring import load_corpus
from jixiao.store.corpus import load_filings_json


@app.command("lookup")
def lookup_command(
    name: Annotated[str, typer.Argument(help="Project name, e.g. 残疾人就业保障金.")],
    corpus_file: Annotated[Optional[Path], typer.Option("--corpus", help="A JSON array of filings (default: bundled + imported).")] = None,
    data: Annotated[Optional[Path], typer.Option("--data-dir", help="Store location for imported filings.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show the matching projects across years and units, exact name first, then fuzzy."""
    corpus = load_filings_json(corpus_file) if corpus_file else load_corpus(data_dir(data))
    result = lookup(corpus, name)
    if as_json:
        typer.echo(json.dumps({
            "exact": [f.to_json_dict() for f in result.exact],
            "fuzzy": [{"score": round(score, 1), "filing": f.to_json_dict()} for f, score in result.fuzzy],
            "suggestions": result.suggestions,
            "history": [
                {"from": s.before.year, "to": s.after.year, "money_from": money_of(s.before), "money_to": money_of(s.after),
                 "changes": [{"name": c.name, "before": c.before, "after": c.after} for c in s.changes]}
                for s in result.history
            ],
        }, ensure_ascii=False, indent=1))
    else:
        typer.echo("\n\n".join(render_lookup(result, html=False)))
    raise typer.Exit(code=0 if result.found else 1)
