"""Target values (指标值): parse what a user or a seed table writes, print it canonically.

A value is one of six kinds::

    Quantity     ≥85.00(%)  <=60个  =0  95%以上  不低于 85%  985米 (read as =985)
    Qualitative  及时  合规  按照合同约定及时支付  (free text: a sentence, kept with ``free``)
    Trend        同比下降  较上年提高5%
    Deadline     12月31日前  2026年12月底前  2026-12-31前
    Period       2023.07-2024.01  2024年1月至2026年12月
    Periodic     每季度  每月

What published filings write is accepted (decisions, each with its real example, in
``data/qualitative.json`` and below); what is truly wrong is refused:

* a number with no operator (湘潭 2023 ``10辆``, 普陀 2026 ``985米``) is read as ``=``; the
  Quantity remembers ``op_implied`` so the validator can warn "add the operator";
* a unit built from listed ones keeps its spelling (``≥1 人/年`` of a Sichuan filing prints
  ``≥1.00(人/年)``, ``不少于120万平方米`` ``≥120.00(万平方米)``, ``元每次`` ``元/次``): see
  :func:`resolve_unit`; :func:`base_unit` is what a compound counts or costs (元 of 元/人);
* ``百分比`` is ``%`` (``100百分比``, ``≥95百分比``); ``万`` alone (湘潭 2023 ``250万`` under a
  cost) is the unit ``万``, which the validator reads as 万元 where the name is about money;
* a period of months (湘潭 2023 服务周期 ``2023.07-2024.01``) is a :class:`Period`, not a range;
* a sentence (more than 16 characters, or a phrase with Chinese punctuation, or a goal phrase
  such as 提高群众满意度) is ``Qualitative(free=True)``: accepted, and the validator asks to
  quantify it; a short word that is no known word (哈哈) stays an error;
* an operator written twice (``==100%``, ``≥=85%``) is a typing mistake and refused.

:func:`parse_value` turns text into one of them or raises :class:`ValueParseError`
(never anything else, for any ``str``); :func:`format_value` prints a value in the
"compact" style of the 2020 forms (``≥85%``, ``>=30000件``) or the "bracketed" style of
the 2024/2026 forms (``≥85.00(%)``). Parsing a printed value gives the value back.

The words (units, operator words, qualitative vocabulary, placeholders) are data, in
``data/units.json`` and ``data/qualitative.json``: adding a word is an edit there.
"""

from __future__ import annotations

import calendar
import datetime
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from jixiao.bot.domain.limits import VALUE_CHARS

DATA_DIR = Path(__file__).with_name("data")
STYLES = ("compact", "bracketed")
OPERATORS = ("=", "≥", "≤", ">", "<")
MAX_LENGTH = VALUE_CHARS  # longer input is rejected before any pattern runs (bot/domain/limits.py)
PHRASE_MAX = 16  # a qualitative phrase is at most this many characters
MAX_DIGITS = 24  # a number with more digits is a typing accident (and would print too long)

# Two valid examples shown with an error, chosen by what the input looks like.
EXAMPLES = {
    "percent": ("≥85.00(%)", "=100.00(%)"),
    "count": ("≥1000.00(件)", "≤490.00(人)"),
    "money": ("≤15.00(元)", "≤15.31(万元)"),
    "date": ("12月31日前", "2026年12月底前"),
    "trend": ("同比下降", "同比上升"),
    "periodic": ("每季度", "每月"),
    "word": ("及时", "合规"),
    "any": ("≥85.00(%)", "及时"),
}


class ValueParseError(ValueError):
    """A target value that cannot be read; ``str(err)`` is a full Chinese message."""

    def __init__(self, text: str, reason: str, examples: tuple[str, str]) -> None:
        super().__init__(text, reason, tuple(examples))
        self.text = text
        self.reason = reason
        self.examples = tuple(examples)

    def __str__(self) -> str:
        shown = "".join(c if c.isprintable() else "?" for c in self.text[:40])
        if len(self.text) > 40:
            shown += "…"
        first, second = self.examples
        return f"指标值“{shown}”无法识别：{self.reason}。可以写成“{first}”或“{second}”。"


