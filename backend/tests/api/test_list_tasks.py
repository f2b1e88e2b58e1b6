"""GET /tasks: filters, sorting by meaning, pagination with X-Total-Count and Link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from src.api.routes.tasks import _link_header
from src.schemas import TaskListQuery
from tests.conftest import MakeTask


def ids(response: Any) -> list[str]:
    return [task["id"] for task in response.json()]


def titles(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/tasks", params=params)
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()]


def iso(moment: datetime) -> str:
    return moment.isoformat()


NOW = datetime.now(UTC)


def test_empty_list(client: TestClient) -> None:
    response = client.get("/tasks")

    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["X-Total-Count"] == "0"
    assert "Link" not in response.headers


def test_default_order_is_creation_time(client: TestClient, make_task: MakeTask) -> None:
    for title in ["first", "second", "third"]:
        make_task(title=title)

    assert titles(client) == ["first", "second", "third"]
    assert titles(client, sort="-created_at") == ["third", "second", "first"]


def test_status_and_priority_filters_are_repeatable(
    client: TestClient, make_task: MakeTask
) -> None:
    make_task(title="a", status="todo", priority="low")
    make_task(title="b", status="in_progress", priority="high")
    make_task(title="c", status="done", priority="high")

    assert titles(client, status="todo") == ["a"]
    assert titles(client, status=["todo", "done"]) == ["a", "c"]
    assert titles(client, priority="high") == ["b", "c"]
    assert titles(client, priority=["high"], status=["done"]) == ["c"]


def test_unknown_enum_in_filter_is_422(client: TestClient) -> None:
    assert client.get("/tasks", params={"status": "doing"}).status_code == 422
    assert client.get("/tasks", params={"priority": "urgent"}).status_code == 422


def test_assignee_filter_is_exact(client: TestClient, make_task: MakeTask) -> None:
    make_task(title="a", assignee="alice")
    make_task(title="b", assignee="alicia")
    make_task(title="c")

    assert titles(client, assignee="alice") == ["a"]


def test_q_is_case_insensitive_substring_of_title_or_description(
    client: TestClient, make_task: MakeTask
) -> None:
    make_task(title="Write REPORT")
    make_task(title="other", description="see the quarterly report")
    make_task(title="unrelated")

    assert titles(client, q="report") == ["Write REPORT", "other"]
    assert titles(client, q="RePoRt") == ["Write REPORT", "other"]


def test_q_folds_case_beyond_ascii(client: TestClient, make_task: MakeTask) -> None:
    make_task(title="ÉCOLE d'été")
    make_task(title="Straße ΣΊΣΥΦΟΣ")

    assert titles(client, q="école") == ["ÉCOLE d'été"]
    assert titles(client, q="ÉTÉ") == ["ÉCOLE d'été"]
    assert titles(client, q="σίσυφ") == ["Straße ΣΊΣΥΦΟΣ"]
    assert titles(client, q="STRASSE") == []  # no one-to-many folding (ß is not ss)


def test_q_treats_wildcards_literally(client: TestClient, make_task: MakeTask) -> None:
    make_task(title="100% done")
    make_task(title="1000 done")
    make_task(title="snake_case")
    make_task(title="snakeXcase")
    make_task(title=r"back\slash")

    assert titles(client, q="100%") == ["100% done"]
    assert titles(client, q="e_c") == ["snake_case"]
    assert titles(client, q="\\") == [r"back\slash"]


def test_due_before_and_after_split_dated_tasks(client: TestClient, make_task: MakeTask) -> None:
    make_task(title="early", due_date=iso(NOW + timedelta(days=1)))
    make_task(title="late", due_date=iso(NOW + timedelta(days=10)))
    make_task(title="undated")
    cut = iso(NOW + timedelta(days=5))

    assert titles(client, due_before=cut) == ["early"]
    assert titles(client, due_after=cut) == ["late"]
    assert titles(client, due_after=(NOW + timedelta(days=1)).date().isoformat()) == [
        "early",
        "late",
    ]


def test_overdue_means_past_due_and_not_done(client: TestClient, make_task: MakeTask) -> None:
    make_task(title="overdue", due_date=iso(NOW - timedelta(days=1)))
    make_task(title="done late", due_date=iso(NOW - timedelta(days=1)), status="done")
    make_task(title="future", due_date=iso(NOW + timedelta(days=1)))
    make_task(title="undated")

    assert titles(client, overdue="true") == ["overdue"]
    assert titles(client, overdue="false") == ["done late", "future", "undated"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("priority", ["low", "medium", "high"]),
        ("-priority", ["high", "medium", "low"]),
        ("status", ["todo", "in_progress", "done"]),
        ("-status", ["done", "in_progress", "todo"]),
    ],
)
def test_priority_and_status_sort_by_meaning(
    client: TestClient, make_task: MakeTask, sort: str, expected: list[str]
) -> None:
    field = sort.lstrip("-")
    for value in (
        ["medium", "high", "low"] if field == "priority" else ["done", "todo", "in_progress"]
    ):
        make_task(title=value, **{field: value})

    assert titles(client, sort=sort) == expected


def test_sort_by_title_due_date_and_updated_at(client: TestClient, make_task: MakeTask) -> None:
    b = make_task(title="b", due_date=iso(NOW + timedelta(days=2)))
    make_task(title="a")
    make_task(title="c", due_date=iso(NOW + timedelta(days=1)))
    client.patch(f"/tasks/{b['id']}", json={"description": "touched"})

    assert titles(client, sort="title") == ["a", "b", "c"]
    assert titles(client, sort="-title") == ["c", "b", "a"]
    assert titles(client, sort="due_date") == ["c", "b", "a"]  # undated last
    assert titles(client, sort="-due_date") == ["b", "c", "a"]  # undated last
    assert titles(client, sort="-updated_at")[0] == "b"


def test_unknown_sort_is_422(client: TestClient) -> None:
    assert client.get("/tasks", params={"sort": "id"}).status_code == 422
    assert client.get("/tasks", params={"sort": "--title"}).status_code == 422


def test_pages_of_equal_sort_keys_never_overlap_or_skip(
    client: TestClient, make_task: MakeTask
) -> None:
    for index in range(23):
        make_task(title=f"t{index}", priority="high")
    every = set(ids(client.get("/tasks", params={"limit": 500})))

    for sort in ["priority", "-priority", "status", "title", "-due_date"]:
        seen: list[str] = []
        for offset in range(0, 23, 5):
            page = client.get("/tasks", params={"sort": sort, "limit": 5, "offset": offset})
            seen += ids(page)
        assert len(seen) == 23 and set(seen) == every, sort


def test_pagination_headers(client: TestClient, make_task: MakeTask) -> None:
    for index in range(7):
        make_task(title=f"t{index}")

    first = client.get("/tasks", params={"limit": 3, "status": "todo"})
    middle = client.get("/tasks", params={"limit": 3, "offset": 3, "status": "todo"})
    last = client.get("/tasks", params={"limit": 3, "offset": 6, "status": "todo"})

    assert [len(page.json()) for page in (first, middle, last)] == [3, 3, 1]
    assert {page.headers["X-Total-Count"] for page in (first, middle, last)} == {"7"}
    links = {
        name: dict(
            (rel, url)
            for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', page.headers.get("Link", ""))
        )
        for name, page in [("first", first), ("middle", middle), ("last", last)]
    }
    assert set(links["first"]) == {"next"}
    assert set(links["middle"]) == {"next", "prev"}
    assert set(links["last"]) == {"prev"}
    assert "offset=3" in links["first"]["next"] and "status=todo" in links["first"]["next"]
    assert "offset=0" in links["middle"]["prev"]
    next_page = client.get(links["first"]["next"])
    assert ids(next_page) == ids(middle)


def test_links_keep_the_other_parameters_and_replace_the_offset(
    client: TestClient, make_task: MakeTask
) -> None:
    for index in range(7):
        make_task(title=f"t{index}", assignee="ann lee")

    # Parameters the list does not read are kept too; an encoded `offset` is still the offset.
    query = "assignee=ann%20lee&%6Fffset=3&limit=3&note=%3E%22&sort=title&status=todo"
    response = client.get(f"/tasks?{query}")

    assert [task["title"] for task in response.json()] == ["t3", "t4", "t5"]
    links = dict(
        (rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])
    )
    others = [
        ("assignee", "ann lee"),
        ("limit", "3"),
        ("note", '>"'),
        ("sort", "title"),
        ("status", "todo"),
    ]
    for rel, offset in [("next", "6"), ("prev", "0")]:
        url = urlsplit(links[rel])
        assert (url.scheme, url.netloc, url.path) == ("http", "testserver", "/tasks")
        assert parse_qsl(url.query) == [*others, ("offset", offset)]
    assert [task["title"] for task in client.get(links["next"]).json()] == ["t6"]


def test_links_encode_what_the_client_sent_raw() -> None:
    # What httpx would have encoded: a request line as a client may send it, `>` and UTF-8 raw.
    scope = {
        "type": "http",
        "scheme": "http",
        "path": "/tasks",
        "query_string": "note=a>b&who=zoë&limit=2".encode(),
        "headers": [(b"host", b"example.org")],
    }

    link = _link_header(Request(scope), TaskListQuery(limit=2), total=5)

    assert link == '<http://example.org/tasks?note=a%3Eb&who=zo%C3%AB&limit=2&offset=2>; rel="next"'


def test_offset_past_the_end_is_an_empty_page(client: TestClient, make_task: MakeTask) -> None:
    make_task()

    response = client.get("/tasks", params={"offset": 10**12})

    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["X-Total-Count"] == "1"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"limit": -1},
        {"limit": "many"},
        {"offset": -1},
        {"offset": 2**63},
        {"overdue": "maybe"},
        {"due_before": "someday"},
        {"due_before": "0.5"},
        {"due_after": "1700000000"},
        {"q": "a\x00b"},
        {"assignee": "\x00"},
    ],
)
def test_out_of_range_query_parameters_are_422(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get("/tasks", params=params)

    assert response.status_code == 422
    assert response.json()["detail"]


def test_limit_bounds_are_inclusive(client: TestClient, make_task: MakeTask) -> None:
    make_task()
    make_task()

    assert len(client.get("/tasks", params={"limit": 1}).json()) == 1
    assert client.get("/tasks", params={"limit": 500}).status_code == 200
