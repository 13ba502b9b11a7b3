"""Lost updates: a verdict while the drafter answers, two writers of one user, two reviewers of one code.

First one collision forced in a fixed order (the reviewer's verdict lands between the
drafter's load and save), which shows that the revision check is what saves the verdict:
without it the same order loses it. Then the short form of ``bench/race_test.py``: 20
trials of each lost-update race and 40 of the reviewers' race, in threads and in two real
processes, without fsyncs to keep it quick (the long form, durable: ``.venv/bin/python
bench/race_test.py``, 200 trials each).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from jixiao.bot.conversation.engine import Input
from jixiao.bot.conversation.state import APPROVED
from jixiao.store.drafts import DraftStore

RACE_TEST = Path(__file__).resolve().parents[1] / "bench" / "race_test.py"


@pytest.fixture(scope="module")
def race():
    spec = importlib.util.spec_from_file_location("race_test", RACE_TEST)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the worker processes import it by this name
    sys.path.insert(0, str(RACE_TEST.parent))
    spec.loader.exec_module(module)
    return module


def verdict_between_load_and_save(race, data_dir):
    """The drafter sends /edit on the shared draft; the approval is stored after her turn loaded."""
    engine = race.engine_on(data_dir)
    code = race.shared_code(engine, "alice")
    engine.handle("bob", Input(f"/review {code}"))
    load, interleaved = engine.load, []

    def load_then_verdict(user, inp):
        loaded = load(user, inp)
        if user == "alice" and not interleaved:
            interleaved.append(engine.handle("bob", Input("approve")))
        return loaded

    engine.load = load_then_verdict
    engine.handle("alice", Input("/edit"))
    (draft,) = engine.store.load("alice").drafts
    return engine, draft, interleaved[0]


def test_a_verdict_landing_while_the_drafter_answers_is_kept(race, tmp_path):
    engine, draft, told = verdict_between_load_and_save(race, tmp_path)
    assert any("已批准" in r.plain for r in told)
    assert [n.verdict for n in draft.reviews] == [APPROVED]  # the verdict survived
    assert draft.step == "edit_menu"  # and so did the drafter's /edit, re-run on the fresh file
    assert engine.reruns >= 1


def test_without_the_revision_check_the_same_order_loses_the_verdict(race, tmp_path, monkeypatch):
    def unchecked(self, writes):  # a plain locked read-modify-write of each file, as before revisions
        for write in writes:
            storage = self.files.storage(write.user)
            with storage.transaction():
                storage.write(self._applied(storage.read() or {}, write))

    monkeypatch.setattr(DraftStore, "commit", unchecked)
    _, draft, told = verdict_between_load_and_save(race, tmp_path)
    assert any("已批准" in r.plain for r in told) and draft.reviews == []  # told, but not stored


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_races_lose_nothing_and_one_reviewer_wins(race, tmp_path, kind):
    results = race.run(tmp_path, trials=20, reviewer_trials=40, kinds=(kind,), durable=False)
    for (_, name), result in results.items():
        assert result.trials == (40 if "reviewers" in name else 20)
        assert result.failed == 0 and result.lost == 0, (name, result.details)
    assert sum(r.reruns for r in results.values()) > 0  # the writers did collide
