"""Telegram HTML cut to fit a message: at most 4096 characters of text, split between lines.

Telegram counts the text left after parsing the markup, in UTF-16 code units (an emoji
counts two). :func:`split_html` keeps whole lines together where it can; a tag open
across a split (a ``<pre>`` or ``<blockquote>`` block) is closed at the end of one
message and opened again at the start of the next, so each part parses on its own. A
single line longer than a message is cut where no tag or entity is broken.
"""

from __future__ import annotations

import html
import re

LIMIT = 4096
TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
TOKEN_RE = re.compile(r"<[^>]*>|&#?\w+;|.", re.DOTALL)  # a tag, an entity, or one character
SOFT_BREAKS = set(" ，。；、：,.;)）】」\u3000")


def units(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(markup: str) -> int:
    """How long ``markup`` is once Telegram has parsed it: tags dropped, entities one character."""
    return units(html.unescape(TAG_RE.sub("", markup)))


def split_html(markup: str, limit: int = LIMIT) -> list[str]:
    """``markup`` as messages of at most ``limit`` visible characters; empty parts dropped."""
    if visible_length(markup) <= limit:
        return [markup] if markup.strip() else []
    lines = [piece for line in markup.split("\n") for piece in _cut(line, limit)]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    opened: list[str] = []  # tags open at the current line, outermost first
    opened_at_start: list[str] = []
    for line in lines:
        needed = visible_length(line) + (1 if current else 0)
        if current and size + needed > limit:
            parts.append(_wrap(opened_at_start, current, opened))
            opened_at_start, current, size = list(opened), [], 0
            needed = visible_length(line)
        current.append(line)
        size += needed
        opened = _track(opened, line)
    parts.append(_wrap(opened_at_start, current, opened))
    return [part for part in parts if TAG_RE.sub("", part).strip()]


def _wrap(opened_before: list[str], lines: list[str], opened_after: list[str]) -> str:
    closing = "".join(f"</{_name(tag)}>" for tag in reversed(opened_after))
    return ("".join(opened_before) + "\n".join(lines) + closing).strip("\n")


def _name(tag: str) -> str:
    return TAG_RE.match(tag)[2].lower()


def _track(opened: list[str], line: str) -> list[str]:
    """The open tags after ``line``."""
    opened = list(opened)
    for match in TAG_RE.finditer(line):
        if not match[1]:
            opened.append(match[0])
            continue
        for i in range(len(opened) - 1, -1, -1):
            if _name(opened[i]) == match[2].lower():
                del opened[i]
                break
    return opened


def _cut(line: str, limit: int) -> list[str]:
    """A line longer than ``limit`` cut into pieces, preferably after a space or punctuation."""
    room = max(limit - 64, limit // 2)  # leaves room for tags re-opened around the piece
    pieces = []
    while visible_length(line) > room:
        size = best = soft = 0
        for match in TOKEN_RE.finditer(line):
            token = match[0]
            if not token.startswith("<") or token == "<":
                size += units(html.unescape(token))
            if size > room:
                break
            best = match.end()
            if token in SOFT_BREAKS:
                soft = match.end()
        cut = soft if soft > best // 2 else best
        pieces.append(line[:cut])
        line = line[cut:]
    return [*pieces, line] if line else pieces
