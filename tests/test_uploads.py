"""Files sent to the chat (issue 13 item 4), through the engine on the in-memory stores: read
into the sender's own filings, summarised, offered as the start of a new draft — and what is
not whole is never kept."""

from datetime import date
from pathlib import Path

import pytest
from jixiao.bot.adapters.console import ConsoleChat
from jixiao.bot.conversation.engine import Engine, Input, Upload
from jixiao.bot.corpus.importer import MAX_IMPORT_BYTES
from jixiao.bot.domain.validation import validate
from jixiao.store.corpus import bundled_corpus
from jixiao.store.drafts import MemoryDraftStore
from jixiao.store.memory import MemoryOwnFilings
from test_conversation import Chat

TODAY = date(2026, 11, 25)
FIXTURES = Path(__file__).parent / "fixtures"
SONGJIANG_PDF = FIXTURES / "import" / "seeds_2026_songjiang_social_security_center.pdf"
SONGJIANG_TEXT = (FIXTURES / "seeds" / "2026_songjiang_social_security_center.txt").read_text(encoding="utf-8")


def new_chat(corpus=(), user="tg:1001") -> Chat:
    engine = Engine(MemoryDraftStore(), list(corpus), today=lambda: TODAY, own_filings=MemoryOwnFilings())
    return Chat(list(corpus), None, user=user, engine=engine)


@pytest.fixture
def chat():
    """A user of a bot whose corpus does not hold the seeds (so the seed PDFs are new to it)."""
    return new_chat()


def send_file(chat: Chat, name: str, data: bytes | None = None, size: int | None = None) -> str:
    chat.sent += 1
    chat.last = chat.engine.handle(chat.user, Input(upload=Upload(name, data=data, size=size)))
    chat._remember()
    return chat.text


def test_a_pdf_is_kept_as_the_senders_own_filings_and_offered(chat):
    answer = send_file(chat, "松江2026.pdf", SONGJIANG_PDF.read_bytes())
    assert "读到 5 张表：2026 编外人员工作经费、2026 工伤鉴定" in answer and "已存为您的往年表格（5 张）" in answer
    own = chat.engine.own_filings.all()
    assert len(own) == 5 and {f.source.file for f in own} == {"upload:tg:1001/松江2026.pdf"}
    assert sorted(f.source.index for f in own) == [0, 1, 2, 3, 4]
    assert [c.label for c in chat.buttons.choices][1] == "2026《工伤鉴定》→ 2027年"
    assert chat.engine.corpus.named("工伤鉴定")[-1].source.file == "upload:tg:1001/松江2026.pdf"  # searchable at once
    send_file(chat, "松江2026.pdf", SONGJIANG_PDF.read_bytes())
    assert len(chat.engine.own_filings.all()) == 5  # the same file again replaces, never doubles


def test_a_table_the_corpus_holds_already_is_offered_not_stored_twice():
    """The seed PDF against the bundled corpus: the same tables (year, unit, indicators) from
    another file would count as two similar projects each."""
    chat = new_chat([f for f in bundled_corpus() if f.complete])
    answer = send_file(chat, "松江2026.pdf", SONGJIANG_PDF.read_bytes())
    assert "5 张表资料库里已经有了" in answer and "已存为" not in answer
    assert chat.engine.own_filings.all() == [] and len(chat.engine.corpus.named("工伤鉴定")) == 1
    chat.press("2026《工伤鉴定》→ 2027年")
    assert chat.draft.filing.project_name == "工伤鉴定" and len(chat.draft.filing.indicators) == 19
    other = (FIXTURES / "import" / "drawn.pdf").read_bytes()
    assert "已存为您的往年表格（2 张）" in send_file(chat, "普陀.pdf", other)  # tables it does not hold are kept


