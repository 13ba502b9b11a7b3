"""The ``jixiao`` command. Each sub-command lives in its own module of this package.

The command names and flags are a contract that other tools script: keep them.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="jixiao — drafts 财政项目支出绩效目标申报表 (performance-target filings).",
)


@app.callback()
def _root() -> None:
    """jixiao — drafts 财政项目支出绩效目标申报表 (performance-target filings)."""


# Sub-commands register themselves on ``app`` when imported.
from bot.cli import import_cmd, validate_cmd  # noqa: E402,F401


def main() -> None:
    app()
