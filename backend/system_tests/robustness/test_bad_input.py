"""Bad input on both databases: each case gets the contract's 4xx, and nothing stored changes."""

from __future__ import annotations

import contextlib
import json
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from system_tests.robustness.harness import all_tasks

MIB = 1024 * 1024

# Text that must come back as sent, composed (NFC): astral planes, ZWJ sequences, combining
# marks, RTL.
NON_ASCII_TEXTS = [
    "Café crème brûlée",
    "日本語のタスク",
    "🚀🔥 launch day",
    "👨\u200d👩\u200d👧\u200d👦 family",
    "e\u0301 (combining acute)",
    "עברית מימין לשמאל",
    "\U0001d518\U0001d52b\U0001d526 astral plane letters",
    "ß ǅ Ⅻ ﬁ",
    'quote " and backslash \\',
]
SQL_LOOKING_TEXTS = [
    "'; DROP TABLE tasks; --",
    "Robert'); DROP TABLE tasks;--",
    "1' OR '1'='1",
    "%",
    "_",
    "100% done_ok",
    "back\\slash\\%",
    "$1 :name ? %s %(x)s",
    "/* c */ SELECT * FROM tasks WHERE 1=1",
]


@contextlib.contextmanager
def nothing_changes(http: httpx.Client) -> Iterator[None]:
    before = all_tasks(http)
    yield
    assert all_tasks(http) == before, "a rejected request changed stored data"


@pytest.fixture(scope="module")
def target(shared_server: Any) -> dict[str, Any]:
    """A stored task the update and delete cases aim at, and some neighbours."""
    with httpx.Client(base_url=shared_server.url, timeout=30) as http:
        for title in ("alpha", "beta", "gamma"):
            assert http.post("/tasks", json={"title": title}).status_code == 201
        created = http.post(
            "/tasks",
            json={
                "title": "target",
                "description": "keep me",
                "assignee": "ana",
                "priority": "high",
                "due_date": "2031-05-06T07:08:09Z",
            },
        )
        assert created.status_code == 201, created.text
        task: dict[str, Any] = created.json()
        return task


def assert_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json()


INVALID_TASK_FIELDS: dict[str, dict[str, Any]] = {
    "nul_in_title": {"title": "a\x00b"},
    "nul_in_description": {"title": "ok", "description": "x\x00y"},
    "nul_in_assignee": {"title": "ok", "assignee": "\x00"},
    "title_201_chars": {"title": "x" * 201},
    "title_201_emoji": {"title": "🚀" * 201},
    "title_200k_chars": {"title": "x" * 200_000},
    "description_1001_chars": {"title": "ok", "description": "d" * 1001},
    "assignee_101_chars": {"title": "ok", "assignee": "a" * 101},
    "assignee_empty": {"title": "ok", "assignee": ""},
    "title_blank": {"title": " \t\n "},
    "title_empty": {"title": ""},
    "title_number": {"title": 123},
    "title_bool": {"title": True},
    "title_list": {"title": ["a"]},
    "title_object": {"title": {"a": 1}},
    "status_unknown": {"title": "ok", "status": "archived"},
    "status_wrong_case": {"title": "ok", "status": "TODO"},
    "status_number": {"title": "ok", "status": 1},
    "priority_unknown": {"title": "ok", "priority": "urgent"},
    "priority_list": {"title": "ok", "priority": ["high"]},
    "due_date_words": {"title": "ok", "due_date": "tomorrow"},
    "due_date_impossible": {"title": "ok", "due_date": "2031-02-30"},
    "due_date_object": {"title": "ok", "due_date": {"y": 2031}},
    "due_date_timestamp": {"title": "ok", "due_date": 1700000000},
    "due_date_timestamp_text": {"title": "ok", "due_date": "1700000000"},
    "unknown_field": {"title": "ok", "colour": "red"},
    "id_from_client": {"title": "ok", "id": str(uuid.uuid4())},
    "version_from_client": {"title": "ok", "version": 7},
}

