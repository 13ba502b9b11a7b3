"""The conversation's limits, in one place: what a draft may hold and how long texts may be.

Each limit is enforced where the value is taken, with a message that states it. They
are generous for real filings (the longest seed name is 22 characters, the largest
table 19 indicators) and keep renderers and files bounded.
"""

from __future__ import annotations

from datetime import timedelta

#: Characters of one message; longer ones are refused whole.
MAX_INPUT = 4000
#: Indicators in one draft.
MAX_INDICATORS = 60
#: Characters of a project name; at least ``MIN_NAME_LETTERS`` of them letters (汉字 or Latin).
NAME_LIMIT = 100
MIN_NAME_LETTERS = 2
#: Characters of a unit's name (主管部门, 实施单位).
UNIT_LIMIT = 60
#: Characters of 项目类别 and 项目性质.
KIND_LIMIT = 30
#: Characters of 年度总体目标 and 项目总目标.
GOAL_LIMIT = 2000
MIN_GOAL = 4
#: Characters of a 三级 indicator's name, and of its target value.
INDICATOR_NAME_LIMIT = 60
VALUE_LIMIT = 100
#: Characters of a reviewer's comment.
COMMENT_LIMIT = 1000
#: Yuan: larger amounts are typing mistakes.
MONEY_LIMIT = 1e11
#: Shared versions kept per draft (the newest; older ones go once there are more).
MAX_VERSIONS = 10
#: How long a review code opens its draft.
CODE_TTL = timedelta(days=7)
#: Review codes that do not exist a user may type within ``CODE_MISS_WINDOW`` before waiting.
CODE_MISSES = 5
CODE_MISS_WINDOW = timedelta(minutes=15)
