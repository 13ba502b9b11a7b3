"""Money and dates as the forms and the users write them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
MONEY_RE = re.compile(r"^-?\d[\d,]*(?:\.\d+)?$")
YUAN_RE = re.compile(r"^(\d[\d,]*(?:\.\d+)?)(万元|万|元)?$")
SPACES_RE = re.compile(r"\s+")


def parse_money(text: str) -> float | None:
    """A printed amount in yuan: ``2,646,000.00`` → 2646000.0; ``None`` when it is not one."""
    text = SPACES_RE.sub("", text)
    if not MONEY_RE.match(text):
        return None
    return float(text.replace(",", ""))


def parse_yuan(text: str) -> float | None:
    """An amount a user types: ``711000``, ``711,000.00``, ``71.1万``, ``71.1万元``, ``１２００元``."""
    text = SPACES_RE.sub("", unicodedata.normalize("NFKC", text))
    match = YUAN_RE.match(text)
    if not match:
        return None
    amount = float(match[1].replace(",", ""))
    if match[2] in ("万", "万元"):
        amount *= 10_000
    return round(amount, 2)


def parse_date(text: str) -> date | None:
    """``2026-01-01``, ``2020-1-1``, ``2026年1月1日`` → a date; ``None`` otherwise."""
    match = DATE_RE.match(SPACES_RE.sub("", unicodedata.normalize("NFKC", text)))
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
