"""Run every benchmark and write docs/BENCHMARKS.md: date, machine, each figure and its command.

    .venv/bin/python bench/run_all.py            # the real run (several minutes); writes docs/BENCHMARKS.md
    .venv/bin/python bench/run_all.py --quick    # a smoke run with small sizes; writes a temp file
    .venv/bin/python bench/run_all.py --only values store --out /tmp/b.md

Each benchmark runs as its own subprocess, one after the other (so they do not disturb each
other's timings), with the exact command shown in the document next to what it printed.
Benchmarks that write their own documents (proposals, search_scale) are run with
``--no-write``: this script's document is the one record of the run. Exits 1 if any
benchmark failed (its output is still written down, marked as failed).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "BENCHMARKS.md"
PYTHON = ".venv/bin/python"  # how the commands are written down (run with this interpreter)

# ----------------------------------------------------------------------------------------
# The load test (issue 8, part 3) is written separately as bench/load_test.py. When that file
# exists it is run here like the others: the full run with no arguments, the quick run with
# --quick if the script mentions that option (else with no arguments). Its printed output
# goes into the document under "Load test"; the headline table picks up lines such as
# "updates/s", "p50", "p99", "ratio" from it (see headline_load). Until it exists the
# document says it was not run.
LOAD_TEST = REPO / "bench" / "load_test.py"
# ----------------------------------------------------------------------------------------


@dataclass
class Bench:
    name: str
    title: str
    script: str
    full: list[str]
    quick: list[str]
    about: str
    timeout: int = 3600
    output: str = ""
    seconds: float = 0.0
    returncode: int | None = None
    skipped: str | None = None
    argv: list[str] = field(default_factory=list)

    @property
    def command(self) -> str:
        return " ".join([PYTHON, self.script, *map(shlex.quote, self.argv)])


def benchmarks(quick: bool) -> list[Bench]:
    startup_about = ("`build_engine` (what `jixiao serve` and `jixiao chat` do before their first answer) in a fresh "
                     "process on a data directory of {n} synthetic filings imported through the store (corpus.json, then "
                     "the derived file), median of 3 processes; then, in the same process, search p95 on the index as "
                     "loaded from disk, a look-up of a name many units filed, and 30 whole conversations, with the "
                     "resident set after them. Goal at 100,000: ≤ 3 s and ≤ 500 MiB, search p95 < 20 ms.")
    items = [
        Bench("values", "Value parsing", "bench/values_bench.py", [], [],
              "`bot.domain.values.parse_value` per call, cached and uncached, and the error path."),
        Bench("store", "Save one answer", "bench/store_bench.py", [], ["--saves", "30", "--others", "10", "1000"],
              "One TinyDB upsert of a ~2 KB draft with 10 and 10,000 other users' drafts stored: our "
              "one-file-per-user atomic store against one shared file with TinyDB's default storage. "
              "Goal: under 5 ms, not growing with other users' data."),
        Bench("engine", "Engine step", "bench/engine_bench.py", [],
              ["--conversations", "3", "--sizes", "0", "1000"],
              "`Engine.handle` per step (engine, validation, search, rendering, durable save) over whole "
              "drafts, with the bundled corpus and 10,000 synthetic filings, one user at a time."),
    ]
    for size, quick_size in ((1_000, 500), (10_000, 1_000), (100_000, 2_000)):
        label = f"{size // 1000}k"
        items.append(Bench(f"startup{label}", f"Start-up with {size:,} filings", "bench/startup.py",
                           ["--filings", str(size)], ["--filings", str(quick_size), "--repeat", "1", "--traffic", "3"],
                           startup_about.format(n=f"{size:,}"), timeout=7200))
    items += [
        Bench("search", "Similar-project search at scale", "bench/search_scale.py", ["--no-write"],
              ["--sizes", "1000", "--no-write"],
              "`SearchIndex.search` and `propose` at 1k / 10k / 100k synthetic filings, on an index built in "
              "memory (bench/startup.py measures the same searches on the index mapped from disk). Target: "
              "search p95 < 20 ms at 100,000."),
        Bench("proposals", "Indicator proposals (leave-one-out)", "bench/proposals.py", ["--no-write"], ["--no-write"],
              "Recall and precision of the proposed indicators against two baselines on the bundled corpus."),
        Bench("export", "Export: the .xlsx and the PNG of a finished table", "bench/export_bench.py", [],
              ["--runs", "5"],
              "`write_xlsx` + `render_png` of a finished table as the chat's finish step makes them; goal ≤ 100 ms "
              "together. Then the largest draft the limits allow, and a table over the limit (refused)."),
        Bench("import", "Import into the corpus store at two sizes", "bench/import_scale.py", [],
              ["--sizes", "20", "200", "--repeat", "1"],
              "The function behind `jixiao import` (parse every file, `CorpusStore.upsert`, the derived file) at "
              "200 and 2,000 tables. Goal: 10× the tables in at most 10× the time."),
        Bench("race", "Race test", "bench/race_test.py", [], ["--trials", "5", "--reviewer-trials", "5"],
              "Writers that collide on one user's file or one review code, in threads and in processes; "
              "nothing may be lost and exactly one reviewer may win."),
        Bench("kill", "Kill test", "bench/kill_test.py", ["--kills", "200"], ["--kills", "10"],
              "A real writer process drafting for 4 users, SIGKILLed at random moments; after each kill the "
              "store must open and hold every acknowledged answer. Goal: 200/200 kills, nothing lost."),
    ]
    load_about = ("{users} simulated users drafting at once through the real PTB `Application` (offline), "
                  "against a PTB application whose handler only sends one reply (the framework's floor). "
                  "Goal: at least half of the floor's throughput, no lost or misrouted replies.")
    slow_about = ("The 300-user load test on an emulated slower disk (every fsync 5 ms longer, as on many cloud "
                  "volumes), {how}: what group commit is for.")
    loads = [Bench("load", "Load test", "bench/load_test.py", [], [], load_about.format(users="1,000")),
             Bench("load300", "Load test, 300 users", "bench/load_test.py", ["--users", "300"], ["--quick"],
                   load_about.format(users="300")),
             Bench("slowdisk", "Load test, 300 users, slower disk, journal", "bench/load_test.py",
                   ["--users", "300", "--fsync-latency", "5"], ["--quick", "--fsync-latency", "5"],
                   slow_about.format(how="saving through the journal (one fdatasync for the saves waiting together)")),
             Bench("slowdisk_nojournal", "Load test, 300 users, slower disk, no journal", "bench/load_test.py",
                   ["--users", "300", "--fsync-latency", "5", "--no-journal"],
                   ["--quick", "--fsync-latency", "5", "--no-journal"],
                   slow_about.format(how="each save with its own fsyncs (`--no-journal`)"))]
    for load in loads:
        if not LOAD_TEST.exists():
            load.skipped = "bench/load_test.py does not exist yet (issue 8, part 3); not run."
        elif quick and "--quick" not in LOAD_TEST.read_text(encoding="utf-8"):
            load.quick = []
    items += loads
    for item in items:
        item.argv = item.quick if quick else item.full
    return items


def run(bench: Bench) -> None:
    if bench.skipped:
        return
    print(f"== {bench.name}: {bench.command}", flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, bench.script, *bench.argv], cwd=REPO, capture_output=True,
                              text=True, timeout=bench.timeout, stdin=subprocess.DEVNULL)
        bench.output = (done.stdout + ("\n" + done.stderr if done.stderr.strip() else "")).strip()
        bench.returncode = done.returncode
    except subprocess.TimeoutExpired as error:
        bench.output = f"timed out after {bench.timeout} s\n{error.stdout or ''}"
        bench.returncode = -1
    bench.seconds = time.perf_counter() - start
    print(bench.output, flush=True)
    print(f"== {bench.name}: exit {bench.returncode}, {bench.seconds:.0f} s", flush=True)


# ------------------------------------------------------------------ the machine
def load_average() -> str:
    try:
        return ", ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def machine() -> list[tuple[str, str]]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        nproc = str(os.cpu_count())
    try:
        fs = subprocess.run(["df", "--output=fstype", tempfile.gettempdir()], capture_output=True, text=True,
                            check=True).stdout.split()[-1]
    except (OSError, subprocess.CalledProcessError, IndexError):
        fs = "unknown"
    return [
        ("CPUs (`nproc`)", nproc),
        ("CPU model", cpu),
        ("RAM", ram),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("OS", platform.platform()),
        (f"File system of {tempfile.gettempdir()} (where the stores are written)", fs),
    ]


# ------------------------------------------------------------------ headline figures
def _num(pattern: str, text: str, group: int = 1) -> str | None:
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(group) if match else None


def _table_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|") and not line.startswith("|---")]


def headline_values(out: str) -> list[tuple[str, str]]:
    rows = []
    for label, key in (("Value parsing, uncached", "uncached"), ("Value parsing, cached", r"cached \(lru_cache\)"),
                       ("Value parsing, invalid input", r"invalid \(error path\)")):
        value = _num(rf"^\s*{key}:\s*([\d.]+) µs/call", out)
        if value:
            rows.append((label, f"{value} µs/call"))
    return rows


def headline_store(out: str) -> list[tuple[str, str]]:
    rows = []
    for line in out.splitlines():
        match = re.match(r"(PerUserDB \+ AtomicJSONStorage|one file, tinydb JSONStorage)\s+([\d,]+)\s+([\d.]+)\s+([\d.]+)", line)
        if match:
            layout, others, p50, p99 = match.groups()
            name = "our store" if layout.startswith("PerUserDB") else "TinyDB default, one file"
            rows.append((f"Save one answer, {name}, {others} other users' drafts", f"p50 {p50} ms, p99 {p99} ms"))
    return rows


def headline_engine(out: str) -> list[tuple[str, str]]:
    rows = []
    for cells in _table_rows(out):
        if len(cells) == 6 and cells[1] in ("every step", "answer steps (all but the final one)"):
            corpus, step, _, p50, p99, _ = cells
            rows.append((f"Engine step, {corpus} corpus, {step}", f"p50 {p50} ms, p99 {p99} ms"))
    return rows


def headline_startup(out: str) -> list[tuple[str, str]]:
    """bench/startup.py's last line and its median line."""
    last = next((x for x in reversed(out.splitlines()) if x.startswith("start-up:")), None)
    median = next((x for x in out.splitlines() if x.startswith("median of")), None)
    rows = []
    if last:
        rows.append((f"Start-up ({last.rsplit('(', 1)[-1].rstrip(')')})", last.removeprefix("start-up: ")))
    if median:
        search = _num(r"search p95 ([\d.]+) ms", median)
        after = re.search(r"RSS (\d+) MiB after (\d+) conversations", median)
        if search:
            rows.append(("… search p95 on the mapped index", f"{search} ms"))
        if after:
            rows.append((f"… RSS after {after[2]} conversations", f"{after[1]} MiB"))
    return rows


