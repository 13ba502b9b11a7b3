"""The writer process of the kill test (bench/kill_test.py): the engine answering a script.

    .venv/bin/python bench/kill_writer.py --data-dir DIR --ack-log FILE [--users 4] [--seed 1] [--steps N]

It builds the real engine on ``DIR`` (``bot.wiring.build_engine``, bundled corpus, a fixed
"today") and drafts for several users, round robin, forever (or ``--steps`` inputs): a whole
conversation per draft — /new, the year button, name, department, unit, category, nature,
the dates button, money, /skip of the money detail, goal, "take the whole proposal", the
indicator list (accept it, deleting the values the validator refuses: "删 N"), review,
confirm — then /new again. When the table validator blocks confirming, it goes back
through /edit to the indicator list and deletes the indicators named in the errors; a
draft still blocked after that is /cancel'ed.

**It resumes from the store.** Before every input it reads the user's session and current
draft from the store and picks the input for the step the *stored* draft is at, so a
process killed at any moment and started again simply carries on.

**The acknowledgement log.** ``Engine.handle`` saves durably before it returns its
replies; its return is the acknowledgement. After each return the writer appends one JSON
line to ``FILE``, flushed and fsynced before the next input::

    {"n": 17, "pid": 123, "user": "u2", "draft": "3fa1c2d9", "step": "name", "input": "…",
     "turn": 5, "after": "department", "expect": [["filing.project_name", "equals", "…"]]}

``step`` is the step the answer was given at; ``expect`` lists what the stored draft must
hold from now on, derived from the scripted input (the name typed, the amount, the year
pressed …); ``turn`` and ``after`` are the draft's turn counter and step as saved when
``handle`` returned (read back then). Every expectation is one the script never undoes
later in the same draft, so the checker can verify every acknowledged line after every
kill. A line torn by a kill mid-append is cut off when the writer starts again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jixiao.bot.conversation.engine import Input  # noqa: E402
from jixiao.bot.conversation.state import ABANDONED, FINISHED  # noqa: E402
from jixiao.bot.domain.validation import validate  # noqa: E402
from jixiao.bot.wiring import build_engine  # noqa: E402

TODAY = date(2026, 11, 25)
YEAR = TODAY.year + 1  # the budget year the year question offers first
NAMES = ["工伤鉴定", "法律援助", "人民调解员工作津贴", "网络信息系统运行与维护", "业务培训", "档案数字化加工"]
DEPARTMENTS = ["上海市松江区人力资源和社会保障局", "上海市宝山区司法局", "上海市徐汇区司法局"]
UNITS = ["上海市松江区社会保障服务中心", "上海市宝山区法律援助中心", "上海市徐汇区公共法律服务中心"]
GOAL = "确保工伤认定和劳动能力鉴定工作有序开展。全年案件文书寄送量在18000件左右，完成鉴定案件不少于{n}件。"


def blocking_indicators(draft) -> set[str]:
    """Names of the indicators the table validator refuses (what blocks confirming)."""
    return {f.indicator for f in validate(draft.filing) if f.blocking and f.indicator}


def users(count: int) -> list[str]:
    return [f"kill:u{i}" for i in range(count)]


class AckLog:
    """An append-only log of acknowledged answers, one fsynced JSON line each."""

    def __init__(self, path: Path):
        self.path = path
        self._cut_torn_tail()
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def _cut_torn_tail(self) -> None:
        """Drop a last line without its newline (the previous writer died writing it)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            with open(self.path, "r+b") as handle:
                handle.truncate(keep)
                handle.flush()
                os.fsync(handle.fileno())

    def count(self) -> int:
        try:
            return self.path.read_bytes().count(b"\n")
        except FileNotFoundError:
            return 0

    def append(self, record: dict) -> None:
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        os.write(self.fd, line)  # one write() of an O_APPEND file: no interleaving
        os.fsync(self.fd)


