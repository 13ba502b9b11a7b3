"""A validator finding: what is wrong, how badly, where, and a Chinese message."""

from __future__ import annotations

import math
from dataclasses import dataclass

from jixiao.bot.texts import render_plain

ERROR = "error"  # blocks submission
WARNING = "warning"  # informs


@dataclass(frozen=True)
class Finding:
    severity: str
    rule: str
    indicator: str | None
    message: str
    key: str = ""  # the prompts key the message came from
    params: tuple = ()  # its parameters, for re-rendering in another channel

    def to_json(self) -> dict:
        return {"severity": self.severity, "indicator": self.indicator, "rule": self.rule, "message": self.message}

    @property
    def blocking(self) -> bool:
        return self.severity == ERROR


def finding(severity: str, key: str, indicator: str | None = None, **params) -> Finding:
    """A finding whose message is prompts' ``key`` (``finding.<rule>``) filled with ``params``."""
    rule = key.removeprefix("finding.")
    return Finding(
        severity=severity,
        rule=rule,
        indicator=indicator,
        message=render_plain(key, **params),
        key=key,
        params=tuple(sorted(params.items())),
    )


def fmt_number(number) -> str:
    """A number for a message: thousands separators, no needless decimals."""
    value = float(number)
    if not math.isfinite(value):
        return str(value)
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}"
