"""The quantities an annual goal (年度总体目标) promises: 不少于24次, 200人次, 0.2%以下 …

:func:`goal_quantities` reads every number with a unit out of a goal text and returns it as
a :class:`GoalQuantity`: the promise as written, its value (operator, number, canonical unit —
a :class:`~bot.domain.values.Quantity`, so it prints with the value grammar), the goal's own
words for what is counted, and whether it is per period or per item (每月36人次, 每场110人).

Both the indicator proposals (a goal's number becomes an indicator with that value) and the
validator (does an indicator measure what the goal promises?) use it, so the two never read a
goal differently. :func:`subject_overlap` says whether an indicator's name speaks of the same
thing as a goal quantity. :func:`goal_periodics` reads the rhythms a goal sets (补贴资金按月发放到位:
补贴资金发放周期 每月), which no number carries.

How a number is read:

1. numbers that are not quantities are blanked first (years, dates, list marks, 7×24小时, an
   age that says who is served — 80周岁以上老人: ``masks`` in ``data/goal_words.json``);
2. a number is a quantity when a unit the value grammar reads follows it (longest first:
   家次 before 家, 万平方米 before 万, 元/人 before 元), or when the name before it says the
   unit (事故起数为0: 起); Chinese numerals (四次, 三名) count only with the few ``cn_units``;
3. the operator is read by the value grammar itself from the words just before the number and
   a suffix after it (不少于24次 → ≥, 0.2%以下 → ≤, 2小时内 → ≤); when the goal states none
   (:func:`_default_op`): 0 and 100% are "=", a bad thing's figure (再犯罪率, 故障3次) "≤", a
   plain duration (每周提供课后服务5天) "=", else by the unit's kind (``default_op``: a count
   or a rate the goal promises is a floor);
4. the words naming it are the clause before the number, or the noun after it when the clause
   before ends in a verb (派出3人专家团队, 约60个重大疑难案件); that noun stops at a verb, a
   comparison word or the name of the next rate (为60所中小学配备保安员: 中小学数量; 42所义务
   教育学校课后服务覆盖率100%: 义务教育学校数量), and is then no part of the next quantity's
   words. A name is whole words of the goal: no particle cut off a word (送达), no comparison
   word (不少于), and it ends by what the unit measures (次数, 家次, 长度 for 公里, 面积).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from jixiao.bot.domain.values import (
    Deadline, Periodic, Quantity, ValueParseError, base_unit, parse_value, resolve_unit, unit_kind_of,
)
from jixiao.bot.domain.values import words as value_words

DATA_FILE = Path(__file__).with_name("data") / "goal_words.json"
OPERATOR_REACH = 6  # characters before a number searched for an operator word (不少于, 控制在)
SUFFIXES = ("及以上", "及以下", "以上", "以下", "以内", "内")  # read by the value grammar
NAME_LIMIT = 18  # a name from longer goal words keeps what follows their last verb (never a cut word)
UNIT_REACH = 6  # longest unit spelling tried after a number (元/人·月, 个工作日)
BRACKET_REACH = 4  # a bracket this short inside a noun is part of it: 90个村（居）公共法律服务工作站
QUOTE_LIMIT = 30  # characters of a clause quoted in a message
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_CHINESE_BRACKETS = str.maketrans("()", "（）")
_CN_DIGITS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[二两三四五六七八九]?十[一二三四五六七八九]?|[二两三四五六七八九]")
_DEADLINE = re.compile(
    r"(?:(?:19|20)\d{2}\s*年\s*)?(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*[日号]|底|末)|年\s*[底末])\s*(?:之前|以前|前)"
)


@dataclass(frozen=True)
class GoalQuantity:
    """One quantity a goal promises."""

    text: str  # the promise as the goal writes it: 不少于24次, 控制在0.2%以下
    value: Quantity  # operator (stated or defaulted), number and canonical unit
    stated_op: bool  # the goal wrote an operator word (不少于, 以下 …)
    approx: bool  # the goal said "about" (约, 左右)
    words: str  # the goal's words for what is counted, cleaned: 集中教育学习
    context: str  # the clause around the number, as written
    per: str | None  # 每月, 每场 … when the number is per period or per item
    start: int
    end: int

    @property
    def kind(self) -> str | None:
        return self.value.unit_kind

    @property
    def quote(self) -> str:
        """The promise with its words, for a message: 开展心理评估和个案辅导不少于200人次."""
        clause = re.sub(r"\s+", "", self.context)
        if len(clause) <= QUOTE_LIMIT:
            return clause
        return f"{self.words}{self.text}"[-QUOTE_LIMIT:]

    @property
    def name(self) -> str:
        """An indicator name made of the goal's own words: 集中教育学习次数, 每月专家鉴定人次."""
        words = self.words
        if not words:
            words = "计划任务"
        prefix = self.per if self.per and self.per != "每年" and not words.startswith(self.per) else ""
        if any(words.endswith(e) for e in _data()["name_endings"]):
            return prefix + words
        suffix = _name_suffix(self.value)
        if prefix in _data()["periods"] and self.kind == "time":  # 每周提供课后服务5天: how long, not how soon
            suffix = _data()["per_time_suffix"]
        return prefix + words + suffix


