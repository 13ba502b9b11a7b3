"""Turn the files users have — PDF, .xlsx, text, our JSON — into filings, with a report.

:func:`import_bytes` is the one entry point (the chat upload calls it with the bytes of a
document; :func:`import_file` reads a path for ``jixiao import``). The kind of file is
told by its content, never by its name: ``%PDF`` is a PDF, a zip holding
``xl/workbook.xml`` is a workbook, ``[``/``{`` that parses is the JSON of
``jixiao import --json``, anything else must be UTF-8 text.

Reading never raises for bad input. A file that cannot be read at all gets a
:class:`Refusal` (a stable English ``code`` for scripts, a Chinese message from
``prompts/import.md`` for people); a table whose cells have lost their places is
refused on its own and never returned; every other table comes back, complete or
with ``complete = False`` and its problems. Nothing is stored here: the caller stores
``report.filings`` once it has decided to (the chat only when ``report.ok``).
"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.bot.corpus.grid import NotAFilingError, TableRead, is_blank_problem
from jixiao.bot.corpus.refusals import Refusal, UnreadableError, refusal, unreadable
from jixiao.bot.domain.models import Filing
from jixiao.bot.texts import render_plain
from pydantic import ValidationError

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # a file larger than this is refused unread (Telegram's own download limit)
KINDS = ("pdf", "xlsx", "json", "text")


@dataclass(frozen=True)
class RefusedTable:
    """A table that was found but not kept, because its facts cannot be trusted."""

    index: int
    project_name: str
    reason: Refusal


@dataclass
class ImportReport:
    """What one file gave: its filings, the tables refused, or why the whole file was refused."""

    name: str
    kind: str | None = None
    filings: list[Filing] = field(default_factory=list)
    refused: list[RefusedTable] = field(default_factory=list)
    refusal: Refusal | None = None

    @property
    def error(self) -> str | None:
        """The one-line reason the whole file was refused, or ``None``."""
        return self.refusal.line() if self.refusal else None

    @property
    def ok(self) -> bool:
        """Every table found was read; nothing refused (the chat keeps a file only then)."""
        return self.refusal is None and not self.refused and bool(self.filings)

    @property
    def incomplete(self) -> list[Filing]:
        return [f for f in self.filings if not f.complete]

    @property
    def indicator_count(self) -> int:
        return sum(len(f.indicators) for f in self.filings)

    def summary(self) -> str:
        """One line, then one indented line per incomplete or refused table and why."""
        if self.refusal:
            return f"{self.name}: error: {self.error}"
        head = (f"{self.name}: {len(self.filings)} tables, {self.indicator_count} indicators, "
                f"{len(self.incomplete)} incomplete")
        if self.kind and self.kind != "text":
            head += f" (read as {self.kind})"
        if self.refused:
            head += f"; {len(self.refused)} refused"
        lines = [head]
        for filing in self.incomplete:
            unplaced = [p for p in filing.problems if not is_blank_problem(p)]
            index = filing.source.index + 1 if filing.source else "?"
            lines.append(f"  table {index} {filing.project_name}: " + "; ".join(unplaced))
        for table in self.refused:
            lines.append(f"  table {table.index + 1} {table.project_name}: refused: {table.reason.line()}")
        return "\n".join(lines)


# ------------------------------------------------------------------ telling kinds
def detect_kind(data: bytes) -> str | Refusal:
    """``pdf``, ``xlsx``, ``json`` or ``text`` from the bytes, or why none fits."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return refusal("damaged zip file", "import.bad_zip")
        if "xl/workbook.xml" in names:
            return "xlsx"
        return refusal("zip file, not an Excel workbook", "import.not_xlsx")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return refusal("old Excel or Word file (.xls/.doc)", "import.old_office")
    if b"\x00" in data[:4096]:
        return refusal("binary file, not text", "import.binary")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"[", b"{"):
        return "json"
    return "text"


# ------------------------------------------------------------------ reading
def import_bytes(data: bytes, filename: str) -> ImportReport:
    """Read one file's bytes (``filename`` only names it in the report and the filings' source)."""
    report = ImportReport(name=filename)
    if len(data) > MAX_IMPORT_BYTES:
        report.refusal = refusal("file too large", "import.too_large", size=_mib(len(data)), limit=_mib(MAX_IMPORT_BYTES))
        return report
    if not data.strip():
        report.refusal = refusal("file is empty", "import.empty")
        return report
    kind = detect_kind(data)
    if isinstance(kind, Refusal):
        report.refusal = kind
        return report
    report.kind = kind
    source_name = Path(filename).name
    try:
        tables = _READERS[kind](data, source_name)
    except NotAFilingError as exc:
        report.refusal = refusal(f"not a performance-target filing ({exc})", "import.not_a_filing", kind=_kind_word(kind))
        return report
    except UnreadableError as exc:
        report.refusal = exc.refusal
        return report
    for table in tables:
        reason = table_refusal(table)
        if reason is None:
            report.filings.append(table.filing)
        else:
            index = table.filing.source.index if table.filing.source else 0
            report.refused.append(RefusedTable(index, table.filing.project_name, reason))
    return report