# Bodies that are not JSON objects, sent raw with a JSON content type.
MALFORMED_BODIES: dict[str, bytes] = {
    "truncated": b'{"title": ',
    "single_quotes": b"{'title': 'x'}",
    "trailing_comma": b'{"title": "x",}',
    "trailing_garbage": b'{"title": "x"} junk',
    "empty": b"",
    "not_utf8": b'{"title": "\xff\xfe"}',
    "nan_literal": b'{"title": "ok", "priority": NaN}',
    "infinity_literal": b'{"title": -Infinity}',
    "float_overflow": b'{"title": "ok", "priority": 1e400}',
    "huge_integer": b'{"title": ' + b"9" * 5000 + b"}",
    "deep_nesting": b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "json_array": b'[{"title": "x"}]',
    "json_string": b'"x"',
    "json_null": b"null",
    "json_number": b"42",
}

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("body", INVALID_TASK_FIELDS.values(), ids=INVALID_TASK_FIELDS.keys())
def test_create_with_invalid_fields_is_422(client: httpx.Client, target: Any, body: Any) -> None:
    with nothing_changes(client):
        assert_error(client.post("/tasks", json=body), 422)


@pytest.mark.parametrize("body", INVALID_TASK_FIELDS.values(), ids=INVALID_TASK_FIELDS.keys())
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_with_invalid_fields_is_422(
    client: httpx.Client, target: dict[str, Any], method: str, body: dict[str, Any]
) -> None:
    with nothing_changes(client):
        assert_error(client.request(method, f"/tasks/{target['id']}", json=body), 422)


@pytest.mark.parametrize("field", ["title", "status", "priority"])
def test_update_setting_a_required_field_to_null_is_422(
    client: httpx.Client, target: dict[str, Any], field: str
) -> None:
    with nothing_changes(client):
        assert_error(client.patch(f"/tasks/{target['id']}", json={field: None}), 422)


@pytest.mark.parametrize("raw", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT"])
def test_malformed_or_non_object_json_is_422(
    client: httpx.Client, target: dict[str, Any], method: str, raw: bytes
) -> None:
    path = "/tasks" if method == "POST" else f"/tasks/{target['id']}"
    with nothing_changes(client):
        assert_error(client.request(method, path, content=raw, headers=JSON), 422)


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT"])
def test_body_over_one_mib_is_413(
    client: httpx.Client, target: dict[str, Any], method: str
) -> None:
    path = "/tasks" if method == "POST" else f"/tasks/{target['id']}"
    body = json.dumps({"title": "big", "description": "d" * (MIB + 16)}).encode()
    with nothing_changes(client):
        assert_error(client.request(method, path, content=body, headers=JSON), 413)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_chunked_body_over_one_mib_is_413(
    client: httpx.Client, target: dict[str, Any], method: str
) -> None:
    """Without a Content-Length the limit must still hold while the body streams in."""
    path = "/tasks" if method == "POST" else f"/tasks/{target['id']}"

    def chunks() -> Iterator[bytes]:
        yield b'{"title": "big", "description": "'
        for _ in range(20):
            yield b"d" * 65536
        yield b'"}'

    with nothing_changes(client):
        assert_error(client.request(method, path, content=chunks(), headers=JSON), 413)


WRONG_CONTENT_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/xml",
    "application/octet-stream",
]


@pytest.mark.parametrize("content_type", WRONG_CONTENT_TYPES)
@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT"])
def test_wrong_content_type_is_415(
    client: httpx.Client, target: dict[str, Any], method: str, content_type: str
) -> None:
    path = "/tasks" if method == "POST" else f"/tasks/{target['id']}"
    body = json.dumps({"title": "sent as the wrong type"}).encode()
    with nothing_changes(client):
        response = client.request(
            method, path, content=body, headers={"content-type": content_type}
        )
        assert_error(response, 415)