@cache
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@cache
def _masks() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in _data()["masks"])


@cache
def _delimiters() -> frozenset[str]:
    return frozenset(_data()["delimiters"])


def _name_suffix(value: Quantity) -> str:
    """What a name made of goal words ends with: by the unit (次 → 次数, 公里 → 长度), by the unit
    a compound or scaled one stands on (元/人 → 元, 万人次 → 人次), else by its kind (% → 比例)."""
    suffixes = _data()["name_suffix"]
    unit = value.unit or ""
    for candidate in (unit, base_unit(unit), _unscaled(base_unit(unit))):
        if candidate in suffixes:
            return suffixes[candidate]
    return suffixes.get(value.unit_kind or "", suffixes["count"])


def _unscaled(unit: str) -> str:
    """万人次 → 人次, 万亩 → 亩; other units as they are."""
    for scale in ("百万", "万", "亿", "千"):
        rest = unit[len(scale):]
        if unit.startswith(scale) and rest and resolve_unit(rest) == rest:
            return rest
    return unit


def _mask(text: str) -> str:
    """``text`` with numbers that are not quantities replaced by spaces (positions kept)."""
    for pattern in _masks():
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _cn_value(numeral: str) -> int:
    if "十" not in numeral:
        return _CN_DIGITS[numeral]
    tens, _, ones = numeral.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones in _CN_DIGITS else 0)


def _unit_at(text: str, pos: int) -> tuple[str, int] | None:
    """The unit spelled at ``text[pos:]`` (canonical, end position), longest first: 家次 before 家,
    万平方米 before 万, 元/人 before 元."""
    while pos < len(text) and text[pos] == " ":
        pos += 1
    blocked = _data()["unit_not_before"]
    for length in range(UNIT_REACH, 0, -1):
        piece = text[pos : pos + length]
        if len(piece) < length or any(c in _delimiters() or c.isdigit() or c == " " for c in piece):
            continue
        unit = resolve_unit(piece)
        if unit is None:
            continue
        after = text[pos + length : pos + length + 1]
        if after and piece in blocked and after in blocked[piece]:
            continue
        return unit, pos + length
    return None


def _numbers(masked: str):
    """(start, end, number text as the value grammar reads it, is_chinese) for every number."""
    for m in _NUMBER.finditer(masked):
        yield m.start(), m.end(), m.group(0), False
    for m in _CN_NUMBER.finditer(masked):
        before = masked[m.start() - 1 : m.start()]
        if before and (before.isdigit() or before in "一第"):
            continue
        yield m.start(), m.end(), str(_cn_value(m.group(0))), True


def _clause_start(text: str, pos: int) -> int:
    start = pos
    while start > 0 and text[start - 1] not in _delimiters():
        start -= 1
    return start


def _clause_end(text: str, pos: int) -> int:
    end = pos
    while end < len(text) and text[end] not in _delimiters():
        end += 1
    return end


def _operator(before: str, core: str) -> tuple[Quantity | None, int]:
    """The value grammar's reading of an operator word just before ``core``, and its length."""
    for k in range(min(OPERATOR_REACH, len(before)), 0, -1):
        try:
            parsed = parse_value(before[-k:] + core)
        except ValueParseError:
            continue
        if isinstance(parsed, Quantity) and parsed.op is not None:
            return parsed, k
    return None, 0


