"""Log lines for the bot: ``key=value`` pairs (logfmt), one event per line, secrets masked.

Our own messages are written as pairs already (``"event=handled update_id=%s ..."``,
lazily formatted); a library's free-text message becomes ``msg="..."``. A traceback is
kept on the same line as ``exc="..."`` so that one line is one event. Any configured
secret (the bot token, which PTB and httpx put into URLs) is replaced by ``***``
wherever it appears, and httpx's per-request INFO lines are silenced.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

PAIRS_RE = re.compile(r"^[a-z_]+=")


def quote(value: str) -> str:
    """A value as logfmt writes it: bare when simple, else a JSON string."""
    return value if value and re.fullmatch(r"[\w.:/@+-]+", value) else json.dumps(value, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    """``ts=… level=… logger=… <pairs>``, with ``secrets`` masked."""

    def __init__(self, secrets: tuple[str, ...] = ()):
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        body = message if PAIRS_RE.match(message) else f"msg={quote(message)}"
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        line = f"ts={stamp}.{int(record.msecs):03d}Z level={record.levelname.lower()} logger={record.name} {body}"
        if record.exc_info:
            line += f" exc={quote(self.formatException(record.exc_info))}"
        for secret in self.secrets:
            line = line.replace(secret, "***")
        return line


def setup_logging(level: str = "INFO", secrets: tuple[str, ...] = (), stream=None) -> None:
    """Send every log line to ``stream`` (stderr: journald and docker collect it) as key=value pairs."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(KeyValueFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request, token in the URL
    logging.getLogger("httpcore").setLevel(logging.WARNING)
