"""Retrieval: similar past projects (:mod:`.index`) and indicator proposals (:mod:`.proposals`).

No Telegram here: the conversation engine and ``jixiao propose`` both call
:func:`propose` on a :class:`SearchIndex` built once from the corpus.
"""

from bot.retrieval.index import Hit, Query, SearchIndex

__all__ = ["Hit", "Query", "SearchIndex"]