def _strip(words: str) -> str:
    """The goal's words for a quantity without lead words, light verbs and particles."""
    data = _data()
    lead = sorted(data["lead"], key=len, reverse=True)
    verbs = sorted(data["light_verbs"], key=len, reverse=True)
    particles = data["particles"]
    words = re.sub(r"\s+", "", words)
    changed = True
    while changed and words:
        changed = False
        for w in (*lead, *verbs):
            if words.startswith(w) and len(words) > len(w):
                words, changed = words[len(w):], True
                break
        for w in verbs:
            if words.endswith(w):
                words, changed = words[: -len(w)], True
                break
        while words and words[-1] in particles and words[-2:] not in data["whole_words"]:
            words, changed = words[:-1], True
    return words


def _per(words: str) -> tuple[str | None, str]:
    """A 每X marker in ``words`` (normalised) and the words without it."""
    spellings = _data()["per_spellings"]
    for marker in sorted(_data()["per"], key=len, reverse=True):
        at = words.find(marker)
        if at >= 0:
            return spellings.get(marker, marker), words[:at] + words[at + len(marker):]
    return None, words


def _counted_noun(text: str, end: int) -> tuple[str, int, bool]:
    """The words right after a number's unit that name what it counts, where they end, and
    whether a verb follows them (为32个预防接种门诊更新冰箱: the clinics are where, not what).

    They stop at the next number, at 、和及与并的, at a comparison word (60所中小学配备保安员
    不少于240名: never 不少 in a name) and at a verb; a short bracket is part of them (90个村（居）
    公共法律服务工作站). When they run into the name of a rate the goal states next (42所义务教育
    学校课后服务覆盖率100%), the counted noun is the first head noun (学校) of ``noun_heads``."""
    data = _data()
    stop = end
    while True:
        stop = _clause_end(text, stop)
        close = text.find("）" if text[stop:stop + 1] == "（" else ")", stop)
        if text[stop:stop + 1] in "（(" and stop < len(text) and 0 < close - stop <= BRACKET_REACH + 1:
            stop = close + 1
            continue
        break
    after = text[end:stop]
    for word in data["approx"]:
        after = after.removeprefix(word)
    offset = end + (stop - end - len(after))
    cut = len(after)
    m = re.search(r"[\d、和及与并的 ]", after)
    if m:
        cut = m.start()
    for word in _comparison_words():
        at = after.find(word, 0, cut)
        if at >= 0:
            cut = at
    if after[:cut].endswith(tuple(data["rate_endings"])):
        heads = [after.find(h) + len(h) for h in data["noun_heads"] if 0 <= after.find(h) < cut]
        cut = min(heads) if heads else 0
    verbs = [after.find(v, 1) for v in (*data["light_verbs"], *data["noun_end_verbs"])]
    verbs = [at for at in verbs if 0 < at < cut]
    if verbs:  # 55家重点排污单位在线监测设备开展运维: the 家 are the 单位, the last head noun
        cut = min(verbs)
        heads = [after.rfind(h, 0, cut) + len(h) for h in data["noun_heads"] if after.rfind(h, 0, cut) >= 0]
        heads = [after.find(")", h) + 1 if after[:h].count("(") > after[:h].count(")") else h
                 for h in heads]  # 村(社区): a head inside a bracket ends with the bracket
        cut = max(heads) if heads else cut
    return after[:cut], offset + cut, bool(verbs) or cut < len(after.rstrip())


@cache
def _comparison_words(prefix_only: bool = False) -> tuple[str, ...]:
    """The value grammar's comparison words of two characters or more (不少于, 以上 …)."""
    operators = value_words()["operators"]
    words = (*operators["prefix"], *(() if prefix_only else operators["suffix"]))
    found = [w for w in words if len(w) >= 2 and w not in _data()["light_verbs"]]
    return tuple(sorted(found, key=len, reverse=True))


def _shorten(words: str) -> str:
    """Goal words without what comes before a light verb inside them (辖区重点企业开展安全生产
    执法检查 → 安全生产执法检查), and when longer than ``NAME_LIMIT`` without what comes before
    their last verb; never cut inside a word."""
    data = _data()
    inside = [words.rfind(v) + len(v) for v in data["light_verbs"] if words.rfind(v) > 0]
    inside = [e for e in inside if len(words) - e >= 4]
    if inside:
        words = words[max(inside):]
    if len(words) <= NAME_LIMIT:
        return words
    ends = [words.rfind(v) + len(v) for v in (*data["light_verbs"], *data["noun_end_verbs"]) if words.rfind(v) > 0]
    ends = [e for e in ends if len(words) - e >= 2]
    return words[max(ends):] if ends else words


