"""The error mapping (no internals in a 500), 405 and HEAD, CORS, and the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from src.app import app
from src.config import Settings
from src.database import get_db
from src.schemas import CONTROL, FORMAT, TaskCreate
from tests.conftest import MakeTask


class ExplodingSession:
    """Stands where a session should be and fails the way a bug would."""

    def scalars(self, *_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals: postgresql://user:hunter2@db/prod SELECT *")

    def get_bind(self) -> None:
        raise RuntimeError("boom")


@pytest.fixture
def exploding_client() -> Iterator[TestClient]:
    def get_exploding_db() -> Iterator[ExplodingSession]:
        yield ExplodingSession()

    app.dependency_overrides[get_db] = get_exploding_db
    try:
        # The app answers the error itself: nothing reaches the server (which would log it a
        # second time and close the connection), so the client is not told to expect that.
        with TestClient(app, raise_server_exceptions=True) as test_client:
            yield test_client
    finally:
        app.dependency_overrides.clear()


def test_unexpected_error_is_500_with_no_internals(
    exploding_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = exploding_client.get("/tasks")

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert "hunter2" not in response.text and "Traceback" not in response.text
    assert caplog.text.count("unhandled error on GET /tasks") == 1  # logged server-side, once
    assert caplog.text.count("Traceback") == 1


def test_an_allowed_origin_can_read_a_500(exploding_client: TestClient) -> None:
    origin = Settings().cors_origins[0]

    response = exploding_client.get("/tasks", headers={"Origin": origin})

    assert response.status_code == 500
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/nothing-here")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/tasks/any-id", "DELETE, GET, HEAD, PATCH, PUT"),
        ("OPTIONS", "/tasks/any-id", "DELETE, GET, HEAD, PATCH, PUT"),
        ("DELETE", "/tasks", "GET, HEAD, POST"),
        ("POST", "/health", "GET, HEAD"),
        ("POST", "/", "GET, HEAD"),
        ("OPTIONS", "/tasks/count", "GET, HEAD"),  # a resource of its own, not a task's id
    ],
)
def test_wrong_method_is_405_naming_every_method_of_the_path(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)

    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert response.json() == {"detail": "Method Not Allowed"}


@pytest.mark.parametrize(
    "path", ["/", "/health", "/tasks/{id}", "/tasks?limit=1", "/tasks/count", "/tasks/stats"]
)
def test_head_answers_what_get_does_without_the_body(
    client: TestClient, make_task: MakeTask, path: str
) -> None:
    make_task()
    task = make_task()
    path = path.format(id=task["id"])

    get = client.get(path)
    head = client.head(path)

    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for name in ["content-type", "content-length", "etag", "x-total-count", "link"]:
        assert head.headers.get(name) == get.headers.get(name), name


def test_head_of_an_unknown_task_is_404(client: TestClient) -> None:
    response = client.head("/tasks/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.content == b""


def test_the_event_stream_answers_no_head(client: TestClient) -> None:
    # Its answer never ends, so neither would a HEAD of it.
    response = client.head("/events")

    assert response.status_code == 405
    assert "HEAD" not in response.headers["allow"]


def test_the_openapi_document_describes_each_operation_once_without_head(
    client: TestClient,
) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert not [path for path, operations in paths.items() if "head" in operations]


ALLOWED = "http://localhost:5173"


def test_cors_allows_configured_origin_and_exposes_headers(client: TestClient) -> None:
    response = client.get("/tasks", headers={"Origin": ALLOWED})

    assert response.headers["access-control-allow-origin"] == ALLOWED
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"x-total-count", "link", "etag", "location"} <= exposed


def test_cors_preflight_allows_if_match(client: TestClient) -> None:
    response = client.options(
        "/tasks/x",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "if-match, content-type",
        },
    )

    assert response.status_code == 200
    assert "if-match" in response.headers["access-control-allow-headers"].lower()
    assert "PATCH" in response.headers["access-control-allow-methods"]


def test_cors_preflight_allows_a_stream_to_resume_with_credentials(client: TestClient) -> None:
    """The web app on another origin resumes /events with Last-Event-ID and its bearer token."""
    response = client.options(
        "/events",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, last-event-id",
        },
    )

    assert response.status_code == 200
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "last-event-id" in allowed
    assert "authorization" in allowed


def test_cors_ignores_other_origins(client: TestClient) -> None:
    response = client.get("/tasks", headers={"Origin": "https://evil.example"})

    assert "access-control-allow-origin" not in response.headers


def test_cors_origins_setting_parses_lists_and_bare_hosts() -> None:
    settings = Settings(
        cors_origins="taskflow-frontend.onrender.com, http://localhost:5173/ ,,https://a.example"
    )

    assert settings.cors_origins == [
        "https://taskflow-frontend.onrender.com",
        "http://localhost:5173",
        "https://a.example",
    ]


def test_openapi_documents_every_status_code(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def codes(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    assert {"200", "503"} <= codes("/health", "get")
    assert {"200", "422", "500", "503"} <= codes("/tasks", "get")
    assert {"201", "413", "415", "422", "503"} <= codes("/tasks", "post")
    assert {"200", "404", "503"} <= codes("/tasks/{task_id}", "get")
    for method in ("put", "patch"):
        assert {"200", "404", "412", "413", "415", "422", "503"} <= codes(
            "/tasks/{task_id}", method
        )
    assert {"204", "404", "412", "503"} <= codes("/tasks/{task_id}", "delete")
    assert {"200", "422"} <= codes("/tasks/count", "get")
    assert {"200", "422"} <= codes("/tasks/stats", "get")


def test_docs_page_is_served(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    assert "swagger" in response.text.lower()
    for path in ("/redoc", "/docs/oauth2-redirect", "/openapi.json"):
        assert client.get(path).status_code == 200, path


# Every Unicode whitespace character, the ASCII separators Python also calls whitespace, every
# control and format character, each alone and beside visible text, and ordinary text.
PATTERN_PROBES = [
    *(chr(c) for c in range(0x110000) if chr(c).isspace()),
    *(text for c in CONTROL + FORMAT for text in (c, f"a{c}b", f"{c} ")),
    "\ufeff",
    "\x00",
    "a\x00",
    "\u200b\u200d\u2060",
    "a\nb\r\n\tc",
    "e\u0301",
    "a",
    " a ",
    "\u3000\u00e9\u3000",
    "",
]


@pytest.mark.parametrize("field", ["title", "assignee", "description"])
def test_documented_patterns_accept_exactly_what_validation_accepts(
    client: TestClient, field: str
) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["TaskCreate"]
    prop = schema["properties"][field]
    pattern = next(s for s in prop.get("anyOf", [prop]) if s.get("type") == "string")["pattern"]

    for text in PATTERN_PROBES:
        try:
            TaskCreate.model_validate({"title": "t", field: text})
            valid = True
        except ValidationError:
            valid = False
        assert (re.search(pattern, text) is not None) == valid, repr(text)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/", None),
        ("GET", "/health", None),
        ("GET", "/tasks", None),
        ("GET", "/tasks/{id}", None),
        ("GET", "/tasks/00000000-0000-4000-8000-000000000000", None),
        ("GET", "/tasks/count", None),
        ("GET", "/tasks/stats", None),
        ("POST", "/tasks", {"title": "new"}),
        ("POST", "/tasks", {"title": ""}),
        ("PATCH", "/tasks/{id}", {"title": "changed"}),
        ("DELETE", "/tasks/{id}", None),
        ("HEAD", "/tasks", None),
        ("GET", "/nothing-here", None),
        ("GET", "/openapi.json", None),
    ],
)
def test_every_answer_is_nosniff_and_task_answers_are_not_stored(
    client: TestClient, make_task: MakeTask, method: str, path: str, body: object
) -> None:
    task = make_task()

    response = client.request(method, path.format(id=task["id"]), json=body)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if path.startswith(("/tasks", "/health")):
        assert response.headers["Cache-Control"] == "no-store"
