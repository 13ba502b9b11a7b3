"""The catalog: every filing of a corpus by number, its header fields as columns, the filing on demand.

A corpus answers most questions from a few header fields (year, form, units, category,
nature, name); the filing itself — indicators, money, goal — is needed only for the few
that a search returns or a look-up shows. :class:`FilingTable` keeps those fields as
columns of small integers (one table of the distinct strings) and each filing either in
memory (built from a list, or added since) or as a line of JSON read and validated when
first asked for (:meth:`FilingTable.filing`; the last :data:`CACHED` are kept).

A filing number (*fid*) never changes. A filing replaced by another with the same key is
*retired*: it keeps its number and columns but no longer counts, is not iterated, and is
not found by key.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from jixiao.bot.domain.models import Filing

HEADER_FIELDS = ("department", "implementing_unit", "category", "nature")
COLUMNS = ("format", *HEADER_FIELDS)
CACHED = 4096  # filings read from disk kept parsed


@dataclass(frozen=True, slots=True)
class Header:
    """What the catalog and the search index keep of a filing (the rest is read on demand)."""

    year: int
    format: str
    department: str | None
    implementing_unit: str | None
    category: str | None
    nature: str | None
    project_name: str
    goal: str | None
    key: str
    complete: bool

    @classmethod
    def of(cls, filing: Filing) -> Header:
        return cls(filing.year, filing.format, filing.department, filing.implementing_unit, filing.category,
                   filing.nature, filing.project_name, filing.goal, filing.key, filing.complete)


class FilingTable:
    """Filings by number: header columns always at hand, each whole filing on demand."""

    def __init__(self, filings: Iterable[Filing] = ()):
        self.years: list[int] = []
        self.columns: dict[str, list[int]] = {name: [] for name in COLUMNS}
        self.values: list[str | None] = [None]  # value 0 is "not given"
        self._value_ids: dict[str | None, int] = {None: 0}
        self.names: list[int] = []  # the printed project name's number in name_texts
        self.name_texts: list[str] = []
        self._name_ids: dict[str, int] = {}
        self._name_counts: Counter[int] = Counter()
        self._sorted_names: list[str] | None = None
        self._keys: list[str] | None = []
        self._key_source: Callable[[], list[str]] | None = None  # a loaded table's keys, read when first needed
        self._fid_of: dict[str, int] | None = None
        self.retired: set[int] = set()
        self._in_memory: dict[int, Filing] = {}
        self._lines: tuple[Sequence[int], Sequence[int]] = (bytearray(), array("q", [0]))  # JSON lines, offsets
        self._read: Callable[[int, int], bytes] = lambda start, end: bytes(self._lines[0][start:end])
        self._cache: OrderedDict[int, Filing] = OrderedDict()
        self._cache_lock = threading.Lock()
        for filing in filings:
            self.append(filing)

    # ------------------------------------------------------------------ numbers and fields
    def __len__(self) -> int:
        """Every number given out, retired ones included (``live`` counts the others)."""
        return len(self.years)

    @property
    def live(self) -> int:
        return len(self.years) - len(self.retired)

    def fids(self) -> Iterator[int]:
        """The numbers of the filings that count, in order."""
        retired = self.retired
        return (fid for fid in range(len(self.years)) if fid not in retired)

    def value_id(self, value: str | None) -> int | None:
        """The number of a header value, ``None`` if no filing has it."""
        return self._value_ids.get(value)

    def value(self, fid: int, column: str) -> str | None:
        return self.values[self.columns[column][fid]]

    def counts(self, column: str, format: str | None = None) -> Counter[int]:
        """How many filings that count have each value of ``column`` (value numbers), in
        first-seen order; with ``format``, of that form only."""
        values = self.columns[column]
        retired = self.retired
        if format is None:
            if not retired:
                return Counter(values)
            return Counter(values[fid] for fid in range(len(values)) if fid not in retired)
        wanted = self._value_ids.get(format)
        if wanted is None:
            return Counter()
        forms = self.columns["format"]
        return Counter(v for fid, (f, v) in enumerate(zip(forms, values)) if f == wanted and fid not in retired)

    def printed_names(self) -> list[str]:
        """Every distinct project name (as printed) of the filings that count, sorted."""
        if self._sorted_names is None:
            self._sorted_names = sorted(self.name_texts[n] for n, count in self._name_counts.items() if count > 0)
        return self._sorted_names

    def fid_of(self, key: str) -> int | None:
        """The number of the filing with ``key`` that counts, if any."""
        if self._fid_of is None:
            keys = self._all_keys()
            self._fid_of = {key: fid for fid, key in enumerate(keys) if fid not in self.retired}
        return self._fid_of.get(key)

    def key(self, fid: int) -> str:
        return self._all_keys()[fid]

    def _all_keys(self) -> list[str]:
        if self._keys is None:
            self._keys = list(self._key_source())
            self._key_source = None
        return self._keys

    # ------------------------------------------------------------------ filings
    def filing(self, fid: int) -> Filing:
        """Filing ``fid`` (read from disk and validated the first time, for a loaded table)."""
        found = self._in_memory.get(fid)
        if found is not None:
            return found
        with self._cache_lock:
            found = self._cache.get(fid)
            if found is not None:
                self._cache.move_to_end(fid)
                return found
        offsets = self._lines[1]
        found = Filing.model_validate_json(self._read(offsets[fid], offsets[fid + 1]))
        with self._cache_lock:
            self._cache[fid] = found
            while len(self._cache) > CACHED:
                self._cache.popitem(last=False)
        return found

    def __iter__(self) -> Iterator[Filing]:
        return (self.filing(fid) for fid in self.fids())

    # ------------------------------------------------------------------ changes
    def append(self, filing: Filing | Header, line: bytes | None = None) -> int:
        """A new filing; returns its number. It is kept in memory, or, given its JSON ``line``
        (a ``Header`` is enough then), as that line, parsed again when asked for (every line
        appended so, before any filing kept in memory). A key already taken is found as this
        filing's from now on (retire the other one to replace it)."""
        fid = len(self.years)
        self.years.append(filing.year)
        self.columns["format"].append(self._value_id(filing.format))
        for name in HEADER_FIELDS:
            self.columns[name].append(self._value_id(getattr(filing, name)))
        name = self._name_ids.get(filing.project_name)
        if name is None:
            name = self._name_ids[filing.project_name] = len(self.name_texts)
            self.name_texts.append(filing.project_name)
        self.names.append(name)
        self._name_counts[name] += 1
        self._sorted_names = None
        self._all_keys().append(filing.key)
        if self._fid_of is not None:
            self._fid_of[filing.key] = fid
        if line is None:
            self._in_memory[fid] = filing
        else:
            blob, offsets = self._lines
            if len(offsets) != fid + 1:
                raise ValueError("JSON lines are appended before any filing kept in memory")
            blob += line
            offsets.append(len(blob))
        return fid

    def retire(self, fid: int) -> None:
        """Filing ``fid`` no longer counts (it was replaced)."""
        if fid in self.retired:
            return
        self.retired.add(fid)
        self._name_counts[self.names[fid]] -= 1
        self._sorted_names = None
        if self._fid_of is not None and self._fid_of.get(self.key(fid)) == fid:
            del self._fid_of[self.key(fid)]

    def _value_id(self, value: str | None) -> int:
        found = self._value_ids.get(value)
        if found is None:
            found = self._value_ids[value] = len(self.values)
            self.values.append(value)
        return found

    # ------------------------------------------------------------------ saving and loading
    def lines(self) -> tuple[Sequence[int], Sequence[int]]:
        """Every filing as a line of JSON (bytes) and their offsets (filing ``fid`` is
        ``blob[offsets[fid]:offsets[fid + 1]]``), for saving."""
        blob, offsets = self._lines
        if blob is None:  # a loaded table: its lines as read
            blob = self._read(0, offsets[-1])
        if len(offsets) == len(self.years) + 1:
            return blob, offsets
        blob, offsets = bytearray(blob), array("q", offsets)
        for fid in range(len(offsets) - 1, len(self.years)):
            blob += self.filing(fid).model_dump_json().encode("utf-8", "surrogatepass") + b"\n"
            offsets.append(len(blob))
        return blob, offsets

    def parts(self) -> tuple[dict[str, array], dict[str, list]]:
        """The columns as arrays and the string tables as lists, for saving (the filings
        themselves are saved apart, as :meth:`lines`)."""
        arrays = {"years": array("h", self.years), "names": array("i", self.names),
                  **{f"column_{name}": array("i", values) for name, values in self.columns.items()}}
        lists = {"values": self.values, "name_texts": self.name_texts, "keys": self._all_keys(),
                 "retired": sorted(self.retired)}
        return arrays, lists

    @classmethod
    def from_parts(cls, arrays: dict[str, Sequence[int]], lists: dict[str, list],
                   lines: tuple[Callable[[int, int], bytes], Sequence[int]], keys: Callable[[], list[str]]) -> FilingTable:
        """The table :meth:`parts` described, each filing read when asked for: ``lines`` is a
        function giving the bytes from one offset to another of the JSON lines, and the table of
        their offsets; ``keys()`` gives the keys, when first needed."""
        table = cls()
        table.years = arrays["years"].tolist()
        table.columns = {name: arrays[f"column_{name}"].tolist() for name in COLUMNS}
        table.values = list(lists["values"])
        table._value_ids = {value: n for n, value in enumerate(table.values)}
        table.names = arrays["names"].tolist()
        table.name_texts = list(lists["name_texts"])
        table._name_ids = {text: n for n, text in enumerate(table.name_texts)}
        table.retired = set(lists["retired"])
        table._name_counts = Counter(table.names)
        for fid in table.retired:
            table._name_counts[table.names[fid]] -= 1
        table._keys, table._key_source = None, keys
        table._read, offsets = lines
        table._lines = (None, offsets)
        return table