def _words(text: str, clause_start: int, op_start: int, end: int, kind: str | None) -> tuple[str | None, str, int | None]:
    """The per marker, the cleaned words naming the quantity at ``op_start``…``end``, and where
    its counted noun ends when that noun comes after the number and a verb follows it."""
    before = text[clause_start:op_start]
    if "  " in before:  # a masked date or year inside: keep what follows it
        before = before[before.rindex("  ") + 2 :]
    after, noun_end, verb_follows = _counted_noun(text, end)
    modifier = before.rstrip().endswith("的")  # 信息化建设的10个子项: the words before qualify what follows
    if "的" in before.rstrip()[:-1]:  # …业务的存量纸质档案: what follows the last 的 is counted
        before = before[before.rstrip()[:-1].rindex("的") + 1 :]
    per, before = _per(before)
    core = _strip(before.lstrip("、 "))
    action = any(after.startswith(w) for w in _data()["action_starts"])
    tail = _strip(after)
    counted = None
    if tail and kind == "time":
        core += tail  # 来电2小时内响应: 来电响应时间
    elif tail and modifier:
        core += tail
    elif tail and not action:
        # 举办3场培训, 180个村, 派出3人专家团队: what is counted follows the number; 覆盖42所学校:
        # a verb that names a reach stays (覆盖学校数量)
        core = core + tail if core in _data()["reach_verbs"] else tail
        counted = noun_end if verb_follows else None
    elif not core:
        core = tail
    for word in _comparison_words(prefix_only=True):  # 不少于 is never part of a name (较大以上事故 is)
        if word in core:
            core = core[core.rindex(word) + len(word):]
    core = core.translate(_CHINESE_BRACKETS)  # the goal is read NFKC: 村(居) is written 村（居）
    return per, _shorten(core), counted


def goal_quantities(goal: str | None) -> tuple[GoalQuantity, ...]:
    """Every quantity ``goal`` states, in order; the same value about the same thing is kept once."""
    if not goal:
        return ()
    text = unicodedata.normalize("NFKC", goal)
    masked = _mask(text)
    data = _data()
    found: list[GoalQuantity] = []
    previous = 0  # where the last quantity ended: its words are not the next one's
    named_at: dict[int, int] = {}  # a number whose unit its name says (起数为0): where that name's unit starts
    for start, end, number, chinese in sorted(_numbers(masked)):
        unit_at = _unit_at(masked, end)
        if unit_at is None and (named := _unit_of_name(masked, max(_clause_start(masked, start), previous), start, end)):
            unit_at, named_at[start] = named[:2], named[2]
        if unit_at is None or start < previous:
            continue
        unit, unit_end = unit_at
        if chinese and unit not in data["cn_units"]:
            continue
        suffix = next((s for s in SUFFIXES if masked.startswith(s, unit_end)), "")
        approx_after = next((a for a in data["approx"] if masked.startswith(a, unit_end + len(suffix))), "")
        core = f"{number}{unit}{suffix}"
        clause = max(_clause_start(masked, start), previous)
        parsed, reach = _operator(masked[clause:start], core)
        op_start = start - reach
        stated = parsed is not None and masked[op_start:start] not in data["weak_ops"]
        before = masked[clause:op_start]
        approx = bool(approx_after) or any(before.endswith(a) for a in data["approx"])
        if not stated and suffix:
            try:
                parsed, stated = parse_value(core), True
            except ValueParseError:
                parsed = None
        per, words, counted = _words(masked, clause, op_start, unit_end + len(suffix), unit_kind_of(unit))
        if not words and found and not masked[found[-1].end:clause].strip(_data()["delimiters"] + " "):
            words = found[-1].words  # 每周提供课后服务5天，每天不少于2小时: the hours are of that service too
        number_value = Decimal(number.replace(",", ""))
        op = parsed.op if stated and parsed is not None else _default_op(unit, words, number_value, approx)
        if op == "≥" and unit == "%" and number_value == 100 and masked[op_start:start].startswith("达"):
            op = "="  # 覆盖率达到100%: reached, and nothing is above it (不低于100% stays as stated)
        value = Quantity(op, number_value, unit)
        promise_end = unit_end + len(suffix) + len(approx_after)
        previous = max(promise_end, counted or 0)  # 为60所中小学配备保安员240名: 中小学 is not the guards'
        context_end = counted if counted is not None else _clause_end(masked, promise_end)
        quantity = GoalQuantity(
            text=re.sub(r"\s+", "", text[min(op_start, named_at.get(start, op_start)):promise_end]),
            value=value, stated_op=stated, approx=approx, words=words,
            context=text[clause:context_end], per=per,
            start=op_start, end=promise_end,
        )
        if any(_restated(quantity, earlier) for earlier in found):
            continue
        found.append(quantity)
    return tuple(found)


