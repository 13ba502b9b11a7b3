"""The filing model: one performance-target table (绩效目标申报表) of one project.

The JSON form of :class:`Filing` is a public contract (``jixiao import --json``,
``jixiao validate``, ``--corpus``): keep its keys exactly as they are.
"""

from __future__ import annotations

from datetime import date

from jixiao.bot.domain.frameworks import all_frameworks
from pydantic import BaseModel, ConfigDict, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Funding(_Strict):
    """Money of the 2024/2026 forms, in yuan. ``None`` where the form left a blank."""

    total: float | None = None  # 项目资金总额
    annual_request: float | None = None  # 年度资金申请总额
    fiscal: float | None = None  # 其中：财政资金
    current_appropriation: float | None = None  # 其中：当年财政拨款
    carryover: float | None = None  # 上年结转资金
    other: float | None = None  # 其他资金


class PriorYear(_Strict):
    """The four money fields of the 2020 form, in yuan."""

    total_budget: float | None = None  # 项目总预算
    current_budget: float | None = None  # 项目当年预算
    last_year_budget: float | None = None  # 同名项目上年预算额
    last_year_executed: float | None = None  # 同名项目上年预算执行数


class Indicator(_Strict):
    """One 三级 indicator with its 一级/二级 levels as the form prints them."""

    level1: str
    level2: str
    name: str
    value: str | None = None


class Source(_Strict):
    """Where a filing came from: a file and the table's 0-based position in it."""

    file: str
    index: int


class Filing(_Strict):
    year: int
    format: str
    department: str | None = None
    implementing_unit: str | None = None
    project_name: str
    category: str | None = None
    nature: str | None = None
    performance_type: str | None = None
    gov_purchase: bool | None = None
    start: date | None = None
    end: date | None = None
    funding: Funding = Funding()
    prior_year: PriorYear = PriorYear()
    goal: str | None = None  # 年度总体目标 (2020: 年度目标)
    overall_goal: str | None = None  # 项目总目标: the whole period's goal; asked for multi-year (阶段性) projects
    indicators: list[Indicator] = []
    complete: bool = True
    problems: list[str] = []
    source: Source | None = None

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in all_frameworks():
            known = ", ".join(sorted(all_frameworks()))
            raise ValueError(f"unknown format {value!r}; known formats: {known}")
        return value

    def to_json_dict(self) -> dict:
        """The public JSON form (dates as YYYY-MM-DD)."""
        return self.model_dump(mode="json")

    @property
    def key(self) -> str:
        """A stable identity: source file and table index, or year + unit + name."""
        if self.source is not None:
            return f"{self.source.file}#{self.source.index}"
        return f"{self.year}/{self.department or ''}/{self.project_name}"