def headline_export(out: str) -> list[tuple[str, str]]:
    rows = []
    for cells in _table_rows(out):
        if len(cells) == 6 and cells[2] in ("both", "cpu"):
            table, indicators, step, _, median, p95 = cells
            what = "wall" if step == "both" else "CPU"
            rows.append((f"Export .xlsx + PNG, {table} ({indicators} indicators), {what}", f"median {median} ms, p95 {p95} ms"))
    return rows


def headline_import(out: str) -> list[tuple[str, str]]:
    line = next((x for x in out.splitlines() if x.startswith("ratio")), None)
    return [("Import scale", line.strip())] if line else []


def headline_race(out: str) -> list[tuple[str, str]]:
    rows = []
    for line in out.splitlines():
        match = re.match(r"(threads|processes)\s+(.+?)\s{2,}trials: (\d+), failed: (\d+), lost: (\d+)", line)
        if match:
            kind, race, trials, failed, lost = match.groups()
            rows.append((f"Race, {race} ({kind})", f"trials {trials}, failed {failed}, lost {lost}"))
    return rows


def headline_search(out: str) -> list[tuple[str, str]]:
    rows, columns = [], None
    for cells in _table_rows(out):
        if cells and cells[0] == "filings":
            columns = {name: i for i, name in enumerate(cells)}
            continue
        if columns:
            get = {name: cells[i] if i < len(cells) else "?" for name, i in columns.items()}
            rows.append((f"Search p95 at {cells[0]} filings",
                         f"{get.get('search p95 ms', '?')} ms (p50 {get.get('search p50 ms', '?')} ms; propose p95 "
                         f"{get.get('propose p95 ms', '?')} ms; index build {get.get('build s', '?')} s)"))
    return rows


