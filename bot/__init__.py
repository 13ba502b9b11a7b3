"""jixiao: a chat assistant that drafts Chinese fiscal performance-target filings.

Layout: ``bot.domain`` (models, values, frameworks, validation), ``bot.corpus``
(reading seed filings), ``bot.cli`` (the ``jixiao`` command). Nothing in the domain
knows about Telegram.
"""

__version__ = "0.1.0"
