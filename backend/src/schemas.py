"""The API's shapes: task bodies and answers, list query parameters, health and stats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from src.models import TaskPriority, TaskRecord, TaskStatus


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; SQLite could, so refuse it everywhere alike.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _not_a_number(value: object) -> object:
    """Refuse a number where a date-time is due, as JSON or as text.

    Pydantic reads 1700000000 (and "1700000000") as seconds since 1970, and a larger number as
    milliseconds, so a client sending a timestamp by mistake got a date it never meant stored,
    and a filter it never meant applied. The contract's date-times are ISO 8601 text.
    """
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
    elif isinstance(value, bool) or not isinstance(value, int | float):
        return value  # not a number: Pydantic's own checks answer it
    raise ValueError("must be an ISO 8601 date or date-time (2026-12-01T09:00:00Z), not a number")


def _as_utc(value: datetime) -> datetime:
    """A date-time without an offset means UTC; one with an offset is converted to UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class DocumentedPattern:
    """A pattern the OpenAPI document states for a string, enforced by the validators beside it.

    Stated, it tells clients and the fuzzer that a title of whitespace alone is as invalid as an
    empty one, and that no text may hold NUL. It is not a pattern constraint: enforced as one, a
    NUL would be refused as "String should match pattern ..." instead of by name.
    """

    pattern: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(core_schema), "pattern": self.pattern}


# What strip_whitespace removes: Unicode's White_Space characters.
_WHITESPACE = "\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
NO_NUL = DocumentedPattern("^[^\\u0000]*$")
# Some character that is neither NUL nor whitespace, and no NUL anywhere.
NOT_BLANK = DocumentedPattern(f"^[^\\u0000]*[^\\u0000{_WHITESPACE}][^\\u0000]*$")

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_nul),
    NOT_BLANK,
]
Description = Annotated[str, StringConstraints(max_length=1000), AfterValidator(_no_nul), NO_NUL]
Assignee = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_nul),
    NOT_BLANK,
]
# Pydantic parses "2026-12-01" as midnight, so a plain date is accepted too.
UtcDatetime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_as_utc)]
SearchText = Annotated[str, StringConstraints(max_length=200), AfterValidator(_no_nul), NO_NUL]


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    status: TaskStatus = TaskStatus.TODO
    priority: TaskPriority = TaskPriority.MEDIUM
    assignee: Assignee | None = None
    due_date: UtcDatetime | None = None


class TaskUpdate(BaseModel):
    """A partial update: only the fields sent change.

    title, status and priority may be left out but not cleared, so their type admits no null
    (the default is never validated); description, assignee and due_date accept null to clear.
    """

    model_config = ConfigDict(extra="forbid")

    title: Title = Field(default=None)  # type: ignore[assignment]
    description: Description | None = None
    status: TaskStatus = Field(default=None)  # type: ignore[assignment]
    priority: TaskPriority = Field(default=None)  # type: ignore[assignment]
    assignee: Assignee | None = None
    due_date: UtcDatetime | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    description: str | None
    status: TaskStatus
    priority: TaskPriority
    assignee: str | None
    due_date: AwareDatetime | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    version: int


# Task routes answer with these bytes themselves, serialised in the route's own thread: FastAPI
# checks a sync route's return value against response_model in a second trip through the thread
# pool (0.12 of a GET's 0.78 ms of CPU). Records are serialised as dicts over their fields (built
# with zip, a tenth quicker than a named tuple's _asdict(); SQLAlchemy's Row._asdict() took 4 µs
# a row), by orjson: the bytes pydantic's serialiser gives for TaskRead (tests/test_schemas
# compares them), for a page of 50 in 94 µs of CPU against pydantic's 163, 60 of them spent on
# its 150 timestamps. orjson writes each value as its own type says: a record's types are its
# columns' (models, direct_reads), enum members and aware UTC datetimes only, checked as they
# are read; a TaskRead serialiser checking them again found nothing more.
_FIELDS = TaskRecord._fields
_JSON_OPTIONS = orjson.OPT_UTC_Z  # UTC as `Z`, as pydantic writes it


def task_json(task: TaskRecord) -> bytes:
    return orjson.dumps(dict(zip(_FIELDS, task, strict=True)), option=_JSON_OPTIONS)


def tasks_json(tasks: Sequence[TaskRecord]) -> bytes:
    rows = [dict(zip(_FIELDS, task, strict=True)) for task in tasks]
    return orjson.dumps(rows, option=_JSON_OPTIONS)


# A sort key, `-` first for descending. Spelled out so OpenAPI (and the frontend's generated
# types) list every value.
Sort = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "due_date", "-due_date",
    "priority", "-priority", "status", "-status", "title", "-title",
]  # fmt: skip


class TaskFilters(BaseModel):
    """The filters /tasks, /tasks/count and /tasks/stats share."""

    status: list[TaskStatus] = Field(default_factory=list, description="Repeatable")
    priority: list[TaskPriority] = Field(default_factory=list, description="Repeatable")
    assignee: Assignee | None = Field(default=None, description="Exact match")
    q: SearchText | None = Field(
        default=None, description="Case-insensitive substring of title or description"
    )
    due_before: UtcDatetime | None = None
    due_after: UtcDatetime | None = None
    overdue: bool | None = Field(
        default=None, description="true: due date passed and status not done; false: the rest"
    )


# The largest offset both databases accept (a signed 64-bit integer).
MAX_OFFSET = 2**63 - 1


class TaskListQuery(TaskFilters):
    sort: Sort = Field(default="created_at", description="A key, `-` prefix for descending")
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class TaskCount(BaseModel):
    total: int


class StatusCounts(BaseModel):
    todo: int = 0
    in_progress: int = 0
    done: int = 0


class PriorityCounts(BaseModel):
    low: int = 0
    medium: int = 0
    high: int = 0


class TaskStats(BaseModel):
    total: int
    by_status: StatusCounts
    by_priority: PriorityCounts
    overdue: int


class Welcome(BaseModel):
    message: str
    version: str
    docs: str
    health: str


class Health(BaseModel):
    status: str = Field(description='"healthy" or "degraded"')
    database: str = Field(description='"connected" or "error"')
    storage: str = Field(description='"sqlite" or "postgresql"')
    tasks_count: int | None
    version: str
    environment: str
    commit: str | None = Field(description="The deployed git commit (RENDER_GIT_COMMIT)")
    timestamp: AwareDatetime


class ErrorResponse(BaseModel):
    detail: str
