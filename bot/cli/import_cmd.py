"""``jixiao import FILE... [--json OUT.json]``: read filings (PDF, .xlsx, text, JSON) into the corpus.

The kind of each file is told by its content, not its extension. One report line per
file says what was read and what was refused and why; a named pipe, a directory or a
device is refused at once, unread. Exit status 1 when any file or table was refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from jixiao.bot.cli import app
from jixiao.bot.corpus.importer import import_file
from jixiao.bot.paths import data_dir
from jixiao.store.corpus import CorpusStore, dump_filings_json
from tqdm import tqdm


@app.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help="Filings: PDF, .xlsx (the budget system's or our export), text, or the JSON of --json.")],
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the parsed filings as a JSON array.")] = None,
    data: Annotated[Optional[Path], typer.Option("--data-dir", help="Store location (default $JIXIAO_DATA_DIR or ./jixiao-data).")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Parse and report only; do not touch the corpus store.")] = False,
) -> None:
    """Parse filings and store them in the corpus, with a report per file."""
    reports = [import_file(path) for path in tqdm(files, desc="importing", unit="file", disable=None)]
    filings = [f for report in reports for f in report.filings]
    for report in reports:
        typer.echo(report.summary())
    added = 0
    if not no_store:
        store = CorpusStore(data_dir(data))
        added = store.upsert(filings)
        store.close()
    if json_out is not None:
        dump_filings_json(filings, json_out)
    failed = [r for r in reports if r.refusal]
    refused = sum(len(r.refused) for r in reports)
    typer.echo(
        f"total: {len(filings)} tables ({sum(not f.complete for f in filings)} incomplete) "
        f"from {len(reports) - len(failed)} of {len(reports)} files"
        + (f"; {refused} tables refused" if refused else "")
        + ("" if no_store else f"; {added} new in the corpus")
    )
    if failed or refused:
        raise typer.Exit(code=1)
