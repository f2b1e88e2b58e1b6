"""The task API with accounts on: who may read and write, who made a change, and its cost."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import MakePerson, accounts_app, bearer, driver_statements

TASK = "/tasks/00000000-0000-4000-8000-000000000000"
# Every operation of the task API (and the HEADs served beside its GETs).
TASK_OPERATIONS = [
    ("GET", "/tasks"),
    ("HEAD", "/tasks"),
    ("GET", "/tasks/count"),
    ("GET", "/tasks/stats"),
    ("POST", "/tasks"),
    ("GET", TASK),
    ("HEAD", TASK),
    ("PATCH", TASK),
    ("PUT", TASK),
    ("DELETE", TASK),
]
WRITES = [
    (method, path)
    for method, path in TASK_OPERATIONS
    if method in {"POST", "PATCH", "PUT", "DELETE"}
]


def send(client: TestClient, method: str, path: str, headers: dict[str, str] | None = None) -> Any:
    body = {"title": "Written"} if method in {"POST", "PATCH", "PUT"} else None
    return client.request(method, path, json=body, headers=headers or {})


@pytest.mark.parametrize(("method", "path"), TASK_OPERATIONS)
def test_every_task_operation_needs_a_credential(
    auth_client: TestClient, method: str, path: str
) -> None:
    response = send(auth_client, method, path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_the_public_routes_stay_public(auth_client: TestClient) -> None:
    for path in ("/", "/health", "/docs", "/openapi.json"):
        assert auth_client.get(path).status_code == 200, path
    assert auth_client.get("/").json()["auth"] == "required"


def test_a_viewer_reads_and_every_write_is_refused(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    member, viewer = make_person("member"), make_person("viewer")
    task = auth_client.post("/tasks", json={"title": "Kept"}, headers=member.headers).json()
    path = f"/tasks/{task['id']}"
    for reader in (viewer.headers, bearer(member.api_token("read"))):
        assert auth_client.get("/tasks", headers=reader).status_code == 200
        assert auth_client.get(path, headers=reader).status_code == 200
        assert auth_client.get("/tasks/stats", headers=reader).status_code == 200
        for method, target in [
            ("POST", "/tasks"),
            ("PATCH", path),
            ("PUT", path),
            ("DELETE", path),
        ]:
            refused = send(auth_client, method, target, reader)
            assert refused.status_code == 403, (method, target)
    assert auth_client.get(path, headers=viewer.headers).json() == task


def test_tasks_say_who_made_and_who_last_changed_them(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    ann, bob = make_person("member"), make_person("admin")
    created = auth_client.post("/tasks", json={"title": "Shared"}, headers=ann.headers).json()
    assert (created["created_by"], created["updated_by"]) == (ann.id, ann.id)
    changed = auth_client.patch(
        f"/tasks/{created['id']}", json={"status": "done"}, headers=bob.headers
    ).json()
    assert (changed["created_by"], changed["updated_by"]) == (ann.id, bob.id)
    token = bearer(ann.api_token("write"))
    again = auth_client.put(f"/tasks/{created['id']}", json={"title": "Renamed"}, headers=token)
    assert again.json()["updated_by"] == ann.id


def test_single_user_mode_records_nobody(client: TestClient) -> None:
    task = client.post("/tasks", json={"title": "Mine"}).json()
    assert (task["created_by"], task["updated_by"]) == (None, None)
    assert (
        client.post("/auth/token", data={"username": "a@example.com", "password": "x"}).status_code
        == 404
    )
    assert client.get("/users/me").status_code == 404
    assert "auth" not in client.get("/").json()


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/tasks"), ("POST", "/tasks"), ("GET", "/tasks/count")]
)
def test_a_credential_costs_at_most_one_round_trip(
    engine: Engine,
    session_factory: sessionmaker[Session],
    client: TestClient,
    make_person: MakePerson,
    method: str,
    path: str,
) -> None:
    person = make_person("member")
    headers = person.headers

    def statements_of(send_request: Any) -> int:
        seen: list[str] = []

        def on_statement(_connection: Any, sql: str) -> None:
            if sql.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
                seen.append(sql)

        with driver_statements(engine, on_statement):
            response = send_request()
        assert response.status_code < 300, response.text
        return len(seen)

    open_api = statements_of(lambda: send(client, method, path))
    with accounts_app(session_factory) as signed:
        signed_in = statements_of(lambda: send(signed, method, path, headers))
    assert signed_in == open_api + 1