def test_a_table_starts_a_draft_with_its_facts_and_indicators_at_the_first_open_question(chat):
    send_file(chat, "松江2026.pdf", SONGJIANG_PDF.read_bytes())
    answer = chat.press("2026《工伤鉴定》→ 2027年")
    draft = chat.draft
    assert "以 2026 年的《工伤鉴定》为基础新建 2027 年的表（2026 版表格）" in answer and "计划起止日期" in answer
    f = draft.filing
    assert (f.year, f.format, f.project_name, f.category, f.nature) == (2027, "2026", "工伤鉴定", "特定目标类", "其他经常性项目")
    assert (f.department, f.implementing_unit) == ("上海市松江区人力资源和社会保障局", "上海市松江区社会保障服务中心")
    assert f.goal.startswith("确保工伤认定和劳动能力鉴定工作有序开展") and f.funding.annual_request is None  # money asked
    assert draft.step == "dates" and draft.history[-1] == "nature"  # /back walks the facts taken
    assert len(f.indicators) == 19 and {"每份文书邮寄成本", "专家人(次)均费用"} <= set(draft.notes)
    chat.press("全年")
    chat.send("72万")
    chat.send("/skip")
    asked = chat.press("沿用上面已填的目标")
    assert chat.draft.step == "proposal" and "从2026年的表开始" in asked
    chat.press("从2026年的表开始")
    chat.press("accept")
    assert chat.draft.step == "review"
    assert not [x for x in validate(chat.draft.filing) if x.blocking or x.rule.startswith("missing_level")]


def test_a_draft_started_from_a_table_keeps_its_indicators_at_the_proposal(chat):
    # a tester's clerk: "填入 10 个指标", then a fresh proposal whose first button would replace them
    send_file(chat, "松江2026.pdf", SONGJIANG_PDF.read_bytes())
    chat.press("2026《工伤鉴定》→ 2027年")
    taken = [(i.name, i.value) for i in chat.draft.filing.indicators]
    chat.press("全年")
    chat.send("72万")
    chat.send("/skip")
    asked = chat.press("沿用上面已填的目标")
    assert chat.draft.step == "proposal" and f"这张表已经填了 {len(taken)} 个指标" in asked
    assert chat.buttons.choices[0].label == f"保留已填的 {len(taken)} 个指标"
    chat.press(f"保留已填的 {len(taken)} 个指标")
    assert chat.draft.step == "indicators"
    assert sorted((i.name, i.value) for i in chat.draft.filing.indicators) == sorted(taken)


def test_a_2020_table_starts_a_2027_draft_in_the_2026_form(chat):
    data = (FIXTURES / "import" / "seeds_2020_shanghai_forensic_center.pdf").read_bytes()
    send_file(chat, "鉴定中心2020.pdf", data)
    chat.press("2020《司法鉴定费》→ 2027年")
    draft = chat.draft
    levels = {i.level1 for i in draft.filing.indicators}
    assert draft.filing.format == "2026" and "投入与管理" not in levels  # 2020 投入与管理 has no home in 2026
    assert {"成本指标", "产出指标", "效益指标", "满意度指标"} <= levels
    assert draft.step == "unit"  # a 2020 table has no 实施单位: asked, then the rest
    assert "投入与管理" not in chat.text


