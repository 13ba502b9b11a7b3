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


def _register_commands() -> None:
    """Import every ``bot/cli/*_cmd.py``; each registers its sub-commands on ``app``."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        if module.name.endswith("_cmd"):
            importlib.import_module(f"{__name__}.{module.name}")


_register_commands()


def main() -> None:
    app()
