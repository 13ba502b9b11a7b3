"""Kill test: SIGKILL a real writer process at random moments; no acknowledged answer may be lost.

    .venv/bin/python bench/kill_test.py                 # 200 kills (the long form)
    .venv/bin/python bench/kill_test.py --kills 20      # the CI form (tests/test_kill.py)
    .venv/bin/python bench/kill_test.py --kills 200 --seed 7 --data-dir /tmp/kill --users 4

The writer (``bench/kill_writer.py``) builds the real engine on the data directory and
drafts for several users, appending one fsynced line to an acknowledgement log after each
``Engine.handle`` returns (the engine saves durably before it returns: that return is the
acknowledgement). This script, ``--kills`` times:

1. starts the writer (a new process; it resumes every user's conversation from the store);
2. waits a random moment — a few milliseconds (the interpreter still starting), up to a
   second (well into the drafting), or until the writer acknowledges its next few answers
   and then 0–20 ms more (so the kill lands inside the following ``handle``, which is
   mostly writing and fsyncing) — and kills it with SIGKILL;
3. with the writer dead, checks the store: leftover temporary files are counted (the kill
   hit a write); a fresh ``DraftStore`` opens every user's file (a ``CorruptStoreError``
   counts as a corrupt store, as does any ``*.corrupt-*`` file set aside), every session
   and draft validates against its pydantic model; then **every** line of the
   acknowledgement log so far is checked against the stored drafts: the draft exists, its
   turn counter is at least the acknowledged one, and each expectation holds (the name
   typed is the project name, the amount is the annual request, the pressed year is the
   year, a confirmed draft is finished …). An acknowledgement that fails any of these is a
   lost answer.

It also counts the kills that fell between a save and its acknowledgement (a draft stored
further than the log says: saved, never acknowledged — allowed, and proof the kills land
in the window that matters). Prints one summary line ``kills: N, lost answers: 0, corrupt
stores: 0, …`` and exits 1 if anything was lost, corrupt, invalid, if the writer died on
its own, or if nothing was acknowledged at all. The data directory is removed at the end
of a passing run that made it itself; kept (and printed) otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jixiao.store.drafts import DraftStore  # noqa: E402
from jixiao.store.safe_storage import AtomicJSONStorage, CorruptStoreError  # noqa: E402
from pydantic import ValidationError  # noqa: E402

WRITER = REPO / "bench" / "kill_writer.py"
ACK_LOG = "kill-acks.jsonl"
WRITER_ERRORS = "kill-writer-stderr.log"


def dig(document, path: str):
    """``document["filing"]["funding"]["total"]`` for ``"filing.funding.total"``; ``KeyError`` if absent."""
    value = document
    for part in path.split("."):
        value = value[part]
    return value


class AckReader:
    """Reads the acknowledgement log incrementally, complete lines only."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0
        self.acks: list[dict] = []

    def read(self) -> list[dict]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return self.acks
        complete = data[: data.rfind(b"\n") + 1]  # a torn last line is not acknowledged
        self.offset += len(complete)
        for line in complete.splitlines():
            if line.strip():
                self.acks.append(json.loads(line))
        return self.acks


