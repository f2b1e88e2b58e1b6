"""Signing in and out, registering, throttling, and what a 401 or 422 may say."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from src.models import CredentialModel, InvitationModel, SignInFailureModel, UserModel, utcnow
from tests.conftest import PASSWORD, MakePerson, accounts_app, bearer

BAD_SIGN_IN = {"detail": "Incorrect email or password"}


def sign_in(client: TestClient, email: str, password: str) -> httpx.Response:
    response: httpx.Response = client.post(
        "/auth/token", data={"username": email, "password": password}
    )
    return response


def test_signing_in_gives_a_bearer_session_for_the_configured_time(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    person = make_person("member")
    response = auth_client.post(
        "/auth/token", data={"username": person.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 12 * 60 * 60
    me = auth_client.get("/users/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == person.email


def test_unknown_email_wrong_password_and_deactivated_fail_alike(
    auth_client: TestClient, make_person: MakePerson, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_person("member")
    gone = make_person("member")
    admin = make_person("admin")
    assert (
        auth_client.patch(f"/users/{gone.id}", json={"active": False}, headers=admin.headers)
    ).status_code == 200
    verified: list[str] = []
    verify = PasswordHash.verify

    def counting_verify(self: PasswordHash, password: str, hash: str) -> bool:
        verified.append(hash[:9])
        return verify(self, password, hash)

    monkeypatch.setattr(PasswordHash, "verify", counting_verify)
    answers = [
        auth_client.post(
            "/auth/token", data={"username": "nobody@example.com", "password": PASSWORD}
        ),
        auth_client.post(
            "/auth/token", data={"username": person.email, "password": PASSWORD + "!"}
        ),
        auth_client.post("/auth/token", data={"username": gone.email, "password": PASSWORD}),
    ]
    for response in answers:
        assert response.status_code == 401
        assert response.json() == BAD_SIGN_IN
        assert response.headers["WWW-Authenticate"] == "Bearer"
    # The unknown email cost one Argon2 verification too (of a dummy hash), like the others.
    assert verified == ["$argon2id"] * 3


def test_logout_ends_the_session_it_was_sent_with(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    person = make_person("member")
    ended, other = person.sign_in(), person.sign_in()
    assert auth_client.post("/auth/logout", headers=bearer(ended)).status_code == 204
    refused = auth_client.get("/tasks", headers=bearer(ended))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert auth_client.get("/tasks", headers=bearer(other)).status_code == 200


def _jwt_alg_none() -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'sub': 'admin', 'exp': 9999999999})}."


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer tf_" + "A" * 43,
        "Bearer " + _jwt_alg_none(),
        "Bearer tf_" + "x" * 10_000,
        "bearer tf_not-a-token",
    ],
    ids=["none", "no-token", "empty", "basic", "forged", "jwt-alg-none", "huge", "lowercase"],
)
def test_a_missing_or_forged_credential_is_a_401(
    auth_client: TestClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = auth_client.get("/tasks", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "detail" in response.json()


def test_an_expired_session_is_a_401(
    auth_client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person("member")
    token = person.sign_in()
    assert auth_client.get("/tasks", headers=bearer(token)).status_code == 200
    with session_factory() as session, session.begin():
        session.execute(update(CredentialModel).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert auth_client.get("/tasks", headers=bearer(token)).status_code == 401


def test_a_row_written_without_the_secret_key_authenticates_nobody(
    session_factory: sessionmaker[Session], make_person: MakePerson
) -> None:
    """Only the HMAC under SECRET_KEY is accepted: a credential row forged by someone who can
    write to the database but does not hold the key is worthless."""
    import hashlib

    person = make_person("admin")
    token = "tf_" + "f" * 43
    with session_factory() as session, session.begin():
        session.add(
            CredentialModel(
                id="00000000-0000-4000-8000-000000000001",
                user_id=person.id,
                kind="session",
                scope="write",
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                created_at=utcnow(),
                expires_at=utcnow() + timedelta(days=1),
            )
        )
    with accounts_app(session_factory, secret_key="k" * 40) as client:
        assert client.get("/users/me", headers=bearer(token)).status_code == 401


def test_sessions_made_under_one_key_are_refused_under_another(
    session_factory: sessionmaker[Session], make_person: MakePerson
) -> None:
    person = make_person("member")
    with accounts_app(session_factory, secret_key="a" * 40) as first:
        token = first.post(
            "/auth/token", data={"username": person.email, "password": PASSWORD}
        ).json()["access_token"]
        assert first.get("/users/me", headers=bearer(token)).status_code == 200
    with accounts_app(session_factory, secret_key="b" * 40) as second:
        assert second.get("/users/me", headers=bearer(token)).status_code == 401


# --- throttling -----------------------------------------------------------------------------


def test_ten_failures_lock_the_email_even_for_the_right_password(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    person = make_person("member")
    signed_in = person.sign_in()
    for _ in range(10):
        assert sign_in(auth_client, person.email, "wrong " + PASSWORD).status_code == 401
    locked = sign_in(auth_client, person.email, PASSWORD)
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60
    # A session already open is not affected.
    assert auth_client.get("/tasks", headers=bearer(signed_in)).status_code == 200
    # Another email is not locked.
    other = make_person("member")
    assert sign_in(auth_client, other.email, PASSWORD).status_code == 200


def test_the_lock_lifts_when_the_window_passes(
    auth_client: TestClient, make_person: MakePerson, session_factory: sessionmaker[Session]
) -> None:
    person = make_person("member")
    for _ in range(10):
        sign_in(auth_client, person.email, "wrong " + PASSWORD)
    assert sign_in(auth_client, person.email, PASSWORD).status_code == 429
    with session_factory() as session, session.begin():
        session.execute(
            update(SignInFailureModel).values(at=utcnow() - timedelta(minutes=15, seconds=1))
        )
    assert sign_in(auth_client, person.email, PASSWORD).status_code == 200


def test_a_success_before_the_lock_clears_the_count(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    person = make_person("member")
    for _ in range(9):
        sign_in(auth_client, person.email, "wrong " + PASSWORD)
    assert sign_in(auth_client, person.email, PASSWORD).status_code == 200
    for _ in range(9):
        assert sign_in(auth_client, person.email, "wrong " + PASSWORD).status_code == 401
    assert sign_in(auth_client, person.email, PASSWORD).status_code == 200


def test_unknown_emails_are_counted_alike(
    auth_client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    for _ in range(10):
        assert sign_in(auth_client, "Nobody@Example.com", PASSWORD).status_code == 401
    assert sign_in(auth_client, "nobody@example.com", PASSWORD).status_code == 429
    with session_factory() as session:
        stored = session.scalars(select(SignInFailureModel.email).distinct()).all()
    assert stored == ["nobody@example.com"]


def test_the_per_client_budget_answers_429_with_retry_after(
    session_factory: sessionmaker[Session],
) -> None:
    with accounts_app(session_factory, auth_rate_per_minute=3) as client:
        for _ in range(3):
            assert sign_in(client, "a@example.com", PASSWORD).status_code == 401
        refused = sign_in(client, "a@example.com", PASSWORD)
        assert refused.status_code == 429
        # A request's worth refills every 60/3 s, less what the attempts took.
        assert 15 <= int(refused.headers["Retry-After"]) <= 20
        # The task API is not part of the budget.
        assert client.get("/health").status_code == 200


def test_the_per_client_budget_keys_on_the_address_the_proxy_appended(
    session_factory: sessionmaker[Session],
) -> None:
    with accounts_app(session_factory, auth_rate_per_minute=2) as client:

        def attempt(forwarded_for: str) -> int:
            status: int = client.post(
                "/auth/token",
                data={"username": "a@example.com", "password": PASSWORD},
                headers={"X-Forwarded-For": forwarded_for},
            ).status_code
            return status

        # The left end is the client's to write: changing it buys no new budget.
        assert attempt("1.1.1.1, 203.0.113.7") == 401
        assert attempt("2.2.2.2, 203.0.113.7") == 401
        assert attempt("3.3.3.3, 203.0.113.7") == 429
        # Another address, as the proxy saw it, has its own.
        assert attempt("1.1.1.1, 203.0.113.8") == 401


# --- registering ----------------------------------------------------------------------------


def invite(client: TestClient, admin_headers: dict[str, str], email: str, role: str) -> str:
    response = client.post(
        "/invitations", json={"email": email, "role": role}, headers=admin_headers
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def register(client: TestClient, email: str, invitation: str | None = None) -> httpx.Response:
    body = {"email": email, "name": "New Person", "password": PASSWORD}
    if invitation is not None:
        body["invitation"] = invitation
    response: httpx.Response = client.post("/auth/register", json=body)
    return response


def test_an_invitation_registers_its_email_once_with_its_role(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    admin = make_person("admin")
    token = invite(auth_client, admin.headers, "Viewer@Example.com", "viewer")
    response = register(auth_client, "viewer@EXAMPLE.com", token)
    assert response.status_code == 201
    assert response.json()["role"] == "viewer"
    assert response.json()["email"] == "viewer@example.com"
    assert set(response.json()) == {"id", "email", "name", "role", "active", "created_at"}
    assert register(auth_client, "viewer@example.com", token).status_code == 403
    assert sign_in(auth_client, "viewer@example.com", PASSWORD).status_code == 200


@pytest.mark.parametrize("case", ["none", "unknown", "other-email", "expired", "revoked"])
def test_invite_only_registration_refuses_without_a_valid_invitation(
    auth_client: TestClient,
    make_person: MakePerson,
    session_factory: sessionmaker[Session],
    case: str,
) -> None:
    admin = make_person("admin")
    token = invite(auth_client, admin.headers, "new@example.com", "member")
    email = "new@example.com"
    sent: str | None = token
    if case == "none":
        sent = None
    elif case == "unknown":
        sent = "tf_" + "u" * 43
    elif case == "other-email":
        email = "other@example.com"
    elif case == "expired":
        with session_factory() as session, session.begin():
            session.execute(update(InvitationModel).values(expires_at=utcnow()))
    elif case == "revoked":
        (open_one,) = auth_client.get("/invitations", headers=admin.headers).json()
        assert (
            auth_client.delete(f"/invitations/{open_one['id']}", headers=admin.headers)
        ).status_code == 204
    response = register(auth_client, email, sent)
    assert response.status_code == 403
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(UserModel)) == 1  # the admin


def test_an_email_registered_meanwhile_is_a_409(
    auth_client: TestClient, make_person: MakePerson
) -> None:
    admin = make_person("admin")
    token = invite(auth_client, admin.headers, "twice@example.com", "member")
    make_person("member", email="TWICE@example.com")
    assert register(auth_client, "twice@example.com", token).status_code == 409


def test_open_signup_registers_members(session_factory: sessionmaker[Session]) -> None:
    with accounts_app(session_factory, signup="open") as client:
        assert client.get("/").json()["signup"] == "open"
        response = register(client, "anyone@example.com")
        assert response.status_code == 201
        assert response.json()["role"] == "member"
        assert register(client, "ANYONE@example.com").status_code == 409


@pytest.mark.parametrize(
    "password",
    [
        "fourteen chars",  # 14
        "x" * 257,
        "passwordpassword",
        "password12345678",
        "aaaaaaaaaaaaaaaaaaaa",
        "1qaz2wsx3edc4rfv",
    ],
)
def test_passwords_against_the_rules_are_a_422_that_never_repeats_them(
    session_factory: sessionmaker[Session], password: str
) -> None:
    with accounts_app(session_factory, signup="open") as client:
        response = client.post(
            "/auth/register",
            json={"email": "p@example.com", "name": "P", "password": password},
        )
        assert response.status_code == 422
        assert password not in response.text
        assert client.get("/users/me").status_code == 401


def test_a_password_may_be_long_spaced_and_in_any_script(
    session_factory: sessionmaker[Session],
) -> None:
    with accounts_app(session_factory, signup="open") as client:
        password = "  ночь улица фонарь аптека  "
        response = client.post(
            "/auth/register", json={"email": "r@example.com", "name": "R", "password": password}
        )
        assert response.status_code == 201, response.text
        assert sign_in(client, "r@example.com", password).status_code == 200
        assert sign_in(client, "r@example.com", password.strip()).status_code == 401


def test_the_email_itself_is_not_a_password(session_factory: sessionmaker[Session]) -> None:
    with accounts_app(session_factory, signup="open") as client:
        email = "long.enough.address@example.com"
        response = client.post(
            "/auth/register", json={"email": email, "name": "E", "password": email}
        )
        assert response.status_code == 422
        (error,) = response.json()["detail"]
        assert "must not be the email" in error["msg"]
        assert error["input"]["password"] == "[redacted]"


def test_validation_errors_never_repeat_secrets(auth_client: TestClient) -> None:
    secret = "my secret sign-in password"
    missing_email = auth_client.post("/auth/token", data={"password": secret})
    assert missing_email.status_code == 422
    assert secret not in missing_email.text
    wrong_type = auth_client.post(
        "/auth/register",
        json={"email": "not-an-email", "name": "", "password": secret, "invitation": secret},
    )
    assert wrong_type.status_code == 422
    assert secret not in wrong_type.text
    extra = auth_client.post(
        "/auth/register",
        json={"email": "a@example.com", "name": "A", "password": secret, "token": secret},
    )
    assert extra.status_code == 422
    assert secret not in extra.text
