"""Save-one-answer latency: one file per user versus one shared TinyDB file.

One save is one TinyDB ``upsert`` of a ~2 KB draft for one user, timed with 10 and with
10,000 other users' drafts already stored, for

* ``PerUserDB`` + ``AtomicJSONStorage`` (store/user_files.py: atomic, fsynced, locked), and
* a single TinyDB file with tinydb's default ``JSONStorage`` holding every draft.

The other users' drafts are written straight to disk (not through TinyDB) so the set-up
stays quick. Run from the repository root::

    .venv/bin/python bench/store_bench.py [--saves 200] [--others 10 10000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tinydb import Query, TinyDB

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jixiao.store.user_files import PerUserDB

ME = "tg:424242"
ANSWER = "本项目年度绩效目标为保障法律援助案件及时办理，群众满意度不低于百分之九十。"


def draft(user: str, revision: int) -> dict:
    """A draft of about 2 KB (as UTF-8 JSON): project facts and thirteen answers."""
    return {
        "draft_id": "d1",
        "user": user,
        "revision": revision,
        "project": "2025年度法律援助经费项目",
        "unit": "某区司法局",
        "answers": {f"q{i:02d}": f"{ANSWER}（第{i}项，修订{revision}）" for i in range(13)},
    }


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_saves(save, saves: int) -> list[float]:
    """Milliseconds per call of ``save(revision)``."""
    times = []
    for revision in range(saves):
        start = time.perf_counter()
        save(revision)
        times.append((time.perf_counter() - start) * 1000)
    return times


def per_user(directory: Path, others: int, saves: int) -> tuple[list[float], float, int]:
    store = PerUserDB(directory)
    for n in range(others):
        key = f"tg:{n}"
        document = {"_meta": {"1": {"user_key": key}}, "drafts": {"1": draft(key, 0)}}
        store.path(key).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    start = time.perf_counter()
    drafts = store.db(ME).table("drafts")  # first open: scans the directory, records the key
    opened = (time.perf_counter() - start) * 1000
    drafts.insert(draft(ME, 0))
    times = time_saves(lambda r: drafts.upsert(draft(ME, r), Query().draft_id == "d1"), saves)
    size = store.path(ME).stat().st_size
    store.close()
    return times, opened, size


def shared(directory: Path, others: int, saves: int) -> tuple[list[float], float, int]:
    path = directory / "shared.json"
    table = {str(n + 1): draft(f"tg:{n}", 0) for n in range(others)}
    table[str(others + 1)] = draft(ME, 0)
    path.write_text(json.dumps({"drafts": table}), encoding="utf-8")  # as TinyDB writes it
    start = time.perf_counter()
    db = TinyDB(path)  # tinydb's defaults: JSONStorage, no caching middleware
    opened = (time.perf_counter() - start) * 1000
    drafts = db.table("drafts")
    mine = (Query().user == ME) & (Query().draft_id == "d1")
    times = time_saves(lambda r: drafts.upsert(draft(ME, r), mine), saves)
    size = path.stat().st_size
    db.close()
    return times, opened, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=200, help="saves timed per case (default 200)")
    parser.add_argument("--others", type=int, nargs="+", default=[10, 10_000], help="other users' drafts")
    parser.add_argument("--dir", type=Path, default=None, help="where to create the stores (default: a temp dir)")
    args = parser.parse_args()

    size = len(json.dumps(draft(ME, 0), ensure_ascii=False).encode("utf-8"))
    print(f"save one answer: TinyDB upsert of a {size:,}-byte draft, {args.saves} saves per case")
    header = f"{'layout':<34}{'others':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'open ms':>9}{'file KB':>10}"
    print(header)
    print("-" * len(header))
    cases = [("PerUserDB + AtomicJSONStorage", per_user), ("one file, tinydb JSONStorage", shared)]
    for others in args.others:
        for label, run in cases:
            with tempfile.TemporaryDirectory(dir=args.dir) as directory:
                times, opened, file_size = run(Path(directory), others, args.saves)
            print(
                f"{label:<34}{others:>8,}{statistics.median(times):>9.2f}{percentile(times, 0.99):>9.2f}"
                f"{max(times):>9.2f}{opened:>9.1f}{file_size / 1024:>10.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
