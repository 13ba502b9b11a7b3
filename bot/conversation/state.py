"""What the conversation remembers: the user's session and each draft."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from jixiao.bot.domain.models import Filing
from jixiao.bot.texts import render_plain
from pydantic import BaseModel, ConfigDict, Field

DRAFTING, FINISHED, ABANDONED = "drafting", "finished", "abandoned"
SHARED, RETURNED, APPROVED = "shared", "returned", "approved"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ProposedItem(BaseModel):
    """One proposed indicator and whether the user keeps it."""

    model_config = ConfigDict(extra="forbid")

    level1: str
    level2: str
    name: str
    value: str | None = None
    sources: list[str] = []
    generic: bool = False
    note: str | None = None
    selected: bool = True


class Version(BaseModel):
    """A snapshot of a shared draft's table: what a reviewer saw."""

    model_config = ConfigDict(extra="forbid")

    number: int
    filing: Filing
    at: str = Field(default_factory=now_iso)


class Comment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str | None = None  # None: about the whole table
    text: str


class ReviewNote(BaseModel):
    """A reviewer's verdict on one version."""

    model_config = ConfigDict(extra="forbid")

    version: int
    reviewer: str
    verdict: str  # RETURNED or APPROVED
    comments: list[Comment] = []
    at: str = Field(default_factory=now_iso)


class Draft(BaseModel):
    """One filing being drafted, and where the conversation about it stands."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:8])
    user: str
    status: str = DRAFTING
    step: str = "year"
    history: list[str] = []  # steps visited, for /back
    return_to: str | None = None  # after an /edit jump, the step to go back to
    filing: Filing
    proposal: list[ProposedItem] = []
    similar: list[str] = []  # "2024 宝山区司法局 残疾人就业保障金 (同名项目)" lines shown with the proposal
    notes: dict[str, str] = {}  # indicator name → note from the proposal (copied counts …)
    cursor: int = 0  # the indicator whose value is being confirmed
    pending: dict[str, str] = {}  # a half-entered indicator: level1, level2, name
    turn: int = 0  # bumps on every accepted input; buttons carry it, so old ones are refused
    versions: list[Version] = []  # once shared: every change to the table is kept
    reviews: list[ReviewNote] = []
    reviewer: str | None = None  # who reviewed it last (re-sharing notifies them)
    created: str = Field(default_factory=now_iso)
    updated: str = Field(default_factory=now_iso)

    @property
    def token(self) -> str:
        """What buttons of the current question carry: the draft, its step and its turn."""
        return f"{self.id}.{self.turn}"

    def label(self) -> str:
        name = self.filing.project_name or render_plain("label.unnamed")
        return f"{self.filing.year} {name}"


class Session(BaseModel):
    """Per user: which draft is open, and a menu shown outside any draft."""

    model_config = ConfigDict(extra="forbid")

    user: str
    current: str | None = None
    menu: str | None = None  # "drafts" or "lookup" while such a list of buttons is shown
    choices: list[str] = []  # the values of that list's buttons, by position
    turn: int = 0
    last_department: str | None = None
    last_unit: str | None = None
    review: dict[str, str] = {}  # while reviewing someone's draft: code, stage, indicator

    @property
    def token(self) -> str:
        return f"s.{self.turn}"
