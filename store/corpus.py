"""The corpus of past filings, kept in a TinyDB file in the data directory.

Each filing is stored under its key (source file and table index), so importing the
same file again replaces its filings instead of adding copies.
"""

from __future__ import annotations

import json
from pathlib import Path

from jixiao.bot.domain.models import Filing
from jixiao.bot.paths import BUNDLED_CORPUS
from jixiao.store.safe_storage import LockingTinyDB
from tinydb import Query


class CorpusStore:
    """Filings imported by the user (``jixiao import``), one document per filing."""

    FILE_NAME = "corpus.json"

    def __init__(self, directory: Path):
        Path(directory).mkdir(parents=True, exist_ok=True)
        self.path = Path(directory) / self.FILE_NAME
        self._db = LockingTinyDB(self.path, ensure_ascii=False)
        self._filings = self._db.table("filings")

    def upsert(self, filings: list[Filing]) -> int:
        """Store ``filings``, replacing any with the same key; returns how many were new."""
        added = 0
        doc = Query()
        for filing in filings:
            is_new = not self._filings.contains(doc.key == filing.key)
            self._filings.upsert({"key": filing.key, "filing": filing.to_json_dict()}, doc.key == filing.key)
            added += is_new
        return added

    def all(self) -> list[Filing]:
        return [Filing.model_validate(row["filing"]) for row in self._filings.all()]

    def __len__(self) -> int:
        return len(self._filings)

    def close(self) -> None:
        self._db.close()


class OwnFilingStore(CorpusStore):
    """Tables our users drafted and a reviewer approved: next year's corpus, kept apart from
    the seeds and marked by their source (``own:<user>/<draft>``)."""

    FILE_NAME = "own_filings.json"


def load_filings_json(path: Path) -> list[Filing]:
    """A JSON array of filings (or one filing) in the public form."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = [data]
    return [Filing.model_validate(item) for item in data]


def bundled_corpus() -> list[Filing]:
    """The 26 seed filings shipped with the package."""
    return load_filings_json(BUNDLED_CORPUS)


def dump_filings_json(filings: list[Filing], path: Path) -> None:
    Path(path).write_text(
        json.dumps([f.to_json_dict() for f in filings], ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