def table_refusal(table: TableRead) -> Refusal | None:
    """Why a table read from a file is not kept, or ``None``: its reader's reason, cells out
    of place, or no project name (a filing without one is never stored)."""
    if table.reason is not None:
        return table.reason
    if table.lost:
        return refusal("table structure lost", "import.structure_lost", details=table.lost)
    if not table.filing.project_name.strip():
        return refusal("no project name", "import.no_project_name")
    return None


def import_file(path: Path) -> ImportReport:
    """Read a file by path; a named pipe, a directory or a device is refused without reading it."""
    path = Path(path)
    report = ImportReport(name=str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        report.refusal = refusal(f"cannot read file ({exc.strerror})", "import.cannot_read", reason=exc.strerror or "")
        return report
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            report.refusal = refusal(f"not a regular file ({_file_type(info.st_mode)})", "import.not_regular",
                                     what=_file_type(info.st_mode))
            return report
        if info.st_size > MAX_IMPORT_BYTES:
            report.refusal = refusal("file too large", "import.too_large", size=_mib(info.st_size), limit=_mib(MAX_IMPORT_BYTES))
            return report
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        report.refusal = refusal(f"cannot read file ({exc.strerror})", "import.cannot_read", reason=exc.strerror or "")
        return report
    finally:
        os.close(fd)
    read = import_bytes(data, str(path))
    read.name = str(path)
    return read


class UnreadableFileError(ValueError):
    """A file that cannot be read as UTF-8 text; ``str()`` is the one-line reason."""


def text_refusal(data: bytes) -> Refusal | None:
    """Why ``data`` is not UTF-8 text (empty, binary, another encoding), or ``None``."""
    if not data.strip():
        return refusal("file is empty", "import.empty")
    if b"\x00" in data[:4096]:
        return refusal("binary file, not text", "import.binary")
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return refusal("not UTF-8 text (another encoding? convert it to UTF-8 first)", "import.not_utf8")
    return None


def read_text_file(path: Path) -> str:
    """The file's UTF-8 text; raises :class:`UnreadableFileError` with the importer's reason."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read file ({exc.strerror})") from None
    problem = text_refusal(data)
    if problem is not None:
        raise UnreadableFileError(problem.code)
    return data.decode("utf-8-sig")


def _read_text(data: bytes, name: str) -> list[TableRead]:
    from jixiao.bot.corpus.seedtext import read_text

    problem = text_refusal(data)
    if problem is not None:
        raise UnreadableError(problem)
    return read_text(data.decode("utf-8-sig"), name)


def _read_json(data: bytes, name: str) -> list[TableRead]:
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise unreadable("invalid JSON", "import.bad_json") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        raise unreadable("JSON is not a list of filings", "import.bad_json")
    try:
        return [TableRead(Filing.model_validate(item)) for item in items]
    except (ValidationError, RecursionError, TypeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise unreadable(f"JSON is not in the filing form ({first})", "import.bad_json") from None


def _read_pdf(data: bytes, name: str) -> list[TableRead]:
    from jixiao.bot.corpus.pdf import read_pdf

    return read_pdf(data, name)


def _read_xlsx(data: bytes, name: str) -> list[TableRead]:
    from jixiao.bot.corpus.sheet import read_workbook

    return read_workbook(data, name)


_READERS = {"pdf": _read_pdf, "xlsx": _read_xlsx, "json": _read_json, "text": _read_text}


_KIND_WORDS = {"pdf": "import.kind.pdf", "xlsx": "import.kind.xlsx", "json": "import.kind.json", "text": "import.kind.text"}


def _kind_word(kind: str) -> str:
    return render_plain(_KIND_WORDS[kind])


def describe(report: ImportReport) -> str:
    """The chat's answer to an upload: 读到 3 张表：…, what is incomplete, what was refused."""
    if report.refusal:
        return report.refusal.message
    lines = []
    if report.filings:
        names = "、".join(f"{f.year} {f.project_name}" for f in report.filings)
        lines.append(render_plain("import.summary", count=len(report.filings), names=names))
    if report.incomplete:
        names = "、".join(f.project_name for f in report.incomplete)
        lines.append(render_plain("import.summary_incomplete", count=len(report.incomplete), names=names))
    if report.refused:
        refused = "；".join(f"{t.project_name or t.index + 1}：{t.reason.message}" for t in report.refused)
        lines.append(render_plain("import.summary_refused", lines=refused))
    return "\n".join(lines)


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _file_type(mode: int) -> str:
    for test, word in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISDIR, "directory"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return word
    return "special file"