@dataclass(frozen=True)
class Quantity:
    """An operator, a number and a unit: ``≥85.00(%)``, ``<=60个``, ``=0``."""

    op: str | None
    number: Decimal
    unit: str | None
    ascii_op: bool = field(default=False, compare=False)  # typed ">=" / "<=" (2020 print)
    op_implied: bool = field(default=False, compare=False)  # no operator was written: read as "="

    def __post_init__(self) -> None:
        if self.op is None:  # "985米" means "=985米": one value, one canonical print
            object.__setattr__(self, "op", "=")
            object.__setattr__(self, "op_implied", True)
        if self.op not in OPERATORS:
            raise ValueError(f"unknown operator {self.op!r}")
        if not isinstance(self.number, Decimal):
            object.__setattr__(self, "number", Decimal(str(self.number)))

    @property
    def unit_kind(self) -> str | None:
        """percent, count, money, time, area or other (None without a unit)."""
        if self.unit is None:
            return None
        return _kind(self.unit)


@dataclass(frozen=True)
class Qualitative:
    """A word or short phrase judged yes/no at year end: ``及时``.

    ``free`` marks free text (a sentence, a phrase with punctuation): accepted because
    published filings use it, but a reviewer would ask to quantify it.
    """

    text: str
    free: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Trend:
    """A change against an earlier period: ``同比下降`` (direction "down" or "up")."""

    text: str
    direction: str


@dataclass(frozen=True)
class Deadline:
    """A date something must be done by: ``12月31日前`` (day None for 月底)."""

    text: str
    year: int | None
    month: int
    day: int | None

    def resolve(self, default_year: int) -> datetime.date:
        """The last allowed date; the year defaults to the filing's year."""
        year = self.year if self.year is not None else default_year
        last = calendar.monthrange(year, self.month)[1]
        return datetime.date(year, self.month, min(self.day or last, last))


@dataclass(frozen=True)
class Period:
    """A span of months something runs over: ``2023.07-2024.01`` (days None unless printed)."""

    text: str
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class Periodic:
    """Something done every period: ``每季度`` (per "季度")."""

    text: str
    per: str


Value = Quantity | Qualitative | Trend | Deadline | Period | Periodic


