"""What the renderers refuse: tables over the limits of :mod:`jixiao.bot.domain.limits`.

Every renderer calls :func:`check_table` before it starts, so time and memory stay
bounded whatever the input; the PNG also checks the size of the picture it measured
(:func:`check_picture`). A refusal is a :class:`TableTooLarge` carrying a prompt key of
``prompts/table.md`` and its numbers: the adapter or the CLI shows it in one line.
"""

from __future__ import annotations

from jixiao.bot.domain.frameworks import all_frameworks
from jixiao.bot.domain.limits import CELL_CHARS, PNG_PIXELS, TABLE_INDICATORS, TEXT_CHARS
from jixiao.bot.domain.models import Filing
from jixiao.bot.render import goal_label, labels, overall_goal_label
from jixiao.bot.texts import render_html, render_plain

#: The filing's one-line text fields; the goals are long text (``TEXT_CHARS``).
LINE_FIELDS = ("project_name", "department", "implementing_unit", "category", "nature", "performance_type")
TEXT_FIELDS = ("goal", "overall_goal")


class TableTooLarge(ValueError):
    """A table over a renderer limit. ``key`` is a prompt of ``prompts/table.md``,
    ``params`` its numbers (and the field's printed name)."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(render_plain(key, **params))

    def message(self, html: bool = False) -> str:
        """The refusal as the user reads it (Telegram HTML, or plain text)."""
        return (render_html if html else render_plain)(self.key, **self.params)


def check_table(filing: Filing) -> None:
    """Raise :class:`TableTooLarge` when ``filing`` is over a renderer limit."""
    if len(filing.indicators) > TABLE_INDICATORS:
        raise TableTooLarge("table.too_many_indicators", count=len(filing.indicators), limit=TABLE_INDICATORS)
    for name in LINE_FIELDS + TEXT_FIELDS:
        text = getattr(filing, name)
        limit = TEXT_CHARS if name in TEXT_FIELDS else CELL_CHARS
        if text is not None and len(text) > limit:
            label = {"goal": goal_label(filing.format), "overall_goal": overall_goal_label(filing)}.get(name) or labels()[name]
            raise TableTooLarge("table.field_too_long", field=label, length=len(text), limit=limit)
    words = all_frameworks()[filing.format].level_word
    for number, indicator in enumerate(filing.indicators, start=1):
        for part, text in (("level1", indicator.level1), ("level2", indicator.level2), ("level3", indicator.name),
                           ("value", indicator.value)):
            if text is not None and len(text) > CELL_CHARS:
                field = render_plain("table.indicator_field", number=number, part=words[part])
                raise TableTooLarge("table.field_too_long", field=field, length=len(text), limit=CELL_CHARS)


def check_picture(width: int, height: int) -> None:
    """Raise :class:`TableTooLarge` when a picture of ``width`` × ``height`` is too big to draw."""
    if width * height > PNG_PIXELS:
        raise TableTooLarge("table.picture_too_large", height=height, limit=PNG_PIXELS // width)