class Checker:
    """Opens the store as a restarted bot would, and holds it to the acknowledgement log."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.users_dir = data_dir / "users"
        self.acks = AckReader(data_dir / ACK_LOG)
        self.corrupt = 0
        self.invalid = 0
        self.lost: dict[int, str] = {}  # ack serial -> why (an ack lost once stays lost)
        self.checked = 0
        self.unacknowledged_saves = 0
        self.previous: dict[tuple[str, str], int] = {}  # each draft's turn at the last check
        self.temp_files = 0
        self.drafts = self.finished = 0

    def leftover_temp_files(self) -> int:
        if not self.users_dir.exists():
            return 0
        return sum(1 for p in self.users_dir.iterdir() if AtomicJSONStorage.TEMP_MARKER in p.name)

    def check(self) -> list[str]:
        """Check the store after a kill; returns the problems found this time."""
        problems = []
        if self.leftover_temp_files():
            self.temp_files += 1
        acks = self.acks.read()
        stored: dict[tuple[str, str], dict] = {}
        store = DraftStore(self.data_dir)
        try:
            # every user with a file, and every user with an acknowledged answer (users()
            # skips unreadable files); opening a file removes leftover temporary files
            users = sorted(set(store.users()) | {ack["user"] for ack in acks})
            for user in users:
                try:
                    store.session(user)
                    for draft in store.drafts(user):  # each one Draft.model_validate'd
                        stored[(user, draft.id)] = draft.model_dump(mode="json")
                except CorruptStoreError as error:
                    self.corrupt += 1
                    problems.append(f"corrupt store: {error}")
                except ValidationError as error:
                    self.invalid += 1
                    problems.append(f"invalid draft or session for {user}: {error}")
        finally:
            store.close()
        aside = list(self.users_dir.glob("*" + AtomicJSONStorage.CORRUPT_MARKER + "*")) if self.users_dir.exists() else []
        if aside:
            self.corrupt += 1
            problems.append(f"files set aside as corrupt: {', '.join(p.name for p in aside)}")
            for path in aside:  # reported once; keep them out of the next checks' count
                path.rename(path.with_name("reported-" + path.name))

        acked_turn: dict[tuple[str, str], int] = {}
        for ack in acks:
            self.checked += 1
            if ack["draft"] is None:
                continue
            key = (ack["user"], ack["draft"])
            acked_turn[key] = max(acked_turn.get(key, -1), ack["turn"])
            why = self._lost(ack, stored.get(key))
            if why and ack["n"] not in self.lost:
                self.lost[ack["n"]] = why
                problems.append(f"lost answer {json.dumps(ack, ensure_ascii=False)}: {why}")
        # a draft saved further than the log says, by the writer just killed (not one left so
        # by an earlier kill: those stay, e.g. a draft made by a /new that was never acknowledged)
        if any(doc["turn"] > acked_turn.get(key, -1) and self.previous.get(key) != doc["turn"]
               for key, doc in stored.items()):
            self.unacknowledged_saves += 1
        self.previous = {key: doc["turn"] for key, doc in stored.items()}
        self.drafts = len(stored)
        self.finished = sum(doc["status"] == "finished" for doc in stored.values())
        return problems

    @staticmethod
    def _lost(ack: dict, draft: dict | None) -> str | None:
        if draft is None:
            return "the draft is not in the store"
        if draft["turn"] < ack["turn"]:
            return f"the draft is at turn {draft['turn']}, the answer was acknowledged at turn {ack['turn']}"
        for path, kind, value in ack["expect"]:
            try:
                found = dig(draft, path)
            except (KeyError, TypeError):
                return f"{path} is missing"
            if kind == "equals" and found != value:
                return f"{path} is {found!r}, acknowledged {value!r}"
            if kind == "nonempty" and not found:
                return f"{path} is empty"
            if kind == "lacks" and any(item.get("name") == value for item in found):
                return f"{path} still has {value!r}, acknowledged deleted"
        return None


def wait_before_kill(rng: random.Random, acks: Path, child: subprocess.Popen) -> str:
    """Sleep a random moment; returns which kind of moment it was."""
    roll = rng.random()
    if roll < 0.1:
        time.sleep(rng.uniform(0, 0.05))
        return "start-up"
    if roll < 0.4:  # just after an acknowledgement: the next handle() is saving
        def lines() -> int:
            try:
                return acks.read_bytes().count(b"\n")
            except FileNotFoundError:
                return 0

        target = lines() + rng.randint(1, 15)
        deadline = time.monotonic() + 3.0
        while lines() < target and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.02))
        return "after an ack"
    time.sleep(rng.uniform(0.05, 1.0))
    return "random"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200, help="how many times to kill the writer (default 200)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill moments and the script (default: random)")
    parser.add_argument("--data-dir", type=Path, default=None, help="the store to write (default: a new temp dir)")
    parser.add_argument("--users", type=int, default=4, help="users drafting in the writer (default 4)")
    parser.add_argument("--verbose", action="store_true", help="one line per kill")
    args = parser.parse_args(argv)

    seed = args.seed if args.seed is not None else random.randrange(2**31)
    rng = random.Random(seed)
    made = args.data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="kill-test-")) if made else args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    checker = Checker(data_dir)
    crashes = 0
    moments: dict[str, int] = {}
    started = time.perf_counter()
    errors = open(data_dir / WRITER_ERRORS, "ab")
    try:
        for kill in range(1, args.kills + 1):
            child = subprocess.Popen(
                [sys.executable, str(WRITER), "--data-dir", str(data_dir), "--ack-log", str(data_dir / ACK_LOG),
                 "--users", str(args.users), "--seed", str(rng.randrange(2**31))],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, cwd=REPO,
            )
            moment = wait_before_kill(rng, data_dir / ACK_LOG, child)
            moments[moment] = moments.get(moment, 0) + 1
            if child.poll() is not None:
                crashes += 1  # the writer never stops on its own
                print(f"kill {kill}: the writer exited by itself with {child.returncode}; see {data_dir / WRITER_ERRORS}",
                      file=sys.stderr)
            else:
                child.send_signal(signal.SIGKILL)
            child.wait()
            problems = checker.check()
            for problem in problems[:5]:
                print(f"kill {kill}: {problem}", file=sys.stderr)
            if args.verbose:
                print(f"kill {kill} ({moment}): {checker.checked} acks checked, {len(checker.lost)} lost", flush=True)
    finally:
        errors.close()
    seconds = time.perf_counter() - started

    acknowledged = len(checker.acks.acks)
    print(
        f"kills: {args.kills}, lost answers: {len(checker.lost)}, corrupt stores: {checker.corrupt}, "
        f"invalid drafts: {checker.invalid}, writer crashes: {crashes}, acknowledged answers: {acknowledged}, "
        f"ack checks: {checker.checked}, kills mid-write (temp file left): {checker.temp_files}, "
        f"kills between save and ack: {checker.unacknowledged_saves}, drafts: {checker.drafts} "
        f"({checker.finished} finished), kill moments: "
        + ", ".join(f"{k} {v}" for k, v in sorted(moments.items()))
        + f", seed: {seed}, {seconds:.1f} s"
    )
    failed = checker.lost or checker.corrupt or checker.invalid or crashes or not acknowledged
    if failed:
        print(f"FAILED; the data is kept in {data_dir}", file=sys.stderr)
        return 1
    if made:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
