"""What the conversation remembers: the user's session and each draft."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from jixiao.bot.domain.models import Filing
from jixiao.bot.texts import render_plain
from pydantic import BaseModel, ConfigDict, Field, field_validator

DRAFTING, FINISHED, ABANDONED = "drafting", "finished", "abandoned"
SHARED, RETURNED, APPROVED = "shared", "returned", "approved"
DELETED = "deleted"  # confirmed /delete: the engine removes the draft; never stored
#: Steps of earlier versions and where a stored draft at one of them resumes now.
RENAMED_STEPS = {"values": "indicators"}


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
    reason: str = ""  # where it comes from, in plain words (来自年度目标：不少于24次)
    origin: str = "library"  # goal, budget, history, similar or library
    selected: bool = True


class Version(BaseModel):
    """A shared version of a draft's table: what a reviewer saw (only shared versions are kept)."""

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


class FormChange(BaseModel):
    """A change of year or form waiting for the user to say where the homeless indicators go."""

    model_config = ConfigDict(extra="forbid")

    year: int
    format: str
    chosen: bool = False  # the user picked this form (it is not re-chosen by the department)


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
    similar: list[str] = []  # "2024 上海市宝山区司法局 残疾人就业保障金": the past tables the proposal drew on
    project_type: str | None = None  # the library type(s) the user chose ("training+mediation"); None: from the name
    type_explanation: str = ""  # why the proposal used its types, in plain words
    base: Filing | None = None  # a table to start from: the unit's own last one, or an uploaded one
    base_same_name: bool = True  # ``base`` is this project's own table (not a similar one of the unit)
    notes: dict[str, str] = {}  # indicator name → note from the proposal (copied counts …)
    cursor: int = 0  # the indicator (its position in filing.indicators) being edited
    pending: dict[str, str] = {}  # a half-entered indicator: level1, level2, name
    form_change: FormChange | None = None  # a year/form change asking what to do with some indicators
    form_chosen: bool = False  # the user picked the form: the department's region no longer chooses it
    turn: int = 0  # bumps on every accepted input; buttons carry it, so old ones are refused
    versions: list[Version] = []  # the versions that were shared (not every edit)
    reviews: list[ReviewNote] = []
    reviewer: str | None = None  # who reviewed it last (re-sharing notifies them)
    share_code: str | None = None  # the one live review code; any other code of this draft is dead
    created: str = Field(default_factory=now_iso)
    updated: str = Field(default_factory=now_iso)

    @field_validator("step")
    @classmethod
    def _renamed_step(cls, step: str) -> str:
        return RENAMED_STEPS.get(step, step)

    @field_validator("history")
    @classmethod
    def _renamed_history(cls, history: list[str]) -> list[str]:
        return [RENAMED_STEPS.get(step, step) for step in history]

    @property
    def token(self) -> str:
        """What buttons of the current question carry: the draft, its step and its turn."""
        return f"{self.id}.{self.turn}"

    def label(self) -> str:
        name = self.filing.project_name or render_plain("label.unnamed")
        return f"{self.filing.year} {name}"


class Share(BaseModel):
    """A review code: which draft and version it opens, and the reviewer it is bound to."""

    model_config = ConfigDict(extra="forbid")

    code: str
    owner: str
    draft: str
    version: int
    reviewer: str | None = None  # bound on first use: nobody else can open it
    created: str = Field(default_factory=now_iso)


class Reviewing(BaseModel):
    """The reviewer's side while a shared draft is open: which one, and the review stage."""

    model_config = ConfigDict(extra="forbid")

    code: str
    owner: str
    draft: str
    version: int
    stage: str = "decide"
    indicator: str | None = None  # the indicator a comment is about (None: the whole table)


class UploadedTable(BaseModel):
    """A table read from a file the user sent, offered as the start of a new draft."""

    model_config = ConfigDict(extra="forbid")

    key: str  # the filing's key in the corpus (upload:<user>/<file>#<index>)
    name: str  # its project name (the corpus finds filings by name)
    year: int
    partial: Filing | None = None  # a table not read whole: not in the corpus, offered from here to check


class Session(BaseModel):
    """Per user: which draft is open, and a menu shown outside any draft."""

    model_config = ConfigDict(extra="forbid")

    user: str
    current: str | None = None
    menu: str | None = None  # "drafts", "lookup", "lookup_query", "review" or "upload" while shown
    choices: list[str] = []  # the values of that list's buttons, by position
    turn: int = 0
    last_department: str | None = None
    last_unit: str | None = None
    review: Reviewing | None = None  # while reviewing someone's draft
    code_misses: list[str] = []  # when this user last typed review codes that do not exist
    damaged: str | None = None  # the user's file was damaged and set aside here: say so once
    uploaded: list[UploadedTable] = []  # the tables of the last file sent, while they are offered

    @field_validator("review", mode="before")
    @classmethod
    def _old_review(cls, value):
        """Earlier versions kept a dict without the code: such a review starts again."""
        return value if isinstance(value, Reviewing) or (isinstance(value, dict) and "code" in value) else None

    @property
    def token(self) -> str:
        return f"s.{self.turn}"
