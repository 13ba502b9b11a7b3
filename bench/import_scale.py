"""Import into the corpus store at two sizes: does 10× the tables take at most 10× the time?

Synthetic seed-style files are made from the 26 seed tables (tests/fixtures/seeds), each
copy under its own file name and with its project names varied (``第k批…``), so every
table has its own key. Each size is imported into a fresh data directory by the function
behind ``jixiao import`` (read and parse every file, then ``CorpusStore.upsert``), timed
without the interpreter's start-up. Before issue 15 the store did one TinyDB query and
one write per table: 500 / 1,000 / 2,000 tables took 21 / 89 / 368 s. Run from the
repository root::

    .venv/bin/python bench/import_scale.py [--sizes 200 2000] [--dir DIR]

Each import is run ``--repeat`` times, the sizes taking turns (a fresh store each time),
and the median kept. The
goal is judged on the process's CPU time, which other programs on a shared machine do not
inflate the way they do wall time; both are printed. Prints the time of each size,
the time per table, the part of it spent in ``CorpusStore.upsert`` (the same filings into
another fresh store), and the ratio of the largest size's time to the smallest's; exits 1
when that ratio is over the ratio of the requested sizes (issue 15's goal: 2,000 tables
in at most 10× the time of 200). Linear code sits right at the goal (whole seed files give
203 and 2,002 tables, 9.86× as many), so the time per table is the figure to compare.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jixiao.bot.cli.import_cmd import import_command
from jixiao.bot.corpus.importer import import_file
from jixiao.store.corpus import CorpusStore

SEEDS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"
NAME_RE = re.compile(r"^(项目名称\*?[：:]?[\t ]?)(?=\S)", re.MULTILINE)  # the label, before the name


def synthetic_files(count: int, directory: Path) -> list[Path]:
    """Seed copies holding ``count`` tables or a few more (whole files), names varied per copy."""
    seeds = sorted(SEEDS.glob("*.txt"))
    texts = [(seed, seed.read_text(encoding="utf-8"), len(import_file(seed).filings)) for seed in seeds]
    files, tables, batch = [], 0, 0
    while tables < count:
        batch += 1
        for seed, text, in_seed in texts:
            if tables >= count:
                break
            path = directory / f"{seed.stem}_{batch:05d}.txt"
            path.write_text(NAME_RE.sub(lambda m, k=batch: f"{m.group(1)}第{k}批", text), encoding="utf-8")
            files.append(path)
            tables += in_seed
    return files


def time_import(files: list[Path], data_dir: Path) -> tuple[float, float]:
    """(wall, CPU) seconds for ``jixiao import FILES --data-dir DATA_DIR`` (its output discarded)."""
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import_command(files=files, json_out=None, data=data_dir, no_store=False)
    return time.perf_counter() - wall, time.process_time() - cpu


def time_upsert(filings: list, data_dir: Path) -> float:
    """Wall seconds for one ``CorpusStore.upsert`` of ``filings`` into a fresh store (fsyncs included)."""
    start = time.perf_counter()
    CorpusStore(data_dir).upsert(filings)
    return time.perf_counter() - start


def make_dir(path: Path) -> Path:
    path.mkdir()
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000], help="tables per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per size; the median time counts")
    parser.add_argument("--dir", type=Path, help="where to write the files and stores (default: a temp dir)")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    with tempfile.TemporaryDirectory(dir=args.dir) as temp:
        root = Path(temp)
        sources = {size: synthetic_files(size, make_dir(root / f"files-{size}")) for size in sizes}
        runs: dict[int, list[tuple[float, float]]] = {size: [] for size in sizes}
        for run in range(args.repeat):  # the sizes take turns, so both see the machine alike
            for size in sizes:
                runs[size].append(time_import(sources[size], root / f"data-{size}-{run}"))
        results = []
        for size in sizes:
            wall, cpu = statistics.median(w for w, _ in runs[size]), statistics.median(c for _, c in runs[size])
            filings = CorpusStore(root / f"data-{size}-0").all()
            upsert = statistics.median(time_upsert(filings, root / f"upsert-{size}-{run}") for run in range(args.repeat))
            results.append((size, len(filings), wall, cpu))
            print(f"{len(filings):6d} tables from {len(sources[size]):4d} files: {wall:6.2f} s wall, {cpu:6.2f} s CPU "
                  f"({cpu / len(filings) * 1000:.2f} ms CPU per table; CorpusStore.upsert {upsert:.2f} s wall of it)")
    (small, small_n, small_wall, small_cpu), (large, large_n, large_wall, large_cpu) = results[0], results[-1]
    ratio, allowed = large_cpu / small_cpu, large / small
    print(f"ratio {large_n} / {small_n} tables ({large_n / small_n:.2f}× as many): {ratio:.2f}× the CPU time, "
          f"{large_wall / small_wall:.2f}× the wall time (goal ≤ {allowed:.0f}×: {'met' if ratio <= allowed else 'NOT met'}); "
          f"CPU per table {small_cpu / small_n * 1000:.2f} → {large_cpu / large_n * 1000:.2f} ms")
    return 0 if ratio <= allowed else 1


if __name__ == "__main__":
    sys.exit(main())
