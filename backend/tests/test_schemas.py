"""schemas.task_json and tasks_json: the bytes TaskRead itself would give, or an error.

The task routes answer with these bytes instead of letting FastAPI serialise TaskRead, so they
must be what TaskRead gives for the same record, and must refuse what TaskRead would refuse.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic_core import PydanticSerializationError

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


@pytest.mark.parametrize(
    "field, value",
    [("status", 3), ("priority", b"high"), ("created_at", "2026-11-24"), ("version", "7")],
)
def test_a_value_not_of_its_fields_type_is_refused(field: str, value: object) -> None:
    # (Not None: pydantic's serialisers write null for any field. The columns are NOT NULL.)
    changes: dict[str, Any] = {field: value}
    record = RECORDS[0]._replace(**changes)

    with pytest.raises(PydanticSerializationError):
        task_json(record)
