"""The code installs under one import name, ``jixiao``, whatever else is on sys.path."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"bot": "jixiao.bot", "store": "jixiao.store", "prompts": "jixiao.prompts"}


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        ".".join([FOLDERS[init.relative_to(ROOT).parts[0]], *init.relative_to(ROOT).parts[1:-1]])
        for folder in FOLDERS for init in (ROOT / folder).rglob("__init__.py")
    }
    assert found == listed


def test_an_unrelated_store_or_prompts_package_does_not_shadow_ours(tmp_path):
    for name in ("store", "prompts", "bot"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise ImportError('the wrong package')\n")
    code = ("import sys; sys.path.insert(0, %r); "
            "import jixiao.store.drafts, jixiao.bot.texts; "
            "print(jixiao.bot.texts.render_plain('chat.welcome')[:2])") % str(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_python_dash_m_runs_the_command():
    done = subprocess.run([sys.executable, "-m", "jixiao.bot", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "import" in done.stdout and "propose" in done.stdout
