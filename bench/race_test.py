"""Race test: writers that collide on one user's file, or on one review code; nothing may be lost.

    .venv/bin/python bench/race_test.py                        # 200 trials of each race, threads and processes
    .venv/bin/python bench/race_test.py --trials 20 --reviewer-trials 40   # the CI form (tests/test_race.py)

Three races, each run in **threads** (two threads sharing one engine, as the Telegram
bot's engine threads do) and in **processes** (two worker processes, each with its own
engine on the same data directory, as two ``jixiao chat --user same`` would):

* **verdict vs answer** — a reviewer approves a shared draft at the moment its drafter
  sends ``/edit`` on it and then ``/new``. Either may come first (an /edit first kills the
  code and the approval is refused), but what each was told must be what is stored. Lost:
  "approved" told but not stored (or stored but not told), the /edit or the new draft
  missing.
* **one user, two writers** — both send ``/new`` five times for the same user. Lost: any
  of the ten drafts missing.
* **two reviewers, one code** — both send ``/review CODE`` at once. Exactly one may open
  it; the share store must name that one.

Each trial starts both sides at a barrier. The engines count the turns they had to re-run
because another writer got in first (``Engine.reruns``): proof that the races happened
(the worker processes count for all three races together).
Prints one line per race and exits 1 if anything was lost or a code opened twice.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jixiao.bot.conversation.engine import Engine, Input  # noqa: E402
from jixiao.bot.conversation.state import FINISHED, Draft  # noqa: E402
from jixiao.bot.conversation.stores import UserWrite  # noqa: E402
from jixiao.store.corpus import bundled_corpus  # noqa: E402
from jixiao.store.drafts import DraftStore  # noqa: E402
from jixiao.store.memory import MemoryOwnFilings  # noqa: E402
from jixiao.store.safe_storage import AtomicJSONStorage  # noqa: E402
from jixiao.store.shares import ShareStore  # noqa: E402

TODAY = date(2026, 11, 25)
NEW_DRAFTS = 5  # per writer in "one user, two writers"
SPAWN = multiprocessing.get_context("spawn")


def engine_on(data_dir: Path, durable: bool = True) -> Engine:
    """An engine on the files of ``data_dir`` (no corpus: the races need none).

    ``durable=False`` skips the fsyncs (``AtomicJSONStorage.DURABLE``): the races are about
    writers overwriting each other, not about power cuts, and run several times faster."""
    AtomicJSONStorage.DURABLE = durable
    return Engine(DraftStore(data_dir), [], today=lambda: TODAY, shares=ShareStore(data_dir),
                  own_filings=MemoryOwnFilings())


@cache
def _seed_filing():
    filing = next(f for f in bundled_corpus() if f.format == "2026").model_copy(deep=True)
    filing.year, filing.source = 2027, None
    return filing


def finished_draft(engine: Engine, user: str) -> Draft:
    """A finished table for ``user`` (a seed filing, re-dated), stored as the open draft."""
    filing = _seed_filing().model_copy(deep=True)
    draft = Draft(user=user, filing=filing, status=FINISHED, step="done", history=["review"])
    state = engine.store.load(user)
    state.session.current = draft.id
    engine.store.commit([UserWrite(user, state.revision, state.session, (draft,))])
    return draft


def shared_code(engine: Engine, user: str) -> str:
    finished_draft(engine, user)
    (reply,) = engine.handle(user, Input("/share"))
    return reply.plain.split("/review ")[1].split()[0].strip("。，")


# ------------------------------------------------------------------ the races, as steps for two sides
@dataclass
class Trial:
    """What each side sends, and how to count what was lost afterwards."""

    sides: tuple[list[tuple[str, str]], list[tuple[str, str]]]  # (user, text) inputs per side
    check: object  # check(engine, replies_of_both_sides) -> (lost, detail)


def verdict_vs_answer(engine: Engine, n: int) -> Trial:
    alice, bob = f"race:alice{n}", f"race:bob{n}"
    code = shared_code(engine, alice)
    engine.handle(bob, Input(f"/review {code}"))
    shared_id = engine.store.load(alice).session.current

    def check(engine: Engine, replies) -> tuple[int, str]:
        drafts = {d.id: d for d in engine.store.load(alice).drafts}
        shared = drafts[shared_id]
        approved = any("已批准" in text for text in replies[1])  # the reviewer was told it is approved
        refused = any("已失效" in text for text in replies[1])  # … or that the drafter's /edit came first
        lost = 0 if approved != refused else 1
        lost += 0 if len(shared.reviews) == (1 if approved else 0) else 1  # told ⇔ stored
        lost += 0 if shared.step == "edit_menu" or shared.history[-1:] == ["edit_menu"] else 1  # the /edit kept
        lost += 1 - (len(drafts) - 1)  # the drafter's new draft
        return lost, f"told {'approved' if approved else 'refused' if refused else '?'}, {len(shared.reviews)} reviews, " \
                     f"step {shared.step}, {len(drafts)} drafts"

    return Trial(([(alice, "/edit"), (alice, "/new")], [(bob, "approve")]), check)


def one_user_two_writers(engine: Engine, n: int) -> Trial:
    user = f"race:same{n}"

    def check(engine: Engine, replies) -> tuple[int, str]:
        drafts = engine.store.load(user).drafts
        return 2 * NEW_DRAFTS - len(drafts), f"{len(drafts)} drafts"

    inputs = [(user, "/new")] * NEW_DRAFTS
    return Trial((inputs, list(inputs)), check)


def two_reviewers(engine: Engine, n: int) -> Trial:
    alice, carol, dave = f"race:owner{n}", f"race:carol{n}", f"race:dave{n}"
    code = shared_code(engine, alice)

    def check(engine: Engine, replies) -> tuple[int, str]:
        opened = [side for side in (0, 1) if any("请审核" in text for text in replies[side])]
        holder = engine.shares.get(code).reviewer
        ok = len(opened) == 1 and holder == (carol, dave)[opened[0]]
        return (0 if ok else 1), f"opened by {len(opened)}, held by {holder}"

    return Trial(([(carol, f"/review {code}")], [(dave, f"/review {code}")]), check)


RACES = {"verdict vs answer": verdict_vs_answer, "one user, two writers": one_user_two_writers,
         "two reviewers, one code": two_reviewers}


# ------------------------------------------------------------------ running them
@dataclass
class Result:
    trials: int = 0
    failed: int = 0  # trials with anything lost (or a code opened twice)
    lost: int = 0
    reruns: int = 0
    seconds: float = 0.0
    details: list[str] = field(default_factory=list)


def _run_side(engine: Engine, inputs) -> list[str]:
    return [reply.plain for user, text in inputs for reply in engine.handle(user, Input(text))]


def _side(engine: Engine, barrier: threading.Barrier, inputs, replies: list, i: int) -> None:
    barrier.wait()
    replies[i] = _run_side(engine, inputs)


def in_threads(data_dir: Path, race, trials: int, durable: bool = True) -> Result:
    engine, result = engine_on(data_dir, durable), Result()
    started = time.perf_counter()
    for n in range(trials):
        trial = race(engine, n)
        barrier, replies = threading.Barrier(2), [[], []]
        threads = [threading.Thread(target=_side, args=(engine, barrier, trial.sides[i], replies, i)) for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _count(result, trial, engine, replies, n)
    result.reruns, result.seconds = engine.reruns, time.perf_counter() - started
    return result


def _worker(data_dir: str, inbox, outbox, barrier, durable: bool) -> None:
    """A worker process: its own engine on the shared files; runs each side it is sent at the barrier."""
    engine = engine_on(Path(data_dir), durable)
    while True:
        inputs = inbox.get()
        if inputs is None:
            outbox.put(engine.reruns)
            return
        barrier.wait()
        outbox.put(_run_side(engine, inputs))


def in_processes(data_dir: Path, races: list[tuple[object, int]], durable: bool = True) -> list[Result]:
    """Each ``(race, trials)`` run by one pair of worker processes (started once, for all of them)."""
    engine = engine_on(data_dir, durable)  # this process sets each trial up and checks it
    barrier = SPAWN.Barrier(2)
    pipes = [(SPAWN.Queue(), SPAWN.Queue()) for _ in (0, 1)]
    workers = [SPAWN.Process(target=_worker, args=(str(data_dir), inbox, outbox, barrier, durable), daemon=True)
               for inbox, outbox in pipes]
    for worker in workers:
        worker.start()
    results = []
    try:
        for race, trials in races:
            result, started = Result(), time.perf_counter()
            for n in range(trials):
                trial = race(engine, n)
                for (inbox, _), inputs in zip(pipes, trial.sides):
                    inbox.put(inputs)
                replies = [outbox.get(timeout=60) for _, outbox in pipes]
                _count(result, trial, engine, replies, n)
            result.seconds = time.perf_counter() - started
            results.append(result)
        for inbox, _ in pipes:
            inbox.put(None)
        reruns = sum(outbox.get(timeout=60) for _, outbox in pipes)
    finally:
        for worker in workers:
            worker.join(10)
            if worker.is_alive():
                worker.kill()
    for result in results:  # the workers count re-runs for all races together
        result.reruns = reruns
    return results


def _count(result: Result, trial: Trial, engine: Engine, replies, n: int) -> None:
    lost, detail = trial.check(engine, replies)
    result.trials += 1
    result.lost += max(lost, 0)
    if lost:
        result.failed += 1
        result.details.append(f"trial {n}: {detail}")


def run(data_dir: Path, trials: int, reviewer_trials: int, kinds=("threads", "processes"),
        durable: bool = True) -> dict[tuple[str, str], Result]:
    plan = [(name, race, reviewer_trials if race is two_reviewers else trials) for name, race in RACES.items()]
    results = {}
    try:
        for kind in kinds:
            directory = data_dir / kind
            directory.mkdir(parents=True, exist_ok=True)
            if kind == "threads":
                results |= {(kind, name): in_threads(directory, race, count, durable) for name, race, count in plan}
            else:
                found = in_processes(directory, [(race, count) for _, race, count in plan], durable)
                results |= {(kind, name): result for (name, _, _), result in zip(plan, found)}
    finally:
        AtomicJSONStorage.DURABLE = True
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200, help="trials of the two lost-update races (default 200)")
    parser.add_argument("--reviewer-trials", type=int, default=200, help="trials of the reviewers' race (default 200)")
    parser.add_argument("--only", choices=("threads", "processes"), default=None)
    parser.add_argument("--no-fsync", action="store_true", help="skip the fsyncs (faster; the races are the same)")
    args = parser.parse_args(argv)
    kinds = (args.only,) if args.only else ("threads", "processes")
    with tempfile.TemporaryDirectory(prefix="race-test-") as tmp:
        results = run(Path(tmp), args.trials, args.reviewer_trials, kinds, durable=not args.no_fsync)
    failed = False
    for (kind, name), r in results.items():
        print(f"{kind:9} {name:24} trials: {r.trials}, failed: {r.failed}, lost: {r.lost}, "
              f"turns re-run: {r.reruns}, {r.seconds:.1f} s")
        for detail in r.details[:5]:
            print(f"    {detail}")
        failed |= bool(r.failed)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
