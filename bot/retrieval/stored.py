"""The corpus on disk: TinyDB stays the store; a derived file beside it makes start-up cheap.

``corpus.json`` (``jixiao import``) is the store of record: one TinyDB document per
filing. Reading it at every start means parsing the whole file and validating every
filing — 25 s and 2 GiB at 100,000 filings. So the *base* of the corpus (the bundled
seeds and ``corpus.json``, merged by key, complete filings only: what ``load_corpus``
always loaded) is also kept, derived, in ``<data dir>/corpus.derived/corpus.pack``
(:mod:`~bot.retrieval.packfile`): the search index's arrays, the catalog's header columns
and string tables, and every filing as one line of JSON with a table of byte offsets.
Start-up maps that file and reads a few small lists; each filing is parsed and validated
when it is first needed (:class:`~bot.retrieval.catalog.FilingTable`).

**Stale or missing.** The pack's meta records what it was made from (:func:`stamp`):
``corpus.json``'s size, modification time, inode and a SHA-256 of its first and last
64 KiB; the same of the bundled seed file; and a hash of the code that derives it (this
package's indexing and text modules and the filing model, plus :data:`FORMAT`). If any
differs the pack is rebuilt — by ``CorpusStore.upsert`` right after an import writes
``corpus.json`` (:func:`refresh`, from the filings it has in hand, stamped while it still
holds the store's lock), or at start-up when it finds it stale (a hand-edited file, a new
version of the program). A stamp is always of the version read, taken before reading or
under the store's lock, so a write during a build only makes the next start rebuild
again. Builders take a lock file (``corpus.derived/build.lock``; never while holding the
store's lock) and look again under it, so two processes starting together build once. Where the directory cannot be written (a read-only data dir) the
base is built in memory, as before, with a warning.

Our own approved tables (``own_filings.json``) are few and change while the bot runs:
they are read whole at start-up and added to the loaded index (``Corpus.add``).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jixiao.bot.domain.models import Filing
from jixiao.bot.paths import BUNDLED_CORPUS
from jixiao.bot.retrieval.catalog import Header
from jixiao.bot.retrieval.index import SearchIndex
from jixiao.bot.retrieval.packfile import Pack, PackError, write_pack

logger = logging.getLogger(__name__)

DIRECTORY = "corpus.derived"
PACK = "corpus.pack"
LOCK = "build.lock"
FORMAT = 1  # raise when the pack's contents change meaning
STAMP_BYTES = 64 * 1024  # hashed from each end of a source file
_HERE = Path(__file__).resolve().parent
CODE_FILES = (  # what the pack's contents depend on
    _HERE / "catalog.py", _HERE / "fields.py", _HERE / "index.py", _HERE / "packfile.py", _HERE / "stored.py",
    _HERE / "text.py", _HERE / "text_data.json", _HERE.parent / "domain" / "models.py",
)


def pack_path(data_dir: Path) -> Path:
    return Path(data_dir) / DIRECTORY / PACK


def file_stamp(path: Path) -> dict[str, Any] | None:
    """What identifies a version of the file at ``path`` (``None`` if there is none)."""
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
            digest = hashlib.sha256(handle.read(STAMP_BYTES))
            if status.st_size > STAMP_BYTES:
                handle.seek(max(STAMP_BYTES, status.st_size - STAMP_BYTES))
                digest.update(handle.read(STAMP_BYTES))
    except FileNotFoundError:
        return None
    return {"size": status.st_size, "mtime_ns": status.st_mtime_ns, "inode": status.st_ino, "sha256": digest.hexdigest()}


@functools.cache
def code_stamp() -> str:
    digest = hashlib.sha256(str(FORMAT).encode())
    for path in CODE_FILES:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def stamp(data_dir: Path) -> dict[str, Any]:
    """What a pack built now from ``data_dir`` is made from (compared with a pack's meta)."""
    from jixiao.store.corpus import CorpusStore

    return {"format": FORMAT, "code": code_stamp(), "bundled": file_stamp(BUNDLED_CORPUS),
            "corpus": file_stamp(Path(data_dir) / CorpusStore.FILE_NAME)}


def base_filings(data_dir: Path, stored: Iterable[Filing] | None = None) -> list[tuple[Header, bytes]]:
    """The bundled seeds and ``corpus.json``'s filings (``stored``, else read) merged by key
    (the store's copy wins, in the seed's place), complete filings only: each as its header
    and its JSON line, so that no more than one whole filing is held at a time."""
    from jixiao.store.corpus import CorpusStore, bundled_corpus

    merged = {f.key: _entry(f) for f in bundled_corpus()}
    store = None
    if stored is None and (Path(data_dir) / CorpusStore.FILE_NAME).exists():
        store = CorpusStore(Path(data_dir))
        stored = store.each()
    for filing in stored or ():
        merged[filing.key] = _entry(filing)
    if store is not None:
        store.close()
    return [entry for entry in merged.values() if entry[0].complete]


def _entry(filing: Filing) -> tuple[Header, bytes]:
    return Header.of(filing), filing.model_dump_json().encode("utf-8", "surrogatepass") + b"\n"


def build_index(entries: list[tuple[Header, bytes]]) -> SearchIndex:
    return SearchIndex((header for header, _ in entries), lines=(line for _, line in entries))


def write(path: Path, index: SearchIndex, made_from: dict[str, Any]) -> None:
    """``index`` (built, every filing in it) as the pack at ``path``."""
    arrays, lists = index.parts()
    arrays["filings/json"], arrays["filings/offsets"] = index.table.lines()
    meta = {"made_from": made_from, "filings": len(index),
            "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_pack(path, meta, arrays, lists)


def load(path: Path) -> SearchIndex:
    """The index in the pack at ``path`` (:class:`PackError` if it is not a whole pack)."""
    pack = Pack(path)
    arrays_named, lists_named = pack.names()
    arrays = {name: pack.array(name) for name in arrays_named if name != "filings/json"}
    lines = (pack.reader("filings/json"), arrays.pop("filings/offsets"))  # read, not mapped: see Pack.reader
    lists = {name: pack.list(name) for name in lists_named if name != "table/keys"}
    try:
        return SearchIndex.from_parts(arrays, lists, lines, lambda: pack.list("table/keys"))
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise PackError(f"{path}: {type(error).__name__}: {error}") from None


def is_fresh(data_dir: Path) -> bool:
    meta = Pack.read_meta(pack_path(data_dir))
    return meta is not None and meta.get("made_from") == stamp(data_dir)


def refresh(data_dir: Path, *, force: bool = False, made_from: dict[str, Any] | None = None,
            stored: Iterable[Filing] | None = None) -> SearchIndex | None:
    """Build the pack of ``data_dir`` if it is stale or missing (or ``force``); the index
    built, or ``None`` if the pack was fresh. ``OSError`` if the directory cannot be written.

    ``stored`` (``corpus.json``'s filings, with ``made_from`` the stamp of the file they were
    read from) saves reading the store again: an import passes what it has just written.
    """
    directory = Path(data_dir) / DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # one builder at a time; the others then find it fresh
        if stored is None and not force and is_fresh(data_dir):
            return None
        started = time.perf_counter()
        if stored is None:
            made_from = stamp(data_dir)  # before reading: a write meanwhile makes the pack stale, not wrong
        index = build_index(base_filings(data_dir, stored))
        write(pack_path(data_dir), index, made_from)
        logger.info("event=corpus_derived path=%s filings=%d seconds=%.1f", pack_path(data_dir), len(index),
                    time.perf_counter() - started)
        return index
    finally:
        os.close(fd)


def open_base(data_dir: Path) -> SearchIndex:
    """The base corpus's index: the pack when fresh (memory-mapped), else rebuilt first;
    built in memory when the data directory cannot be written."""
    path = pack_path(data_dir)
    if not is_fresh(data_dir):
        try:
            logger.info("event=corpus_derived_stale path=%s msg=\"rebuilding the derived corpus file\"", path)
            refresh(data_dir)
        except OSError as error:
            logger.warning("event=corpus_derived_unwritable path=%s error=%s msg=\"the corpus is read whole\"",
                           path, json.dumps(error.strerror or str(error)))
            return build_index(base_filings(data_dir))
    try:
        return load(path)
    except (OSError, PackError) as error:  # replaced by a stale build between the check and the load, or damaged
        logger.warning("event=corpus_derived_unreadable path=%s error=%s", path, json.dumps(str(error)))
        try:
            refresh(data_dir, force=True)
            return load(path)
        except (OSError, PackError):
            return build_index(base_filings(data_dir))
