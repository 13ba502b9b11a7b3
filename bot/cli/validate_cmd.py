"""``jixiao validate FILE.json [--json]`` and ``jixiao value TEXT [--name N] [--year Y]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from jixiao.bot.cli import app
from jixiao.bot.cli.errors import CliError
from jixiao.bot.domain.frameworks import framework_for_year
from jixiao.bot.domain.validation import check_indicator, has_errors, validate
from jixiao.bot.domain.values import ValueParseError, canonical
from jixiao.store.corpus import FilingsFileError, load_filings_json, lone_surrogate


@app.command("validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="A filing, or an array of filings, in the JSON form of `jixiao import --json`.", readable=False)],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per finding per line.")] = False,
) -> None:
    """Check filings; exit status 1 when any finding is an error."""
    try:
        filings = load_filings_json(file)
    except FilingsFileError as exc:
        typer.echo(f"{file}: cannot read filings: {exc}", err=True)
        raise typer.Exit(code=2) from None
    any_error = False
    for position, filing in enumerate(filings):
        try:
            findings = validate(filing)
        except (ArithmeticError, ValueError) as exc:  # a number no rule expected (±inf, NaN): name the filing
            raise CliError(f"{file}: filing {position} ({filing.year} {filing.project_name}): cannot check it: {exc}") from None
        any_error = any_error or has_errors(findings)
        if as_json:
            for item in findings:
                typer.echo(json.dumps(item.to_json(), ensure_ascii=False))
            continue
        typer.echo(flat(f"{filing.year} {filing.project_name}: {len(findings)} findings"))
        for item in findings:
            where = f"[{item.indicator}] " if item.indicator else ""
            typer.echo(flat(f"  {item.severity}: {where}{item.message}"))
    raise typer.Exit(code=1 if any_error else 0)


@app.command("value")
def value_command(
    text: Annotated[str, typer.Argument(help="A target value, e.g. \"不低于 85%\".")],
    name: Annotated[Optional[str], typer.Option("--name", help="The indicator's name, to check the value against it.")] = None,
    year: Annotated[int, typer.Option("--year", help="The form's year; picks the canonical print style.")] = 2026,
) -> None:
    """Print the canonical value (first line), or the error and exit 1."""
    if lone_surrogate([text, name]) is not None:  # bytes of the command line that are not UTF-8
        raise CliError("the text is not valid UTF-8")
    style = framework_for_year(year).value_style
    try:
        printed = canonical(text, style)
    except ValueParseError as exc:
        typer.echo(str(exc))
        raise typer.Exit(code=1) from None
    typer.echo(printed)
    findings = check_indicator(name, text) if name else []
    for item in findings:
        typer.echo(f"{item.severity}: {item.message}")
    raise typer.Exit(code=1 if has_errors(findings) else 0)


def flat(line: str) -> str:
    """One output line per finding even when a name or message holds line breaks."""
    return " ".join(line.splitlines())
