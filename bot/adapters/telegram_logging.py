"""Log lines for the bot: ``key=value`` pairs (logfmt), one event per line, secrets masked.

Our own messages are written as pairs already (``"event=handled update_id=%s ..."``,
lazily formatted); a library's free-text message becomes ``msg="..."``. A traceback is
kept on the same line as ``exc="..."`` so that one line is one event. Any configured
secret (the bot token, which PTB and httpx put into URLs), and anything shaped like a
bot token, is replaced by ``***`` wherever it appears (:func:`mask_secrets`, which the
command line's fatal-error line uses too); httpx's per-request INFO lines are silenced.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

PAIRS_RE = re.compile(r"^[a-z_]+=")
#: Anything shaped like a Telegram bot token (BotFather's are ``<digits>:<35 characters>``).
TOKEN_LIKE_RE = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
MASK = "***"


def mask_secrets(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """``text`` with each of ``secrets`` and every token-shaped string replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return TOKEN_LIKE_RE.sub(MASK, text)


def quote(value: str) -> str:
    """A value as logfmt writes it: bare when simple, else a JSON string."""
    return value if value and re.fullmatch(r"[\w.:/@+-]+", value) else json.dumps(value, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    """``ts=… level=… logger=… <pairs>``, with ``secrets`` masked."""

    def __init__(self, secrets: tuple[str, ...] = ()):
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: log it as it is, not a handleError traceback
            message = f"{record.msg} {record.args!r}"
        body = message if PAIRS_RE.match(message) else f"msg={quote(message)}"
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        line = f"ts={stamp}.{int(record.msecs):03d}Z level={record.levelname.lower()} logger={record.name} {body}"
        if record.exc_info:
            line += f" exc={quote(self.formatException(record.exc_info))}"
        return mask_secrets(line, self.secrets)


class StartupFailureFilter(logging.Filter):
    """PTB logs a failed start-up (token rejected, Bot API out of reach) with its traceback,
    then raises; ``jixiao serve`` reports that error in one line anyway. Keep PTB's line but
    put the exception in it as ``error="..."`` instead of the traceback."""

    PREFIX = "Network Retry Loop (Bootstrap"  # PTB's message for its start-up retries

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and record.getMessage().startswith(self.PREFIX):
            error = record.exc_info[1]
            record.msg = f"msg={quote(record.getMessage())} error={quote(f'{type(error).__name__}: {error}')}"
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


def setup_logging(level: str = "INFO", secrets: tuple[str, ...] = (), stream=None) -> None:
    """Send every log line to ``stream`` (stderr: journald and docker collect it) as key=value pairs."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(KeyValueFormatter(secrets))
    handler.addFilter(StartupFailureFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.captureWarnings(True)  # library warnings go through the masking formatter too
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request, token in the URL
    logging.getLogger("httpcore").setLevel(logging.WARNING)