BAD_FILTERS: dict[str, dict[str, Any]] = {
    "status_unknown": {"status": "archived"},
    "status_one_good_one_bad": {"status": ["todo", "archived"]},
    "priority_unknown": {"priority": "urgent"},
    "due_before_garbage": {"due_before": "soon"},
    "due_after_garbage": {"due_after": "2031-13-45"},
    "due_before_number": {"due_before": "0.5"},
    "due_after_timestamp": {"due_after": "1700000000"},
    "overdue_not_boolean": {"overdue": "maybe"},
}
BAD_PAGING: dict[str, dict[str, Any]] = {
    "limit_zero": {"limit": 0},
    "limit_negative": {"limit": -1},
    "limit_501": {"limit": 501},
    "limit_huge": {"limit": 10**30},
    "limit_word": {"limit": "ten"},
    "limit_float": {"limit": "1.5"},
    "offset_negative": {"offset": -1},
    "offset_word": {"offset": "x"},
    "sort_unknown": {"sort": "colour"},
    "sort_double_minus": {"sort": "--title"},
}


@pytest.mark.parametrize("params", BAD_FILTERS.values(), ids=BAD_FILTERS.keys())
@pytest.mark.parametrize("path", ["/tasks", "/tasks/count", "/tasks/stats"])
def test_bad_filters_are_422(
    client: httpx.Client, target: Any, path: str, params: dict[str, Any]
) -> None:
    assert_error(client.get(path, params=params), 422)


@pytest.mark.parametrize("params", BAD_PAGING.values(), ids=BAD_PAGING.keys())
def test_bad_paging_and_sorting_are_422(
    client: httpx.Client, target: Any, params: dict[str, Any]
) -> None:
    assert_error(client.get("/tasks", params=params), 422)


@pytest.mark.parametrize("limit", [1, 500])
def test_limit_at_its_bounds_is_accepted(client: httpx.Client, target: Any, limit: int) -> None:
    response = client.get("/tasks", params={"limit": limit})
    assert response.status_code == 200
    assert 1 <= len(response.json()) <= limit


def test_offset_past_the_end_gives_an_empty_page(client: httpx.Client, target: Any) -> None:
    response = client.get("/tasks", params={"offset": 10**12})
    assert response.status_code == 200
    assert response.json() == []
    assert int(response.headers["x-total-count"]) >= 4


@pytest.mark.parametrize("offset", [2**63 - 1, 2**63, 10**30])
def test_offset_beyond_64_bits_is_an_empty_page_or_422_never_500(
    client: httpx.Client, target: Any, offset: int
) -> None:
    response = client.get("/tasks", params={"offset": offset})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json() == []


UNKNOWN_IDS = [
    str(uuid.uuid4()),
    str(uuid.uuid4()).upper(),
    uuid.uuid4().hex,
    "00000000-0000-0000-0000-000000000000",
    "0",
    "-1",
    "1" * 40,
    "abc",
    "x" * 1000,
    "🙂",
    "null",
    "'; DROP TABLE tasks; --",
    "%25",
    "a%00b",
    "%20",
]


@pytest.mark.parametrize("task_id", UNKNOWN_IDS)
@pytest.mark.parametrize("method", ["GET", "PATCH", "PUT", "DELETE"])
def test_unknown_ids_of_every_shape_are_404(
    client: httpx.Client, target: Any, method: str, task_id: str
) -> None:
    body = {"title": "never stored"} if method in ("PATCH", "PUT") else None
    with nothing_changes(client):
        response = client.request(method, f"/tasks/{task_id}", json=body)
        assert_error(response, 404)


def test_unknown_id_with_if_match_is_404(client: httpx.Client, target: Any) -> None:
    with nothing_changes(client):
        response = client.patch(
            f"/tasks/{uuid.uuid4()}", json={"title": "x"}, headers={"if-match": '"1"'}
        )
        assert_error(response, 404)


@pytest.mark.parametrize("etag", ['"999"', '"0"', "garbage", 'W/"1"', '""'])
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_if_match_that_does_not_match_is_412(
    client: httpx.Client, target: dict[str, Any], method: str, etag: str
) -> None:
    body = {"title": "lost update"} if method == "PATCH" else None
    with nothing_changes(client):
        response = client.request(
            method, f"/tasks/{target['id']}", json=body, headers={"if-match": etag}
        )
        assert_error(response, 412)


