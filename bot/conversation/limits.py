"""The conversation's own limits: a message, a review comment, versions and review codes.

The limits of what a table holds (a name's length, indicators per draft, a goal's length …)
are the table's, not the conversation's: they live in :mod:`jixiao.bot.domain.limits`, which
every step imports. Each limit is enforced where the value is taken, with a message that
states it.
"""

from __future__ import annotations

from datetime import timedelta

#: Characters of one message; longer ones are refused whole.
MAX_INPUT = 4000
#: Characters of a reviewer's comment.
COMMENT_LIMIT = 1000
#: Shared versions kept per draft (the newest; older ones go once there are more).
MAX_VERSIONS = 10
#: How long a review code opens its draft.
CODE_TTL = timedelta(days=7)
#: Review codes that do not exist a user may type within ``CODE_MISS_WINDOW`` before waiting.
CODE_MISSES = 5
CODE_MISS_WINDOW = timedelta(minutes=15)
