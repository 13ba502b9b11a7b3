"""``jixiao chat [--db DIR] [--user NAME]``: the drafting conversation in a terminal.

Input that is not UTF-8 arrives with U+FFFD in place of the bad bytes (``jixiao``'s
streams replace them), never as undecodable text in the store. A data directory that
is read-only or full ends the chat with one line; the draft stays as last saved.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Optional

import typer
from jixiao.bot.adapters.console import ConsoleChat
from jixiao.bot.cli import app
from jixiao.bot.cli.errors import saving_in
from jixiao.bot.paths import data_dir
from jixiao.bot.wiring import build_engine


@app.command("chat")
def chat_command(
    db: Annotated[Optional[Path], typer.Option("--db", "--data-dir", help="Store location (a directory; default $JIXIAO_DATA_DIR or ./jixiao-data).")] = None,
    user: Annotated[str, typer.Option("--user", help="Whose drafts to work on.")] = "console",
) -> None:
    """Draft a filing in the terminal (same engine and store as the Telegram bot)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    directory = data_dir(db)
    with saving_in(directory, "the chat"):
        engine = build_engine(directory)
        ConsoleChat(engine, f"console:{user}", exports=directory / "exports").run()