def create(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = http.post("/tasks", json=fields)
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


@pytest.mark.parametrize("text", NON_ASCII_TEXTS + SQL_LOOKING_TEXTS)
def test_text_round_trips_composed_and_is_stored_literally(client: httpx.Client, text: str) -> None:
    created = create(client, title=text, description=text, assignee=text[:100])
    fetched = client.get(f"/tasks/{created['id']}").json()
    stored = unicodedata.normalize("NFC", text)
    for task in (created, fetched):
        assert (task["title"], task["description"], task["assignee"]) == (stored, stored, stored)
    by_assignee = client.get("/tasks", params={"assignee": text[:100]}).json()
    assert created["id"] in [t["id"] for t in by_assignee]
    patched = client.patch(f"/tasks/{created['id']}", json={"description": text + text})
    assert patched.status_code == 200
    assert client.get(f"/tasks/{created['id']}").json()["description"] == stored + stored


def test_a_description_keeps_its_tabs_and_line_breaks(client: httpx.Client) -> None:
    text = 'tab\there, newline\nthere,\r\nquote " and backslash \\'
    created = create(client, title="multi-line", description=text)
    assert client.get(f"/tasks/{created['id']}").json()["description"] == text


@pytest.mark.parametrize("text", SQL_LOOKING_TEXTS)
def test_search_treats_sql_and_wildcards_literally(client: httpx.Client, text: str) -> None:
    create(client, title=f"contains [{text}] inside")
    found = client.get("/tasks", params={"q": text, "limit": 500})
    assert found.status_code == 200
    assert found.json(), "the task holding the text was not found"
    for task in found.json():
        haystack = f"{task['title']} {task['description'] or ''}".lower()
        assert text.lower() in haystack, f"q={text!r} matched {task['title']!r}"
    count = client.get("/tasks/count", params={"q": text}).json()["total"]
    assert count == int(found.headers["x-total-count"])


def test_search_is_case_insensitive_beyond_ascii(client: httpx.Client) -> None:
    """The same answer on SQLite and PostgreSQL: SQLite's own lower() only folds ASCII."""
    created = create(client, title="Réunion équipe ÉTÉ Ωmega")
    for query in ("réunion", "RÉUNION", "été", "ωMEGA"):
        ids = [t["id"] for t in client.get("/tasks", params={"q": query}).json()]
        assert created["id"] in ids, f"q={query!r} did not find the task"


def test_title_of_200_astral_characters_is_accepted(client: httpx.Client) -> None:
    title = "🚀" * 200  # 200 characters, 800 UTF-8 bytes, 400 UTF-16 units
    assert create(client, title=title)["title"] == title


def test_title_is_trimmed_but_kept_otherwise(client: httpx.Client) -> None:
    assert create(client, title="  \t spaced  out \n")["title"] == "spaced  out"


@pytest.mark.parametrize("raw", ["a\x00b"])
@pytest.mark.parametrize("param", ["q", "assignee"])
def test_nul_in_a_filter_is_rejected_or_matches_nothing_never_500(
    client: httpx.Client, target: Any, param: str, raw: str
) -> None:
    response = client.get("/tasks", params={param: raw})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json() == []


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("2031-01-02T03:04:05+02:00", datetime(2031, 1, 2, 1, 4, 5, tzinfo=UTC)),
        ("2031-01-02T03:04:05", datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2031-01-02T03:04:05-11:30", datetime(2031, 1, 2, 14, 34, 5, tzinfo=UTC)),
    ],
)
def test_due_dates_come_back_in_utc_with_an_offset(
    client: httpx.Client, sent: str, expected: datetime
) -> None:
    task = create(client, title="due", due_date=sent)
    for shown in (task, client.get(f"/tasks/{task['id']}").json()):
        parsed = datetime.fromisoformat(shown["due_date"].replace("Z", "+00:00"))
        offset = parsed.utcoffset()
        assert offset is not None and offset.total_seconds() == 0
        assert parsed == expected
