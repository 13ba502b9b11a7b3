"""Every command, fed malformed input, says what is wrong in one line on stderr and exits 2.

The commands run through ``jixiao``'s real entry point (``bot.cli.main``, the error
wrapper included) in this process; the cases that need real file permissions (a
read-only data directory, an unreadable file) and a named pipe run in one subprocess,
without root's power to ignore permissions.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from jixiao.bot.cli import main
from jixiao.bot.paths import BUNDLED_CORPUS
from jixiao.store import safe_storage

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
FILING = json.loads(BUNDLED_CORPUS.read_text(encoding="utf-8"))[0]


def jixiao(capsys, *args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    """Run ``jixiao ARGS`` as the console script does; (exit status, stdout, stderr)."""
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(code: int, out: str, err: str, *, expect: str = "") -> None:
    assert code == 2, (code, out, err)
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1, err
    assert out.strip() == "", out
    assert expect in err, err


# ------------------------------------------------------------------ malformed files
def with_filing(**changes) -> str:
    return json.dumps({**FILING, **changes}, ensure_ascii=False)


MALFORMED: dict[str, bytes | None] = {
    "nested array": b"[" * 100_000 + b"]" * 100_000,
    "nested object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "lone surrogate": with_filing(project_name="\\ud800坏").replace("\\\\ud800", "\\ud800").encode(),
    "surrogate key": b'{"\\udfff": 1}',
    "null": b"null",
    "number": b"42",
    "string": b'"a filing"',
    "list of non-objects": b'[1, "x", null]',
    "wrong type": with_filing(year="二〇二六").encode(),
    "wrong nested type": with_filing(indicators=[{"level1": 5, "level2": [], "name": None}]).encode(),
    "unknown field": with_filing(extra_field=1).encode(),
    "invalid JSON": b'{"year": 2026,',
    "invalid UTF-8": b'{"project_name": "\xff\xfe"}',
    "binary": b"\x00\x01\x02PK\x03\x04",
    "empty": b"",
    "integer of 5,000 digits": b'{"year": 1' + b"0" * 5000 + b"}",
    "missing": None,
}

COMMANDS = {
    "validate": lambda f, out: ["validate", f],
    "validate --json": lambda f, out: ["validate", f, "--json"],
    "export --text": lambda f, out: ["export", f, "--text"],
    "export --xlsx --png": lambda f, out: ["export", f, "--xlsx", str(out / "t.xlsx"), "--png", str(out / "t.png")],
    "lookup --corpus": lambda f, out: ["lookup", "业务培训", "--corpus", f],
    "propose --corpus": lambda f, out: ["propose", "--name", "业务培训", "--corpus", f],
}


def malformed_file(tmp_path: Path, case: str) -> str:
    path = tmp_path / "input.json"
    if MALFORMED[case] is not None:
        path.write_bytes(MALFORMED[case])
    return str(path)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_file_is_one_line_and_status_2(capsys, tmp_path, command, case):
    code, out, err = jixiao(capsys, *COMMANDS[command](malformed_file(tmp_path, case), tmp_path))
    assert_one_line(code, out, err, expect="input.json")
    assert not list(tmp_path.glob("t.*"))  # nothing half-exported


@pytest.mark.parametrize("command", COMMANDS)
def test_a_directory_instead_of_a_file(capsys, tmp_path, command):
    assert_one_line(*jixiao(capsys, *COMMANDS[command](str(tmp_path), tmp_path)), expect="is a directory")


def test_the_line_names_the_field_and_the_filing(capsys, tmp_path):
    path = tmp_path / "two.json"
    path.write_text(f"[{with_filing()}, {with_filing(funding={'total': 'lots'})}]", encoding="utf-8")
    code, out, err = jixiao(capsys, "validate", str(path))
    assert_one_line(code, out, err, expect="filing 1: funding.total: Input should be a valid number")
    assert "'lots'" in err


def test_export_index_out_of_range_is_one_line(capsys, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(f"[{with_filing()}]", encoding="utf-8")
    assert_one_line(*jixiao(capsys, "export", str(path), "--text", "--index", "5"), expect="no filing at index 5")


# ------------------------------------------------------------------ odd numbers are findings, not crashes
@pytest.mark.parametrize("numbers", [
    {"year": 10**30, "funding": {"total": float("nan")}},
    {"year": -5, "funding": {"annual_request": float("inf"), "fiscal": -1e308}},
    {"year": 0, "prior_year": {"total_budget": 1e308, "current_budget": float("-inf")}},
])
def test_nan_and_huge_numbers_never_crash_validate_or_export(capsys, tmp_path, numbers):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({**FILING, **numbers}), encoding="utf-8")  # json writes NaN/Infinity as Python reads them
    code, out, err = jixiao(capsys, "validate", str(path))
    assert "Traceback" not in out + err
    if code == 2:  # a rule that cannot handle the number: one line naming the filing, not a crash
        assert_one_line(code, out, err, expect="filing 0 (")
        return
    assert code in (0, 1)
    head, *findings = out.splitlines()
    assert head.endswith(f": {len(findings)} findings")
    assert all(line.startswith("  ") for line in findings)
    code, out, err = jixiao(capsys, "validate", str(path), "--json")
    assert code in (0, 1) and all(json.loads(line)["message"] for line in out.splitlines())
    code, out, err = jixiao(capsys, "export", str(path), "--text", "--xlsx", str(tmp_path / "o.xlsx"))
    assert code == 0 and "Traceback" not in out + err, err


def test_line_breaks_in_a_name_keep_one_line_per_finding(capsys, tmp_path):
    path = tmp_path / "breaks.json"
    indicators = [{**FILING["indicators"][0], "name": "第一行\n第二行", "value": "很多\r\n"}]
    path.write_text(with_filing(project_name="名称\n换行", indicators=indicators), encoding="utf-8")
    code, out, err = jixiao(capsys, "validate", str(path))
    head, *findings = out.splitlines()
    assert head.startswith(f"{FILING['year']} 名称 换行") and head.endswith(f": {len(findings)} findings")


# ------------------------------------------------------------------ value
def test_value_refuses_text_that_is_not_utf8(capsys):
    # a command-line argument with bytes that are not UTF-8 reaches Python as lone surrogates
    assert_one_line(*jixiao(capsys, "value", "\udcff85%"), expect="not valid UTF-8")
    assert_one_line(*jixiao(capsys, "value", "≥85%", "--name", "满意度\udcfe"), expect="not valid UTF-8")


@pytest.mark.parametrize("args", [["value", "≥85%", "--year", "x"], ["value"], ["validate"], ["nosuchcommand"]])
def test_usage_errors_stay_click_s_own_status_2(capsys, args):
    code, out, err = jixiao(capsys, *args)
    assert code == 2 and "Traceback" not in err


def test_value_keeps_its_contract(capsys):
    assert jixiao(capsys, "value", "不低于85%") == (0, "≥85.00(%)\n", "")
    code, out, _ = jixiao(capsys, "value", "不知道")
    assert code == 1 and out.count("\n") == 1


# ------------------------------------------------------------------ the console chat
def test_invalid_utf8_typed_in_the_chat_is_replaced_before_it_is_stored(capsys, tmp_path):
    db = tmp_path / "db"
    code, out, err = jixiao(capsys, "chat", "--db", str(db), stdin=b"/new\n1\n\xff\xfe\xed\xa0\x80\xe5\xb7bad\n/show\n")
    assert code == 0, err
    assert "\ufffd" in out and "bad" in out
    (user_file,) = (db / "users").glob("*.json")
    stored = user_file.read_bytes().decode("utf-8")  # strict: nothing undecodable was stored
    assert "\ufffd\ufffd" in stored and "\\ud" not in stored.lower()
    code, out, err = jixiao(capsys, "chat", "--db", str(db), stdin=b"/show\n")  # and it shows again later
    assert code == 0 and "bad" in out, err


def test_a_full_disk_in_the_chat_is_one_line_and_the_draft_is_unchanged(capsys, tmp_path, monkeypatch):
    db = tmp_path / "db"
    assert jixiao(capsys, "chat", "--db", str(db), stdin="/new\n1\n业务培训\n".encode())[0] == 0
    (user_file,) = (db / "users").glob("*.json")
    before = user_file.read_bytes()

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(safe_storage.os, "fsync", no_space)  # the disk fills while the answer is saved
    code, out, err = jixiao(capsys, "chat", "--db", str(db), stdin="上海市松江区人力资源和社会保障局\n".encode())
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "No space left on device" in err and "saved before is intact" in err
    monkeypatch.undo()
    assert user_file.read_bytes() == before
    assert sorted(p.name for p in user_file.parent.iterdir()) == [user_file.name, user_file.name + ".lock"]


# ------------------------------------------------------------------ damaged corpus files at start-up
DAMAGED = {
    "invalid JSON": b"{not json",
    "nested": b"[" * 100_000 + b"]" * 100_000,
    "a list": b"[]",
    "a table of numbers": b'{"filings": {"1": 5}}',
}


@pytest.mark.parametrize("case", DAMAGED)
@pytest.mark.parametrize("name", ["corpus.json", "own_filings.json"])
def test_the_chat_starts_with_a_damaged_corpus_file_set_aside(capsys, tmp_path, case, name, caplog):
    db = tmp_path / "db"
    db.mkdir()
    (db / name).write_bytes(DAMAGED[case])
    code, out, err = jixiao(capsys, "chat", "--db", str(db), stdin="/new\n1\n业务培训\n".encode())
    assert code == 0 and "Traceback" not in err, err
    (moved,) = db.glob(f"{name}.corrupt-*")
    assert moved.read_bytes() == DAMAGED[case] and not (db / name).exists()
    assert str(moved) in caplog.text


def test_the_chat_starts_with_a_bad_record_and_keeps_the_rest(capsys, tmp_path, caplog):
    db = tmp_path / "db"
    assert jixiao(capsys, "import", str(SEEDS[0]), "--data-dir", str(db))[0] == 0
    data = json.loads((db / "corpus.json").read_text(encoding="utf-8"))
    data["filings"]["1"]["filing"]["year"] = "abc"
    (db / "corpus.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = jixiao(capsys, "chat", "--db", str(db), stdin=b"/new\n")
    assert code == 0 and "Traceback" not in err
    assert f"Skipping record 1 of {db / 'corpus.json'}: year: Input should be a valid integer" in caplog.text
    assert json.loads((db / "corpus.json").read_text(encoding="utf-8")) == data  # the file is kept as it was


# ------------------------------------------------------------------ permissions and pipes (a subprocess)
DRIVER = """
import contextlib, io, json, sys
from jixiao.bot.cli import main
results = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    sys.stdin = io.StringIO("/show\\n")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
            code = 0
        except SystemExit as exit_:
            code = exit_.code
    results.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(results))
