"""The API's shapes: task bodies and answers, list query parameters, health and stats, accounts."""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ModelWrapValidatorHandler,
    PrivateAttr,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from src.models import Role, Scope, TaskPriority, TaskStatus
from src.security import PASSWORD_MAX, password_problem


def _characters(category: str) -> str:
    return "".join(
        chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == category
    )


def _regex_class(chars: str) -> str:
    """A regex character class body for `chars`, as ranges of literal characters (for any regex
    engine; none of the sets it is given holds a character special in a class)."""
    codes = sorted(set(map(ord, chars)))
    parts: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code == previous + 1:
            previous = code
            continue
        first, last = chr(start), chr(previous)
        parts.append(first if start == previous else f"{first}-{last}")
        start = previous = code
    return "".join(parts)


# Control characters (Cc): never in a title or an assignee; in a description only tab and
# line breaks. Format characters (Cf: zero-width, bidi controls, ...) are invisible: text of
# only those and whitespace reads as blank. NUL is a control character, and PostgreSQL cannot
# store it in text.
CONTROL = _characters("Cc")
FORMAT = _characters("Cf")
WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
DESCRIPTION_CONTROL = CONTROL.replace("\t", "").replace("\n", "").replace("\r", "")
_CONTROL_RE = re.compile(f"[{_regex_class(CONTROL)}]")
_DESCRIPTION_CONTROL_RE = re.compile(f"[{_regex_class(DESCRIPTION_CONTROL)}]")
_VISIBLE_RE = re.compile(f"[^{_regex_class(CONTROL + FORMAT + WHITESPACE)}]")


def _nfc(max_length: int) -> AfterValidator:
    """One spelling per text: "é" typed as one character or as e + combining accent is stored,
    searched and compared as the same string.

    After the length constraints (a validator before them made pydantic count the length before
    trimming), and checked again: composing can lengthen a text (U+0F73 becomes two characters).
    """

    def compose(value: str) -> str:
        value = unicodedata.normalize("NFC", value)
        if len(value) > max_length:
            raise ValueError(f"must be at most {max_length} characters in composed form")
        return value

    return AfterValidator(compose)


def _no_control(value: str) -> str:
    if match := _CONTROL_RE.search(value):
        raise ValueError(f"must not contain control characters (U+{ord(match[0]):04X})")
    return value


def _no_description_control(value: str) -> str:
    if match := _DESCRIPTION_CONTROL_RE.search(value):
        raise ValueError(
            f"must not contain control characters other than tab and line breaks "
            f"(U+{ord(match[0]):04X})"
        )
    return value


def _visible(value: str) -> str:
    if not _VISIBLE_RE.search(value):
        raise ValueError("must not be blank (only whitespace or invisible characters)")
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
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00:00+01:00 is in year 0 in UTC, 9999-12-31T23:59:59-01:00 in 10000.
        raise ValueError("must fall within years 1 to 9999 in UTC") from None


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