# -- data ----------------------------------------------------------------------
def _load(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@cache
def _units() -> tuple[dict[str, str], dict[str, str]]:
    """(spelling → canonical unit, canonical unit → kind). ASCII spellings are casefolded."""
    spellings: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for entry in _load("units.json")["units"]:
        kinds[entry["unit"]] = entry["kind"]
        for spelling in (entry["unit"], *entry["aliases"]):
            spellings[_unit_key(unicodedata.normalize("NFKC", spelling))] = entry["unit"]
    return spellings, kinds


def _unit_key(unit: str) -> str:
    return unit.casefold() if unit.isascii() else unit


def words() -> dict:
    """The word lists of ``data/qualitative.json`` (vocabulary, trend_words, budget_bounds …)."""
    return _grammar().words


def known_units() -> dict[str, str]:
    """Every canonical unit with its kind, in the order of ``units.json``."""
    return dict(_units()[1])


def unit_kind_of(unit: str | None) -> str | None:
    """The kind of a unit spelling ("人次" → "count", "万亩" → "area", "人/年" → "count");
    None for no unit or an unknown one."""
    if not unit:
        return None
    canonical_unit = resolve_unit(unit)
    return _kind(canonical_unit) if canonical_unit else None


def _kind(unit: str) -> str:
    """The kind of a canonical unit: a compound (人/年) is of its first part's kind, a scaled
    unit (万亩) of the unit's kind."""
    kinds = _units()[1]
    if unit in kinds:
        return kinds[unit]
    head = base_unit(unit)
    if head in kinds:
        return kinds[head]
    scale = next((p for p in SCALES if head.startswith(p) and head[len(p):] in kinds), None)
    return kinds[head[len(scale):]] if scale else "other"


def base_unit(unit: str | None) -> str | None:
    """What a compound unit counts or costs: 元 of 元/人·月, 人 of 人/年; other units as they are.
    (For money arithmetic: 元/人 is in 元.)"""
    if unit is None:
        return None
    return unit.split(PER_SIGN, 1)[0]


SCALES = ("百万", "万", "亿", "千", "百")  # 万平方米, 万亩, 亿元: a scale before a listed unit
PER_SIGN = "/"  # 元/次, 人/年: the canonical sign between the parts of a compound unit
_PER_SPLIT = re.compile(r"[/每]")
_PARTS_SPLIT = re.compile(r"[·.•・*×]")


def resolve_unit(unit: str) -> str | None:
    """The canonical spelling of a unit, or None when it is none we know.

    A listed spelling (``％`` → ``%``, ``平米`` → ``平方米``); a scale before a listed unit
    (``万平方米``, ``万亩``: kept as written, of the unit's kind); a compound ``A/B`` or ``A每B``
    with A a unit and B one or more listed units joined by ``·`` (``元每次`` → ``元/次``,
    ``人/年``, ``元/人·月``): kept whole, so a value prints back as it was filed.
    """
    unit = unicodedata.normalize("NFKC", unit)
    found = _simple_unit(unit)
    if found is not None:
        return found
    parts = _PER_SPLIT.split(unit, maxsplit=1)
    if len(parts) != 2:
        return None
    head = _simple_unit(parts[0])
    tail = [_simple_unit(p) for p in _PARTS_SPLIT.split(parts[1])]
    if head is None or not tail or any(t is None or _kind(t) in ("percent", "scale") for t in tail):
        return None
    if _kind(head) == "scale":
        return None
    return head + PER_SIGN + "·".join(tail)


def _simple_unit(unit: str) -> str | None:
    """A listed unit, or a scale before a listed count, area or other unit (万平方米)."""
    spellings = _units()[0]
    found = spellings.get(_unit_key(unit))
    if found is not None:
        return found
    for scale in SCALES:
        rest = unit[len(scale):]
        if unit.startswith(scale) and rest:
            inner = spellings.get(_unit_key(rest))
            if inner is not None and _units()[1][inner] in ("count", "area", "other", "money"):
                if _units()[1][inner] == "money" and inner != "元":
                    return None  # 万万元 is a typing accident
                return scale + inner
    return None


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class _Grammar:
    words: dict
    ops: dict[str, str]  # symbol or word before the number → operator
    suffix_ops: dict[str, str]  # word after the number → operator
    vocabulary: frozenset[str]
    placeholders: frozenset[str]
    periodic: dict[str, tuple[str, str]]
    up: frozenset[str]
    quantity: re.Pattern
    ranged: re.Pattern
    named: re.Pattern
    placeholder: re.Pattern
    trend: re.Pattern
    vocab: re.Pattern
    dates: tuple[re.Pattern, ...]
    period: re.Pattern
    doubled_op: re.Pattern
    goal_verbs: tuple[str, ...]


NUMBER = r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff、]+")


def _compile(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.ASCII)  # \d, \D: ASCII digits only


