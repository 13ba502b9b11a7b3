"""``jixiao import``: files in, filings and a report out; bad files never stop the rest."""

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from jixiao.bot.cli import app
from jixiao.bot.corpus.importer import MAX_IMPORT_BYTES, describe, import_bytes, import_file
from jixiao.store.corpus import CorpusStore, bundled_corpus
from typer.testing import CliRunner

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
runner = CliRunner()


@pytest.fixture()
def bad_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "scan.dat"
    binary.write_bytes(b"\x89PNG\x00\x01\x02\xff" * 50)
    broken_pdf = tmp_path / "broken.pdf"
    broken_pdf.write_bytes(b"%PDF-1.4\x00\x01\x02\xff" * 50)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes((SEEDS / "2024_baoshan_justice_bureau.txt").read_text(encoding="utf-8").encode("gbk"))
    prose = tmp_path / "notes.txt"
    prose.write_text("会议纪要：讨论明年预算安排。\n", encoding="utf-8")
    return {"empty": empty, "binary": binary, "gbk": gbk, "prose": prose, "broken_pdf": broken_pdf}


def test_bad_files_get_one_line_errors_naming_the_file(bad_files):
    reasons = {key: import_file(path) for key, path in bad_files.items()}
    assert reasons["empty"].refusal.code == "file is empty"
    assert reasons["binary"].refusal.code == "binary file, not text"
    assert "not UTF-8" in reasons["gbk"].error
    assert "not a performance-target filing" in reasons["prose"].error
    assert "不是绩效目标申报表" in reasons["prose"].error
    assert reasons["broken_pdf"].refusal.code == "damaged or encrypted PDF"
    for key, report in reasons.items():
        line = report.summary()
        assert "\n" not in line and str(bad_files[key]) in line
        assert report.filings == []


def test_missing_file_is_reported(tmp_path):
    report = import_file(tmp_path / "nope.txt")
    assert report.error.startswith("cannot read file")


