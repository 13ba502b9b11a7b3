"""Chinese text for retrieval: normalising, tokenising, and comparing indicator names.

Project names and goals are normalised (Unicode NFKC, lower case, punctuation and spaces
removed, abbreviations rewritten; a leading year dropped from names) and cut into tokens by one of
the :data:`TOKENIZERS`:

``bigram``        overlapping character pairs (``信息化运维`` → 信息 息化 化运 运维); the default
``unigram+bigram`` the pairs plus single characters
``jieba``         jieba's words (``信息化`` ``运维``)
``jieba_search``  jieba's search mode (words plus the dictionary words inside them)

``bench/proposals.py`` measures them against each other (``docs/PROPOSALS.md``): on the
bundled corpus they tie within one point of F1; bigrams are the default because they need
no dictionary (jieba's adds about 70 MB to the process) and build the index about four
times faster (``bench/search_scale.py --tokenizer jieba``).

Indicator names are compared with :func:`indicator_similarity`, a rapidfuzz ratio on
:func:`indicator_key` (see there for why).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz

DATA_FILE = Path(__file__).with_name("text_data.json")
TOKENIZERS = ("bigram", "unigram+bigram", "jieba", "jieba_search")

# Everything that is not a letter or a digit (CJK ideographs are letters): punctuation,
# brackets of both widths, spaces, symbols.
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@cache
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@cache
def _abbreviations() -> tuple[re.Pattern | None, dict[str, str]]:
    table = _data()["abbreviations"]
    if not table:
        return None, {}
    spellings = sorted(table, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in spellings)), table


@cache
def _year_prefix() -> re.Pattern:
    return re.compile(_data()["year_prefix"])


def clean(text: str | None) -> str:
    """NFKC, lower case, punctuation and spaces removed, abbreviations rewritten."""
    if not text:
        return ""
    text = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())
    pattern, table = _abbreviations()
    if pattern is not None:
        text = pattern.sub(lambda m: table[m.group(0)], text)
    return text


def normalize_name(name: str | None) -> str:
    """A project name as compared for "same name": :func:`clean` without a leading year."""
    return _year_prefix().sub("", clean(name))


def normalize_unit(unit: str | None) -> str:
    """A department for comparison: cleaned, without the leading 上海市 every seed carries."""
    text = clean(unit)
    return text[3:] if text.startswith("上海市") and len(text) > 3 else text


# -- tokenisers ---------------------------------------------------------------------
def _bigrams(text: str) -> list[str]:
    if len(text) < 2:
        return [text] if text else []
    return [text[i : i + 2] for i in range(len(text) - 1)]


def _unigram_bigrams(text: str) -> list[str]:
    return [*text, *_bigrams(text)]


@cache
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _jieba_words(text: str) -> list[str]:
    return [w for w in _jieba().lcut(text) if w.strip()]


def _jieba_search(text: str) -> list[str]:
    return [w for w in _jieba().lcut_for_search(text) if w.strip()]


_TOKENIZE: dict[str, Callable[[str], list[str]]] = {
    "bigram": _bigrams,
    "unigram+bigram": _unigram_bigrams,
    "jieba": _jieba_words,
    "jieba_search": _jieba_search,
}


def tokenizer(name: str) -> Callable[[str], list[str]]:
    """The tokeniser called ``name`` (one of :data:`TOKENIZERS`); input is already cleaned."""
    try:
        return _TOKENIZE[name]
    except KeyError:
        raise ValueError(f"unknown tokenizer {name!r} (known: {', '.join(TOKENIZERS)})") from None


# -- indicator names ---------------------------------------------------------------
@lru_cache(maxsize=65536)
def indicator_key(name: str) -> str:
    """An indicator name as compared: :func:`clean` without filler characters (的)."""
    text = clean(name)
    for char in _data()["indicator_filler"]:
        text = text.replace(char, "")
    return text


def indicator_similarity(a: str, b: str) -> float:
    """0–100: rapidfuzz's normalised InDel ratio of the two :func:`indicator_key`.

    Indicator names are short (4–12 characters) and differ in one or two characters when
    they mean the same thing, so a character-level edit ratio fits better than bigram
    overlap: 资金使用合规性 / 资金使用规范性 scores 85.7 (bigram Dice only 0.50),
    社会公众满意率 / 社会公众满意度 85.7, 立项依据的充分性 / 立项依据充分性 100, while
    补贴与政策一致性 / 补贴与标准一致性 scores 75 and 辅助人员满意度 / 办案人员满意度 71.
    """
    return fuzz.ratio(indicator_key(a), indicator_key(b))


def shared_words(a: str, b: str, limit: int = 2, shortest: int = 2) -> list[str]:
    """The longest stretches (at least ``shortest`` characters) two names share, longest first.

    For people: 信息化运维 and 网络信息系统运维 share “运维” and “信息”, not the pairs
    息化, 化运 of the tokeniser. Each stretch found is cut out of both before the next.
    """
    found: list[str] = []
    while len(found) < limit:
        at: dict[str, list[int]] = {}
        for j, char in enumerate(b):
            if char != "\0":
                at.setdefault(char, []).append(j)
        best = ""
        for i, char in enumerate(a):
            for j in at.get(char, ()):
                k = 1
                while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k] and a[i + k] != "\0":
                    k += 1
                if k > len(best):
                    best = a[i : i + k]
        if len(best) < shortest:
            break
        found.append(best)
        a, b = a.replace(best, "\0", 1), b.replace(best, "\0", 1)
    return found