"""


def run_without_root_powers(argv_list: list[list[str]], env: dict | None = None) -> list[tuple[int, str, str]]:
    """Run each ``jixiao`` command line in one subprocess where file permissions apply (root drops
    CAP_DAC_OVERRIDE for it); skip when that is impossible."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file permissions cannot be tested")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    completed = subprocess.run(
        [*prefix, sys.executable, "-c", DRIVER, json.dumps(argv_list)],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
    )
    assert completed.returncode == 0, completed.stderr
    return [tuple(item) for item in json.loads(completed.stdout)]


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(directory.rglob("*"))}


def test_read_only_commands_work_in_a_read_only_data_dir_and_the_others_say_so(capsys, tmp_path):
    db, out_dir = tmp_path / "db", tmp_path / "out"
    out_dir.mkdir()
    assert jixiao(capsys, "import", *map(str, SEEDS), "--data-dir", str(db))[0] == 0
    assert jixiao(capsys, "chat", "--db", str(db), stdin=b"/new\n")[0] == 0
    shutil.copy(BUNDLED_CORPUS, db / "filings.json")
    for path in [db, *db.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    before = snapshot(db)
    filings = str(db / "filings.json")
    try:
        results = run_without_root_powers([
            ["lookup", "残疾人就业保障金", "--data-dir", str(db)],
            ["lookup", "残疾人就业保障金", "--data-dir", str(db), "--json"],
            ["validate", filings],
            ["export", filings, "--text", "--xlsx", str(out_dir / "t.xlsx")],
            ["value", "≥85%"],
            ["propose", "--name", "业务培训", "--corpus", filings],
            ["chat", "--db", str(db)],
            ["serve", "--data-dir", str(db)],
            ["import", str(SEEDS[0]), "--data-dir", str(db)],
        ], env={"TELEGRAM_BOT_TOKEN": "123456789:AAH" + "x" * 32, "TELEGRAM_API_URL": "http://127.0.0.1:9/bot"})
    finally:
        for path in [db, *db.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    reading, writing = results[:6], results[6:]
    for code, out, err in reading:
        assert code in (0, 1) and out and "Traceback" not in err, (code, err)
    assert "同名" in reading[0][1] and json.loads(reading[1][1])["exact"]
    assert (out_dir / "t.xlsx").stat().st_size > 0
    for code, _, err in writing:
        assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, (code, err)
    assert "cannot write there" in writing[0][2] and "cannot write there" in writing[1][2]
    assert snapshot(db) == before  # nothing in the data directory was written, not even a lock file


def test_an_unreadable_file_and_a_named_pipe_are_one_line(tmp_path):
    unreadable, pipe = tmp_path / "secret.json", tmp_path / "pipe.json"
    unreadable.write_text(with_filing(), encoding="utf-8")
    unreadable.chmod(0)
    os.mkfifo(pipe)  # opening it to read would wait for a writer for ever
    # (lookup/propose --corpus leave the readability check to click: a usage error of several lines)
    mine = [name for name in COMMANDS if name.startswith(("validate", "export"))]
    cases = [(unreadable, name, "Permission denied") for name in mine]
    cases += [(pipe, name, "not a regular file") for name in COMMANDS]
    results = run_without_root_powers([COMMANDS[name](str(path), tmp_path) for path, name, _ in cases])
    for (code, out, err), (path, _, expect) in zip(results, cases):
        assert_one_line(code, out, err, expect=f"{path}: cannot read")
        assert expect in err
