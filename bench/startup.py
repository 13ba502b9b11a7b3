"""Start-up benchmark: the engine on a data directory of N synthetic filings, in a fresh process.

    .venv/bin/python bench/startup.py --filings 100000          # the goal: ≤ 3 s, ≤ 500 MiB
    .venv/bin/python bench/startup.py --filings 1000 --repeat 3 --traffic 20
    .venv/bin/python bench/startup.py --filings 10000 --data-dir /tmp/startup-10k --keep

**The corpus.** ``--filings`` filings are made from the 26 seeds by
``bench/search_scale.py``'s generator (units, years and names varied; each its own key)
and written through the store as ``jixiao import`` writes them:
``CorpusStore(data_dir).upsert(filings)`` — one TinyDB write of ``corpus.json``, then the
derived corpus file (``bot.retrieval.stored``) is built. Both are timed ("import").

**Start-up.** Then, ``--repeat`` times, a fresh Python process imports the program (timed
apart: it does not grow with the corpus) and calls ``jixiao.bot.wiring.build_engine`` on
the directory — what ``jixiao serve`` and ``jixiao chat`` do before their first answer —
and reports its wall and CPU seconds and the process's resident set (``VmRSS``, the whole
interpreter included) and peak (``VmHWM``). The pages of the derived file are in the page
cache by then (it was just written); after a reboot the first searches read them from disk.

**After start.** The same process then runs 300 similar-project searches and proposals
(search p50/p95, as ``bench/search_scale.py`` asks them, but on the index as loaded from
disk: the filings hit are read and validated on demand), one ``/lookup`` of a name filed by
many units, and ``--traffic`` whole conversations through ``Engine.handle`` (the load
test's script: facts, the proposal, the values, the review), and reports the resident set
again — what a running ``jixiao serve`` holds after some traffic.

The medians over the repeats are printed; the last line is exactly
``start-up: X s, RSS Y MiB (N filings)`` (median wall seconds of ``build_engine``, median
RSS after it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

QUERIES = 300
from search_scale import percentile  # noqa: E402  (bench/search_scale.py: one percentile for both)


def status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------ the parent: make the corpus, run children
def make_corpus(data_dir: Path, size: int) -> dict:
    """``size`` synthetic filings stored as ``jixiao import`` stores them; the queries for the child."""
    from jixiao.bot.domain.models import Source
    from jixiao.store.corpus import CorpusStore
    from search_scale import queries, synthetic_corpus

    started = time.perf_counter()
    filings = synthetic_corpus(size)
    for n, filing in enumerate(filings):
        filing.source = Source(file="synthetic.xlsx", index=n)  # each its own key, as imported tables have
    made = time.perf_counter() - started
    asked = [q.__dict__ for q in queries(filings, QUERIES)]
    common = max({f.project_name for f in filings[:2000]}, key=lambda name: sum(f.project_name == name for f in filings[:2000]))
    store = CorpusStore(data_dir)
    started, cpu = time.perf_counter(), time.process_time()
    store.upsert(filings)
    store.close()
    figures = {"generate_s": made, "import_s": time.perf_counter() - started, "import_cpu_s": time.process_time() - cpu,
               "corpus_mib": (data_dir / CorpusStore.FILE_NAME).stat().st_size / 2**20}
    from jixiao.bot.retrieval.stored import pack_path

    figures["derived_mib"] = pack_path(data_dir).stat().st_size / 2**20
    (data_dir.parent / f"{data_dir.name}-queries.json").write_text(
        json.dumps({"queries": asked, "lookup": common}, ensure_ascii=False), encoding="utf-8")
    return figures


def run_child(data_dir: Path, traffic: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(data_dir), "--traffic", str(traffic)],
                         capture_output=True, text=True, cwd=REPO, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"the start-up process failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ the child: start, search, converse
def converse(engine, users: int) -> None:
    """``users`` whole drafts through ``Engine.handle`` (bench/load_test.py's script)."""
    from jixiao.bot.conversation.engine import Input
    from load_test import FIRST_USER, SCRIPT

    for n in range(users):
        uid, shown = FIRST_USER + n, None
        for step in SCRIPT:
            if step.action == "press":
                labels = [c.label for c in shown.choices]
                number = next(i for i, label in enumerate(labels) if label == step.argument or step.argument in label)
                inp = Input(token=shown.token, choice=number)
            else:
                inp = Input(text=step.text(uid))
            replies = engine.handle(f"bench:{uid}", inp)
            shown = next((r for r in reversed(replies) if r.choices), shown)


def memory() -> dict:
    """The resident set split as the kernel counts it: anonymous (the heap) and file pages (the
    mapped derived file: shared, dropped under memory pressure and read again when touched)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("RssAnon:", "RssFile:")):
            fields[line.split(":")[0]] = int(line.split()[1]) / 1024
    return {"anon_mib": fields.get("RssAnon", float("nan")), "file_mib": fields.get("RssFile", float("nan"))}


def child(data_dir: Path, traffic: int) -> dict:
    started = time.perf_counter()
    import jixiao.bot.lookup as lookup_module
    import jixiao.bot.wiring
    from jixiao.bot.retrieval.index import Query
    from jixiao.bot.retrieval.proposals import propose
    from load_test import TODAY

    imported = time.perf_counter() - started
    rss_before = status_mib("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    engine = jixiao.bot.wiring.build_engine(data_dir, today=lambda: TODAY)
    result = {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu,
              "import_seconds": imported, "filings": len(engine.corpus), "rss_before_mib": rss_before,
              "rss_mib": status_mib("VmRSS"), "peak_mib": status_mib("VmHWM"), **memory()}
    asked = json.loads((data_dir.parent / f"{data_dir.name}-queries.json").read_text(encoding="utf-8"))
    queries = [Query(**q) for q in asked["queries"]]
    search_ms, propose_ms = [], []
    for q in queries:
        started = time.perf_counter()
        engine.index.search(q, top=5)
        search_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        propose(engine.index, q, "2026")
        propose_ms.append(1000 * (time.perf_counter() - started))
    started = time.perf_counter()
    found = lookup_module.lookup(engine.corpus, asked["lookup"])
    result.update(search_p50=statistics.median(search_ms), search_p95=percentile(search_ms, 0.95),
                  propose_p95=percentile(propose_ms, 0.95), lookup_ms=1000 * (time.perf_counter() - started),
                  lookup_found=len(found.exact), rss_searched_mib=status_mib("VmRSS"))
    started = time.perf_counter()
    converse(engine, traffic)
    result.update(traffic=traffic, traffic_s=time.perf_counter() - started, rss_traffic_mib=status_mib("VmRSS"),
                  peak_after_mib=status_mib("VmHWM"), **{f"traffic_{k}": v for k, v in memory().items()})
    engine.store.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=100_000, help="synthetic filings in corpus.json (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh start-up processes (default 3; medians printed)")
    parser.add_argument("--traffic", type=int, default=30, help="whole conversations after start (default 30)")
    parser.add_argument("--data-dir", type=Path, default=None, help="where to make the corpus (default a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--reuse", action="store_true",
                        help="use the corpus a kept --data-dir holds (its derived file rebuilt first if stale)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.traffic)))
        return 0

    temp = Path(tempfile.mkdtemp(prefix="jixiao-startup-")) if args.data_dir is None else None
    data_dir = (temp / "data") if temp else args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        load = ", ".join(Path("/proc/loadavg").read_text().split()[:3])
        if args.reuse and (data_dir / "corpus.json").exists():
            from jixiao.bot.retrieval import stored

            started = time.perf_counter()
            rebuilt = stored.refresh(data_dir) is not None
            print(f"corpus: reused {data_dir}; derived file {'rebuilt' if rebuilt else 'fresh'} (peak RSS {status_mib('VmHWM'):.0f} MiB) "
                  f"({time.perf_counter() - started:.1f} s)", flush=True)
        else:
            made = make_corpus(data_dir, args.filings)
            print(f"corpus: {args.filings:,} synthetic filings generated in {made['generate_s']:.1f} s; import "
                  f"(CorpusStore.upsert: corpus.json {made['corpus_mib']:.0f} MiB, then the derived file "
                  f"{made['derived_mib']:.0f} MiB) {made['import_s']:.1f} s, {made['import_cpu_s']:.1f} s CPU, "
                  f"peak RSS of the importing process {status_mib('VmHWM'):.0f} MiB", flush=True)
        runs = [run_child(data_dir, args.traffic) for _ in range(args.repeat)]
        median = {key: statistics.median(run[key] for run in runs) for key in runs[0] if isinstance(runs[0][key], (int, float))}
        print("| run | build_engine s | CPU s | imports s | RSS after MiB | peak MiB | search p50 ms | search p95 ms | "
              "propose p95 ms | lookup ms (filings) | RSS after traffic MiB (heap + file) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for n, run in enumerate(runs, 1):
            print(f"| {n} | {run['seconds']:.2f} | {run['cpu_seconds']:.2f} | {run['import_seconds']:.2f} | "
                  f"{run['rss_mib']:.0f} | {run['peak_mib']:.0f} | {run['search_p50']:.2f} | {run['search_p95']:.2f} | "
                  f"{run['propose_p95']:.2f} | {run['lookup_ms']:.0f} ({run['lookup_found']}) | {run['rss_traffic_mib']:.0f} "
                  f"({run['traffic_anon_mib']:.0f} + {run['traffic_file_mib']:.0f}) |")
        print(f"median of {len(runs)}: build_engine {median['seconds']:.2f} s ({median['cpu_seconds']:.2f} s CPU), "
              f"RSS {median['rss_mib']:.0f} MiB after start (peak {median['peak_mib']:.0f}), search p95 "
              f"{median['search_p95']:.2f} ms, RSS {median['rss_traffic_mib']:.0f} MiB after {args.traffic} "
              f"conversations (peak {median['peak_after_mib']:.0f}); {runs[0]['filings']:,} filings loaded (the seeds too); load average before: {load}, after: "
              f"{', '.join(Path('/proc/loadavg').read_text().split()[:3])}")
        print(f"start-up: {median['seconds']:.2f} s, RSS {median['rss_mib']:.0f} MiB ({args.filings} filings)")
    finally:
        if temp is not None and not args.keep:
            shutil.rmtree(temp, ignore_errors=True)
        elif args.keep:
            print(f"kept {data_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
