"""Engine benchmark: one drafting step (answer in, replies out, draft saved).

    .venv/bin/python bench/engine_bench.py                       # bundled + 10,000 filings
    .venv/bin/python bench/engine_bench.py --conversations 5 --sizes 0 1000   # quick

**Engine step.** For each corpus (``0`` = the bundled seed corpus, N = N synthetic filings
from ``bench/search_scale.py``'s generator) an engine is built as ``bot.wiring`` builds it
(``DraftStore`` on a new temp dir, the search index, share and own-filing stores) and
``--conversations`` users each draft one whole table through ``Engine.handle``, answering
as ``bench/kill_writer.py``'s script does (/new, year button, name, department, unit,
category, nature, dates button, money, /skip, goal, the whole proposal, keep all values,
review, confirm). Every ``handle`` call is timed: it includes the engine, validation, the
search when the proposal is made, rendering the replies and the durable save (atomic
write + fsync of the user's file). Reported: p50 / p99 / max of all steps, of the answer
steps without the last one, of the proposal step and of the final step (``done``: the
finished table). The .xlsx and .png of the finished table are attachments whose bytes are
made when the adapter sends them, after the step; that is timed on its own (last row).

Start-up time and memory with a large corpus are ``bench/startup.py``'s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

TODAY = date(2026, 11, 25)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def synthetic(size: int) -> list:
    from search_scale import synthetic_corpus  # bench/search_scale.py

    return synthetic_corpus(size)


def engine_on(directory: Path, corpus: list):
    from jixiao.bot.conversation.engine import Engine
    from jixiao.store.corpus import OwnFilingStore
    from jixiao.store.drafts import DraftStore
    from jixiao.store.shares import ShareStore

    return Engine(DraftStore(directory), corpus, today=lambda: TODAY,
                  shares=ShareStore(directory), own_filings=OwnFilingStore(directory))


def step_times(size: int, conversations: int, seed: int = 5) -> dict[str, list[float]]:
    """Milliseconds of each ``handle`` call, by kind, for ``conversations`` whole drafts."""
    from jixiao.store.corpus import bundled_corpus
    from kill_writer import Script  # bench/kill_writer.py: the scripted answers

    corpus = [f for f in bundled_corpus() if f.complete] if size == 0 else synthetic(size)
    times: dict[str, list[float]] = {"all": [], "answer": [], "proposal": [], "done": [], "files": []}
    with tempfile.TemporaryDirectory(prefix="engine-bench-") as tmp:
        engine = engine_on(Path(tmp), corpus)
        store = engine.store
        script = Script(random.Random(seed))
        for n in range(conversations):
            user = f"bench:u{n}"
            for _ in range(100):  # one whole draft; the script needs about 15 inputs
                session = store.session(user)
                draft = store.draft(user, session.current) if session.current else None
                if draft is not None and draft.step == "done":
                    break
                inp, _ = script.next_input(user, session, draft, n)
                start = time.perf_counter()
                replies = engine.handle(user, inp)
                ms = (time.perf_counter() - start) * 1000
                script.remember(user, draft, inp)
                after = store.draft(user, store.session(user).current or draft.id)
                times["all"].append(ms)
                if after is not None and after.step == "done" and (draft is None or draft.step != "done"):
                    times["done"].append(ms)
                    files = [f for r in replies for f in r.files]
                    start = time.perf_counter()
                    made = [f.data for f in files]  # the adapter makes the bytes when it sends them
                    times["files"].append((time.perf_counter() - start) * 1000)
                    if len(files) != 2 or not all(made):
                        raise RuntimeError(f"the finished table did not render: {files}")
                else:
                    times["answer"].append(ms)
                if draft is not None and draft.step == "goal":
                    times["proposal"].append(ms)  # the goal answer enters the proposal: the search
            else:
                raise RuntimeError(f"conversation {n} did not finish")
        store.close()
    return times


def row(label: str, values: list[float]) -> str:
    if not values:
        return f"| {label} | 0 | — | — | — |"
    return (f"| {label} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 0.99):.1f} | "
            f"{max(values):.1f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10_000],
                        help="corpora for the step timing: 0 = bundled, N = N synthetic filings (default 0 10000)")
    parser.add_argument("--conversations", type=int, default=30, help="whole drafts per corpus (default 30)")
    args = parser.parse_args(argv)

    print(f"engine step: Engine.handle, {args.conversations} whole drafts per corpus, one user each, ms")
    print("| corpus | step | calls | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes:
        label = "bundled" if size == 0 else f"{size:,} synthetic"
        times = step_times(size, args.conversations)
        for kind, name in (("all", "every step"), ("answer", "answer steps (all but the final one)"),
                           ("proposal", "goal → proposal (search)"), ("done", "confirm → done (the finished table)"),
                           ("files", "after done: making the .xlsx + .png (not in the step)")):
            print(f"| {label} " + row(name, times[kind]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
