"""The team: one's own account, password and API tokens; what admins change; invitations."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from src.models import CredentialModel, InvitationModel, UserModel
from tests.conftest import PASSWORD, MakePerson, bearer

USER_FIELDS = {"id", "email", "name", "role", "active", "created_at"}
NEW_PASSWORD = "a different long passphrase"


def test_me_shows_a_person_and_never_a_hash(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    person = make_person("viewer", name="Vi Ewer")
    response = auth_client.get("/users/me", headers=person.headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_FIELDS
    assert body["role"] == "viewer"
    assert body["name"] == "Vi Ewer"
    assert body["active"] is True
    assert "argon2" not in response.text


def test_everyone_signed_in_sees_the_team(auth_client: TestClient, make_person: MakePerson) -> None:
    people = [make_person("admin"), make_person("member"), make_person("viewer")]
    for person in people:
        response = auth_client.get("/users", headers=person.headers)
        assert response.status_code == 200
        assert {user["id"] for user in response.json()} == {p.id for p in people}
        assert all(set(user) == USER_FIELDS for user in response.json())
    token = people[2].api_token("read")
    assert auth_client.get("/users", headers=bearer(token)).status_code == 200
    assert auth_client.get("/users/me", headers=bearer(token)).json()["id"] == people[2].id
    assert auth_client.get("/users").status_code == 401


def test_renaming_oneself(auth_client: TestClient, make_person: MakePerson) -> None:
    person = make_person("member")
    response = auth_client.patch("/users/me", json={"name": "  Ada  "}, headers=person.headers)
    assert response.status_code == 200
    assert response.json()["name"] == "Ada"
    assert (
        auth_client.patch("/users/me", json={"name": " "}, headers=person.headers).status_code
        == 422
    )
    assert (
        auth_client.patch("/users/me", json={"role": "admin"}, headers=person.headers).status_code
        == 422
    )
    assert auth_client.get("/users/me", headers=person.headers).json()["role"] == "member"


def test_a_new_password_ends_every_other_session_and_token(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    person = make_person("member")
    current, other = person.sign_in(), person.sign_in()
    token = person.api_token("write")
    wrong = auth_client.put(
        "/users/me/password",
        json={"current_password": "not " + PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(current),
    )
    assert wrong.status_code == 403
    weak = auth_client.put(
        "/users/me/password",
        json={"current_password": PASSWORD, "new_password": "passwordpassword"},
        headers=bearer(current),
    )
    assert weak.status_code == 422
    assert "passwordpassword" not in weak.text
    assert auth_client.get("/tasks", headers=bearer(other)).status_code == 200  # nothing ended
    changed = auth_client.put(
        "/users/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(current),
    )
    assert changed.status_code == 204
    assert auth_client.get("/tasks", headers=bearer(current)).status_code == 200
    assert auth_client.get("/tasks", headers=bearer(other)).status_code == 401
    assert auth_client.get("/tasks", headers=bearer(token)).status_code == 401
    old = auth_client.post("/auth/token", data={"username": person.email, "password": PASSWORD})
    assert old.status_code == 401
    new = auth_client.post("/auth/token", data={"username": person.email, "password": NEW_PASSWORD})
    assert new.status_code == 200


# --- what admins change ---------------------------------------------------------------------


def test_only_admins_change_roles(auth_client: TestClient, make_person: MakePerson) -> None:
    admin, member = make_person("admin"), make_person("member")
    refused = auth_client.patch(
        f"/users/{admin.id}", json={"role": "viewer"}, headers=member.headers
    )
    assert refused.status_code == 403
    promoted = auth_client.patch(
        f"/users/{member.id}", json={"role": "admin"}, headers=admin.headers
    )
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "admin"
    # An admin's API token administers nobody: that needs a session.
    token = admin.api_token("write")
    assert (
        auth_client.patch(f"/users/{member.id}", json={"role": "viewer"}, headers=bearer(token))
    ).status_code == 403
    unknown = auth_client.patch(
        "/users/00000000-0000-4000-8000-000000000000",
        json={"role": "viewer"},
        headers=admin.headers,
    )
    assert unknown.status_code == 404


def test_deactivating_someone_ends_their_sessions_and_tokens(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    admin, member = make_person("admin"), make_person("member")
    session, token = member.sign_in(), member.api_token("write")
    response = auth_client.patch(
        f"/users/{member.id}", json={"active": False}, headers=admin.headers
    )
    assert response.status_code == 200
    assert response.json()["active"] is False
    for credential in (session, token):
        assert auth_client.get("/tasks", headers=bearer(credential)).status_code == 401
    again = auth_client.post("/auth/token", data={"username": member.email, "password": PASSWORD})
    assert again.status_code == 401
    # Reactivated, they sign in again; what ended stays ended.
    auth_client.patch(f"/users/{member.id}", json={"active": True}, headers=admin.headers)
    assert auth_client.get("/tasks", headers=bearer(session)).status_code == 401
    assert member.sign_in()


@pytest.mark.parametrize("change", [{"role": "member"}, {"active": False}])
def test_the_last_active_admin_stays(
    auth_client: TestClient, make_person: MakePerson, change: dict[str, object]
) -> None:
    admin = make_person("admin")
    other = make_person("admin")
    auth_client.patch(f"/users/{other.id}", json={"active": False}, headers=admin.headers)
    refused = auth_client.patch(f"/users/{admin.id}", json=change, headers=admin.headers)
    assert refused.status_code == 409
    assert auth_client.get("/users/me", headers=admin.headers).json()["role"] == "admin"
    # With another active admin, it is allowed.
    auth_client.patch(f"/users/{other.id}", json={"active": True}, headers=admin.headers)
    assert (
        auth_client.patch(f"/users/{admin.id}", json=change, headers=admin.headers).status_code
        == 200
    )


# --- API tokens -----------------------------------------------------------------------------


def test_an_api_token_is_shown_once_and_stored_as_a_hash(
    auth_client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person("member")
    created = auth_client.post(
        "/users/me/tokens",
        json={"name": "nightly export", "scope": "read", "expires_in_days": 30},
        headers=person.headers,
    )
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "scope", "token", "created_at", "expires_at"}
    assert body["token"].startswith("tf_")
    listed = auth_client.get("/users/me/tokens", headers=person.headers).json()
    assert [token["id"] for token in listed] == [body["id"]]
    assert "token" not in listed[0]
    assert body["token"] not in auth_client.get("/users/me/tokens", headers=person.headers).text
    with session_factory() as session:
        stored = session.scalars(select(CredentialModel.token_hash)).all()
    assert body["token"] not in stored
    assert all(len(digest) == 64 for digest in stored)


def test_a_read_token_reads_and_cannot_write(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    person = make_person("member")
    token = bearer(person.api_token("read"))
    assert auth_client.get("/tasks", headers=token).status_code == 200
    refused = auth_client.post("/tasks", json={"title": "From a script"}, headers=token)
    assert refused.status_code == 403
    assert auth_client.get("/tasks", headers=token).headers["X-Total-Count"] == "0"


def test_a_token_never_grants_more_than_its_persons_role(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    viewer = make_person("viewer")
    token = bearer(viewer.api_token("write"))
    assert auth_client.post("/tasks", json={"title": "x"}, headers=token).status_code == 403


def test_tokens_manage_nothing_but_tasks(auth_client: TestClient, make_person: MakePerson) -> None:
    person = make_person("admin")
    token = bearer(person.api_token("write"))
    refused = [
        auth_client.get("/users/me/tokens", headers=token),
        auth_client.post(
            "/users/me/tokens",
            json={"name": "n", "scope": "read", "expires_in_days": 1},
            headers=token,
        ),
        auth_client.put(
            "/users/me/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=token,
        ),
        auth_client.patch("/users/me", json={"name": "Renamed"}, headers=token),
        auth_client.post("/invitations", json={"email": "x@example.com"}, headers=token),
        auth_client.get("/invitations", headers=token),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert auth_client.post("/tasks", json={"title": "x"}, headers=token).status_code == 201


def test_deleting_a_token_ends_it(auth_client: TestClient, make_person: MakePerson) -> None:
    person, other = make_person("member"), make_person("member")
    created = auth_client.post(
        "/users/me/tokens",
        json={"name": "ci", "scope": "write", "expires_in_days": 1},
        headers=person.headers,
    ).json()
    token_id = created["id"]
    assert (
        auth_client.delete(f"/users/me/tokens/{token_id}", headers=other.headers).status_code == 404
    )
    assert (
        auth_client.delete(f"/users/me/tokens/{token_id}", headers=person.headers).status_code
        == 204
    )
    assert auth_client.get("/tasks", headers=bearer(created["token"])).status_code == 401
    assert auth_client.get("/users/me/tokens", headers=person.headers).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "scope": "read", "expires_in_days": 0},
        {"name": "x", "scope": "read", "expires_in_days": 366},
        {"name": "x", "scope": "admin", "expires_in_days": 1},
        {"name": " ", "scope": "read", "expires_in_days": 1},
        {"scope": "read", "expires_in_days": 1},
    ],
)
def test_token_requests_out_of_bounds_are_a_422(
    auth_client: TestClient, make_person: MakePerson, body: dict[str, object]
) -> None:
    person = make_person("member")
    assert (
        auth_client.post("/users/me/tokens", json=body, headers=person.headers).status_code == 422
    )
    assert auth_client.get("/users/me/tokens", headers=person.headers).json() == []


# --- invitations ----------------------------------------------------------------------------


def test_admins_invite_list_and_revoke(
    auth_client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    admin, member = make_person("admin"), make_person("member")
    created = auth_client.post(
        "/invitations", json={"email": "New@Example.com", "role": "viewer"}, headers=admin.headers
    )
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "email", "role", "token", "expires_at"}
    assert body["email"] == "new@example.com"
    listed = auth_client.get("/invitations", headers=admin.headers).json()
    assert [(i["id"], i["email"], i["role"]) for i in listed] == [
        (body["id"], "new@example.com", "viewer")
    ]
    assert "token" not in listed[0]
    with session_factory() as session:
        assert session.scalars(select(InvitationModel.token_hash)).one() != body["token"]
    assert auth_client.get("/invitations", headers=member.headers).status_code == 403
    assert (
        auth_client.post("/invitations", json={"email": "y@example.com"}, headers=member.headers)
    ).status_code == 403
    assert (
        auth_client.delete(f"/invitations/{body['id']}", headers=member.headers).status_code == 403
    )
    assert (
        auth_client.delete(f"/invitations/{body['id']}", headers=admin.headers).status_code == 204
    )
    assert (
        auth_client.delete(f"/invitations/{body['id']}", headers=admin.headers).status_code == 404
    )
    assert auth_client.get("/invitations", headers=admin.headers).json() == []


def test_inviting_someone_who_has_an_account_is_a_409(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    admin = make_person("admin")
    member = make_person("member")
    response = auth_client.post(
        "/invitations", json={"email": member.email.upper()}, headers=admin.headers
    )
    assert response.status_code == 409


def test_no_answer_carries_a_password_hash(
    auth_client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    admin = make_person("admin")
    with session_factory() as session:
        hashes = session.scalars(select(UserModel.password_hash)).all()
    answers = [
        auth_client.get("/users", headers=admin.headers),
        auth_client.get("/users/me", headers=admin.headers),
        auth_client.patch("/users/me", json={"name": "A"}, headers=admin.headers),
        auth_client.patch(f"/users/{admin.id}", json={"role": "admin"}, headers=admin.headers),
        auth_client.get("/openapi.json"),
    ]
    for response in answers:
        assert response.status_code == 200
        assert "password_hash" not in response.text
        assert not any(stored in response.text for stored in hashes)