@cache
def _grammar() -> _Grammar:
    """The word lists and the compiled patterns, built once from the data files."""
    words = _load("qualitative.json")
    operators = words["operators"]
    ops = {**operators["symbols"], **operators["prefix"]}
    op = f"(?:{_alternation(ops)})"
    suffix = f"(?:{_alternation(operators['suffix'])})"
    trend = words["trend"]
    deadline = f"(?P<sfx>{_alternation(words['deadline_suffixes'])})?"
    year = r"(?:(?P<y>\d{4})年)?"
    return _Grammar(
        words=words,
        ops=ops,
        suffix_ops=dict(operators["suffix"]),
        vocabulary=frozenset(words["vocabulary"]),
        placeholders=frozenset(p.casefold() for p in words["placeholders"]),
        periodic={
            spelling: (item["text"], item["per"])
            for item in words["periodic"]
            for spelling in (item["text"], *item["aliases"])
        },
        up=frozenset(trend["up"]),
        quantity=_compile(
            rf"(?P<op>{op})?(?P<num>{NUMBER})"
            rf"(?:\((?P<bunit>[^()]*)\)|(?P<unit>[^()]*?))(?P<sfx>{suffix})?"
        ),
        ranged=_compile(rf"{op}?{NUMBER}\D{{0,6}}?[-~至到—]{op}?{NUMBER}.*"),
        named=_compile(rf"(?P<name>[\u4e00-\u9fff]+?)(?P<rest>{op}?{NUMBER}.*)"),
        placeholder=_compile(rf"{op}?(?:[xX]+|\?+|_+|\.{{2,}})\(?[%\u4e00-\u9fff/]*\)?{suffix}?"),
        trend=_compile(
            rf"(?P<pre>{_alternation(trend['prefixes'])})"
            rf"(?P<dir>{_alternation(trend['up'] + trend['down'])})"
            rf"(?:(?P<num>{NUMBER})(?P<unit>\D*?)(?P<sfx>以上|以下|以内|左右)?)?"
        ),
        vocab=_compile(_alternation(words["vocabulary"])),
        dates=(
            _compile(rf"{year}(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})[日号]{deadline}"),
            _compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){deadline}"),
            _compile(rf"{year}(?P<m>\d{{1,2}})月(?:份)?[底末]{deadline}"),
            _compile(rf"(?:(?P<y>\d{{4}})年?)?年(?:度)?[底末内]{deadline}"),
        ),
        period=_compile(
            r"(?P<y1>\d{4})(?:[.\-/]|年)(?P<m1>\d{1,2})(?:月)?(?:(?:[.\-/]|(?<=月))(?P<d1>\d{1,2})[日号]?)?"
            r"(?:[-~—至到]+)"
            r"(?:(?P<y2>\d{4})(?:[.\-/]|年))?(?P<m2>\d{1,2})(?:月)?(?:(?:[.\-/]|(?<=月))(?P<d2>\d{1,2})[日号]?)?"
        ),
        doubled_op=_compile(rf"(?>{op})[=<>≥≤≧≦]"),
        goal_verbs=tuple(words["goal_verbs"]),
    )


# -- parsing ---------------------------------------------------------------------
_SPACE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]+")
_SIGNS = str.maketrans({"−": "-", "–": "-", "﹣": "-"})
_EDGES = re.compile(r"^[\"'“”‘’「」『』]+|[\"'“”‘’「」『』。.;,，；]+$")


def normalize(text: str) -> str:
    """NFKC, no white space anywhere, no surrounding quotes, no trailing 。；，."""
    text = unicodedata.normalize("NFKC", text).translate(_SIGNS)
    return _EDGES.sub("", _SPACE.sub("", text))


def _fail(raw: str, reason: str, kind: str) -> ValueParseError:
    return ValueParseError(raw, reason, EXAMPLES[kind])


_DATE_LIKE = re.compile(r"[0-9]月|年底|月底|日前")
_NUMBER_LIKE = re.compile(r"[0-9<>=≥≤]")


def _guess_kind(s: str) -> str:
    """Which examples fit an input that could not be read."""
    if "%" in s or s.endswith(("率", "比例", "度")):
        return "percent"
    if _DATE_LIKE.search(s):
        return "date"
    if any(p in s for p in ("同比", "环比", "较上年", "比上年")):
        return "trend"
    if "元" in s or s.endswith(("额", "成本", "费用", "均价")):
        return "money"
    if _NUMBER_LIKE.search(s) or s.endswith(("数", "量")):
        return "count"
    if s.startswith("每"):
        return "periodic"
    return "word"


@lru_cache(maxsize=8192)
def parse_value(text: str) -> Value:
    """Read a target value; raises :class:`ValueParseError` for anything else.

    ``None`` counts as empty; a non-``str`` argument is a programming error (TypeError).
    """
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise TypeError(f"parse_value expects str, got {type(text).__name__}")
    s = normalize(text)
    if not s:
        raise _fail(text, "指标值为空", "any")
    if len(s) > MAX_LENGTH:
        raise _fail(text, f"指标值过长（{len(s)}个字符），应是一个数值、日期或简短的词语", "any")
    g = _grammar()
    if "*" in s or s.casefold() in g.placeholders or g.placeholder.fullmatch(s):
        kind = _guess_kind(s)
        raise _fail(text, "指标值还是占位符，没有填写实际目标", "any" if kind == "word" else kind)
    if g.doubled_op.match(s):
        raise _fail(text, "运算符写重了（如“==”），只写一个运算符", _guess_kind(s))
    for attempt in (_deadline, _period, _periodic, _trend, _quantity):
        value = attempt(text, s, g)
        if value is not None:
            return value
    return _qualitative(text, s, g)


