"""``jixiao export FILE.json --xlsx OUT.xlsx [--png OUT.png] [--text]``: the table for people."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from jixiao.bot.cli import app
from jixiao.bot.domain.models import Filing
from jixiao.bot.domain.validation import validate
from jixiao.bot.render.chat_table import render_chat
from jixiao.bot.render.png import render_png
from jixiao.bot.render.xlsx import write_xlsx
from jixiao.store.corpus import FilingsFileError, filing_from_json, read_json


def load_filing(path: Path, index: int = 0) -> Filing:
    """One filing from a JSON file: a filing, an array of filings, or a draft with a "filing" key.

    Anything else is a ``FilingsFileError`` with a one-line reason."""
    data = read_json(path)
    where = ""
    if isinstance(data, list):
        if not -len(data) <= index < len(data):
            raise FilingsFileError(f"no filing at index {index} (the file holds {len(data)})", path)
        data, where = data[index], f"filing {index}"
    if isinstance(data, dict) and isinstance(data.get("filing"), dict):
        data = data["filing"]
    return filing_from_json(data, path, where)


@app.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help="A filing, an array of filings, or a draft ({\"filing\": {...}}) as JSON.", readable=False)],
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write the official form as an .xlsx here.")] = None,
    png: Annotated[Path | None, typer.Option("--png", help="Write a picture of the form (PNG) here.")] = None,
    text: Annotated[bool, typer.Option("--text", help="Print the table as the chat shows it.")] = False,
    index: Annotated[int, typer.Option("--index", help="Which filing of an array (0-based).")] = 0,
    findings: Annotated[bool, typer.Option("--findings/--no-findings", help="Mark the validator's findings.")] = True,
) -> None:
    """Export one filing as an .xlsx in the official layout, a PNG, and/or chat text."""
    if not (xlsx or png or text):
        typer.echo("nothing to do: give --xlsx OUT.xlsx, --png OUT.png and/or --text", err=True)
        raise typer.Exit(code=2)
    try:
        filing = load_filing(file, index)
    except FilingsFileError as exc:
        typer.echo(f"{file}: cannot read a filing: {exc}", err=True)
        raise typer.Exit(code=2) from None
    found = validate(filing) if findings else []
    if xlsx:
        write_xlsx(filing, xlsx, found)
        typer.echo(f"wrote {xlsx}")
    if png:
        render_png(filing, png, found)
        typer.echo(f"wrote {png}")
    if text:
        typer.echo("\n\n".join(render_chat(filing, found, html=False)))
