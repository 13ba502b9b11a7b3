"""Retrieval: similar past projects (:mod:`.index`), the common-indicator library
(:mod:`.library`), costs from the budget (:mod:`.costs`) and indicator proposals (:mod:`.proposals`).

No Telegram here: the conversation engine and ``jixiao propose`` both build a
:class:`SearchIndex` once from the corpus (or none) and call :func:`propose`.
"""

from jixiao.bot.retrieval.index import Hit, Query, SearchIndex
from jixiao.bot.retrieval.library import TypeChoice, choose_type
from jixiao.bot.retrieval.proposals import LastYearTable, Proposal, ProposedIndicator, framework_reason, propose

__all__ = ["Hit", "LastYearTable", "Proposal", "ProposedIndicator", "Query", "SearchIndex", "TypeChoice",
           "choose_type", "framework_reason", "propose"]
