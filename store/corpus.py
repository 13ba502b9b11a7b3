"""The corpus of past filings, kept in a TinyDB file in the data directory, and JSON files of filings.

Each filing is stored under its key (source file and table index), so importing the
same file again replaces its filings instead of adding copies. The file has TinyDB's
layout (``{"filings": {"1": {"key": ..., "filing": {...}}}}``) and is written by
``AtomicJSONStorage`` (atomic, fsynced, locked against other writers).

Reading the store never stops a start-up: a file that is not TinyDB JSON is set aside
as ``<name>.corrupt-<UTC timestamp>`` and a record that is not a filing is skipped,
each with a logged warning naming the path. Reading needs no write access: where the
writers' lock cannot be taken (a read-only data directory) the file is read as it is (it
is only ever replaced whole) and nothing is set aside.

:func:`load_filings_json` reads the public JSON form (``jixiao import --json``,
``--corpus``); anything wrong with such a file is a :class:`FilingsFileError` whose
message is one line naming the filing and the field (and ``path`` the file).
"""

from __future__ import annotations

import json
import logging
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jixiao.bot.corpus.importer import UnreadableFileError, read_text_file
from jixiao.bot.domain.models import Filing
from jixiao.bot.paths import BUNDLED_CORPUS
from jixiao.store.safe_storage import AtomicJSONStorage
from pydantic import ValidationError

logger = logging.getLogger(__name__)

SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


class FilingsFileError(ValueError):
    """A file of filings that cannot be used: the message is one line saying why (which
    filing, which field), ``path`` the file."""

    def __init__(self, reason: str, path: Path | None = None):
        super().__init__(reason)
        self.path = path


class CorpusStore:
    """Filings imported by the user (``jixiao import``), one document per filing."""

    FILE_NAME = "corpus.json"
    TABLE = "filings"
    #: Whether the derived corpus file (``bot.retrieval.stored``) is made from this store:
    #: an upsert then rebuilds it, so the next start-up maps it instead of reading this file.
    DERIVED = True

    def __init__(self, directory: Path):
        self.path = Path(directory) / self.FILE_NAME
        self._storage: AtomicJSONStorage | None = None  # opened on first use

    def upsert(self, filings: list[Filing]) -> int:
        """Store ``filings``, replacing any with the same key; returns how many were new.

        One read and one atomic write of the file whatever the number of filings, under
        the writers' lock, so a concurrent writer's filings are kept.
        """
        added, table, made_from = self._write_rows({f.key: {"key": f.key, "filing": f.to_json_dict()} for f in filings})
        if made_from is not None:
            self._refresh_derived(made_from, table, {f.key: f for f in filings})
        return added

    def _write_rows(self, rows: dict[str, dict]) -> tuple[int, dict[str, Any], dict | None]:
        """Each row replaces the row of its key, in one read and one write under the writers'
        lock: how many keys were new, the table as written, and (``DERIVED``) its stamp."""
        if not rows:
            return 0, {}, None
        storage = self._open()
        with storage.transaction():
            data = storage.read() or {}
            table = data.setdefault(self.TABLE, {})
            doc_ids = {row.get("key"): doc_id for doc_id, row in table.items()}
            next_id = max((int(doc_id) for doc_id in table if doc_id.isdigit()), default=0) + 1
            added = 0
            for key, row in rows.items():
                doc_id = doc_ids.get(key)
                if doc_id is None:
                    doc_id = doc_ids[key] = str(next_id)
                    next_id += 1
                    added += 1
                table[doc_id] = row
            storage.write(data)
            made_from = self._derived_stamp() if self.DERIVED else None  # of the file as just written
        return added, table, made_from

    def _derived_stamp(self) -> dict:
        from jixiao.bot.retrieval import stored  # the retrieval layer reads this store: imported late

        return stored.stamp(self.path.parent)

    def _refresh_derived(self, made_from: dict, table: dict[str, Any], fresh: dict[str, Filing]) -> None:
        """Rebuild the derived corpus file now, at import time, from the table just written
        (``fresh``: its filings given to this upsert, which need no validating again)."""
        from jixiao.bot.retrieval import stored

        try:
            stored.refresh(self.path.parent, made_from=made_from, stored=self._filings(table, fresh))
        except OSError as error:
            logger.warning("%s: the derived corpus file was not rebuilt (%s); the next start-up rebuilds it",
                           self.path, one_line(error))

    def all(self) -> list[Filing]:
        """Every stored filing; records that are not filings are skipped with a warning."""
        return list(self.each())

    def each(self) -> Iterator[Filing]:
        """The stored filings one by one (records that are not filings skipped with a
        warning): each raw record is dropped once it is a filing, so a large file is never
        held twice over."""
        return self._filings(self._rows())

    def _filings(self, rows: dict[str, Any], fresh: dict[str, Filing] | None = None) -> Iterator[Filing]:
        for doc_id in list(rows):
            row = rows.pop(doc_id)
            known = fresh.get(row.get("key")) if fresh and isinstance(row, dict) else None
            if known is not None:
                yield known
                continue
            try:
                yield Filing.model_validate(row.get("filing") if isinstance(row, dict) else row)
            except ValidationError as error:
                logger.warning("Skipping record %s of %s: %s", doc_id, self.path, validation_problem(error))

    def __len__(self) -> int:
        return len(self._rows())

    def close(self) -> None:
        if self._storage is not None:
            self._storage.close()

    def _open(self) -> AtomicJSONStorage:
        if self._storage is None:
            self._storage = AtomicJSONStorage(self.path, on_corrupt="set_aside", ensure_ascii=False)
        return self._storage

    def _rows(self) -> dict[str, Any]:
        """The filings table as stored; a corrupt file is set aside and reads as empty."""
        if not self.path.exists():
            return {}
        try:
            data = self._open().read()  # sets a corrupt file aside, logging both paths
        except OSError as error:  # a read-only directory: read it as it is, set nothing aside
            logger.debug("%s: read without the writers' lock (%s)", self.path, error.strerror)
            data = self._read_unlocked()
        table = (data or {}).get(self.TABLE, {})
        return table if isinstance(table, dict) else {}

    def _read_unlocked(self) -> dict[str, Any] | None:
        """The file's tables read directly (it is only ever replaced whole); ``None`` if unusable."""
        try:
            data = json.loads(self.path.read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError) as error:
            logger.warning("%s cannot be read (%s); it is left in place and skipped", self.path, one_line(error))
            return None
        return data if isinstance(data, dict) else None


