"""The bot token is never printed: not when Telegram rejects it, not in an error page that
echoes the URL, not in a traceback, not in a log line.

``jixiao serve`` runs as a real subprocess against a tiny Bot API on 127.0.0.1 that
answers every request with a chosen status and body (our own few lines, not
tests/fake_bot_api.py, which always accepts the token).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from jixiao.bot.adapters.telegram_logging import KeyValueFormatter, mask_secrets
from jixiao.bot.cli import errors

REPO = Path(__file__).resolve().parent.parent
TOKEN = "987654321:AAHc0nfiguredTokenThatMustNeverShow_x9"
OTHER_TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789ab"  # shaped like one, never configured


class RefusingBotAPI(ThreadingHTTPServer):
    """Answers every Bot API call with ``status`` and a JSON body whose description is
    ``description`` with ``{path}`` replaced by the request path (which holds the token)."""

    def __init__(self, status: int, description: str):
        self.status, self.description, self.paths = status, description, []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler):  # noqa: N805 - the server is self
                handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
                self.paths.append(handler.path)
                text = self.description.replace("{path}", handler.path)
                body = json.dumps({"ok": False, "error_code": self.status, "description": text}).encode()
                handler.send_response(self.status)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)

            def log_message(handler, *args):  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/bot"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


def serve(api_url: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "JIXIAO_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api_url, JIXIAO_ALLOWED_USERS="1",
               JIXIAO_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "jixiao.bot", "serve"], cwd=data_dir.parent, env=env,
                          capture_output=True, text=True, timeout=120)


def assert_no_token(result: subprocess.CompletedProcess) -> None:
    for stream in (result.stdout, result.stderr):
        assert TOKEN not in stream and TOKEN.split(":")[1] not in stream


def last_line(result: subprocess.CompletedProcess) -> str:
    return result.stderr.strip().splitlines()[-1]


def test_telegram_rejecting_the_token_is_one_line_without_the_token(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "corpus.json").write_text("{not json", encoding="utf-8")  # and a damaged corpus does not stop it
    (data_dir / "own_filings.json").write_text('{"filings": {"1": {"key": "k", "filing": {"year": "x"}}}}', encoding="utf-8")
    with RefusingBotAPI(401, "Unauthorized") as api:
        result = serve(api.api_url, data_dir)
    assert api.paths and all(TOKEN in path for path in api.paths)  # the token did go to the (fake) Telegram
    assert result.returncode == 2, result.stderr
    assert_no_token(result)
    assert last_line(result) == "jixiao serve: Telegram rejected the bot token (TELEGRAM_BOT_TOKEN); check it with @BotFather"
    assert "Traceback" not in result.stderr  # PTB's own log line of the failure names the error instead
    assert all(line.startswith("ts=") for line in result.stderr.strip().splitlines()[:-1])  # the rest: log lines
    assert list(data_dir.glob("corpus.json.corrupt-*")) and "Skipping record 1" in result.stderr


def test_an_error_page_echoing_the_url_does_not_show_the_token(tmp_path):
    data_dir = tmp_path / "data"
    with RefusingBotAPI(502, f"Bad gateway for {{path}} (also {OTHER_TOKEN})") as api:
        result = serve(api.api_url, data_dir)
    assert result.returncode == 2, result.stderr
    assert_no_token(result)
    assert OTHER_TOKEN not in result.stdout + result.stderr  # token-shaped strings are masked too
    assert last_line(result).startswith("jixiao serve: ") and "/bot***/getMe" in last_line(result)


def test_an_unreachable_bot_api_is_one_line(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = serve(f"http://127.0.0.1:{port}/bot", tmp_path / "data")
    assert result.returncode == 2, result.stderr
    assert_no_token(result)
    assert last_line(result).startswith("jixiao serve: cannot reach the Telegram Bot API (TELEGRAM_API_URL)")
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ the pieces
def test_mask_secrets_masks_configured_values_and_anything_token_shaped():
    text = f"GET https://api.telegram.org/bot{TOKEN}/getMe and {OTHER_TOKEN} and webhook-s3cret"
    masked = mask_secrets(text, ("webhook-s3cret",))
    assert masked == "GET https://api.telegram.org/bot***/getMe and *** and ***"
    assert mask_secrets("12:34 at 10:15, ratio 3:1", ()) == "12:34 at 10:15, ratio 3:1"  # times are not tokens


def test_log_lines_mask_tokens_inside_tracebacks_even_when_not_configured():
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyValueFormatter(("short-secret",)))
    log = logging.getLogger("test.secrets.logfmt")
    log.addHandler(handler)
    log.propagate = False
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{OTHER_TOKEN}/getUpdates failed: short-secret")
    except RuntimeError:
        log.exception("event=failed")
    log.warning("two %s placeholders %s", OTHER_TOKEN)  # a bad format string is logged, not a handleError dump
    first, second = stream.getvalue().splitlines()
    assert "exc=" in first and "Traceback" in first and "bot***/getUpdates" in first
    assert OTHER_TOKEN not in stream.getvalue() and "short-secret" not in stream.getvalue()
    assert "two %s placeholders" in second


def test_a_bug_s_traceback_is_printed_masked_with_status_1(capsys, monkeypatch):
    monkeypatch.setattr(errors, "_secrets", [])
    errors.remember_secrets("not-token-shaped-secret", None)
    try:
        raise KeyError(f"{TOKEN} not-token-shaped-secret")
    except KeyError as error:
        assert errors.report(error, "serve") == errors.BUG
    err = capsys.readouterr().err
    assert "Traceback" in err and "KeyError" in err and "internal error" in err
    assert TOKEN not in err and "not-token-shaped-secret" not in err


@pytest.mark.parametrize("problem", [
    OSError(13, "Permission denied", f"/srv/bot{TOKEN}/x"),
    ValueError(f"bad url https://api.telegram.org/bot{TOKEN}/getMe\nsecond line"),
])
def test_a_known_problem_is_one_masked_line_with_status_2(capsys, problem):
    assert errors.report(problem, "serve") == errors.BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("jixiao serve: ") and TOKEN not in err and "***" in err
