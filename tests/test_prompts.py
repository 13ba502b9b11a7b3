"""prompts/: every key the code uses exists, every key is used, and rendering is safe."""

import ast
from pathlib import Path

import pytest
from jixiao.bot.texts import all_messages, render_html, render_plain

ROOT = Path(__file__).resolve().parent.parent
CODE = [p for folder in ("bot", "store") for p in (ROOT / folder).rglob("*.py")]


def namespaces() -> set[str]:
    return {key.split(".")[0] for key in all_messages()}


def keys_in_code() -> dict[str, list[str]]:
    """String literals shaped like ``<namespace>.<name>`` in the code, and where."""
    found: dict[str, list[str]] = {}
    prefixes = namespaces()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                head, dot, rest = node.value.partition(".")
                if dot and head in prefixes and rest and rest.replace("_", "").replace(".", "").isalnum():
                    found.setdefault(node.value, []).append(path.name)
    return found


def test_every_key_used_in_code_exists():
    missing = {key: where for key, where in keys_in_code().items() if key not in all_messages()}
    assert missing == {}


def test_every_key_is_used():
    unused = sorted(set(all_messages()) - set(keys_in_code()))
    assert unused == []


def test_placeholders_are_escaped_in_html_and_raw_in_plain():
    nasty = '<script>alert("x")</script> & <b>'
    html = render_html("chat.resumed", name=nasty)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert html.startswith("继续填写：<b>")  # the template's own bold survives
    assert nasty in render_plain("chat.resumed", name=nasty)


def test_markdown_in_user_text_is_not_interpreted():
    html = render_html("chat.resumed", name="**粗体** `code` [x](http://e.vil)")
    assert "**粗体**" in html and "<a " not in html and "<code>" not in html


def test_only_telegram_tags_are_produced():
    import re

    allowed = {"b", "i", "u", "s", "code", "pre", "a", "blockquote"}
    for key in all_messages():
        html = render_html(key, **{name: "x" for name in re.findall(r"\{([a-z0-9_]+)\}", all_messages()[key])})
        tags = set(re.findall(r"</?([a-z]+)", html))
        assert tags <= allowed, (key, tags)


def test_a_missing_placeholder_is_an_error():
    with pytest.raises(KeyError):
        render_plain("chat.resumed")