class OwnFilingStore(CorpusStore):
    """Tables our users drafted and a reviewer approved: next year's corpus, kept apart from
    the seeds and marked by their source (``own:<user>/<draft>``).

    **Staged, then confirmed.** An approval is stored in two places: the verdict in the
    drafter's file and the table here. So that a crash between the two cannot lose the
    table, the engine *stages* it here first (:meth:`stage`: the row is marked ``pending``;
    the filing's source names the draft and the version), then commits the verdict, then
    confirms it (:meth:`upsert` writes the row without the mark). :meth:`all` gives confirmed rows
    only; at start-up the engine looks at each :meth:`pending` row in its drafter's file and
    confirms it if the verdict is there, discards it if not (the turn was refused or never
    stored). Staging and confirming are keyed by draft and version, so doing either twice
    changes nothing.
    """

    FILE_NAME = "own_filings.json"
    DERIVED = False  # read whole at start-up and added to the index (few, and they change while the bot runs)

    def stage(self, filings: list[Filing]) -> None:
        """Keep ``filings`` marked pending (an approval about to be committed)."""
        self._write_rows({f.key: {"key": f.key, "filing": f.to_json_dict(), "pending": True} for f in filings})

    def discard(self, keys: list[str]) -> None:
        """Forget the rows of ``keys`` that are still pending (their approval was not stored)."""
        storage = self._open()
        with storage.transaction():
            data = storage.read() or {}
            table = data.get(self.TABLE, {})
            gone = [doc_id for doc_id, row in table.items() if row.get("key") in keys and row.get("pending")]
            for doc_id in gone:
                del table[doc_id]
            if gone:
                storage.write(data)

    def pending(self) -> list[Filing]:
        """The staged filings not yet confirmed or discarded."""
        return list(self._filings({doc_id: row for doc_id, row in self._rows().items() if row.get("pending")}))

    def each(self) -> Iterator[Filing]:
        """The confirmed filings (``upsert`` confirms a staged one)."""
        return self._filings({doc_id: row for doc_id, row in self._rows().items() if not row.get("pending")})


