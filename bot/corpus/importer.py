"""Turn seed-style text files into filings, with a report per file.

Reading a file never raises for bad input: a file that is empty, binary, not UTF-8
or holds no table gets a one-line error naming it, and the other files go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jixiao.bot.corpus.seedtext import NotAFilingError, is_blank_problem, parse_text
from jixiao.bot.domain.models import Filing


@dataclass
class FileReport:
    """What one file gave: its filings, or the reason it gave none."""

    path: Path
    filings: list[Filing] = field(default_factory=list)
    error: str | None = None

    @property
    def incomplete(self) -> list[Filing]:
        return [f for f in self.filings if not f.complete]

    @property
    def indicator_count(self) -> int:
        return sum(len(f.indicators) for f in self.filings)

    def summary(self) -> str:
        """One line, then one indented line per incomplete table and why."""
        if self.error:
            return f"{self.path}: error: {self.error}"
        lines = [
            f"{self.path}: {len(self.filings)} tables, {self.indicator_count} indicators, "
            f"{len(self.incomplete)} incomplete"
        ]
        for filing in self.incomplete:
            unplaced = [p for p in filing.problems if not is_blank_problem(p)]
            lines.append(f"  table {filing.source.index + 1} {filing.project_name}: " + "; ".join(unplaced))
        return "\n".join(lines)


class UnreadableFileError(ValueError):
    """The file cannot be read as UTF-8 text."""


def read_text_file(path: Path) -> str:
    """The file's text; raises :class:`UnreadableFileError` with a one-line reason."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read file ({exc.strerror})") from None
    if not data.strip():
        raise UnreadableFileError("file is empty")
    if b"\x00" in data[:4096]:
        raise UnreadableFileError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError("not UTF-8 text (another encoding? convert it to UTF-8 first)") from None


def import_file(path: Path) -> FileReport:
    report = FileReport(path=path)
    try:
        text = read_text_file(path)
        report.filings = parse_text(text, path.name)
    except NotAFilingError as exc:
        report.error = f"not a performance-target filing ({exc})"
    except UnreadableFileError as exc:
        report.error = str(exc)
    return report
