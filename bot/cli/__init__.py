"""The ``jixiao`` command. Each sub-command lives in its own module of this package.

The command names and flags are a contract that other tools script: keep them. A fatal
error is one line on stderr with exit status 2, secrets masked (``bot/cli/errors.py``).
"""

from __future__ import annotations

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # rich tracebacks show local variables: the token among them
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


def main(args: list[str] | None = None) -> None:
    """The ``jixiao`` command: ``app`` with every fatal error as one masked line (exit status 2)."""
    from jixiao.bot.cli.errors import run

    run(app, args)