def _unit_of_name(text: str, clause: int, start: int, end: int) -> tuple[str, int, int] | None:
    """A number with no unit after a name that says it (较大以上生产安全事故起数为0: 起; 投诉件数
    不超过5): the count unit before 数, read at the number's end."""
    before = text[clause:start]
    m = re.search(r"(\S{1,2})数\s*(?:为|是|等于|控制在|不超过|不高于|不多于|低于|少于|小于|不大于)?\s*$", before)
    if m is None or text[end:end + 1] not in ("", *_delimiters(), " "):
        return None
    for unit in (m.group(1), m.group(1)[-1:]):
        if unit_kind_of(unit) == "count":  # the promise is quoted from the unit: 起数为0
            return resolve_unit(unit), end, clause + m.end(1) - len(unit)
    return None


def _restated(a: GoalQuantity, b: GoalQuantity) -> bool:
    """``a`` says again what ``b`` said: the same value about the same thing (培训200人次，其中
    线上培训200人次), not the same figure about something else (合格率95%，满意度95%)."""
    same = (a.value.op, a.value.number, a.value.unit, a.per) == (b.value.op, b.value.number, b.value.unit, b.per)
    return same and (a.words == b.words or bool(_pairs(a.words) & _pairs(b.words)))


def _default_op(unit: str, words: str, number: Decimal, approx: bool) -> str:
    """The operator of a number the goal gives no comparison word: 0 and 100% are exact (事故为0起,
    处置率100%: "≤0" and "≤100%" say nothing more, and the value grammar reads them "="); a bad
    thing's figure is a ceiling (再犯罪率0.5%, 故障3次); a plain duration is as stated (每周提供
    课后服务5天: a ceiling needs 内/以内/不超过); else by the unit's kind (``default_op``)."""
    # imported here: the validator imports this module, and names.py sits in its package
    from jixiao.bot.domain.validation.names import is_negative

    kind = unit_kind_of(unit) or "other"
    if number == 0 or (kind == "percent" and number == 100 and unit == "%"):
        return "="
    if kind in ("percent", "count") and is_negative(words):
        return "≤"
    if kind == "time" and not approx:
        return "="
    return _data()["default_op"].get(kind, "≥")


@dataclass(frozen=True)
class GoalDeadline:
    """A date the goal sets: 于2027年10月底前完成采购."""

    text: str  # as written: 2027年10月底前
    value: Deadline  # as the value grammar reads it
    words: str  # what is due, from the clause: 完成采购


def goal_deadlines(goal: str | None) -> tuple[GoalDeadline, ...]:
    """Every deadline ``goal`` states (年底前, 10月31日前, 2027年11月底前), in order."""
    if not goal:
        return ()
    text = unicodedata.normalize("NFKC", goal)
    found: list[GoalDeadline] = []
    for m in _DEADLINE.finditer(text):
        written = re.sub(r"\s+", "", m.group(0))
        try:
            value = parse_value(written)
        except ValueParseError:
            continue
        if not isinstance(value, Deadline) or any(d.value == value for d in found):
            continue
        clause = text[_clause_start(text, m.start()) : _clause_end(text, m.end())]
        words = _strip(clause.replace(m.group(0), " ").split()[-1] if clause.replace(m.group(0), " ").split() else "")
        found.append(GoalDeadline(written, value, words))
    return tuple(found)


@dataclass(frozen=True)
class GoalPeriodic:
    """A rhythm the goal sets for something done again and again: 补贴资金按月发放到位."""

    text: str  # as written: 按月发放
    value: Periodic  # as the value grammar reads the rhythm: 每月
    words: str  # what is done, from the clause: 补贴资金发放

    @property
    def name(self) -> str:
        """An indicator name for the rhythm: 补贴资金发放周期 (value 每月)."""
        return f"{self.words}{_data()['periodic_suffix']}"


