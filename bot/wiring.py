"""Builds the engine the console and the Telegram bot share: store, corpus, search index."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Callable

from jixiao.bot.conversation.engine import Engine
from jixiao.bot.domain.models import Filing
from jixiao.bot.retrieval.corpus import Corpus
from jixiao.store.corpus import CorpusStore, OwnFilingStore, bundled_corpus
from jixiao.store.drafts import DraftStore
from jixiao.store.shares import ShareStore

logger = logging.getLogger(__name__)


def load_corpus(data_dir: Path) -> list[Filing]:
    """The bundled seed filings, what was imported (``jixiao import``) and our own approved
    tables; complete ones only."""
    filings = {f.key: f for f in bundled_corpus()}
    for kind in (CorpusStore, OwnFilingStore):
        if (Path(data_dir) / kind.FILE_NAME).exists():
            store = kind(Path(data_dir))
            filings.update({f.key: f for f in store.all()})
            store.close()
    return [f for f in filings.values() if f.complete]


def build_engine(data_dir: Path, today: Callable[[], date] = date.today, **options) -> Engine:
    """The engine on the files in ``data_dir``; ``options`` go to ``Engine`` (``now``, ``code_ttl`` …)."""
    return Engine(DraftStore(Path(data_dir)), Corpus(load_corpus(data_dir)), today=today,
                  shares=ShareStore(Path(data_dir)), own_filings=OwnFilingStore(Path(data_dir)), **options)
