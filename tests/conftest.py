"""Fixtures the conversation's tests share: the bundled corpus (complete filings) and its index.

A test module that defines a fixture of the same name uses its own.
"""

import pytest
from jixiao.bot.retrieval.index import SearchIndex
from jixiao.store.corpus import bundled_corpus


@pytest.fixture(scope="session")
def corpus():
    return [f for f in bundled_corpus() if f.complete]


@pytest.fixture(scope="session")
def index(corpus):
    return SearchIndex(corpus)
