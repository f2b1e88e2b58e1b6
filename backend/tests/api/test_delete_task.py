"""DELETE /tasks/{id}: 204, 404 when absent, If-Match honoured."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import MakeTask


def test_delete_returns_204_and_the_task_is_gone(client: TestClient, make_task: MakeTask) -> None:
    task = make_task()
    kept = make_task()

    response = client.delete(f"/tasks/{task['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/tasks/{task['id']}").status_code == 404
    assert client.get("/tasks").json() == [kept]


def test_delete_of_absent_task_is_404(client: TestClient, make_task: MakeTask) -> None:
    task = make_task()
    client.delete(f"/tasks/{task['id']}")

    assert client.delete(f"/tasks/{task['id']}").status_code == 404
    assert client.delete("/tasks/garbage").status_code == 404


def test_delete_with_stale_etag_is_412_and_keeps_the_task(
    client: TestClient, make_task: MakeTask
) -> None:
    task = make_task()
    client.patch(f"/tasks/{task['id']}", json={"title": "changed"})

    response = client.delete(f"/tasks/{task['id']}", headers={"If-Match": '"1"'})

    assert response.status_code == 412
    assert client.get(f"/tasks/{task['id']}").json()["title"] == "changed"


def test_delete_with_current_etag(client: TestClient, make_task: MakeTask) -> None:
    task = make_task()

    assert client.delete(f"/tasks/{task['id']}", headers={"If-Match": '"1"'}).status_code == 204
