"""Money and dates as the forms and the users write them."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
MONEY_RE = re.compile(r"^-?\d[\d,]*(?:\.\d+)?$")
YUAN_RE = re.compile(r"^(\d[\d,]*(?:\.\d+)?)(万元|万|元)?$")
SPACES_RE = re.compile(r"\s+")
_PRINTED_DATE = r"(\d{4})[.\-/年](\d{1,2})(?:[.\-/月](\d{1,2})日?|月)?"
PRINTED_PERIOD_RE = re.compile(rf"^{_PRINTED_DATE}(?:-|—|–|~|～|至|到){_PRINTED_DATE}$")
# one end of a period as users write it: 2027-3-1, 2027年3月1日, 3月1日, 3/1 (with a day), 2027年3月, 3月 (a month)
PERIOD_END_RE = re.compile(
    r"(?<!\d)(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*"
    r"(?:(?:[-/.]|月)\s*(?P<d>\d{1,2})(?!\d)\s*[日号]?|月份?(?:底|末)?)"
)


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


def _printed_period(text: str) -> tuple[date, date] | None:
    """A period as forms print it, both years written: ``2023.07-2024.01`` (湘潭 2023 实施期),
    ``2023年4月-2024年2月``, ``2024-01-01至2024-12-31``; a month runs from its first to its last day."""
    match = PRINTED_PERIOD_RE.match(SPACES_RE.sub("", text))
    if not match:
        return None
    y1, m1, d1, y2, m2, d2 = (int(part) if part else None for part in match.groups())
    try:
        start, end = date(y1, m1, d1 or 1), date(y2, m2, d2 or calendar.monthrange(y2, m2)[1])
    except (ValueError, calendar.IllegalMonthError):
        return None
    return (start, end) if start <= end else None


def parse_period(text: str, year: int | None = None) -> tuple[date, date] | None:
    """A plan period, as a form prints it or a clerk types it: two dates, ``year`` (when given)
    filling a year left out.

    ``2023.07-2024.01``, ``2027.3.1-2027.11.30``, ``1月1日至12月31日``, ``2027年3月1日至11月30日``
    (the second date takes the first one's year), whole months ``2027年3月-11月``, ``3月至11月``
    (first day to last day). ``None`` unless the text holds exactly two valid ends."""
    text = unicodedata.normalize("NFKC", text)
    printed = _printed_period(text)
    if printed is not None:
        return printed
    ends = list(PERIOD_END_RE.finditer(text))
    if year is None and ends and not ends[0]["y"]:
        return None  # a form's period prints its year
    if len(ends) != 2:
        return None
    first, second = ends
    start_year = int(first["y"]) if first["y"] else year
    end_year = int(second["y"]) if second["y"] else start_year
    try:
        start = date(start_year, int(first["m"]), int(first["d"]) if first["d"] else 1)
        end_month = int(second["m"])
        end_day = int(second["d"]) if second["d"] else calendar.monthrange(end_year, end_month)[1]
        return start, date(end_year, end_month, end_day)
    except (ValueError, calendar.IllegalMonthError):
        return None
