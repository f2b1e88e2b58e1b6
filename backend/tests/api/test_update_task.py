"""PATCH and PUT /tasks/{id}: partial updates, versions, ETags and If-Match."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from tests.conftest import MakeTask

METHODS = ["PATCH", "PUT"]


@pytest.mark.parametrize("method", METHODS)
def test_only_the_fields_sent_change(client: TestClient, make_task: MakeTask, method: str) -> None:
    task = make_task(title="Old", description="keep me", assignee="bob", priority="low")

    response = client.request(method, f"/tasks/{task['id']}", json={"status": "in_progress"})

    assert response.status_code == 200
    updated = response.json()
    assert updated["status"] == "in_progress"
    for field in ("title", "description", "assignee", "priority", "due_date", "created_at"):
        assert updated[field] == task[field]
    assert updated["version"] == 2
    assert datetime.fromisoformat(updated["updated_at"]) > datetime.fromisoformat(
        task["updated_at"]
    )
    assert response.headers["ETag"] == '"2"'
    assert client.get(f"/tasks/{task['id']}").json() == updated


def test_null_clears_optional_fields(client: TestClient, make_task: MakeTask) -> None:
    task = make_task(description="d", assignee="a", due_date="2030-01-01")

    updated = client.patch(
        f"/tasks/{task['id']}", json={"description": None, "assignee": None, "due_date": None}
    ).json()

    assert updated["description"] is None
    assert updated["assignee"] is None
    assert updated["due_date"] is None


@pytest.mark.parametrize("field", ["title", "status", "priority"])
def test_null_for_required_fields_is_422_and_changes_nothing(
    client: TestClient, make_task: MakeTask, field: str
) -> None:
    task = make_task()

    response = client.patch(f"/tasks/{task['id']}", json={field: None})

    assert response.status_code == 422
    assert client.get(f"/tasks/{task['id']}").json() == task


@pytest.mark.parametrize(
    "body",
    [
        {"title": " "},
        {"title": "t" * 201},
        {"status": "later"},
        {"priority": 3},
        {"due_date": 1700000000},
        {"nope": 1},
    ],
)
def test_invalid_update_is_422_and_changes_nothing(
    client: TestClient, make_task: MakeTask, body: dict[str, object]
) -> None:
    task = make_task()

    assert client.patch(f"/tasks/{task['id']}", json=body).status_code == 422
    assert client.get(f"/tasks/{task['id']}").json() == task


def test_empty_update_still_advances_version(client: TestClient, make_task: MakeTask) -> None:
    task = make_task()

    assert client.patch(f"/tasks/{task['id']}", json={}).json()["version"] == 2


def test_if_match_with_current_etag_updates(client: TestClient, make_task: MakeTask) -> None:
    task = make_task()

    response = client.patch(
        f"/tasks/{task['id']}", json={"title": "new"}, headers={"If-Match": '"1"'}
    )

    assert response.status_code == 200
    assert response.json()["title"] == "new"


@pytest.mark.parametrize("method", METHODS)
def test_patch_with_stale_etag_returns_412_and_changes_nothing(
    client: TestClient, make_task: MakeTask, method: str
) -> None:
    task = make_task()
    current = client.patch(f"/tasks/{task['id']}", json={"title": "second"}).json()

    response = client.request(
        method, f"/tasks/{task['id']}", json={"title": "third"}, headers={"If-Match": '"1"'}
    )

    assert response.status_code == 412
    assert response.json()["detail"]
    assert client.get(f"/tasks/{task['id']}").json() == current


def test_if_match_star_and_lists(client: TestClient, make_task: MakeTask) -> None:
    task = make_task()
    url = f"/tasks/{task['id']}"

    assert client.patch(url, json={}, headers={"If-Match": "*"}).status_code == 200
    assert client.patch(url, json={}, headers={"If-Match": '"7", "2"'}).status_code == 200
    # Weak tags never match If-Match (RFC 9110 strong comparison).
    assert client.patch(url, json={}, headers={"If-Match": 'W/"3"'}).status_code == 412


def test_update_of_unknown_task_is_404(client: TestClient) -> None:
    response = client.patch("/tasks/not-there", json={"title": "x"})

    assert response.status_code == 404
    assert client.put("/tasks/00000000-0000-4000-8000-000000000000", json={}).status_code == 404


def test_update_needs_json_content_type(client: TestClient, make_task: MakeTask) -> None:
    task = make_task()

    response = client.patch(f"/tasks/{task['id']}", content=b"title=x")

    assert response.status_code == 415
