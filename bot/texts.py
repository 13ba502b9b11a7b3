"""User-facing texts: Markdown messages in ``prompts/*.md``, rendered for each channel.

Each file holds messages as ``## key`` headings followed by a Markdown body with
``{placeholders}``. A message is rendered once per channel — Telegram's HTML subset
(``b i u s code pre a blockquote``) or plain text for the console — and the
placeholders are filled afterwards, HTML-escaped for Telegram, so user text can never
inject markup.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from jixiao.bot.paths import PROMPTS_DIR
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML

KEY_RE = re.compile(r"^## ([a-z0-9_.]+)\s*$", re.MULTILINE)
PLACEHOLDER_RE = re.compile(r"\{([a-z0-9_]+)\}")


class TelegramHTMLRenderer(RendererHTML):
    """CommonMark → the HTML subset Telegram accepts: no <p>, no lists, no headings."""

    def paragraph_open(self, tokens, idx, options, env):
        return ""

    def paragraph_close(self, tokens, idx, options, env):
        return "" if tokens[idx].hidden else "\n\n"

    def heading_open(self, tokens, idx, options, env):
        return "<b>"

    def heading_close(self, tokens, idx, options, env):
        return "</b>\n\n"

    def bullet_list_open(self, tokens, idx, options, env):
        return ""

    def bullet_list_close(self, tokens, idx, options, env):
        return "\n"

    ordered_list_open = bullet_list_open
    ordered_list_close = bullet_list_close

    def list_item_open(self, tokens, idx, options, env):
        return "• " if tokens[idx].info == "" else f"{tokens[idx].info}. "

    def list_item_close(self, tokens, idx, options, env):
        return "\n"

    def strong_open(self, tokens, idx, options, env):
        return "<b>"

    def strong_close(self, tokens, idx, options, env):
        return "</b>"

    def em_open(self, tokens, idx, options, env):
        return "<i>"

    def em_close(self, tokens, idx, options, env):
        return "</i>"

    def softbreak(self, tokens, idx, options, env):
        return "\n"

    def hardbreak(self, tokens, idx, options, env):
        return "\n"

    def fence(self, tokens, idx, options, env):
        return f"<pre>{html.escape(tokens[idx].content, quote=False)}</pre>\n"

    code_block = fence

    def blockquote_open(self, tokens, idx, options, env):
        return "<blockquote>"

    def blockquote_close(self, tokens, idx, options, env):
        return "</blockquote>\n"


class PlainRenderer(TelegramHTMLRenderer):
    """The same layout as plain text for a terminal: markup dropped, text unescaped."""

    def text(self, tokens, idx, options, env):
        return tokens[idx].content

    def code_inline(self, tokens, idx, options, env):
        return tokens[idx].content

    def fence(self, tokens, idx, options, env):
        return tokens[idx].content

    code_block = fence

    def link_open(self, tokens, idx, options, env):
        env.setdefault("hrefs", []).append(tokens[idx].attrGet("href"))
        return ""

    def link_close(self, tokens, idx, options, env):
        return f" ({env['hrefs'].pop()})"

    def renderToken(self, tokens, idx, options, env):  # every other tag: dropped
        return ""

    strong_open = strong_close = em_open = em_close = s_open = s_close = renderToken
    blockquote_open = blockquote_close = renderToken

    def heading_open(self, tokens, idx, options, env):
        return ""

    def heading_close(self, tokens, idx, options, env):
        return "\n\n"


def _parser(renderer: type[RendererHTML]) -> MarkdownIt:
    return MarkdownIt("zero", renderer_cls=renderer).enable(
        ["emphasis", "strikethrough", "backticks", "fence", "code", "blockquote", "list", "heading", "link", "newline", "escape"]
    )


_HTML = _parser(TelegramHTMLRenderer)
_PLAIN = _parser(PlainRenderer)


def parse_prompt_file(text: str) -> dict[str, str]:
    """``{key: markdown body}`` for every ``## key`` section of one prompts file."""
    messages = {}
    matches = list(KEY_RE.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        messages[match[1]] = text[match.end() : end].strip()
    return messages


@cache
def all_messages(directory: Path = PROMPTS_DIR) -> dict[str, str]:
    """Every message of every ``*.md`` file in ``directory``; a key defined twice is an error."""
    messages: dict[str, str] = {}
    for path in sorted(directory.glob("*.md")):
        for key, body in parse_prompt_file(path.read_text(encoding="utf-8")).items():
            if key in messages:
                raise ValueError(f"prompt key {key!r} defined twice (again in {path.name})")
            messages[key] = body
    return messages


@cache
def _template(key: str, channel: str) -> str:
    try:
        source = all_messages()[key]
    except KeyError:
        raise KeyError(f"no prompt {key!r} in prompts/") from None
    parser = _HTML if channel == "html" else _PLAIN
    rendered = parser.render(source).strip()
    return re.sub(r"\s+</blockquote>", "</blockquote>", rendered)


def _fill(template: str, params: dict, escape) -> str:
    def value(match: re.Match) -> str:
        name = match[1]
        if name not in params:
            raise KeyError(f"prompt placeholder {{{name}}} not given")
        return escape(str(params[name]))

    return PLACEHOLDER_RE.sub(value, template)


def render_html(key: str, **params) -> str:
    """Message ``key`` in Telegram HTML; every parameter is HTML-escaped."""
    return _fill(_template(key, "html"), params, lambda s: html.escape(s, quote=False))


def render_plain(key: str, **params) -> str:
    """Message ``key`` as plain text for a terminal or a log."""
    return _fill(_template(key, "plain"), params, lambda s: s)