def goal_periodics(goal: str | None) -> tuple[GoalPeriodic, ...]:
    """Every rhythm ``goal`` sets with a verb of ``periodic_verbs`` (按月发放, 按季度支付租金, 每月
    通报), in order; a 每月 before a number (每月36人次) is a quantity's period, not one of these."""
    if not goal:
        return ()
    text = unicodedata.normalize("NFKC", goal)
    markers = _alternation_of(sorted(value_words_periodic(), key=len, reverse=True))
    verbs = _alternation_of(sorted(_data()["periodic_verbs"], key=len, reverse=True))
    found: list[GoalPeriodic] = []
    for m in re.finditer(rf"(?P<marker>{markers})(?P<verb>{verbs})", text):
        try:
            value = parse_value(m["marker"])
        except ValueParseError:
            continue
        if not isinstance(value, Periodic):
            continue
        before = text[_clause_start(text, m.start()) : m.start()]
        subject = _strip(re.split(r"[\d、和及与并]", before)[-1]) if before else ""
        thing = text[m.end() : _clause_end(text, m.end())]  # 按季度支付租金: the rent is paid
        if thing and len(thing) <= 4 and not thing.startswith(tuple(_data()["periodic_not_object"])):
            subject = thing
        found.append(GoalPeriodic(m.group(0), value, _shorten(subject + m["verb"])))
    return tuple(found)


def value_words_periodic() -> list[str]:
    """Every spelling of a rhythm the value grammar reads (每月, 按月, 按季度 …)."""
    return [spelling for item in value_words()["periodic"] for spelling in (item["text"], *item["aliases"])]


def _alternation_of(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in words)


# -- does an indicator measure a goal quantity? --------------------------------------------
_GENERIC_PAIRS = frozenset({"工作", "服务", "项目", "完成", "开展", "全年", "年度", "情况", "管理", "相关", "有效",
                            "及时", "提高", "提升", "保障", "计划", "任务", "人员", "组织", "进行", "实施", "数量",
                            "次数", "人数", "人次", "比例", "指标", "达到", "不少", "少于", "不低", "低于", "以上",
                            "以下", "确保", "安排", "每月", "每年", "每场", "每次", "对象", "群众", "单位"})
_NOT_WORD = re.compile(r"[\W\d_]+", re.UNICODE)


def _pairs(text: str) -> set[str]:
    text = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text))
    found: set[str] = set()
    for part in text.split():
        found.update(part[i : i + 2] for i in range(len(part) - 1))
    return found - _GENERIC_PAIRS


def subject_overlap(quantity: GoalQuantity, name: str) -> int:
    """How many telling character pairs an indicator ``name`` shares with what ``quantity`` counts.

    Compared are the goal's words for the quantity (and its clause) and the name, without
    pairs every measure shares (工作, 完成, 人次 …). 0 means the name speaks of something else:
    结案率 and 满意度 share nothing, 心理评估和个案辅导人次 and 开展心理评估… share several.

    A percentage is a rate of something: it agrees only with a rate the goal names. When the
    name is a rate (…及时率, …完成率, …满意度, …进度), the goal's clause must say that rate
    (及时, 完成, 满意, 进度), so "完成设备采购不低于60%" is not 设备采购及时率 =100%.
    """
    text = f"{quantity.words} {quantity.context}"
    if quantity.kind == "percent":
        stem = _rate_stem(name)
        if stem is not None and stem not in unicodedata.normalize("NFKC", text):
            return 0
    return len(_pairs(text) & _pairs(name))


_RATE_WORDS = ("进度", "比例", "比重", "占比")  # rates whose name is their stem


def _rate_stem(name: str) -> str | None:
    """What a rate-like indicator name measures: 及时 of 设备采购及时率, 满意 of 服务对象满意度;
    None when the name is not a rate (…人次, …成本) or too short to tell."""
    name = _NOT_WORD.sub("", unicodedata.normalize("NFKC", name))
    found = next((w for w in _RATE_WORDS if name.endswith(w)), None)
    if found is not None:
        return found
    if len(name) >= 3 and name[-1] in "率度":
        return name[-3:-1]
    return None
