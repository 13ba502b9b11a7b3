"""The kill test in its short form (20 SIGKILLs), and proof that its checker catches losses.

The long form (200 kills) is ``.venv/bin/python bench/kill_test.py``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
KILL_TEST = REPO / "bench" / "kill_test.py"
WRITER = REPO / "bench" / "kill_writer.py"


def load_kill_test():
    spec = importlib.util.spec_from_file_location("kill_test", KILL_TEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_twenty_kills_lose_nothing(tmp_path):
    result = subprocess.run(
        [sys.executable, str(KILL_TEST), "--kills", "20", "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kills: 20, lost answers: 0, corrupt stores: 0," in result.stdout, result.stdout + result.stderr
    assert "acknowledged answers: 0," not in result.stdout


@pytest.fixture
def written(tmp_path):
    """A store and its acknowledgement log after 40 scripted inputs (no kill)."""
    data = tmp_path / "data"
    data.mkdir()
    subprocess.run(
        [sys.executable, str(WRITER), "--data-dir", str(data), "--ack-log", str(data / "kill-acks.jsonl"),
         "--users", "2", "--seed", "3", "--steps", "40"],
        check=True, timeout=120, cwd=REPO,
    )
    return data


def test_the_checker_passes_an_intact_store(written):
    kill_test = load_kill_test()
    checker = kill_test.Checker(written)
    assert checker.check() == []
    assert checker.checked == 40 and not checker.lost and checker.corrupt == 0


def test_the_checker_sees_a_changed_answer(written):
    from jixiao.store.drafts import DraftStore

    kill_test = load_kill_test()
    store = DraftStore(written)
    user = store.users()[0]
    draft = next(d for d in store.drafts(user) if d.filing.project_name)
    draft.filing.project_name = "被改掉的名称"
    store.save_draft(draft)
    store.close()
    checker = kill_test.Checker(written)
    problems = checker.check()
    assert checker.lost and any("project_name" in p for p in problems), problems


def test_the_checker_sees_a_rolled_back_draft(written):
    from jixiao.store.drafts import DraftStore

    kill_test = load_kill_test()
    store = DraftStore(written)
    user = store.users()[0]
    draft = max(store.drafts(user), key=lambda d: d.turn)
    draft.turn -= 1
    store.save_draft(draft)
    store.close()
    checker = kill_test.Checker(written)
    problems = checker.check()
    assert checker.lost and any("turn" in p for p in problems), problems


def test_the_checker_sees_a_corrupt_store(written):
    kill_test = load_kill_test()
    for journal in (written / "users").glob(".journal-*"):
        journal.unlink()  # nothing to restore it from (see the next test)
    victim = next((written / "users").glob("*.json"))
    victim.write_bytes(victim.read_bytes()[:-20])  # a half-written file
    checker = kill_test.Checker(written)
    problems = checker.check()
    assert checker.corrupt >= 1 and checker.lost, problems


def test_a_file_torn_by_a_power_failure_is_restored_from_the_journal(written):
    kill_test = load_kill_test()
    assert list((written / "users").glob(".journal-*"))  # the writer exited without closing its store
    victim = next((written / "users").glob("*.json"))
    victim.write_bytes(victim.read_bytes()[:-20])  # the last replace was not on disk yet
    checker = kill_test.Checker(written)
    problems = checker.check()
    assert not checker.lost and checker.checked == 40  # the journal's record took its place
    assert [p for p in problems if not p.startswith("files set aside as corrupt")] == []  # the torn bytes are kept aside
    assert not list((written / "users").glob(".journal-*"))  # replayed, then removed
