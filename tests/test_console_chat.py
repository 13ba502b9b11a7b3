"""``jixiao chat`` with scripted input: a whole draft, a wrong value, /back, /edit, a restart,
the words it uses, a notice for another user, bytes that are not UTF-8."""

import io
import subprocess
import sys

from jixiao.bot.adapters.console import ConsoleChat
from jixiao.bot.cli import app
from jixiao.bot.conversation.engine import Engine
from jixiao.bot.conversation.replies import Reply, notify
from jixiao.store.drafts import DraftStore
from typer.testing import CliRunner

runner = CliRunner()


def chat(db, lines):
    result = runner.invoke(app, ["chat", "--db", str(db), "--user", "张三"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    return result.output


def draft(db):
    store = DraftStore(db)
    user = "console:张三"
    found = store.draft(user, store.session(user).current)
    store.close()
    return found


def test_scripted_console_conversation_with_restart(tmp_path):
    db = tmp_path / "store"
    first = chat(db, [
        "/new",
        "1",                       # the first option: next budget year
        "业务培训",
        "上海市松江区人力资源和社会保障局",
        "/back",                   # back to the department: answer kept
        "上海市松江区人力资源和社会保障局",
        "1",                       # 同主管部门
        "其他运转类",
    ])
    assert "/quit" in first.splitlines()[0]       # says how to quit, first
    assert "  [1] " in first                      # options are numbered
    assert "> 业务培训" in first                  # scripted lines are echoed
    assert "已填：上海市松江区人力资源和社会保障局" in first
    assert draft(db).step == "nature" and draft(db).filing.implementing_unit == "上海市松江区人力资源和社会保障局"

    # a new process: the conversation resumes at the same step
    second = chat(db, [
        "/start",
        "其他经常性项目",
        "1",                       # 全年
        "1.2万",
        "/skip",
        "在预算范围内实施培训。计划举办3场，每场参加培训人数约110人。",
        "全部采用",
        "1 很高很高的样子吧",      # a wrong value: refused with the reason, the list again
        "1 ≤40元",
        "/edit",
        "项目名称",
        "工伤保险业务培训",
    ])
    assert "继续填写：2027 业务培训" in second and "项目性质" in second
    assert "这个指标值不能用" in second
    current = draft(db)
    assert current.filing.project_name == "工伤保险业务培训"
    assert current.filing.indicators[0].value == "≤40.00(元)"
    assert current.step == "indicators"  # /edit came back to where it was
    assert current.filing.funding.annual_request == 12000.0

    # keep the rest: the proposal holds no value the check refuses (last year's "满意" for a
    # 满意度 was left out, the library's ≥90% proposed), so the table finishes as accepted
    third = chat(db, ["全部确认", "确认完成"])
    assert "项的值需要修改" not in third
    assert "请检查整张表" in third and "已完成" in third
    assert "参训人员满意度：≥90.00(%)" in third
    finished = draft(db)
    assert finished.status == "finished" and all(i.value for i in finished.filing.indicators)
    assert sorted(p.suffix for p in (db / "exports").iterdir()) == [".png", ".xlsx"]
    assert "📎" in third
    everything = first + second + third
    assert "点按钮" not in everything and "点“" not in everything and "点选" not in everything


class OneEngine(Engine):
    """Replies once with a notice for another user (as a reviewer's approval does)."""

    def handle(self, user, inp):
        return [Reply("好的", "好的", to=user), notify("tg:1001", "review.approved_notice", name="工伤鉴定", version=1)]


def test_a_notice_for_another_user_is_shown_as_such():
    out = io.StringIO()
    console = ConsoleChat(OneEngine(), "console:bob", exports=None, out=out)
    console.send("approve")
    text = out.getvalue()
    assert "（发给 tg:1001）" in text
    before, _, after = text.partition("（发给 tg:1001）")
    assert "通过审核" in after and "通过审核" not in before


def test_bytes_that_are_not_utf8_are_replaced_not_stored(tmp_path):
    script = b"/new\n1\n\xff\xfe\xe5\xb7\xa5\xe4\xbc\xa4\xe9\x89\xb4\xe5\xae\x9a\x80\n/show\n"
    result = subprocess.run([sys.executable, "-m", "jixiao.bot", "chat", "--db", str(tmp_path), "--user", "张三"],
                            input=script, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    name = draft(tmp_path).filing.project_name
    assert "工伤鉴定" in name and not any("\ud800" <= c <= "\udfff" for c in name)
    assert "Traceback" not in result.stderr.decode(errors="replace")


def test_a_file_name_the_disk_refuses_is_said_not_raised(tmp_path):
    class Attached(Engine):
        def handle(self, user, inp):
            from jixiao.bot.conversation.replies import Attachment

            return [Reply("表", "表", files=(Attachment("document", "名" * 200 + ".xlsx", b"PK"),), to=user)]

    out = io.StringIO()
    ConsoleChat(Attached(), "console:张三", exports=tmp_path, out=out).send("x")
    assert "没能保存文件" in out.getvalue()


def test_the_indicator_list_is_numbered_as_its_items(tmp_path):
    db = tmp_path / "store"
    out = chat(db, ["/new", "1", "工伤鉴定", "上海市松江区人力资源和社会保障局", "1", "特定目标类", "其他经常性项目", "1",
                    "711000", "/skip", "确保工伤认定和劳动能力鉴定工作有序开展。全年完成鉴定案件不少于3300件。", "全部采用",
                    "3", "5"])
    assert "  [y] ✓ 全部确认" in out and "\n3. " in out  # option 3 is indicator 3
    listing = out.split("> 全部采用")[1].split("> 3")[0]
    assert "上面列出的各项（输入编号）" in listing and "  [3] 3. " not in listing  # the list once, not twice
    assert "第 3/" in out and "  [删] 删除此项" in out
    current = draft(db)  # "5" was taken as a value (or refused as one), never as "delete"
    assert len(current.filing.indicators) == len(current.proposal)