def _quantity(raw: str, s: str, g: _Grammar) -> Quantity | None:
    if g.ranged.fullmatch(s):
        raise _fail(raw, "不能写成数值区间，请只写一个运算符和一个数值", _guess_kind(s))
    m = g.quantity.fullmatch(s)
    if m is None:
        return None
    op = g.ops.get(m["op"]) if m["op"] else None
    after = g.suffix_ops.get(m["sfx"]) if m["sfx"] else None
    # "≥95%以上" is redundant but fine; "≤5%以上" points both ways.
    if op and after and op != "=" and (op in "≥>") != (after == "≥"):
        raise _fail(raw, f"运算符前后矛盾（“{m['op']}”与“{m['sfx']}”）", _guess_kind(s))
    if op is None or op == "=":
        op = after or op
    if sum(c.isdigit() for c in m["num"]) > MAX_DIGITS:
        raise _fail(raw, f"数值超过{MAX_DIGITS}位数字", _guess_kind(s))
    number = Decimal(m["num"].replace(",", ""))
    if number.is_zero():
        number = abs(number)
    unit_text = m["bunit"] if m["bunit"] is not None else m["unit"]
    unit = None
    if unit_text:
        unit = resolve_unit(unit_text)
        if unit is None:
            shown = unit_text if len(unit_text) <= 12 else unit_text[:12] + "…"
            raise _fail(raw, f"无法识别的单位“{shown}”", _guess_kind(s))
    ascii_op = m["op"] in (">=", "<=", "=>", "=<")
    return Quantity(op, number, unit, ascii_op=ascii_op)


def _deadline(raw: str, s: str, g: _Grammar) -> Deadline | None:
    for pattern in g.dates:
        m = pattern.fullmatch(s)
        if m is not None:
            break
    else:
        return None
    groups = m.groupdict()
    year = int(groups["y"]) if groups.get("y") else None
    month = int(groups["m"]) if groups.get("m") else 12
    day = int(groups["d"]) if groups.get("d") else None
    if year is not None and not 1900 <= year <= 2100:
        raise _fail(raw, f"年份“{year}”不合理", "date")
    if not 1 <= month <= 12:
        raise _fail(raw, f"不存在{month}月", "date")
    if day is not None and not 1 <= day <= calendar.monthrange(year or 2000, month)[1]:
        raise _fail(raw, f"{month}月没有{day}日", "date")
    text = (f"{year}年" if year else "") + f"{month}月" + (f"{day}日前" if day else "底前")
    return Deadline(text, year, month, day)


def _period(raw: str, s: str, g: _Grammar) -> Period | None:
    m = g.period.fullmatch(s)
    if m is None:
        return None
    y1, m1 = int(m["y1"]), int(m["m1"])
    y2, m2 = int(m["y2"] or y1), int(m["m2"])
    for year, month in ((y1, m1), (y2, m2)):
        if not 1900 <= year <= 2100:
            raise _fail(raw, f"年份“{year}”不合理", "date")
        if not 1 <= month <= 12:
            raise _fail(raw, f"不存在{month}月", "date")
    d1 = int(m["d1"]) if m["d1"] else 1
    d2 = int(m["d2"]) if m["d2"] else calendar.monthrange(y2, m2)[1]
    try:
        start, end = datetime.date(y1, m1, d1), datetime.date(y2, m2, d2)
    except ValueError:
        raise _fail(raw, "日期不存在", "date") from None
    if start > end:
        raise _fail(raw, "起始月份晚于结束月份", "date")

    def part(year: int, month: int, day: str | None) -> str:
        return f"{year}.{month:02d}" + (f".{int(day):02d}" if day else "")

    return Period(f"{part(y1, m1, m['d1'])}-{part(y2, m2, m['d2'])}", start, end)


def _periodic(raw: str, s: str, g: _Grammar) -> Periodic | None:
    found = g.periodic.get(s)
    return Periodic(*found) if found else None


