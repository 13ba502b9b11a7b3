"""Why a file or a table was not read: a stable English code for scripts, a Chinese
message (``prompts/import.md``) for people. Every reader raises :class:`UnreadableError`
with one of these for a file of its kind it cannot read."""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.bot.texts import render_plain


@dataclass(frozen=True)
class Refusal:
    """Why a file or a table was not read: ``code`` for scripts, ``message`` for people."""

    code: str
    key: str
    params: tuple = ()

    @property
    def message(self) -> str:
        return render_plain(self.key, **dict(self.params))

    def line(self) -> str:
        """``code: message`` — the CLI's reason (the code keeps old scripts' greps working)."""
        return f"{self.code}: {self.message}"


def refusal(code: str, key: str, **params) -> Refusal:
    return Refusal(code, key, tuple(sorted(params.items())))


class UnreadableError(ValueError):
    """A file of a known kind that cannot be read (a damaged PDF, invalid JSON …)."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.code)
        self.refusal = refusal


def unreadable(code: str, key: str, **params) -> UnreadableError:
    return UnreadableError(refusal(code, key, **params))
