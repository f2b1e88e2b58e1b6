"""Due dates: a day stays a day, an instant an instant; when each is overdue; edge years."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.conftest import MakeTask


def test_a_day_is_kept_as_a_day_at_its_midnight_utc(client: TestClient) -> None:
    response = client.post("/tasks", json={"title": "report", "due_date": "2026-12-01"})

    assert response.status_code == 201, response.text
    task = response.json()
    assert (task["due_date"], task["due_all_day"]) == ("2026-12-01T00:00:00Z", True)
    assert client.get(f"/tasks/{task['id']}").json()["due_all_day"] is True


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z"),  # midnight, but said as an instant
        ("2026-12-01T09:30:00+01:00", "2026-12-01T08:30:00Z"),
        ("2026-12-01T09:30:00", "2026-12-01T09:30:00Z"),
    ],
)
def test_an_instant_is_kept_as_an_instant(client: TestClient, sent: str, stored: str) -> None:
    task = client.post("/tasks", json={"title": "call", "due_date": sent}).json()

    assert (task["due_date"], task["due_all_day"]) == (stored, False)


def test_no_due_date_is_not_a_day(make_task: MakeTask) -> None:
    assert make_task()["due_all_day"] is False


def test_an_update_says_again_which_it_is_and_other_changes_keep_it(
    client: TestClient, make_task: MakeTask
) -> None:
    task = make_task(due_date="2026-12-01")
    url = f"/tasks/{task['id']}"

    assert client.patch(url, json={"title": "renamed"}).json()["due_all_day"] is True
    instant = client.patch(url, json={"due_date": "2026-12-02T15:00:00Z"}).json()
    assert (instant["due_date"], instant["due_all_day"]) == ("2026-12-02T15:00:00Z", False)
    day = client.put(url, json={"due_date": "2026-12-03"}).json()
    assert (day["due_date"], day["due_all_day"]) == ("2026-12-03T00:00:00Z", True)
    cleared = client.patch(url, json={"due_date": None}).json()
    assert (cleared["due_date"], cleared["due_all_day"]) == (None, False)


def test_a_client_cannot_set_the_flag_itself(client: TestClient, make_task: MakeTask) -> None:
    response = client.post("/tasks", json={"title": "t", "due_all_day": True})
    assert response.status_code == 422
    task = make_task()
    assert client.patch(f"/tasks/{task['id']}", json={"due_all_day": True}).status_code == 422


def test_a_day_is_overdue_only_once_it_is_over_everywhere(
    client: TestClient, make_task: MakeTask
) -> None:
    today = datetime.now(UTC).date()
    overdue = {
        make_task(title="two days ago", due_date=(today - timedelta(days=2)).isoformat())["id"],
        make_task(
            title="a minute ago", due_date=(datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        )["id"],
    }
    # Today is not over anywhere yet (it ends at 12:00 UTC tomorrow, UTC-12's midnight).
    make_task(title="today", due_date=today.isoformat())
    make_task(title="in an hour", due_date=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    make_task(title="done long ago", due_date="2020-01-01", status="done")
    make_task(title="no date")

    listed = {task["id"] for task in client.get("/tasks", params={"overdue": True}).json()}
    not_overdue = client.get("/tasks", params={"overdue": False}).json()

    assert listed == overdue
    assert len(not_overdue) == 4 and not {task["id"] for task in not_overdue} & overdue
    assert client.get("/tasks/stats").json()["overdue"] == 2
    assert client.get("/tasks/count", params={"overdue": True}).json() == {"total": 2}


# Each is within years 1-9999 as written, and outside them in UTC.
OUT_OF_RANGE = ["0001-01-01T00:00:01+01:00", "9999-12-31T23:59:59-01:00"]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize("path", ["/tasks", "/tasks/count", "/tasks/stats"])
@pytest.mark.parametrize("bound", ["due_before", "due_after"])
def test_a_bound_outside_years_1_to_9999_in_utc_is_422(
    client: TestClient, path: str, bound: str, value: str
) -> None:
    response = client.get(path, params={bound: value})

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", bound]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_due_date_outside_years_1_to_9999_in_utc_is_422_and_stores_nothing(
    client: TestClient, make_task: MakeTask, value: str
) -> None:
    task = make_task()

    assert client.post("/tasks", json={"title": "t", "due_date": value}).status_code == 422
    assert client.patch(f"/tasks/{task['id']}", json={"due_date": value}).status_code == 422
    assert client.get("/tasks/count").json() == {"total": 1}
    assert client.get(f"/tasks/{task['id']}").json() == task