def test_cli_imports_seeds_with_json_and_reports(tmp_path, bad_files):
    out = tmp_path / "out.json"
    files = [str(p) for p in SEED_FILES] + [str(bad_files["binary"])]
    result = runner.invoke(app, ["import", *files, "--json", str(out), "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1  # one file failed …
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data) == 26  # … the others still imported
    assert sum(not f["complete"] for f in data) == 1
    assert "2024_baoshan_justice_bureau.txt: 10 tables, 84 indicators, 0 incomplete" in result.output
    assert "征地养老医药费报销管理系统" in result.output
    assert f"{bad_files['binary']}: error: binary file, not text" in result.output
    assert "not a regular file" not in result.output
    assert set(data[0]) == {
        "year", "format", "department", "implementing_unit", "project_name", "category", "nature",
        "performance_type", "gov_purchase", "start", "end", "funding", "prior_year", "goal", "overall_goal",
        "indicators", "complete", "problems", "source",
    }
    assert set(data[0]["funding"]) == {"total", "annual_request", "fiscal", "current_appropriation", "carryover", "other"}
    assert set(data[0]["prior_year"]) == {"total_budget", "current_budget", "last_year_budget", "last_year_executed"}


def test_reimport_does_not_duplicate(tmp_path):
    data_dir = tmp_path / "data"
    for _ in range(2):
        result = runner.invoke(app, ["import", *map(str, SEED_FILES), "--data-dir", str(data_dir)])
        assert result.exit_code == 0, result.output
    store = CorpusStore(data_dir)
    assert len(store) == 26
    assert len({f.key for f in store.all()}) == 26
    store.close()
    assert "; 0 new in the corpus" in result.output


def test_same_file_from_another_folder_replaces_not_adds(tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(SEED_FILES[0], copy / SEED_FILES[0].name)
    data_dir = tmp_path / "data"
    runner.invoke(app, ["import", str(SEED_FILES[0]), "--data-dir", str(data_dir)])
    runner.invoke(app, ["import", str(copy / SEED_FILES[0].name), "--data-dir", str(data_dir)])
    store = CorpusStore(data_dir)
    assert len(store) == 3
    store.close()


def test_truncated_grid_table_is_flagged(tmp_path):
    text = (SEEDS / "2026_songjiang_social_security_center.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    # cut the value column of the first table and spill its cells below, as a bad PDF copy does
    head = lines[:16]
    header = lines[15].replace("年度(/项目)指标值", "年度(/项")
    body = ["\t".join(line.split("\t")[:4]) for line in lines[16:24]]
    spilled = ["目)指标值", "≤15.31(万元)", "≤15.00(人)"]
    broken = tmp_path / "broken.txt"
    broken.write_text("\n".join(head[:-1] + [header] + body + spilled) + "\n", encoding="utf-8")
    (filing,) = import_file(broken).filings
    assert filing.project_name == "编外人员工作经费"
    assert filing.complete is False
    assert any("一列被截断" in p for p in filing.problems)
    assert any("表格外有 3 行文字无法归位" in p for p in filing.problems)
    assert all(i.value is None for i in filing.indicators)


def test_table_with_unknown_layout_is_flagged_not_guessed(tmp_path):
    odd = tmp_path / "odd.txt"
    odd.write_text("财政项目支出绩效目标表\n(2025年度)\n项目名称：某项目\n随便写的内容\n", encoding="utf-8")
    report = import_file(odd)
    assert report.filings == []
    (refused,) = report.refused
    assert refused.reason.code == "unknown table layout"
    assert "格式无法识别" in refused.reason.message


def test_bundled_corpus_matches_a_fresh_import():
    """The shipped corpus is what ``jixiao import`` makes of the seeds (regenerate: see README)."""
    fresh = [f for path in SEED_FILES for f in import_file(path).filings]
    bundled = bundled_corpus()
    assert len(bundled) == 26
    assert [f.to_json_dict() for f in bundled] == [f.to_json_dict() for f in fresh]


# ------------------------------------------------------------------ kinds by content
def test_kind_is_told_by_content_not_extension(tmp_path):
    seed = (SEEDS / "2026_songjiang_social_security_center.txt").read_bytes()
    disguised = tmp_path / "table.pdf"  # text named .pdf
    disguised.write_bytes(seed)
    report = import_file(disguised)
    assert report.kind == "text" and len(report.filings) == 5
    as_json = tmp_path / "filings.txt"  # the JSON form named .txt
    as_json.write_text(json.dumps([f.to_json_dict() for f in report.filings], ensure_ascii=False), encoding="utf-8")
    again = import_file(as_json)
    assert again.kind == "json"
    assert [f.to_json_dict() for f in again.filings] == [f.to_json_dict() for f in report.filings]


@pytest.mark.parametrize(
    "data, code",
    [(b"PK\x03\x04garbage", "damaged zip file"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel or Word file (.xls/.doc)"),
     (b"[1, 2]", "JSON is not in the filing form (1 validation error for Filing)"), (b"{not json", "invalid JSON"),
     (b"[" * 100_000, "invalid JSON"), (b"   \n", "file is empty")],
)
def test_unreadable_bytes_are_refused_with_a_reason(data, code):
    report = import_bytes(data, "upload")
    assert report.refusal is not None and report.refusal.code == code
    assert report.filings == [] and not report.ok
    assert describe(report) == report.refusal.message and report.refusal.message


def test_too_large_is_refused_unread():
    report = import_bytes(b"x" * (MAX_IMPORT_BYTES + 1), "huge.txt")
    assert report.refusal.code == "file too large" and "MB" in report.refusal.message


def test_describe_summarises_an_upload_for_the_chat():
    report = import_bytes((SEEDS / "2024_baoshan_justice_bureau.txt").read_bytes(), "宝山.txt")
    assert report.ok
    text = describe(report)
    assert text.startswith("读到 10 张表：2024 村(居)委专职调解岗位工作津贴、")


# ------------------------------------------------------------------ non-regular files
def test_a_named_pipe_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    done = []
    worker = threading.Thread(target=lambda: done.append(import_file(fifo)), daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert done, "import_file blocked on a named pipe"
    assert done[0].refusal.code == "not a regular file (named pipe)"


def test_a_directory_is_refused(tmp_path):
    report = import_file(tmp_path)
    assert report.refusal.code == "not a regular file (directory)"
    result = runner.invoke(app, ["import", str(tmp_path), "--no-store"])
    assert result.exit_code == 1 and "not a regular file (directory)" in result.output


# ------------------------------------------------------------------ cut tables
def test_a_seed_cut_to_a_third_is_incomplete_not_complete(tmp_path):
    text = (SEEDS / "2026_songjiang_social_security_center.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    cut = tmp_path / "cut.txt"
    cut.write_text("\n".join(lines[: len(lines) // 3]) + "\n", encoding="utf-8")
    report = import_file(cut)
    last = report.filings[-1]
    assert last.complete is False
    assert any("可能在此被截断" in p or "未找到" in p for p in last.problems)
    assert all(f.complete for f in report.filings[:-1])