def headline_proposals(out: str) -> list[tuple[str, str]]:
    """The "ours" row of bench/proposals.py's first table with an "all" column (recall / precision / F1)."""
    columns = None
    for cells in _table_rows(out):
        if cells and cells[0] == "method":
            columns = cells
            continue
        if columns and "all" in columns and cells and cells[0] in ("ours", "ours/bigram"):
            value = cells[columns.index("all")].replace("*", "")
            recall, precision, f1 = (v.strip() for v in value.split("/"))
            return [("Indicator proposals, ours (all forms)", f"recall {recall}, precision {precision}, F1 {f1}")]
        if columns and len(cells) >= 4 and cells[0] == "ours/bigram":  # the older layout
            return [("Indicator proposals, ours/bigram", f"recall {cells[1]}, precision {cells[2]}, F1 {cells[3]}")]
    return []


def headline_kill(out: str) -> list[tuple[str, str]]:
    line = next((x for x in out.splitlines() if x.startswith("kills:")), None)
    if line is None:
        return []
    short = ", ".join(line.split(", ")[:3])
    acked = _num(r"acknowledged answers: (\d+)", line)
    return [("Kill test", short + (f" ({acked} acknowledged answers checked after every kill)" if acked else ""))]


def headline_load(out: str) -> list[tuple[str, str]]:
    """bench/load_test.py's summary lines: "ours: …", "floor: …", "ratio ours/floor: …", "lost: …"."""
    rows = []
    users = _num(r"^ours:.*\(([\d,]+) updates: ([\d,]+) users", out, 2)
    name = f"Load test ({users} users)" if users else "Load test"
    if "Journal: off" in out:
        name += ", no journal"
    if "(--fsync-latency)" in out:
        name += ", slower disk"
    for line in out.splitlines():
        for prefix, label in (("ours:", f"{name}, ours"), ("floor:", f"{name}, PTB floor"),
                              ("ratio", f"{name}, throughput ratio"), ("lost:", f"{name}, replies")):
            if line.startswith(prefix):
                rows.append((label, line.removeprefix(prefix).strip(" :") if prefix != "lost:" else line.strip()))
    if not rows:  # an output format this script does not know: any line with a figure in it
        keys = ("updates/s", "p50", "p99", "ratio", "lost", "misrouted")
        rows = [("Load test", line.strip()) for line in out.splitlines()
                if any(k in line for k in keys) and not line.startswith("|")][:8]
    return rows


