"""Builds the engine the console and the Telegram bot share: store, corpus, search index."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Callable

from jixiao.bot.conversation.engine import Engine
from jixiao.bot.retrieval.corpus import Corpus
from jixiao.store.corpus import OwnFilingStore
from jixiao.store.drafts import DraftStore
from jixiao.store.shares import ShareStore

logger = logging.getLogger(__name__)


def load_corpus(data_dir: Path) -> Corpus:
    """The bundled seed filings, what was imported (``jixiao import``) and our own approved
    tables; complete ones only. Start-up maps the derived corpus file (``bot.retrieval.stored``)
    instead of reading every filing; iterating reads them all."""
    return Corpus.open(Path(data_dir))


def build_engine(data_dir: Path, today: Callable[[], date] = date.today, *, journal: bool = True, **options) -> Engine:
    """The engine on the files in ``data_dir``; ``options`` go to ``Engine`` (``now``, ``code_ttl`` …).
    ``journal=False`` saves each answer with its own fsyncs (``store.journal`` for why not).
    Approvals a crash left half done are settled first (``Engine.recover_own_filings``)."""
    engine = Engine(DraftStore(Path(data_dir), journal=journal), load_corpus(data_dir), today=today,
                    shares=ShareStore(Path(data_dir)), own_filings=OwnFilingStore(Path(data_dir)), **options)
    engine.recover_own_filings()
    return engine
