"""``jixiao chat`` with scripted input: a whole draft, a wrong value, /back, /edit, a restart."""

from jixiao.bot.cli import app
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
        "上海市松江区社会保障服务中心",
        "其他运转类",
    ])
    assert "  [1] " in first                      # options are numbered
    assert "> 业务培训" in first                  # scripted lines are echoed
    assert "已填：上海市松江区人力资源和社会保障局" in first
    assert draft(db).step == "nature"

    # a new process: the conversation resumes at the same step
    second = chat(db, [
        "/start",
        "/skip",
        "1",                       # 全年
        "1.2万",
        "/skip",
        "在预算范围内实施培训。计划举办3场，每场参加培训人数约110人。",
        "全部采用",
        "很高很高的样子吧",        # a wrong value: re-asked with the reason
        "≤40元",
        "/edit",
        "项目名称",
        "工伤保险业务培训",
    ])
    assert "继续填写：2027 业务培训" in second
    assert "项目性质" in second
    assert "这个指标值不能用" in second
    current = draft(db)
    assert current.filing.project_name == "工伤保险业务培训"
    assert current.filing.indicators[0].value == "≤40.00(元)"
    assert current.step == "values" and current.cursor == 1  # /edit came back to where it was
    assert current.filing.funding.annual_request == 12000.0

    # keep the rest: the proposal holds no value the check refuses (last year's "满意" for a
    # 满意度 was left out, the library's ≥90% proposed), so the table finishes as accepted
    third = chat(db, ["全部保留", "确认完成"])
    assert "的值需要修改，先停在这里" not in third
    assert "请检查整张表" in third and "已完成" in third
    assert "参训人员满意度：≥90.00(%)" in third
    finished = draft(db)
    assert finished.status == "finished"
    assert all(i.value for i in finished.filing.indicators)
    assert sorted(p.suffix for p in (db / "exports").iterdir()) == [".png", ".xlsx"]
    assert "📎" in third
