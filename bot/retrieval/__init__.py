"""Retrieval: similar past projects (:mod:`.index`) and indicator proposals (:mod:`.proposals`).

No Telegram here: the conversation engine and ``jixiao propose`` both build a
:class:`SearchIndex` once from the corpus and call :func:`propose` on it.
"""

from jixiao.bot.retrieval.index import Hit, Query, SearchIndex
from jixiao.bot.retrieval.proposals import Proposal, ProposedIndicator, propose

__all__ = ["Hit", "Proposal", "ProposedIndicator", "Query", "SearchIndex", "propose"]
