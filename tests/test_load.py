"""The load test in a small form: 50 users drafting at once through the real ``Application``.

Nothing may be lost or misrouted; no timing is asserted here (the figures come from the
full run, ``.venv/bin/python bench/load_test.py``: 1,000 users against the framework's
floor). The last test shows that the checker does catch a reply sent to the wrong chat.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from jixiao.bot.adapters.telegram import TelegramBot

REPO = Path(__file__).resolve().parents[1]
LOAD_TEST = REPO / "bench" / "load_test.py"


@pytest.fixture(scope="module")
def lt():
    spec = importlib.util.spec_from_file_location("bench_load_test", LOAD_TEST)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def users(lt, n: int) -> list[int]:
    return [lt.FIRST_USER + i for i in range(n)]


async def test_fifty_users_drafting_at_once_lose_nothing_and_get_only_their_own_replies(lt, tmp_path):
    ids = users(lt, 50)
    result, request = await lt.run_ours(tmp_path / "data", ids, lt.SCRIPT)
    assert result.problems == [] and result.lost == 0 and result.misrouted == 0
    assert result.updates == 50 * len(lt.SCRIPT) == len(result.fed)
    assert request.stray == []
    for uid in ids:  # each chat got its replies, its own project name among them (/show, the review)
        texts = "\n".join(call.text for call in request.chats[uid])
        assert lt.project(uid) in texts and "相似的往年项目" in texts and "请检查整张表" in texts
        assert set(lt.PROJECT_RE.findall(texts)) == {str(uid)}
    presses = [f for f in result.fed if f.query_id is not None]
    assert len(presses) == 50 * sum(step.action == "press" for step in lt.SCRIPT)
    assert result.timers["engine"][0] == result.updates  # one engine call per update
    assert lt.failures(result) == 0


async def test_the_floor_answers_every_update_once(lt):
    result, request = await lt.run_floor(users(lt, 20), lt.SCRIPT[:6])
    assert result.problems == [] and result.lost == 0 and result.misrouted == 0
    assert result.updates == 120
    assert sum(len(calls) for calls in request.chats.values()) == 120
    assert all(call.method == "sendMessage" for calls in request.chats.values() for call in calls)


async def test_a_reply_sent_to_another_users_chat_is_caught(lt, tmp_path, monkeypatch):
    first, second, third = users(lt, 3)
    send_reply = TelegramBot.send_reply

    async def crossed(self, bot, chat_id, reply):
        if chat_id == first and lt.project(first) in reply.html:  # the first user's /show goes astray
            chat_id = second
        await send_reply(self, bot, chat_id, reply)

    monkeypatch.setattr(TelegramBot, "send_reply", crossed)
    result, _ = await lt.run_ours(tmp_path / "data", [first, second, third], lt.SCRIPT[:5])
    assert result.misrouted >= 1  # the second user's chat got the first user's table
    assert any(p.startswith(f"user {first} step 5: '{lt.project(first)}' not in the reply") for p in result.problems)
    assert lt.failures(result) > 0


async def test_a_reply_never_sent_is_counted_lost(lt, tmp_path, monkeypatch):
    first, second = users(lt, 2)
    send_reply = TelegramBot.send_reply

    async def dropped(self, bot, chat_id, reply):
        if chat_id == first and "主管部门是哪个单位" in reply.plain:  # the answer to the project name vanishes
            return
        await send_reply(self, bot, chat_id, reply)

    monkeypatch.setattr(TelegramBot, "send_reply", dropped)
    result, _ = await lt.run_ours(tmp_path / "data", [first, second], lt.SCRIPT[:4])
    assert result.lost == 1 and result.misrouted == 0
    assert any(p == f"user {first} step 3: no reply" for p in result.problems)
