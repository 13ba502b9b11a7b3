"""Export benchmark: the .xlsx and the PNG of a finished table, and the largest tables the limits allow.

    .venv/bin/python bench/export_bench.py              # 30 runs of each table
    .venv/bin/python bench/export_bench.py --runs 5     # quick
    .venv/bin/python bench/export_bench.py --no-limits  # only the finished tables (runs on older checkouts too)

**Finished tables.** Each table is exported as the chat's finish step does it
(``bot/conversation/finish.py``): ``write_xlsx`` then ``render_png`` to files in a temp
directory, without validator findings (``--findings`` marks them, as ``jixiao export``
does). Two tables: a realistic 2026 table of 20 indicators (the seed 工伤鉴定 with a
项目总目标, as a multi-year draft would have it) and the largest seed table (审判执行业务费,
32 indicators, 2020 form). Reported: median and p95 over ``--runs`` runs (after one
warm-up run, whose time is shown as "first"), for the .xlsx, the PNG and both together,
wall clock, and the CPU time of both (``time.process_time``), which moves less when other
processes share the machine's cores.

**Limits.** In a fresh process each: the largest draft the drafting limits allow
(``bot/domain/limits.py``: 60 indicators, every field at its limit) rendered as a PNG, with
its time and the growth of the process's peak resident set; and a table of 300
indicators, which every renderer must refuse at once (``TableTooLarge``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def tables():
    from jixiao.store.corpus import bundled_corpus

    corpus = bundled_corpus()
    realistic = next(f for f in corpus if f.project_name == "工伤鉴定")
    realistic = realistic.model_copy(update={
        "overall_goal": "2026—2028年确保工伤认定和劳动能力鉴定工作有序开展，三年累计完成鉴定案件不少于10000件，"
                        "文书及时有效送达，工伤职工和单位的合法权益得到保障。"})
    largest = max(corpus, key=lambda f: len(f.indicators))
    return [("realistic 2026 table", realistic), ("largest seed table", largest)]


def time_exports(filing, runs: int, findings: bool) -> dict[str, list[float]]:
    from jixiao.bot.domain.validation import validate
    from jixiao.bot.render.png import render_png
    from jixiao.bot.render.xlsx import write_xlsx

    found = validate(filing) if findings else None
    times: dict[str, list[float]] = {"xlsx": [], "png": [], "both": [], "cpu": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs + 1):
            cpu, start = time.process_time(), time.perf_counter()
            write_xlsx(filing, Path(tmp) / "export.xlsx", found)
            middle = time.perf_counter()
            render_png(filing, Path(tmp) / "export.png", found)
            end = time.perf_counter()
            for key, ms in (("xlsx", middle - start), ("png", end - middle), ("both", end - start),
                            ("cpu", time.process_time() - cpu)):
                times[key].append(ms * 1000)
    return times


def limits_child(case: str) -> None:
    """Run in a fresh process: one limits case; prints a JSON line."""
    import io
    import resource

    from jixiao.bot.domain import limits
    from jixiao.bot.domain.models import Filing, Indicator
    from jixiao.bot.render.caps import TableTooLarge
    from jixiao.bot.render.png import render_png

    levels = [("成本指标", "经济成本指标"), ("产出指标", "数量指标"), ("效益指标", "社会效益指标"), ("满意度指标", "服务对象满意度指标")]

    def table(count: int, name: str, value: str, **fields) -> Filing:
        return Filing(year=2026, format="2026", project_name=fields.pop("project_name", "上限"), **fields, indicators=[
            Indicator(level1=levels[i % 4][0], level2=levels[i % 4][1], name=f"{name}{i:02d}", value=value) for i in range(count)])

    if case == "largest_draft":
        filing = table(limits.DRAFT_INDICATORS, "名" * (limits.INDICATOR_NAME_CHARS - 2), "值" * limits.VALUE_CHARS,
                       project_name="项" * limits.PROJECT_NAME_CHARS, department="部" * limits.UNIT_CHARS,
                       implementing_unit="实" * limits.UNIT_CHARS, goal="目" * limits.GOAL_CHARS, overall_goal="总" * limits.GOAL_CHARS)
    else:
        filing = table(300, "指标", "≥1.00(件)")
    render_png(Filing(year=2026, format="2026", project_name="热身"), io.BytesIO())  # fonts and imports loaded
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    out = io.BytesIO()
    try:
        image = render_png(filing, out)
        outcome = f"drawn {image.size[0]}×{image.size[1]} px, {len(out.getvalue()) // 1024} KiB"
    except TableTooLarge as refusal:
        outcome = f"refused: {refusal.key}"
    ms = (time.perf_counter() - start) * 1000
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps({"ms": ms, "rss_mib": grown, "outcome": outcome}, ensure_ascii=False))


def limits_case(case: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", case], capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--findings", action="store_true", help="mark validator findings (as jixiao export does)")
    parser.add_argument("--no-limits", action="store_true", help="only the finished tables (e.g. to time an older checkout)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        limits_child(args.child)
        return
    command = " ".join(["bench/export_bench.py", *sys.argv[1:]])
    print(f"command: .venv/bin/python {command}")
    print(f"export of a finished table: write_xlsx + render_png to files, {args.runs} runs after one warm-up, "
          f"findings {'marked' if args.findings else 'not marked'}, ms")
    print("(wall-clock ms; the last row, CPU ms of both, moves less when other processes share the cores)")
    print("| table | indicators | step | first | median | p95 |")
    print("|---|---|---|---|---|---|")
    for label, filing in tables():
        times = time_exports(filing, args.runs, args.findings)
        for step in ("xlsx", "png", "both", "cpu"):
            first, rest = times[step][0], times[step][1:]
            print(f"| {label} | {len(filing.indicators)} | {step} | {first:.1f} | {statistics.median(rest):.1f} | "
                  f"{percentile(rest, 0.95):.1f} |")
    if args.no_limits:
        return
    print()
    print("limits: one PNG in a fresh process (fonts loaded first)")
    print("| case | ms | peak RSS growth MiB | outcome |")
    print("|---|---|---|---|")
    for case, label in (("largest_draft", "largest draft the limits allow (60 indicators, every field full)"),
                        ("over_limit", "300 indicators (over the 200 limit)")):
        result = limits_case(case)
        print(f"| {label} | {result['ms']:.0f} | {result['rss_mib']:.0f} | {result['outcome']} |")


if __name__ == "__main__":
    main()