HEADLINES = {"values": headline_values, "store": headline_store, "engine": headline_engine,
             "startup1k": headline_startup, "startup10k": headline_startup, "startup100k": headline_startup,
             "search": headline_search, "proposals": headline_proposals, "export": headline_export,
             "import": headline_import, "race": headline_race, "kill": headline_kill, "load": headline_load,
             "load300": headline_load, "slowdisk": headline_load, "slowdisk_nojournal": headline_load}


# ------------------------------------------------------------------ the document
def with_separators(lines: list[str]) -> list[str]:
    """Add the ``|---|`` line under a table's header where a script printed none."""
    out = []
    for n, line in enumerate(lines):
        out.append(line)
        starts_table = line.startswith("|") and (n == 0 or not lines[n - 1].startswith("|"))
        following = lines[n + 1] if n + 1 < len(lines) else ""
        if starts_table and not following.startswith("|---"):
            out.append("|" + "---|" * (line.strip().strip("|").count("|") + 1))
    return out


def as_markdown(output: str) -> str:
    """Markdown tables stay tables (headings demoted); anything else goes in a text block."""
    lines = with_separators([x for x in output.splitlines() if not x.startswith("written to ")])
    if any(x.startswith("|") for x in lines):
        out, block = [], []
        for line in lines:
            if line.startswith("#"):
                line = "###" + line
            if line.startswith("|") or not line.strip() or line.startswith("#"):
                if block:
                    out += ["```text", *block, "```"]
                    block = []
                out.append(line)
            elif _prose(line):
                if block:
                    out += ["```text", *block, "```"]
                    block = []
                out += [line, ""]  # a paragraph of its own (Markdown would join adjacent lines)
            else:
                block.append(line)
        if block:
            out += ["```text", *block, "```"]
        return "\n".join(out)
    if all(not x.strip() or x.startswith("#") or _prose(x) for x in lines):  # headings and sentences
        return "\n".join(("###" + x if x.startswith("#") else x) for x in lines)
    return "\n".join(["```text", *lines, "```"])


