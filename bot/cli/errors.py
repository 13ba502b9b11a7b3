"""The one place that turns a command's fatal error into one line on stderr, secrets masked.

:func:`run` is what ``jixiao`` runs. An error the user can act on (a bad or missing
file, a full or read-only disk, a bad setting, Telegram refusing the token) is one line,
``jixiao <command>: <what is wrong>``, and exit status 2. Anything else is a bug: its
traceback is printed, masked, with exit status 1. Either way every configured secret
(:func:`remember_secrets`) and everything shaped like a bot token is shown as ``***``.

Standard streams replace what they cannot encode or decode (a lone surrogate on the way
out, invalid UTF-8 typed into ``jixiao chat``) instead of failing mid-command.
"""

from __future__ import annotations

import errno
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jixiao.bot.adapters.telegram_logging import mask_secrets
from jixiao.store.corpus import FilingsFileError, one_line, validation_problem
from jixiao.store.safe_storage import CorruptStoreError
from pydantic import ValidationError

BAD_INPUT = 2  # exit status for everything describe() knows
BUG = 1

_secrets: list[str] = []


class CliError(Exception):
    """A problem a command has put in words already (one line); exit status 2."""


def remember_secrets(*values: str | None) -> None:
    """Mask these values (the bot token, the webhook secret) in every error the program prints."""
    _secrets.extend(v for v in values if v)


def mask(text: str) -> str:
    return mask_secrets(text, _secrets)


def describe(error: BaseException) -> str | None:
    """One line for an error the user can act on; ``None`` for anything else (a bug)."""
    telegram = _telegram_problem(error)
    if telegram is not None:
        return telegram
    if isinstance(error, CliError):
        return str(error)
    if isinstance(error, FilingsFileError) and error.path is not None:
        return f"{error.path}: cannot read filings: {error}"
    if isinstance(error, CorruptStoreError):
        return str(error)
    if isinstance(error, OSError):
        where = " -> ".join(str(name) for name in (error.filename, error.filename2) if name is not None)
        return f"{where}: {error.strerror or error}" if where else str(error.strerror or error)
    if isinstance(error, RecursionError):
        return "the input is nested too deeply"
    if isinstance(error, MemoryError):
        return "out of memory (is the input far larger than a filing?)"
    if isinstance(error, ValidationError):
        return validation_problem(error)
    if isinstance(error, (ValueError, OverflowError)):  # UnicodeError and JSONDecodeError among them
        return str(error) or type(error).__name__
    return None


def _telegram_problem(error: BaseException) -> str | None:
    """What went wrong talking to Telegram (PTB's errors; only when PTB was imported at all)."""
    errors = sys.modules.get("telegram.error")
    if errors is None or not isinstance(error, errors.TelegramError):
        return None
    if isinstance(error, errors.InvalidToken):
        return "Telegram rejected the bot token (TELEGRAM_BOT_TOKEN); check it with @BotFather"
    if isinstance(error, errors.BadRequest):
        return f"Telegram refused a request: {error.message}"
    if isinstance(error, errors.NetworkError):  # TimedOut included
        return f"cannot reach the Telegram Bot API (TELEGRAM_API_URL): {error.message}"
    return f"Telegram: {error.message}"


@contextmanager
def saving_in(directory: Path, who: str) -> Iterator[None]:
    """Say in one line that ``who`` (the chat, the bot) cannot save in ``directory``: read-only or full.

    Every store writes atomically, so after a failed save the files are as they were before it.
    """
    try:
        yield
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise CliError(f"{directory}: cannot write there ({error.strerror}); {who} saves every answer in the data directory") from None
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise CliError(f"{directory}: {error.strerror}; nothing more could be saved, what was saved before is intact") from None
        raise


def report(error: BaseException, command: str) -> int:
    """Print ``error`` to stderr (one line, or a bug's traceback), masked; return the exit status."""
    line = describe(error)
    if line is None:
        sys.stderr.write(mask("".join(traceback.format_exception(error))))
        sys.stderr.write(mask(f"jixiao {command}: internal error ({type(error).__name__}); please report it\n"))
        return BUG
    sys.stderr.write(mask(f"jixiao {command}: {one_line(line, 500)}") + "\n")
    return BAD_INPUT


def robust_streams() -> None:
    """stdout/stderr replace what they cannot encode, stdin what it cannot decode."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def run(app, args: list[str] | None = None) -> None:
    """Run the typer ``app``; a fatal error ends it through :func:`report` (status 2 or 1)."""
    robust_streams()
    args = sys.argv[1:] if args is None else args
    command = next((a for a in args if not a.startswith("-")), "")
    try:
        app(args=args, prog_name="jixiao")
    except Exception as error:  # noqa: BLE001 - the one place every fatal error goes through
        sys.stderr.flush()
        sys.exit(report(error, command))
