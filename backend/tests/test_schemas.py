"""schemas.task_json and tasks_json: the bytes TaskRead itself would give.

The task routes answer with these bytes instead of letting FastAPI serialise TaskRead, so they
must be what TaskRead gives for the same record, for every value a task can hold.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from src.models import TaskPriority, TaskRecord, TaskStatus
from src.schemas import TaskRead, task_json, tasks_json

NOW = datetime(2026, 11, 24, 2, 38, 13, 123456, tzinfo=UTC)
RECORDS = [
    TaskRecord(
        id="cb49a5d7-bad3-4258-9224-c8dc4cbb2d6a",
        title='Zoë\'s "quoted" task 📝',
        description="Line one\nline two",
        status=TaskStatus.IN_PROGRESS,
        priority=TaskPriority.HIGH,
        assignee="ann",
        due_date=NOW + timedelta(days=3),
        created_at=NOW,
        updated_at=NOW + timedelta(microseconds=1),
        version=7,
    ),
    TaskRecord(
        id="0b3e3a52-04b6-4c1a-8a5e-0d6f4c0d7e11",
        title="t",
        description=None,
        status=TaskStatus.TODO,
        priority=TaskPriority.LOW,
        assignee=None,
        due_date=None,
        created_at=NOW,
        updated_at=NOW,
        version=1,
    ),
]


def as_task_read(record: TaskRecord) -> bytes:
    return TaskRead.model_validate(record._asdict()).model_dump_json().encode()


@pytest.mark.parametrize("record", RECORDS, ids=["full", "sparse"])
def test_a_task_is_the_bytes_task_read_gives(record: TaskRecord) -> None:
    assert task_json(record) == as_task_read(record)


def test_a_page_is_the_tasks_task_read_gives() -> None:
    assert tasks_json(RECORDS) == b"[" + b",".join(map(as_task_read, RECORDS)) + b"]"
    assert tasks_json([]) == b"[]"


# Every character a title may hold (all but NUL, which the API refuses), 2,000 at a time: the
# escapes (quotes, backslash, control characters, U+2028), the other planes, U+FFFF.
_TEXTS = [
    "".join(map(chr, range(start, min(start + 2000, 0x110000))))
    .replace("\x00", "")
    .translate({code: None for code in range(0xD800, 0xE000)})  # not text: surrogates
    for start in range(0, 0x110000, 2000)
]
_TIMES = [
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    datetime(2026, 2, 28, 12, 0, 0, 100000, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]


def test_every_character_and_timestamp_is_written_as_task_read_writes_it() -> None:
    records = [
        RECORDS[0]._replace(title=text, description=text[::-1], assignee=text[:100])
        for text in _TEXTS
    ]
    records += [
        RECORDS[1]._replace(due_date=at, created_at=at, updated_at=at, version=version)
        for at, version in zip(_TIMES, [0, 1, 2**31, 2**53 + 1, 2**63 - 1], strict=True)
    ]
    for record in records:
        assert task_json(record) == as_task_read(record)
    assert tasks_json(records) == b"[" + b",".join(map(as_task_read, records)) + b"]"


@pytest.mark.parametrize(
    "field, value",
    [("title", "lone \udc80 surrogate"), ("priority", b"high"), ("due_date", object())],
)
def test_a_value_json_cannot_hold_is_refused(field: str, value: object) -> None:
    # Only these: a value of JSON's types is written as it is, whatever the field. A record's
    # types are its columns' (tests/test_direct_reads compares them with SQLAlchemy's).
    changes: dict[str, Any] = {field: value}
    record = RECORDS[0]._replace(**changes)

    with pytest.raises(orjson.JSONEncodeError):
        task_json(record)