def _prose(line: str) -> bool:
    """A sentence a benchmark printed as Markdown (not a fixed-width table line)."""
    return not re.search(r"\s{3,}", line.strip())


def document(items: list[Bench], quick: bool, started: datetime.datetime, seconds: float,
             loads: tuple[str, str] = ("unknown", "unknown")) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{PYTHON} bench/run_all.py{' --quick' if quick else ''}` on "
        f"{started.strftime('%Y-%m-%d %H:%M')} UTC (all benchmarks in one run, one after another, "
        f"{seconds / 60:.1f} minutes). Every figure below comes from that run; each section gives the "
        "exact command that produced it (run from the repository root).",
    ]
    if quick:
        lines += ["", "**Quick smoke run: small sizes, not the real figures.**"]
    lines += ["", "## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine()]
    lines.append(f"| Load average (1, 5, 15 min; other work on the machine skews timings) | "
                 f"at the start {loads[0]}; at the end {loads[1]} |")
    lines += ["", "## Headline figures", "", "| figure | value | command |", "|---|---|---|"]
    for item in items:
        if item.skipped:
            lines.append(f"| {item.title} | not run: {item.skipped} | `{item.command}` |")
            continue
        found = []
        try:
            found = HEADLINES[item.name](item.output)
        except Exception as error:  # noqa: BLE001 - a changed output format must not lose the run
            found = [(item.title, f"(could not read the figures: {error}; see below)")]
        if item.returncode != 0:
            found = [(item.title, f"**FAILED** (exit {item.returncode}); see below")] + found
        for figure, value in found or [(item.title, "see below")]:
            lines.append(f"| {figure} | {value.replace('|', '/')} | `{item.command}` |")
    for item in items:
        lines += ["", f"## {item.title}", "", item.about, ""]
        if item.skipped:
            lines += [f"Not run: {item.skipped}"]
            continue
        status = "" if item.returncode == 0 else f" — **FAILED, exit {item.returncode}**"
        lines += [f"Command: `{item.command}` ({item.seconds:.0f} s){status}", ""]
        if item.name == "proposals" and "\n## " in item.output:
            head, _, rest = item.output.partition("\n## ")
            lines += [as_markdown(head), "", "<details><summary>Per target, search ranks, sensitivity</summary>", "",
                      as_markdown("## " + rest), "", "</details>"]
        else:
            lines.append(as_markdown(item.output or "(no output)"))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes at most; not the real figures")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write (default docs/BENCHMARKS.md; with --quick a temp file)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="run only these: values store engine startup1k startup10k startup100k search "
                             "proposals export import race kill load load300 slowdisk slowdisk_nojournal")
    args = parser.parse_args(argv)
    out = args.out or (Path(tempfile.gettempdir()) / "BENCHMARKS-quick.md" if args.quick else DOC)

    items = benchmarks(args.quick)
    if args.only:
        unknown = set(args.only) - {i.name for i in items}
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
        items = [i for i in items if i.name in args.only]
    started = datetime.datetime.now(datetime.UTC)
    load_at_start = load_average()
    start = time.perf_counter()
    for item in items:
        run(item)
    text = document(items, args.quick, started, time.perf_counter() - start, (load_at_start, load_average()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"written to {out}")
    failed = [i.name for i in items if not i.skipped and i.returncode != 0]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