NO_CONTROL = DocumentedPattern(f"^[^{_regex_class(CONTROL)}]*$")
DESCRIPTION_TEXT = DocumentedPattern(f"^[^{_regex_class(DESCRIPTION_CONTROL)}]*$")
# No control character anywhere, and something visible.
VISIBLE_TEXT = DocumentedPattern(
    f"^[^{_regex_class(CONTROL)}]*[^{_regex_class(CONTROL + FORMAT + WHITESPACE)}]"
    f"[^{_regex_class(CONTROL)}]*$"
)

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    _nfc(200),
    AfterValidator(_no_control),
    AfterValidator(_visible),
    VISIBLE_TEXT,
]
Description = Annotated[
    str,
    StringConstraints(max_length=1000),
    _nfc(1000),
    AfterValidator(_no_description_control),
    DESCRIPTION_TEXT,
]
Assignee = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    _nfc(100),
    AfterValidator(_no_control),
    AfterValidator(_visible),
    VISIBLE_TEXT,
]
# Pydantic parses "2026-12-01" as midnight, so a plain date is accepted too.
UtcDatetime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_as_utc)]
SearchText = Annotated[
    str,
    StringConstraints(max_length=200),
    _nfc(200),
    AfterValidator(_no_control),
    NO_CONTROL,
]

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class DueDateInput(BaseModel):
    """Remembers whether `due_date` came as a day ("2026-12-01") or as an instant."""

    _due_all_day: bool = PrivateAttr(default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _remember_due_form(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        model = handler(data)
        if isinstance(data, dict):
            due = data.get("due_date")
            model._due_all_day = isinstance(due, str) and _DAY.fullmatch(due) is not None
        return model

    def due_fields(self, values: dict[str, Any]) -> dict[str, Any]:
        """`values` with due_all_day beside a due_date it holds (none: an instant's flag)."""
        if "due_date" in values:
            values["due_all_day"] = self._due_all_day and values["due_date"] is not None
        return values


class TaskCreate(DueDateInput):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    status: TaskStatus = TaskStatus.TODO
    priority: TaskPriority = TaskPriority.MEDIUM
    assignee: Assignee | None = None
    due_date: UtcDatetime | None = Field(
        default=None, description="A day (2026-12-01) or an instant (2026-12-01T09:00:00Z)"
    )

    def values(self) -> dict[str, Any]:
        return self.due_fields(self.model_dump())


class TaskUpdate(DueDateInput):
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
    due_date: UtcDatetime | None = Field(
        default=None, description="A day (2026-12-01) or an instant (2026-12-01T09:00:00Z)"
    )

    def changes(self) -> dict[str, Any]:
        return self.due_fields(self.model_dump(exclude_unset=True))


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    description: str | None
    status: TaskStatus
    priority: TaskPriority
    assignee: str | None
    due_date: AwareDatetime | None
    due_all_day: bool = Field(
        description="true: due_date is a day (its midnight UTC), shown as a date everywhere"
    )
    created_at: AwareDatetime
    updated_at: AwareDatetime
    version: int
    created_by: str | None = Field(
        description="The id of the person who made the task (null: before accounts, or "
        "single-user mode)"
    )
    updated_by: str | None = Field(description="The id of the person who changed it last")


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
    # Absent in single-user mode (AUTH_REQUIRED=false), whose welcome is the tutorial's.
    auth: Literal["required"] | None = Field(
        default=None,
        description='"required": accounts are on and every task route needs a credential; '
        "absent: single-user mode, no accounts",
    )
    signup: Literal["invite", "open"] | None = Field(
        default=None, description="With accounts: who may register"
    )


class Health(BaseModel):
    status: str = Field(description='"healthy" or "degraded"')
    database: str = Field(description='"connected" or "error"')
    storage: str = Field(description='"sqlite" or "postgresql"')
    tasks_count: int | None
    version: str
    environment: str
    commit: str | None = Field(description="The deployed git commit (RENDER_GIT_COMMIT)")
    events: str | None = Field(
        default=None,
        description='The live board\'s listener: "listening" (PostgreSQL), "reconnecting", or '
        '"in-process" (SQLite)',
    )
    timestamp: AwareDatetime


# Accounts. Fields that carry a secret are named in errors.SECRET_FIELDS: a 422 never repeats
# them.


def _email(value: str) -> str:
    # Deliberately loose (RFC 5322 allows far more than any check gets right): one @ between a
    # local part and a domain with a dot, no spaces. Delivery is the real check, and TaskFlow
    # sends no mail: an admin invites an address they know.
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain.strip(".") or any(c.isspace() for c in value):
        raise ValueError("must be an email address (name@example.com)")
    return value.lower()


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    AfterValidator(_no_control),
    AfterValidator(_email),
]
# A person's name, an API token's name: what an assignee may be, too.
PersonName = Assignee
TokenName = Assignee
# Any characters, spaces included, never trimmed: what was typed is the password.
AnyPassword = Annotated[str, StringConstraints(max_length=PASSWORD_MAX * 4)]


def _acceptable_password(value: str) -> str:
    if problem := password_problem(value):
        raise ValueError(problem)
    return value


NewPassword = Annotated[
    str,
    Field(description="15 to 256 characters; not a common password"),
    AfterValidator(_acceptable_password),
]


class AccessToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the session ends")


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    name: str
    role: Role
    active: bool
    created_at: AwareDatetime


class UserRegister(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    name: PersonName
    password: NewPassword
    invitation: str | None = Field(
        default=None, max_length=200, description="The token of an invitation for this email"
    )

    @model_validator(mode="after")
    def _password_is_not_the_email(self) -> UserRegister:
        if problem := password_problem(self.password, email=self.email):
            raise ValueError(problem)
        return self


class UserMeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonName


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: AnyPassword
    new_password: NewPassword


class UserAdminUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role = Field(default=None)  # type: ignore[assignment]
    active: bool = Field(default=None)  # type: ignore[assignment]


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    role: Role = Role.MEMBER


class InvitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    role: Role
    created_at: AwareDatetime
    expires_at: AwareDatetime


class InvitationCreated(BaseModel):
    id: str
    email: str
    role: Role
    token: str = Field(description="Shown this once: the link's invitation=...")
    expires_at: AwareDatetime


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TokenName
    scope: Scope
    expires_in_days: int = Field(ge=1, le=365)


class ApiTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    scope: Scope
    created_at: AwareDatetime
    expires_at: AwareDatetime


class ApiTokenCreated(ApiTokenRead):
    token: str = Field(description="Shown this once; stored only as a hash")