def _trend(raw: str, s: str, g: _Grammar) -> Trend | None:
    m = g.trend.fullmatch(s)
    if m is None:
        return None
    if m["unit"] and resolve_unit(m["unit"]) is None:
        raise _fail(raw, f"无法识别的单位“{m['unit'][:12]}”", "trend")
    return Trend(s, "up" if m["dir"] in g.up else "down")


def _qualitative(raw: str, s: str, g: _Grammar) -> Qualitative:
    if s in g.vocabulary:
        return Qualitative(s)
    m = g.named.fullmatch(s)
    if m is not None:
        try:
            rest = parse_value(m["rest"])
        except ValueParseError:
            pass
        else:
            examples = (format_value(rest, "bracketed"), format_value(rest, "compact"))
            raise ValueParseError(raw, f"指标值里混入了文字“{m['name']}”，只需填写数值", examples)
    chinese = CHINESE.fullmatch(s) is not None
    goal_phrase = s.startswith(g.goal_verbs) and len(s) > 4
    for suffix in g.words["name_suffixes"]:
        if chinese and s.endswith(suffix) and not goal_phrase:
            raise _fail(raw, f"以“{suffix}”结尾，像是指标名称而不是指标值", _guess_kind(s))
    if chinese and len(s) <= PHRASE_MAX and g.vocab.search(s) and not goal_phrase:
        return Qualitative(s)
    if _is_free_text(s, chinese, goal_phrase, g):
        return Qualitative(s, free=True)
    if chinese:
        reason = "不是可识别的定性词语（如“及时”“合规”“符合要求”）"
    else:
        reason = "不是可识别的数值、日期或定性词语"
    raise _fail(raw, reason, _guess_kind(s))


_SENTENCE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff、，。；：“”‘’（）《》()0-9%.,;:%≥≤<>=\-]+")


def _is_free_text(s: str, chinese: bool, goal_phrase: bool, g: _Grammar) -> bool:
    """A sentence published filings put in the value cell (全市空气质量达到优良, 提高群众满意度).

    It must be mostly Chinese and either long (more than ``PHRASE_MAX`` characters), a
    goal phrase (starts with 提高, 确保 …), or contain a known word beside punctuation.
    """
    if _SENTENCE.fullmatch(s) is None or len(CHINESE.findall(s)) == 0:
        return False
    han = sum(1 for c in s if "\u3400" <= c <= "\u9fff")
    if han < 2 or han * 2 < len(s):
        return False
    return len(s) > PHRASE_MAX or goal_phrase or (not chinese and g.vocab.search(s) is not None)


def is_value(text: str, *, strict: bool = False) -> bool:
    """True iff :func:`parse_value` accepts ``text``.

    ``strict`` (what a table reader uses to tell a value cell from a name cell) also
    refuses free text: a sentence in a drifting row is more likely a name than a value.
    """
    try:
        value = parse_value(text)
    except ValueParseError:
        return False
    return not (strict and isinstance(value, Qualitative) and value.free)


# -- printing --------------------------------------------------------------------
def _digits(number: Decimal, places: int) -> str:
    """The exact decimal digits of ``number`` with at least ``places`` decimals."""
    whole, _, frac = format(number, "f").partition(".")
    frac = frac.rstrip("0").ljust(places, "0")
    return f"{whole}.{frac}" if frac else whole


def format_value(value: Value, style: str) -> str:
    """Print a value the way a year's form does: style "compact" (2020) or "bracketed"."""
    if style not in STYLES:
        raise ValueError(f"unknown value style {style!r} (known: {', '.join(STYLES)})")
    if not isinstance(value, Quantity):
        if isinstance(value, (Qualitative, Trend, Deadline, Period, Periodic)):
            return value.text
        raise TypeError(f"not a target value: {value!r}")
    if not value.number.is_finite():
        raise ValueError(f"not a finite number: {value.number}")
    op = value.op
    if style == "bracketed":
        unit = f"({value.unit})" if value.unit else ""
        return f"{op}{_digits(value.number, 2)}{unit}"
    if value.ascii_op:
        op = {"≥": ">=", "≤": "<="}.get(op, op)
    return f"{op}{_digits(value.number, 0)}{value.unit or ''}"


def canonical(text: str, style: str) -> str:
    """``format_value(parse_value(text), style)``."""
    return format_value(parse_value(text), style)
