"""GET /tasks/{id}: found with its ETag, and 404 (never 422) for any id that is not a task."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.conftest import MakeTask


def test_get_returns_task_with_etag(client: TestClient, make_task: MakeTask) -> None:
    task = make_task(title="Find me")

    response = client.get(f"/tasks/{task['id']}")

    assert response.status_code == 200
    assert response.json() == task
    assert response.headers["ETag"] == '"1"'


def test_get_accepts_the_uppercase_form_of_an_id(client: TestClient, make_task: MakeTask) -> None:
    task = make_task()

    assert client.get(f"/tasks/{task['id'].upper()}").json()["id"] == task["id"]


@pytest.mark.parametrize(
    "task_id",
    [
        str(uuid.uuid4()),
        "not-a-uuid",
        "123",
        "x" * 5000,
        "%00",
        "' OR 1=1 --",
        "🚀",
        "00000000-0000-0000-0000-000000000000",
    ],
)
def test_unknown_id_of_any_shape_is_404(client: TestClient, task_id: str) -> None:
    response = client.get(f"/tasks/{task_id}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Task not found"}
