"""What the engine says: text for both channels, optional buttons, optional files, a recipient.

Every reply the engine returns names its recipient in ``to`` (a user key such as
``tg:1001``): the sender for answers, another user for a notice (the drafter of a
reviewed table). Steps leave ``to`` as ``None`` for "the sender"; ``Engine.handle`` fills
it in, so adapters never guess where a reply goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from jixiao.bot.texts import render_html, render_plain


@dataclass(frozen=True)
class Choice:
    """A button: ``label`` is shown, ``value`` comes back as the answer.

    ``key`` is what a console user types to choose it when its position would mislead
    (the indicator list numbers its items 1, 2, … after two action buttons)."""

    label: str
    value: str
    key: str | None = None


class FileRefused(Exception):
    """A file could not be made for a reason the user should read (a table too large to draw)."""

    def __init__(self, reply: Reply):
        super().__init__(reply.plain)
        self.reply = reply


class Attachment:
    """A file to send: ``kind`` is "document" (xlsx) or "photo" (png).

    ``data`` may be given as bytes or as a function that makes them: rendering an
    .xlsx and a PNG takes a few hundred milliseconds, so the engine's step stays fast
    and the adapter makes the bytes when it sends them (off the event loop). A function
    that raises :class:`FileRefused` leaves ``data`` None and the reason in ``refusal``,
    which the adapter sends in the file's place.
    """

    def __init__(self, kind: str, filename: str, data: bytes | Callable[[], bytes | None]):
        self.kind = kind
        self.filename = filename
        self._data = data
        self.refusal: Reply | None = None

    @property
    def data(self) -> bytes | None:
        """The file's bytes, made on first use; ``None`` when making them failed."""
        if callable(self._data):
            make, self._data = self._data, None
            try:
                self._data = make()
            except FileRefused as refused:
                self.refusal = refused.reply
        return self._data

    def __repr__(self) -> str:
        return f"Attachment({self.kind!r}, {self.filename!r})"


@dataclass(frozen=True)
class Reply:
    html: str  # Telegram's HTML subset, user text escaped
    plain: str  # the same for a terminal
    choices: tuple[Choice, ...] = ()
    token: str = ""  # what the choices' callbacks must carry to be accepted
    files: tuple[Attachment, ...] = ()
    edit_in_place: bool = False  # a toggle list re-drawn after a press: edit, don't resend
    columns: int = 1  # how many buttons per row suit the labels
    to: str | None = None  # the recipient's user key (set on every reply the engine returns)
    stale: bool = False  # the answer to a button of an earlier question: refused


def addressed(reply: Reply, user: str) -> Reply:
    """``reply`` with its recipient filled in (``user`` when it names nobody)."""
    return reply if reply.to is not None else replace(reply, to=user)


def in_place(reply: Reply) -> Reply:
    """``reply`` drawn over the message whose button was pressed (Telegram edits it)."""
    return replace(reply, edit_in_place=True)


def say(key: str, *, choices=(), token: str = "", columns: int = 1, edit_in_place: bool = False, **params) -> Reply:
    """The prompts message ``key`` filled with ``params``, rendered for both channels."""
    return Reply(
        html=render_html(key, **params),
        plain=render_plain(key, **params),
        choices=tuple(choices),
        token=token,
        columns=columns,
        edit_in_place=edit_in_place,
    )


def button(key: str, **params) -> str:
    """A button's (or a short label's) text from prompts."""
    return render_plain(key, **params)


def notify(user: str, key: str, **params) -> Reply:
    """A message for another user (the adapter delivers it to their chat)."""
    return Reply(html=render_html(key, **params), plain=render_plain(key, **params), to=user)


def join(*replies: Reply) -> Reply:
    """Several texts as one message (the buttons of the last one that has any)."""
    buttons = next((r for r in reversed(replies) if r.choices), replies[-1])
    return Reply(
        html="\n\n".join(r.html for r in replies if r.html),
        plain="\n\n".join(r.plain for r in replies if r.plain),
        choices=buttons.choices,
        token=buttons.token,
        files=tuple(f for r in replies for f in r.files),
        edit_in_place=replies[-1].edit_in_place,
        columns=buttons.columns,
        to=replies[-1].to,
    )