# ------------------------------------------------------------------ JSON files of filings
def read_json(path: Path) -> Any:
    """The JSON value in the file at ``path``, or :class:`FilingsFileError` saying why not.

    Refuses what is not a regular file before opening it (a named pipe would block for
    ever), text that is not UTF-8, JSON that is invalid or nested too deeply, and strings
    with a lone surrogate (``"\\ud800"`` is valid JSON but not text: nothing can print or
    save it). NaN and Infinity are accepted, as Python's json does; judging numbers is the
    validator's work.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise FilingsFileError(str(error.strerror), path) from None
    if stat.S_ISDIR(mode):
        raise FilingsFileError("is a directory, not a JSON file", path)
    if not stat.S_ISREG(mode):
        raise FilingsFileError("not a regular file", path)
    try:
        data = json.loads(read_text_file(path))
    except UnreadableFileError as error:
        raise FilingsFileError(str(error), path) from None
    except json.JSONDecodeError as error:
        raise FilingsFileError(f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})", path) from None
    except RecursionError:
        raise FilingsFileError("the JSON is nested too deeply", path) from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise FilingsFileError(f"unusable JSON ({one_line(error)})", path) from None
    where = lone_surrogate(data)
    if where is not None:
        raise FilingsFileError(f"{where} holds a lone surrogate (like \\ud800), which is not text", path)
    return data


def lone_surrogate(data: Any) -> str | None:
    """Where in parsed JSON a string (or key) holds a lone surrogate, like ``[0].goal``; ``None`` if nowhere."""
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:  # a loop, not recursion: the data may be deep
        where, value = pending.pop()
        if isinstance(value, str) and SURROGATE_RE.search(value):
            return where or "the text"
        if isinstance(value, dict):
            for key, item in value.items():
                if SURROGATE_RE.search(key):
                    return f"a key of {where or 'the top level'}"
                pending.append((f"{where}.{key}" if where else key, item))
        elif isinstance(value, list):
            pending.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return None


def filing_from_json(data: Any, path: Path | None = None, where: str = "") -> Filing:
    """A :class:`Filing` from parsed JSON; :class:`FilingsFileError` naming ``where`` and the field if it is not one."""
    prefix = f"{where}: " if where else ""
    if not isinstance(data, dict):
        raise FilingsFileError(f"{prefix}a JSON {json_type(data)}, not a filing (an object)", path)
    try:
        return Filing.model_validate(data)
    except ValidationError as error:
        raise FilingsFileError(f"{prefix}{validation_problem(error)}", path) from None


def load_filings_json(path: Path) -> list[Filing]:
    """A JSON array of filings (or one filing) in the public form."""
    data = read_json(path)
    if isinstance(data, dict):
        return [filing_from_json(data, path)]
    if not isinstance(data, list):
        raise FilingsFileError(f"the file holds a JSON {json_type(data)}, not a filing or an array of filings", path)
    return [filing_from_json(item, path, f"filing {i}") for i, item in enumerate(data)]


def bundled_corpus() -> list[Filing]:
    """The 26 seed filings shipped with the package."""
    return load_filings_json(BUNDLED_CORPUS)


def dump_filings_json(filings: list[Filing], path: Path) -> None:
    Path(path).write_text(
        json.dumps([f.to_json_dict() for f in filings], ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )


# ------------------------------------------------------------------ one-line descriptions
def json_type(value: Any) -> str:
    """JSON's name for the type of a parsed value: null, boolean, number, string, array, object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def validation_problem(error: ValidationError) -> str:
    """A pydantic error as one line: the first bad field, what is wrong, what was there."""
    problems = error.errors(include_url=False)
    first = problems[0]
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".")
    line = f"{field or 'the value'}: {first['msg']}"
    if first["type"] != "missing" and not isinstance(first.get("input"), (dict, list)):
        line += f" (got {one_line(repr(first.get('input')), 40)})"
    if len(problems) > 1:
        line += f"; and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}"
    return line


def one_line(error: BaseException | str, limit: int = 300) -> str:
    """An error's text (or any text) on one line of at most ``limit`` characters."""
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