class Script:
    """Which input to give a user's stored draft next, and what it must leave in the draft."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.last: dict[str, tuple] = {}  # user -> (draft id, turn, input) of the previous input

    def _repeat(self, user: str, draft, sent: str) -> bool:
        """Was ``sent`` already given to this draft at this turn (i.e. refused)?"""
        return self.last.get(user) == (draft.id, draft.turn, sent)

    def next_input(self, user: str, session, draft, serial: int) -> tuple[Input, list[list]]:
        """``(input, expectations)`` for the user's current draft (``None``: none open)."""
        rng = self.rng
        if draft is None or draft.status in (FINISHED, ABANDONED) or draft.step == "done":
            return Input("/new"), []
        step, token = draft.step, draft.token
        if step == "year":
            if rng.random() < 0.5:
                return Input(str(YEAR), token=token), [["filing.year", "equals", YEAR]]
            return Input(token=token, choice=0), [["filing.year", "equals", YEAR]]
        if step == "name":
            name = f"{rng.choice(NAMES)}（{user}-{serial}）"
            return Input(name), [["filing.project_name", "equals", name]]
        if step == "department":
            value = rng.choice(DEPARTMENTS)
            return Input(value), [["filing.department", "equals", value]]
        if step == "unit":
            if rng.random() < 0.3:
                return Input("__same_as_department__", token=token), [["filing.implementing_unit", "equals",
                                                                        draft.filing.department]]
            value = rng.choice(UNITS)
            return Input(value), [["filing.implementing_unit", "equals", value]]
        if step == "category":
            return Input("特定目标类", token=token), [["filing.category", "equals", "特定目标类"]]
        if step == "nature":
            return Input("其他经常性项目", token=token), [["filing.nature", "equals", "其他经常性项目"]]
        if step == "dates":
            whole = f"{draft.filing.year}-01-01 至 {draft.filing.year}-12-31"
            return Input(whole, token=token), [["filing.start", "equals", f"{draft.filing.year}-01-01"],
                                               ["filing.end", "equals", f"{draft.filing.year}-12-31"]]
        if step == "money":
            amount = rng.randrange(10_000, 2_000_000)
            return Input(str(amount)), [["filing.funding.annual_request", "equals", float(amount)]]
        if step == "money_detail":
            return Input("/skip"), [["filing.funding.carryover", "equals", 0.0]]
        if step == "goal":
            goal = GOAL.format(n=serial)
            return Input(goal), [["filing.goal", "equals", goal]]
        if step == "proposal":
            if draft.proposal:
                return Input("全部采用", token=token), []
            return Input("自己添加", token=token), []
        if step == "select":
            return Input("done", token=token), []
        if step == "add_level":
            if draft.filing.indicators:
                return Input("done", token=token), []
            return Input("产出指标/数量指标", token=token), []
        if step == "add_name":
            return Input(f"年度服务场次{serial}"), []
        if step == "add_value":
            return Input("≥3次"), []
        if step == "indicator":
            return Input("list", token=token), []
        if step == "indicators":
            items = draft.filing.indicators
            blocked = blocking_indicators(draft)  # back from review to fix the table: delete what the validator refuses
            doomed = [i for i, item in enumerate(items, 1) if item.name in blocked]
            if not doomed and self._repeat(user, draft, "accept"):  # a value refused: delete the first one
                doomed = [1]
            if doomed and items:
                gone = items[doomed[0] - 1].name
                return Input(f"删 {doomed[0]}"), [["filing.indicators", "lacks", gone]]
            return Input("accept", token=token), []
        if step == "review":
            if self._repeat(user, draft, "confirm") or self._repeat(user, draft, "/edit"):
                return Input("/cancel"), []  # still blocked: give up on this draft
            if blocking_indicators(draft):
                return Input("/edit"), []
            return Input("confirm", token=token), [["status", "equals", FINISHED]]
        if step == "confirm_cancel":
            return Input("yes", token=token), [["status", "equals", ABANDONED]]
        if step == "edit_menu":
            return Input("indicators" if blocking_indicators(draft) else "back", token=token), []
        return Input("/cancel"), []  # a step the script does not know: leave the draft

    def remember(self, user: str, draft, inp: Input) -> None:
        if draft is not None:
            self.last[user] = (draft.id, draft.turn, inp.text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--ack-log", type=Path, required=True)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--steps", type=int, default=0, help="stop after this many inputs (default: never)")
    args = parser.parse_args(argv)

    log = AckLog(args.ack_log)
    serial = log.count()  # makes names and goals distinct across restarts
    rng = random.Random(args.seed if args.seed is not None else os.getpid())
    engine = build_engine(args.data_dir, today=lambda: TODAY)
    store = engine.store
    script = Script(rng)
    people = users(args.users)
    sent = 0
    while not args.steps or sent < args.steps:
        user = rng.choice(people)
        session = store.session(user)
        draft = store.draft(user, session.current) if session.current else None
        inp, expect = script.next_input(user, session, draft, serial)
        step = draft.step if draft is not None else None
        engine.handle(user, inp)  # returns once the answer is saved: the acknowledgement
        after_session = store.session(user)
        current = after_session.current or (draft.id if draft is not None else None)  # None: /cancel'ed
        after = store.draft(user, current) if current else None
        if inp.text == "/new":
            expect = [["filing.year", "equals", YEAR]] if after is not None else []
        turn = after.turn if after is not None else None
        if draft is not None and after is not None and after.id == draft.id and after.turn == draft.turn:
            expect = []  # refused (or a retry): nothing new to expect, only that the draft is kept
        record = {
            "n": serial, "pid": os.getpid(), "user": user, "draft": after.id if after is not None else None,
            "step": step, "input": inp.text if inp.choice is None else f"#{inp.choice}", "turn": turn,
            "after": after.step if after is not None else None, "expect": expect,
        }
        log.append(record)
        script.remember(user, draft, inp)
        serial += 1
        sent += 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