def test_tables_that_are_not_whole_are_named_and_not_kept(chat):
    lines = SONGJIANG_TEXT.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("项目名称"))
    lines[at] = lines[at].replace("编外人员工作经费", "编外人员工")
    lines.insert(at + 1, "作经费")  # a wrapped name: that table is refused, the others read
    answer = send_file(chat, "copied.txt", "\n".join(lines).encode("utf-8"))
    assert "读到 4 张表" in answer and "未导入：编外人员工：这份文本的表格结构已丢失" in answer
    assert "有 1 张表没有读全或无法读取，没有保存" in answer and "已存为您的往年表格（4 张）" in answer
    assert sorted(f.project_name for f in chat.engine.own_filings.all()) == ["业务培训", "工伤鉴定", "网络信息系统运行与维护",
                                                                         "辅助业务管理与支持"]
    cut = "\n".join(SONGJIANG_TEXT.splitlines()[: len(SONGJIANG_TEXT.splitlines()) // 3])
    fresh = new_chat(user="tg:1002")
    answer = send_file(fresh, "cut.txt", cut.encode("utf-8"))
    kept = fresh.engine.own_filings.all()
    assert all(f.complete for f in kept) and "没有读全" in answer  # the cut last table is not kept


def test_a_table_not_read_whole_can_still_start_a_draft_but_is_never_stored(chat):
    cut = "\n".join(SONGJIANG_TEXT.splitlines()[:48])  # the first table whole, the second cut in its indicators
    answer = send_file(chat, "cut.txt", cut.encode("utf-8"))
    assert "没有读全的表不会存为往年表格" in answer
    stored = chat.engine.own_filings.all()
    assert stored and all(f.complete for f in stored)  # only the whole table is kept
    partial = [c for c in chat.buttons.choices if "不完整" in c.label]
    assert len(partial) == 1
    name = partial[0].label.split("《")[1].split("》")[0]
    assert name not in {f.project_name for f in stored}
    started = chat.press(partial[0].label)
    assert "没有读全" in started and "请逐项核对" in started
    draft = chat.draft
    assert draft.filing.project_name == name and draft.filing.year == 2027 and draft.filing.indicators
    assert name not in {f.project_name for f in chat.engine.own_filings.all()}  # still not stored


@pytest.mark.parametrize("name, data, size, said", [
    ("huge.pdf", None, MAX_IMPORT_BYTES + 1, "文件太大（20.0 MB），最多 20.0 MB"),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), None, "这不是文本、PDF 或 Excel 文件"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), None, "另存为 .xlsx"),
    ("report.pdf", (FIXTURES / "import" / "not_a_filing.pdf").read_bytes(), None, "不是绩效目标申报表"),
    ("notes.txt", "今天开会讨论明年预算。".encode(), None, "不是绩效目标申报表"),
])
def test_files_that_cannot_be_read_are_refused_whole_and_nothing_is_kept(chat, name, data, size, said):
    answer = send_file(chat, name, data, size)
    assert f"没能读取“{name}”" in answer and said in answer
    assert chat.engine.own_filings.all() == [] and chat.draft is None


def test_a_file_sent_mid_draft_leaves_the_draft_alone(chat):
    chat.send("/new")
    chat.press("2027")
    chat.send("信息化运维")
    answer = send_file(chat, "松江2026.pdf", SONGJIANG_PDF.read_bytes())
    assert "正在填写的《2027 信息化运维》不受影响" in answer
    assert chat.draft.step == "department"
    chat.send("上海市宝山区司法局")  # typed text still answers the draft
    assert chat.draft.filing.department == "上海市宝山区司法局" and chat.draft.filing.project_name == "信息化运维"
    assert "/start" in send_file(chat, "x.bin", b"\x00\x01\x02")  # a refusal points back to the draft too


def test_import_without_a_file_says_how(chat):
    assert "直接发给我" in chat.send("/import")


def test_the_console_imports_a_path(tmp_path):
    engine = Engine(MemoryDraftStore(), [], today=lambda: TODAY, own_filings=MemoryOwnFilings())
    out = tmp_path / "out.txt"
    with out.open("w", encoding="utf-8") as stream:
        console = ConsoleChat(engine, "console:me", exports=tmp_path, out=stream)
        console.send(f"/import {SONGJIANG_PDF}")
        console.send("2")
        console.send(f"/import {tmp_path / 'missing.pdf'}")
        console.send(f"/import {tmp_path}")
    text = out.read_text(encoding="utf-8")
    assert "读到 5 张表" in text and "[2] 2026《工伤鉴定》→ 2027年" in text and "计划起止日期" in text
    assert "没能读取“missing.pdf”" in text and "不是普通文件" in text
    assert {f.source.file for f in engine.own_filings.all()} == {f"upload:console:me/{SONGJIANG_PDF.name}"}
