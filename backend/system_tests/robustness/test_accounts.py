"""Accounts against real app processes: every operation by anonymous, viewer and read-token
callers; forged credentials; revocation and throttling across two processes; no secret leaks."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, text, update

from src.database import make_engine
from src.models import CredentialKind, CredentialModel, Scope
from src.security import token_digest
from system_tests.robustness.harness import FAST_FAILURE_ENV, new_database_url
from tests.support.postgres import ThrowawayPostgres
from tests.support.server import AppServer

ADMIN_EMAIL = "admin@example.com"
# The tables a refused request must leave as they were. sign_in_failures is left out on purpose:
# a failed POST /auth/token is meant to be counted there (the per-email throttle).
GUARDED_TABLES = ("tasks", "users", "credentials", "invitations")
REVOCATION_BOUND_S = 5.0  # named by the issue
TOKEN_SHAPE = re.compile(r"^tf_[A-Za-z0-9_-]{43}$")


def new_password() -> str:
    """A password that passes the rules (long, random, not common) and is easy to search for."""
    return "pw-" + secrets.token_urlsafe(18)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def accounts_env(
    admin_password: str, secret_key: str | None = None, **extra: str
) -> dict[str, str]:
    return {
        **FAST_FAILURE_ENV,
        "AUTH_REQUIRED": "true",
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": admin_password,
        "SECRET_KEY": secret_key or secrets.token_urlsafe(32),
        # The per-client budget is tested on its own; here it must not get in the way.
        "AUTH_RATE_PER_MINUTE": "100000",
        **extra,
    }


@dataclass
class Person:
    id: str
    email: str
    password: str
    session: str  # a session token from POST /auth/token


@dataclass
class Site:
    """An accounts-on deployment: its servers (one or two on one database) and its admin."""

    database_url: str
    servers: list[AppServer]
    secret_key: str
    admin: Person
    # Every secret the test has seen: passwords, tokens, invitation tokens.
    secrets: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return self.servers[0].url

    def http(self, index: int = 0) -> httpx.Client:
        return httpx.Client(base_url=self.servers[index].url, timeout=30)


def sign_in(url: str, email: str, password: str) -> str:
    response = httpx.post(
        f"{url}/auth/token", data={"username": email, "password": password}, timeout=30
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    assert TOKEN_SHAPE.match(token), "a session token of an unexpected shape"
    return token


def add_person(site: Site, role: str, *, via: int = 0) -> Person:
    """An invitation by the admin, a registration with it, a sign-in."""
    url = site.servers[via].url
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    invited = httpx.post(
        f"{url}/invitations",
        json={"email": email, "role": role},
        headers=bearer(site.admin.session),
        timeout=30,
    )
    assert invited.status_code == 201, invited.text
    password = new_password()
    registered = httpx.post(
        f"{url}/auth/register",
        json={
            "email": email,
            "name": role.title(),
            "password": password,
            "invitation": invited.json()["token"],
        },
        timeout=30,
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["role"] == role
    site.secrets |= {password, invited.json()["token"]}
    person = Person(registered.json()["id"], email, password, sign_in(url, email, password))
    site.secrets.add(person.session)
    return person


def start_site(database_url: str, *, processes: int = 1, **extra_env: str) -> Site:
    admin_password = new_password()
    secret_key = secrets.token_urlsafe(32)
    env = accounts_env(admin_password, secret_key, **extra_env)
    extra_args = ["--log-level", "debug"] if extra_env.get("LOG_LEVEL") == "DEBUG" else []
    servers: list[AppServer] = []
    try:
        for _ in range(processes):
            # One after the other: the first creates the admin, the next finds it there.
            server = AppServer(database_url, env=env, extra_args=extra_args)
            servers.append(server)
            server.start()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    admin_session = sign_in(servers[0].url, ADMIN_EMAIL, admin_password)
    me = httpx.get(f"{servers[0].url}/users/me", headers=bearer(admin_session), timeout=30)
    assert me.status_code == 200 and me.json()["role"] == "admin", me.text
    admin = Person(me.json()["id"], ADMIN_EMAIL, admin_password, admin_session)
    return Site(database_url, servers, secret_key, admin, secrets={admin_password, admin_session})


@pytest.fixture
def site(database_url: str) -> Iterator[Site]:
    """One accounts-on server, once on SQLite and once on PostgreSQL."""
    deployment = start_site(database_url)
    try:
        yield deployment
    finally:
        for server in deployment.servers:
            server.stop()


@pytest.fixture
def two_processes(postgres: ThrowawayPostgres) -> Iterator[Site]:
    """Two accounts-on servers (same SECRET_KEY) on one PostgreSQL."""
    url = postgres.create_database(f"acc_{uuid.uuid4().hex[:12]}")
    deployment = start_site(url, processes=2)
    try:
        yield deployment
    finally:
        for server in deployment.servers:
            server.stop()


def snapshot(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {
                table: [
                    tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))
                ]
                for table in GUARDED_TABLES
            }
    finally:
        engine.dispose()


# --- Walking /openapi.json -----------------------------------------------------------------

# A valid body for every operation that takes one: a refusal must be about who calls, not about
# what was sent. An operation missing here fails the walk (a new route must be classified).
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/tasks"): {"title": "walked"},
    ("PUT", "/tasks/{task_id}"): {"title": "walked", "status": "done"},
    ("PATCH", "/tasks/{task_id}"): {"title": "walked"},
    ("POST", "/auth/register"): {
        "email": "walker@example.com",
        "name": "Walker",
        "password": "walking-is-good-for-you-42",
    },
    ("PATCH", "/users/me"): {"name": "Walker"},
    ("PUT", "/users/me/password"): {
        "current_password": "not-the-password-at-all",
        "new_password": "walking-is-good-for-you-42",
    },
    ("POST", "/users/me/tokens"): {"name": "walk", "scope": "write", "expires_in_days": 1},
    ("PATCH", "/users/{user_id}"): {"role": "admin", "active": True},
    ("POST", "/invitations"): {"email": "walker@example.com", "role": "admin"},
}
# The sign-in form, with a wrong password (a right one would hand out a credential).
SIGN_IN_FORM = {"username": ADMIN_EMAIL, "password": "not-the-password-at-all"}

TASK_READS = {
    ("GET", "/tasks"): 200,
    ("GET", "/tasks/count"): 200,
    ("GET", "/tasks/stats"): 200,
    ("GET", "/tasks/{task_id}"): 200,
}
TASK_WRITES = {
    ("POST", "/tasks"): 403,
    ("PUT", "/tasks/{task_id}"): 403,
    ("PATCH", "/tasks/{task_id}"): 403,
    ("DELETE", "/tasks/{task_id}"): 403,
}
PUBLIC = {("GET", "/"): 200, ("GET", "/health"): 200}
# Live streams (server-sent events): the walk reads their status and headers and closes them.
# Optional: the walk classifies them where the app serves them.
STREAMS = {("GET", "/events"): 200}
# None: not called in that walk, because the caller may rightly do it to their own account
# (sign out, rename themselves, change their password, make a token) and it would change the
# database; those routes have tests of their own below and in tests/api.
VIEWER_EXPECTS: dict[tuple[str, str], int | None] = {
    **PUBLIC,
    **TASK_READS,
    **TASK_WRITES,
    ("POST", "/auth/token"): 401,
    ("POST", "/auth/logout"): None,
    ("POST", "/auth/register"): 403,
    ("GET", "/users"): 200,
    ("GET", "/users/me"): 200,
    ("PATCH", "/users/me"): None,
    ("PUT", "/users/me/password"): None,
    ("GET", "/users/me/tokens"): 200,
    ("POST", "/users/me/tokens"): None,
    ("DELETE", "/users/me/tokens/{token_id}"): 404,  # nobody's token has a random id
    ("PATCH", "/users/{user_id}"): 403,
    ("GET", "/invitations"): 403,
    ("POST", "/invitations"): 403,
    ("DELETE", "/invitations/{invitation_id}"): 403,
}
# A member's read token: reads like a viewer; writes tasks, manages tokens, passwords and people
# never (all of those need a session, or more).
READ_TOKEN_EXPECTS: dict[tuple[str, str], int | None] = {
    **VIEWER_EXPECTS,
    ("PATCH", "/users/me"): 403,
    ("PUT", "/users/me/password"): 403,
    ("GET", "/users/me/tokens"): 403,
    ("POST", "/users/me/tokens"): 403,
    ("DELETE", "/users/me/tokens/{token_id}"): 403,
}


def operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    }


def call(
    http: httpx.Client,
    method: str,
    path: str,
    ids: dict[str, str],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """One operation with its path filled (a known task's id, else random UUIDs) and a valid
    body."""
    concrete = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), str(uuid.uuid4())), path)
    if (method, path) == ("POST", "/auth/token"):
        return http.request(method, concrete, data=SIGN_IN_FORM, headers=headers)
    if (method, path) in STREAMS:
        with http.stream(method, concrete, headers=headers) as streamed:
            if streamed.status_code != 200:
                streamed.read()  # a refusal is a short JSON body
            return streamed  # else status and headers; the stream is never read to its end
    body = BODIES.get((method, path))
    if body is None and method in {"POST", "PUT", "PATCH"} and path != "/auth/logout":
        raise AssertionError(f"{method} {path}: no example body (classify the new route)")
    return http.request(method, concrete, json=body, headers=headers)


@pytest.fixture
def walk_site(site: Site) -> tuple[Site, dict[str, Any], dict[str, str]]:
    """The site with a task in it, its OpenAPI document and the known ids."""
    with site.http() as http:
        created = http.post("/tasks", json={"title": "guarded"}, headers=bearer(site.admin.session))
        assert created.status_code == 201, created.text
        doc = http.get("/openapi.json").json()
    return site, doc, {"task_id": created.json()["id"]}


def test_openapi_walk_anonymous_gets_401_everywhere_but_the_public_routes_and_changes_nothing(
    walk_site: tuple[Site, dict[str, Any], dict[str, str]],
) -> None:
    site, doc, ids = walk_site
    found = operations(doc)
    assert found >= set(PUBLIC) | set(TASK_WRITES) | {("POST", "/auth/token")}
    before = snapshot(site.database_url)
    with site.http() as http:
        for path in ("/docs", "/openapi.json"):
            assert http.get(path).status_code == 200, path
        for method, path in sorted(found):
            response = call(http, method, path, ids)
            where = f"{method} {path}: {response.status_code} {response.text[:200]}"
            if (method, path) in PUBLIC:
                assert response.status_code == 200, where
            elif (method, path) == ("POST", "/auth/token"):
                assert response.status_code == 401, where  # a wrong password
            elif (method, path) == ("POST", "/auth/register"):
                assert response.status_code == 403, where  # invite mode, no invitation
            else:
                assert response.status_code == 401, where
                assert response.headers.get("www-authenticate", "").startswith("Bearer"), where
                assert set(response.json()) == {"detail"}, where
    assert snapshot(site.database_url) == before


@pytest.mark.parametrize("caller", ["viewer", "read token"])
def test_openapi_walk_with_a_viewer_or_a_read_token_reads_and_is_refused_every_write(
    walk_site: tuple[Site, dict[str, Any], dict[str, str]], caller: str
) -> None:
    site, doc, ids = walk_site
    if caller == "viewer":
        token, expects = add_person(site, "viewer").session, VIEWER_EXPECTS
    else:
        member = add_person(site, "member")
        made = httpx.post(
            f"{site.url}/users/me/tokens",
            json={"name": "reader", "scope": "read", "expires_in_days": 1},
            headers=bearer(member.session),
            timeout=30,
        )
        assert made.status_code == 201, made.text
        token, expects = made.json()["token"], READ_TOKEN_EXPECTS
    expects = {**expects, **{op: code for op, code in STREAMS.items() if op in operations(doc)}}
    assert operations(doc) == set(expects), "classify every operation for this caller"
    before = snapshot(site.database_url)
    called = 0
    with site.http() as http:
        for (method, path), expected in sorted(expects.items()):
            if expected is None:
                continue
            response = call(http, method, path, ids, headers=bearer(token))
            called += 1
            assert response.status_code == expected, (
                f"{caller}: {method} {path}: {response.status_code} {response.text[:200]}"
            )
        # Still signed in: nothing above ended the credential.
        assert http.get("/users/me", headers=bearer(token)).status_code == 200
    assert called >= 15
    assert snapshot(site.database_url) == before


# --- Forged, expired and malformed credentials ---------------------------------------------


def jwt_alg_none(email: str) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"sub": email, "exp": int(time.time()) + 3600, "role": "admin"}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def insert_credential(site: Site, *, token_hash: str, expires_at: datetime) -> None:
    """A session row for the admin written straight into the database."""
    engine = make_engine(site.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(CredentialModel).values(
                    id=str(uuid.uuid4()),
                    user_id=site.admin.id,
                    kind=CredentialKind.SESSION,
                    scope=Scope.WRITE,
                    name=None,
                    token_hash=token_hash,
                    created_at=datetime.now(UTC),
                    expires_at=expires_at,
                )
            )
    finally:
        engine.dispose()


def test_a_credential_row_written_with_the_servers_key_is_accepted(site: Site) -> None:
    """The control for the forgeries below: the way they are written works when keyed right."""
    token = "tf_" + secrets.token_urlsafe(32)
    digest = token_digest(token, site.secret_key.encode())
    insert_credential(site, token_hash=digest, expires_at=datetime.now(UTC) + timedelta(hours=1))
    response = httpx.get(f"{site.url}/users/me", headers=bearer(token), timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["email"] == ADMIN_EMAIL


def test_forged_expired_and_malformed_credentials_are_all_401_never_500(site: Site) -> None:
    unkeyed = "tf_" + secrets.token_urlsafe(32)  # stored as a plain SHA-256: not the server's HMAC
    insert_credential(
        site,
        token_hash=hashlib.sha256(unkeyed.encode()).hexdigest(),
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    wrong_key = "tf_" + secrets.token_urlsafe(32)  # keyed, but with another key
    insert_credential(
        site,
        token_hash=token_digest(wrong_key, secrets.token_bytes(32)),
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    expired = sign_in(site.url, ADMIN_EMAIL, site.admin.password)
    assert httpx.get(f"{site.url}/users/me", headers=bearer(expired), timeout=30).status_code == 200
    engine = make_engine(site.database_url)
    try:
        with engine.begin() as conn:
            changed = conn.execute(
                update(CredentialModel)
                .where(
                    CredentialModel.token_hash == token_digest(expired, site.secret_key.encode())
                )
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
            assert changed.rowcount == 1
    finally:
        engine.dispose()
    valid = site.admin.session
    basic = base64.b64encode(f"{ADMIN_EMAIL}:{site.admin.password}".encode()).decode()
    headers: dict[str, dict[str, str]] = {
        "none": {},
        "random tf_ token": bearer("tf_" + secrets.token_urlsafe(32)),
        "stored unkeyed (sha256)": bearer(unkeyed),
        "stored under another key": bearer(wrong_key),
        "expired": bearer(expired),
        "jwt alg none": bearer(jwt_alg_none(ADMIN_EMAIL)),
        "tf_ + jwt alg none": bearer("tf_" + jwt_alg_none(ADMIN_EMAIL)),
        "valid token without Bearer": {"Authorization": valid},
        "valid token as Token scheme": {"Authorization": f"Token {valid}"},
        "basic with the right password": {"Authorization": f"Basic {basic}"},
        "valid token with a byte changed": bearer(valid[:-1] + ("A" if valid[-1] != "A" else "B")),
        "129 characters": bearer("tf_" + "a" * 126),
        "10 kB": bearer("tf_" + secrets.token_urlsafe(7500)),
        "scheme alone": {"Authorization": "Bearer"},
    }
    with site.http() as http:
        for name, header in headers.items():
            for method, path in (("GET", "/tasks"), ("GET", "/users/me"), ("POST", "/tasks")):
                response = http.request(
                    method,
                    path,
                    headers=header,
                    json={"title": "forged"} if method == "POST" else None,
                )
                assert response.status_code == 401, f"{name}: {method} {path}: {response.text}"
                assert response.headers.get("www-authenticate", "").startswith("Bearer"), name
        # A token in the query string is not a credential either.
        assert http.get("/tasks", params={"access_token": valid}).status_code == 401
        # None of the refusals touched the real session.
        assert http.get("/users/me", headers=bearer(valid)).status_code == 200
        assert http.get("/tasks/count", headers=bearer(valid)).json() == {"total": 0}
    assert "Traceback" not in site.servers[0].log()


# --- Two processes on one PostgreSQL: revocation and throttling ----------------------------


def refused_on(server: AppServer, token: str) -> float:
    """Seconds until `server` first refuses `token` (401), polling; fails after the bound."""
    started = time.monotonic()
    with httpx.Client(base_url=server.url, timeout=10) as http:
        while True:
            response = http.get("/tasks/count", headers=bearer(token))
            elapsed = time.monotonic() - started
            if response.status_code == 401:
                return elapsed
            assert response.status_code == 200, response.text
            assert elapsed < REVOCATION_BOUND_S, f"still accepted after {elapsed:.2f} s"
            time.sleep(0.05)


def accepted_on(server: AppServer, token: str) -> bool:
    response = httpx.get(f"{server.url}/tasks/count", headers=bearer(token), timeout=10)
    return response.status_code == 200


def test_a_session_made_on_one_process_works_on_the_other_and_logout_ends_it_there(
    two_processes: Site,
) -> None:
    a, b = two_processes.servers
    member = add_person(two_processes, "member", via=0)
    assert accepted_on(b, member.session)
    assert httpx.post(f"{a.url}/auth/logout", headers=bearer(member.session)).status_code == 204
    assert refused_on(b, member.session) < REVOCATION_BOUND_S
    assert not accepted_on(a, member.session)


def test_a_password_change_on_one_process_ends_the_other_sessions_and_tokens_on_the_other(
    two_processes: Site,
) -> None:
    a, b = two_processes.servers
    member = add_person(two_processes, "member", via=0)
    other_session = sign_in(b.url, member.email, member.password)
    made = httpx.post(
        f"{b.url}/users/me/tokens",
        json={"name": "script", "scope": "write", "expires_in_days": 1},
        headers=bearer(member.session),
    )
    assert made.status_code == 201, made.text
    api_token = made.json()["token"]
    assert accepted_on(b, other_session) and accepted_on(b, api_token)
    changed = httpx.put(
        f"{a.url}/users/me/password",
        json={"current_password": member.password, "new_password": new_password()},
        headers=bearer(member.session),
    )
    assert changed.status_code == 204, changed.text
    assert refused_on(b, other_session) < REVOCATION_BOUND_S
    assert refused_on(b, api_token) < REVOCATION_BOUND_S
    # The session that changed the password goes on, on both processes.
    assert accepted_on(a, member.session) and accepted_on(b, member.session)
    # The old password no longer signs in.
    old = httpx.post(
        f"{b.url}/auth/token", data={"username": member.email, "password": member.password}
    )
    assert old.status_code == 401


def test_a_deactivation_on_one_process_ends_the_persons_session_on_the_other(
    two_processes: Site,
) -> None:
    a, b = two_processes.servers
    member = add_person(two_processes, "member", via=1)
    assert accepted_on(b, member.session)
    deactivated = httpx.patch(
        f"{a.url}/users/{member.id}",
        json={"active": False},
        headers=bearer(two_processes.admin.session),
    )
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False
    assert refused_on(b, member.session) < REVOCATION_BOUND_S
    again = httpx.post(
        f"{b.url}/auth/token", data={"username": member.email, "password": member.password}
    )
    assert again.status_code == 401


def test_deleting_an_api_token_on_one_process_refuses_it_on_the_other(
    two_processes: Site,
) -> None:
    a, b = two_processes.servers
    member = add_person(two_processes, "member", via=0)
    made = httpx.post(
        f"{a.url}/users/me/tokens",
        json={"name": "script", "scope": "write", "expires_in_days": 1},
        headers=bearer(member.session),
    )
    assert made.status_code == 201, made.text
    created = httpx.post(
        f"{b.url}/tasks", json={"title": "by token"}, headers=bearer(made.json()["token"])
    )
    assert created.status_code == 201, created.text
    assert created.json()["created_by"] == member.id
    deleted = httpx.delete(
        f"{a.url}/users/me/tokens/{made.json()['id']}", headers=bearer(member.session)
    )
    assert deleted.status_code == 204
    assert refused_on(b, made.json()["token"]) < REVOCATION_BOUND_S
    assert accepted_on(b, member.session)  # only the token ended


def test_ten_failed_sign_ins_split_over_two_processes_lock_the_email_on_both(
    two_processes: Site,
) -> None:
    a, b = two_processes.servers
    member = add_person(two_processes, "member", via=0)
    for attempt in range(10):
        server = (a, b)[attempt % 2]
        failed = httpx.post(
            f"{server.url}/auth/token",
            data={"username": member.email, "password": f"wrong-password-number-{attempt}"},
        )
        assert failed.status_code == 401, f"attempt {attempt + 1}: {failed.text}"
    for server in (a, b):
        locked = httpx.post(
            f"{server.url}/auth/token", data={"username": member.email, "password": member.password}
        )
        assert locked.status_code == 429, locked.text
        retry_after = locked.headers.get("retry-after", "")
        assert retry_after.isdigit() and 0 < int(retry_after) <= 15 * 60, retry_after
    # The lock is on signing in, not on the person: an existing session goes on working.
    assert accepted_on(a, member.session) and accepted_on(b, member.session)
    # Another email is not locked.
    assert sign_in(b.url, ADMIN_EMAIL, two_processes.admin.password)


# --- The per-client budget on /auth/* ------------------------------------------------------


def test_the_per_client_budget_is_keyed_on_the_rightmost_forwarded_address(
    tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    url = new_database_url("sqlite", request, tmp_path)
    budget = 5
    env = accounts_env(new_password(), AUTH_RATE_PER_MINUTE=str(budget))
    # As production starts it (render.yaml): uvicorn trusts the proxy's X-Forwarded-For.
    proxied = ["--proxy-headers", "--forwarded-allow-ips=*"]
    with AppServer(url, env=env, extra_args=proxied) as server:

        def attempt(forwarded: str | None) -> httpx.Response:
            headers = {"X-Forwarded-For": forwarded} if forwarded else {}
            return httpx.post(
                f"{server.url}/auth/token",
                data={"username": f"{uuid.uuid4().hex[:8]}@example.com", "password": "x" * 20},
                headers=headers,
            )

        proxy_saw = "203.0.113.7"
        for n in range(budget):
            # The client writes what it likes at the left end; the proxy appends what it saw.
            answered = attempt(f"10.0.0.{n}, {proxy_saw}")
            assert answered.status_code == 401, f"request {n + 1}: {answered.text}"
        refused = attempt(f"10.9.9.9, 192.168.1.1, {proxy_saw}")
        assert refused.status_code == 429, refused.text
        retry_after = refused.headers.get("retry-after", "")
        # 5 a minute refill one every 12 s: whole seconds, within the minute.
        assert retry_after.isdigit() and 1 <= int(retry_after) <= 60, retry_after
        assert attempt(proxy_saw).status_code == 429  # the address alone: the same client
        # Another client (as the proxy saw it) has a budget of its own, as has the bare peer.
        assert attempt("10.0.0.1, 203.0.113.8").status_code == 401
        assert attempt(None).status_code == 401
        # Only /auth/* spends the budget: the throttled client's task requests are answered.
        token = sign_in_from(server, env, "203.0.113.9")
        listed = httpx.get(
            f"{server.url}/tasks",
            headers={**bearer(token), "X-Forwarded-For": proxy_saw},
        )
        assert listed.status_code == 200, listed.text


def sign_in_from(server: AppServer, env: dict[str, str], address: str) -> str:
    response = httpx.post(
        f"{server.url}/auth/token",
        data={"username": ADMIN_EMAIL, "password": env["ADMIN_PASSWORD"]},
        headers={"X-Forwarded-For": address},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


# --- Secrets never leak; the database holds only hashes ------------------------------------


@dataclass
class Recorder:
    """Every response seen, with the secrets it may rightly carry (the one that hands it out)."""

    responses: list[tuple[httpx.Response, set[str]]] = field(default_factory=list)

    def __call__(
        self, http: httpx.Client, method: str, path: str, *, hands_out: str = "", **kwargs: Any
    ) -> httpx.Response:
        response = http.request(method, path, **kwargs)
        self.responses.append((response, {hands_out} if hands_out else set()))
        return response


def test_no_password_token_or_hash_in_any_log_line_or_response_and_the_database_holds_hashes(
    database_url: str,
) -> None:
    """Two processes at DEBUG on one database, through every account flow and its failures."""
    site = start_site(database_url, processes=2, LOG_LEVEL="DEBUG")
    record = Recorder()
    plain: set[str] = set(site.secrets)  # passwords and tokens as typed or handed out
    try:
        with site.http(0) as a, site.http(1) as b:
            admin = bearer(site.admin.session)
            wrong = new_password()
            plain.add(wrong)
            record(b, "POST", "/auth/token", data={"username": ADMIN_EMAIL, "password": wrong})
            record(a, "POST", "/auth/token", data={"password": wrong})  # 422: no username
            invited = record(
                a,
                "POST",
                "/invitations",
                json={"email": "leak@example.com", "role": "member"},
                headers=admin,
            )
            assert invited.status_code == 201, invited.text
            invitation = invited.json()["token"]
            record.responses[-1][1].add(invitation)
            plain.add(invitation)
            too_short = "short-" + secrets.token_hex(4)  # 14 characters: refused, must not echo
            plain.add(too_short)
            bad = record(
                b,
                "POST",
                "/auth/register",
                json={
                    "email": "leak@example.com",
                    "name": "L",
                    "password": too_short,
                    "invitation": invitation,
                },
            )
            assert bad.status_code == 422, bad.text
            forged_invitation = "tf_" + secrets.token_urlsafe(32)
            plain.add(forged_invitation)
            refused = record(
                b,
                "POST",
                "/auth/register",
                json={
                    "email": "leak@example.com",
                    "name": "L",
                    "password": new_password(),
                    "invitation": forged_invitation,
                },
            )
            assert refused.status_code == 403, refused.text
            password = new_password()
            plain.add(password)
            registered = record(
                b,
                "POST",
                "/auth/register",
                json={
                    "email": "leak@example.com",
                    "name": "L",
                    "password": password,
                    "invitation": invitation,
                },
            )
            assert registered.status_code == 201, registered.text
            signed_in = record(
                a,
                "POST",
                "/auth/token",
                data={"username": "leak@example.com", "password": password},
            )
            session = signed_in.json()["access_token"]
            record.responses[-1][1].add(session)
            plain.add(session)
            made = record(
                b,
                "POST",
                "/users/me/tokens",
                json={"name": "s", "scope": "write", "expires_in_days": 1},
                headers=bearer(session),
            )
            assert made.status_code == 201, made.text
            api_token = made.json()["token"]
            record.responses[-1][1].add(api_token)
            plain.add(api_token)
            assert (
                record(
                    a, "POST", "/tasks", json={"title": "t"}, headers=bearer(api_token)
                ).status_code
                == 201
            )
            assert record(b, "GET", "/tasks", headers=bearer(api_token)).status_code == 200
            forged = "tf_" + secrets.token_urlsafe(32)
            plain.add(forged)
            assert record(a, "GET", "/tasks", headers=bearer(forged)).status_code == 401
            assert record(b, "GET", "/users/me/tokens", headers=bearer(session)).status_code == 200
            new = new_password()
            plain.add(new)
            wrong_current = record(
                a,
                "PUT",
                "/users/me/password",
                json={"current_password": wrong, "new_password": new},
                headers=bearer(session),
            )
            assert wrong_current.status_code == 403, wrong_current.text
            weak = record(
                a,
                "PUT",
                "/users/me/password",
                json={"current_password": password, "new_password": too_short},
                headers=bearer(session),
            )
            assert weak.status_code == 422, weak.text
            changed = record(
                b,
                "PUT",
                "/users/me/password",
                json={"current_password": password, "new_password": new},
                headers=bearer(session),
            )
            assert changed.status_code == 204, changed.text
            assert record(a, "GET", "/tasks", headers=bearer(api_token)).status_code == 401
            again = record(
                b, "POST", "/auth/token", data={"username": "leak@example.com", "password": new}
            )
            assert again.status_code == 200, again.text
            record.responses[-1][1].add(again.json()["access_token"])
            plain.add(again.json()["access_token"])
            assert record(b, "POST", "/auth/logout", headers=bearer(session)).status_code == 204
            assert record(a, "GET", "/users/me", headers=bearer(session)).status_code == 401
            assert record(a, "GET", "/users", headers=admin).status_code == 200
            assert record(b, "GET", "/invitations", headers=admin).status_code == 200
    finally:
        for server in site.servers:
            server.stop()

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            tables = {
                table: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table}"))]
                for table in (*GUARDED_TABLES, "sign_in_failures")
            }
            password_hashes = list(conn.execute(text("SELECT password_hash FROM users")).scalars())
            token_hashes = list(conn.execute(select(CredentialModel.token_hash)).scalars())
            token_hashes += list(conn.execute(text("SELECT token_hash FROM invitations")).scalars())
    finally:
        engine.dispose()

    # The database: no raw secret anywhere; passwords as Argon2id, credentials as keyed HMACs.
    for table, rows in tables.items():
        for row in rows:
            for value in row:
                for secret in plain:
                    assert secret not in str(value), f"a raw secret in {table}"
    assert len(password_hashes) == 2
    assert all(h.startswith("$argon2id$") for h in password_hashes)
    assert token_hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in token_hashes)
    key = site.secret_key.encode()
    assert token_digest(site.admin.session, key) in token_hashes  # keyed with SECRET_KEY...
    assert (
        hashlib.sha256(site.admin.session.encode()).hexdigest() not in token_hashes
    )  # ...not bare

    # Logs and responses: no password, token or hash, except where a token is handed out.
    hashes = set(password_hashes) | set(token_hashes)
    hashes |= {token_digest(secret, key) for secret in plain}
    everything = plain | hashes
    logs = [server.log() for server in site.servers]
    assert any(" DEBUG " in log for log in logs), "no server logged at DEBUG"
    for log in logs:
        assert '"POST /auth/token HTTP/1.1" 200' in log, "the log captured no request"
        for secret in everything:
            assert secret not in log, "a secret in a server's log"
    assert len(record.responses) >= 20
    for response, allowed in record.responses:
        seen = response.text + str(response.headers)
        for secret in everything - allowed:
            assert secret not in seen, f"{response.request.method} {response.request.url.path}"
