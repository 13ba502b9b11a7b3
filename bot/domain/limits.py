"""The limits of a table, in one place: the conversation, the CLI, the value grammar and the
renderers import these numbers (no module keeps a copy), and the README lists them.

Two sets. What a user may type while drafting is small (a filed table never needs more).
What the renderers accept at all is larger, because imported real tables can be larger
than drafts; it exists so that no input can make an export take unbounded time or memory
(a PNG stays under about 1 s and 100 MB). :mod:`jixiao.bot.render.caps` enforces the
second set and raises :class:`jixiao.bot.render.caps.TableTooLarge`.
"""

from __future__ import annotations

# -- drafting: what the conversation accepts ------------------------------------------
DRAFT_INDICATORS = 60  # indicators in one draft
PROJECT_NAME_CHARS = 100  # 项目名称
UNIT_CHARS = 60  # 主管部门, 实施单位
KIND_CHARS = 30  # 项目类别, 项目性质
NAME_LETTERS = 2  # letters (汉字 or Latin) a name needs at least: "1" or "…" is no name
INDICATOR_NAME_CHARS = 60  # a 三级指标's name
VALUE_CHARS = 100  # a 指标值 (the value grammar refuses longer text before any pattern runs)
GOAL_CHARS = 2000  # 年度总体目标, 项目总目标
GOAL_MIN_CHARS = 4  # a shorter goal says nothing
MONEY_YUAN = 1e11  # yuan: a larger amount is a typing mistake

# -- rendering: what the chat table, the .xlsx and the PNG accept ---------------------
TABLE_INDICATORS = 200  # indicators in one rendered table
CELL_CHARS = 300  # any one-line field: names, units, 类别, 一级/二级, 三级指标, 指标值
TEXT_CHARS = 5000  # a goal (年度总体目标, 项目总目标, 2020's 总目标及阶段性目标)
PNG_WIDTH_MIN, PNG_WIDTH_MAX = 360, 2160  # pixels
PNG_PIXELS = 50_000_000  # width × height: 1080 × 46,296 px; drawn in bands, about a byte a pixel

# -- export files ---------------------------------------------------------------------
FILE_NAME_BYTES = 150  # UTF-8 bytes of an export's file name without its extension
