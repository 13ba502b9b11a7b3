"""Scale benchmark of the similar-project search on a synthetic corpus.

Run from the repository root::

    .venv/bin/python bench/search_scale.py                 # 1k, 10k, 100k; writes docs/SEARCH_SCALE.md
    .venv/bin/python bench/search_scale.py --sizes 1000 --no-write

The synthetic corpus is generated from the 26 seed filings: each synthetic filing copies a
seed's category, format, goal and indicators (the indicator list is shared, not copied: the
index does not look at indicators) and varies

* the unit: 16 Shanghai districts × 18 kinds of unit (288 units);
* the year: any year the seed's framework was used for;
* the name: the seed's own name (so same-name projects exist across units and years), the
  seed's name with a prefix or suffix, or a new name put together from field, object and
  expense words (法律援助 + 案件 + 补贴), sometimes with a prefix and a suffix too;
* the goal: the name, the unit and the seed's goal, so nearly every goal text is distinct.

For each size the index is built once (build time; memory as the traced allocations of the
build, tracemalloc, and as the growth of the process's resident set), then a fixed mix of
queries runs against it: existing names with unit, category and goal; new names with a unit
and a seed goal; the seeds' own queries. Reported: p50 / p95 / max of ``search(top=5)`` and
of ``propose()`` (search plus the merge), in milliseconds, single-threaded.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from jixiao.bot.domain.models import Filing
from jixiao.bot.retrieval.index import Query, SearchIndex
from jixiao.bot.retrieval.proposals import propose
from jixiao.store.corpus import bundled_corpus

REPO = Path(__file__).resolve().parent.parent

DOC = REPO / "docs" / "SEARCH_SCALE.md"
QUERIES = 300
DISTRICTS = ["黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区",
             "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区"]
UNITS = ["司法局", "人力资源和社会保障局", "社会保障服务中心", "人民法院", "人民检察院", "卫生健康委员会",
         "教育局", "民政局", "财政局", "城市管理行政执法局", "生态环境局", "文化和旅游局", "档案馆",
         "市场监督管理局", "退役军人事务局", "医疗保障局", "公证处", "法律援助中心"]
YEARS = {"2020": range(2018, 2022), "2024": range(2022, 2026), "2026": range(2026, 2028)}
PREFIXES = ["社区", "街道", "基层", "智慧", "数字化", "综合", "专项", "公共", "区级", "重点"]
SUFFIXES = ["（二期）", "（续建）", "服务", "项目", "专项经费", "工作经费", "补贴", "运维", "建设", "购置"]
FIELDS = ["法律援助", "人民调解", "社区矫正", "工伤保险", "劳动能力鉴定", "档案数字化", "信息系统", "网络安全",
          "普法宣传", "公共法律服务", "就业援助", "养老服务", "医疗救助", "司法鉴定", "行政复议", "退役军人",
          "安置帮教", "征地养老", "食品安全", "环境监测", "校园安全", "文物保护", "消防设施", "办公用房"]
OBJECTS = ["案件", "人员", "系统", "平台", "设备", "中心", "站点", "队伍", "档案", "场地", "车辆", "培训"]
EXPENSES = ["补贴", "经费", "运维费", "购置费", "租赁费", "服务费", "专家咨询费", "保障金", "工作津贴", "宣传费"]


def synthetic_corpus(size: int, seed: int = 7) -> list[Filing]:
    """``size`` filings varied from the bundled seeds (deterministic for a given ``seed``)."""
    rng = random.Random(seed)
    seeds = bundled_corpus()
    filings = []
    for n in range(size):
        base = seeds[n % len(seeds)]
        unit = f"上海市{rng.choice(DISTRICTS)}{rng.choice(UNITS)}"
        year = rng.choice(YEARS[base.format])
        roll = rng.random()
        if roll < 0.3:
            name = base.project_name
        elif roll < 0.55:
            name = rng.choice(PREFIXES) + base.project_name if rng.random() < 0.5 else base.project_name + rng.choice(SUFFIXES)
        else:
            name = rng.choice(FIELDS) + rng.choice(OBJECTS) + rng.choice(EXPENSES)
            if rng.random() < 0.4:
                name = rng.choice(PREFIXES) + name
            if rng.random() < 0.3:
                name += rng.choice(SUFFIXES)
        goal = f"{unit}{name}：{(base.goal or '').replace(str(base.year), str(year))}"
        filings.append(Filing.model_construct(
            year=year, format=base.format, department=unit, implementing_unit=None, project_name=name,
            category=base.category, goal=goal, indicators=base.indicators, complete=True, problems=[], source=None,
        ))
    return filings


def queries(corpus: list[Filing], count: int, seed: int = 11) -> list[Query]:
    rng = random.Random(seed)
    seeds = bundled_corpus()
    result = []
    for n in range(count):
        kind = n % 3
        if kind == 0:
            f = rng.choice(corpus)
            result.append(Query(f.project_name, f.category, f.department, f.goal, f.year + 1))
        elif kind == 1:
            name = rng.choice(FIELDS) + rng.choice(OBJECTS) + rng.choice(EXPENSES)
            unit = f"上海市{rng.choice(DISTRICTS)}{rng.choice(UNITS)}"
            result.append(Query(name, None, unit, rng.choice(seeds).goal, 2026))
        else:
            f = rng.choice(seeds)
            result.append(Query(f.project_name, f.category, f.department, f.goal, 2026))
    return result


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(size: int, tokenizer_name: str) -> dict:
    corpus = synthetic_corpus(size)
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    index = SearchIndex(corpus, tokenizer_name=tokenizer_name)
    build = time.perf_counter() - start
    gc.collect()
    rss = rss_mb() - before

    tracemalloc.start()
    traced_before = tracemalloc.get_traced_memory()[0]
    traced_index = SearchIndex(corpus, tokenizer_name=tokenizer_name)
    traced = (tracemalloc.get_traced_memory()[0] - traced_before) / 2**20
    tracemalloc.stop()
    del traced_index
    gc.collect()

    asked = queries(corpus, QUERIES)
    for q in asked[:20]:  # warm caches
        index.search(q)
    search_ms, propose_ms, found, same_first = [], [], 0, 0
    for n, q in enumerate(asked):
        start = time.perf_counter()
        hits = index.search(q, top=5)
        search_ms.append(1000 * (time.perf_counter() - start))
        found += bool(hits)
        same_first += n % 3 == 0 and bool(hits) and hits[0].same_name
        start = time.perf_counter()
        propose(index, q, "2026")
        propose_ms.append(1000 * (time.perf_counter() - start))
    return {
        "size": size, "names": len(index._names), "goals": len(index._goals), "build": build,
        "traced": traced, "rss": rss,
        "search": (statistics.median(search_ms), percentile(search_ms, 0.95), max(search_ms)),
        "propose": (statistics.median(propose_ms), percentile(propose_ms, 0.95), max(propose_ms)),
        "found": found, "same_first": same_first, "existing": len(asked[::3]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--tokenizer", default="bigram")
    parser.add_argument("--no-write", action="store_true", help=f"Print only; do not write {DOC.relative_to(REPO)}.")
    args = parser.parse_args(argv)
    given = sys.argv[1:] if argv is None else argv
    command = " ".join([".venv/bin/python bench/search_scale.py", *given])

    header = ("| filings | distinct names | distinct goals | build s | index MiB (tracemalloc) | RSS growth MiB | "
              "search p50 ms | search p95 ms | search max ms | propose p50 ms | propose p95 ms | queries with hits | "
              "same name first |")
    rows = [header, "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    print(header)
    for size in args.sizes:
        r = measure(size, args.tokenizer)
        row = (f"| {r['size']:,} | {r['names']:,} | {r['goals']:,} | {r['build']:.2f} | {r['traced']:.1f} | {r['rss']:.1f} | "
               f"{r['search'][0]:.2f} | {r['search'][1]:.2f} | {r['search'][2]:.2f} | "
               f"{r['propose'][0]:.2f} | {r['propose'][1]:.2f} | {r['found']}/{QUERIES} | {r['same_first']}/{r['existing']} |")
        rows.append(row)
        print(row, flush=True)
    if not args.no_write:
        text = "\n".join([
            "# Similar-project search at scale",
            "",
            (f"Run on {datetime.date.today().isoformat()} with `{command}` "
             f"(tokenizer `{args.tokenizer}`; Python {platform.python_version()}, {platform.machine()}, "
             "one thread; bench/search_scale.py's docstring describes the corpus and the queries). "
             f"Load average when it finished: {Path('/proc/loadavg').read_text().split()[0]} on "
             f"{os.cpu_count()} cores — other work on the machine moves the p95 by a few milliseconds."),
            "",
            *rows,
            "",
            (f"{QUERIES} queries per size: a third existing names with unit, category and goal (\"same name "
             "first\" counts those whose first hit is a same-name project), a third new names with a unit and a "
             "goal, a third the seeds' own queries. The index memory excludes the "
             "filings themselves (they share the seeds' indicator lists). The target is search p95 < 20 ms at "
             "100,000 filings."),
            "",
            ("This is the index as built in memory. The running bot maps it from the derived corpus file instead "
             "(`bot/retrieval/stored.py`: nothing is built at start-up, each filing a search returns is read from "
             "disk and validated when first asked for); `bench/startup.py --filings 100000` measures the same 300 "
             "searches on that index, and docs/BENCHMARKS.md gives its figures (\"Start-up with 100,000 "
             "filings\")."),
            "",
        ])
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        print(f"written to {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
