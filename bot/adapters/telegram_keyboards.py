"""Inline keyboards for the engine's choices: callback data, pages, what was shown where.

Callback data is ``<kind>|<token>|<number>`` (at most 64 bytes; tokens are at most 20
ASCII characters):

* ``c|<token>|<i>`` — the i-th choice (0-based) of the question whose token it carries;
  the engine refuses it politely when the token is no longer the current one.
* ``p|<token>|<page>`` — show that page of a long keyboard: the adapter redraws the
  keyboard in place (editMessageReplyMarkup) without asking the engine.
* ``n|<token>|0`` — the "2/3" label between the page buttons: does nothing.

A keyboard holds ``PAGE_ROWS`` rows of the reply's ``columns`` buttons per page. To
redraw a page the adapter must know the message's choices: :class:`ShownKeyboards`
remembers them per message, in memory only (after a restart, a page button asks the
user to send /start, which shows the current question with a fresh keyboard).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

from jixiao.bot.conversation.replies import Reply
from jixiao.bot.texts import render_plain
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

CHOICE, PAGE, NOOP = "c", "p", "n"
PAGE_ROWS = 8  # rows of choices per page; a one-column list shows 8 choices a page
MAX_COLUMNS = 4  # wider rows are unreadable on a phone
MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data


@dataclass(frozen=True)
class Press:
    """A decoded button press."""

    kind: str
    token: str
    number: int


def encode(kind: str, token: str, number: int = 0) -> str:
    data = f"{kind}|{token}|{number}"
    if "|" in token or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"token {token!r} does not fit in callback data")
    return data


def decode(data: str | None) -> Press | None:
    """The press in ``data``, or None for data this bot never made."""
    parts = (data or "").split("|")
    if len(parts) != 3 or parts[0] not in (CHOICE, PAGE, NOOP) or not parts[1] or not parts[2].isdigit():
        return None
    return Press(parts[0], parts[1], int(parts[2]))


@dataclass(frozen=True)
class Keyboard:
    """A reply's choices as an inline keyboard, cut into pages."""

    token: str
    labels: tuple[str, ...]
    columns: int = 1

    @classmethod
    def of(cls, reply: Reply) -> Keyboard | None:
        if not reply.choices:
            return None
        columns = min(max(reply.columns, 1), MAX_COLUMNS)
        return cls(reply.token, tuple(choice.label for choice in reply.choices), columns)

    @property
    def per_page(self) -> int:
        return PAGE_ROWS * self.columns

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.labels) / self.per_page))

    def page_of(self, index: int) -> int:
        """The page that shows choice ``index`` (0 when it is out of range)."""
        return index // self.per_page if 0 <= index < len(self.labels) else 0

    def markup(self, page: int = 0) -> InlineKeyboardMarkup:
        page = min(max(page, 0), self.pages - 1)
        first = page * self.per_page
        shown = range(first, min(first + self.per_page, len(self.labels)))
        buttons = [InlineKeyboardButton(self.labels[i], callback_data=encode(CHOICE, self.token, i)) for i in shown]
        rows = [buttons[i : i + self.columns] for i in range(0, len(buttons), self.columns)]
        if self.pages > 1:
            rows.append(self._page_row(page))
        return InlineKeyboardMarkup(rows)

    def _page_row(self, page: int) -> list[InlineKeyboardButton]:
        row = []
        if page > 0:
            row.append(InlineKeyboardButton(render_plain("tg.page_prev"), callback_data=encode(PAGE, self.token, page - 1)))
        label = render_plain("tg.page_of", page=page + 1, pages=self.pages)
        row.append(InlineKeyboardButton(label, callback_data=encode(NOOP, self.token)))
        if page < self.pages - 1:
            row.append(InlineKeyboardButton(render_plain("tg.page_next"), callback_data=encode(PAGE, self.token, page + 1)))
        return row


class ShownKeyboards:
    """The keyboard shown under each recent message, to redraw its pages (least recent dropped)."""

    #: How many messages' keyboards are remembered.
    SIZE = 5000

    def __init__(self, size: int = SIZE):
        self.size = size
        self._shown: OrderedDict[tuple[int, int], Keyboard] = OrderedDict()

    def remember(self, chat_id: int, message_id: int, keyboard: Keyboard | None) -> None:
        key = (chat_id, message_id)
        self._shown.pop(key, None)
        if keyboard is not None and keyboard.pages > 1:
            self._shown[key] = keyboard
            while len(self._shown) > self.size:
                self._shown.popitem(last=False)

    def get(self, chat_id: int, message_id: int) -> Keyboard | None:
        keyboard = self._shown.get((chat_id, message_id))
        if keyboard is not None:
            self._shown.move_to_end((chat_id, message_id))
        return keyboard
