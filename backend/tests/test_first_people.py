"""How a deployment gets its first people: ADMIN_EMAIL/ADMIN_PASSWORD at start-up, and
`db_init create-user` on a machine with a shell."""

from __future__ import annotations

import io
import os
from pathlib import Path
from unittest import mock

import httpx
import pytest
from sqlalchemy import select

from src import db_init
from src.database import make_engine, make_sessionmaker
from src.models import Role, UserModel
from src.security import verify_password
from tests.conftest import PASSWORD
from tests.support.server import AppServer

DATABASE_VARIABLE = "TASKFLOW_TEST_CREATE_USER_DATABASE"


def people_in(url: str) -> list[UserModel]:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return list(session.scalars(select(UserModel).order_by(UserModel.email)))
    finally:
        engine.dispose()


def create_user(url: str, stdin: str, *args: str) -> int:
    with (
        mock.patch.dict(os.environ, {DATABASE_VARIABLE: url}),
        mock.patch("sys.stdin", io.StringIO(stdin)),
    ):
        return db_init.main(["create-user", *args, "--database-env", DATABASE_VARIABLE])


def test_create_user_reads_the_password_from_stdin(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert create_user(
        fresh_database_url, PASSWORD + "\n", "--email", "Ops@Example.com", "--name", "Ops",
        "--role", "admin",
    ) == 0  # fmt: skip
    (person,) = people_in(fresh_database_url)
    assert (person.email, person.name, person.role) == ("ops@example.com", "Ops", Role.ADMIN)
    assert verify_password(PASSWORD, person.password_hash)
    output = capsys.readouterr()
    assert PASSWORD not in output.out + output.err
    assert "created admin ops@example.com" in output.err


@pytest.mark.parametrize(
    ("stdin", "args", "reason"),
    [
        ("short\n", ["--email", "a@example.com", "--name", "A"], "at least 15 characters"),
        (PASSWORD + "\n", ["--email", "not-an-email", "--name", "A"], "email address"),
        (PASSWORD + "\n", ["--email", "a@example.com", "--name", " "], "at least 1 character"),
    ],
)
def test_create_user_refuses_bad_input_and_says_why(
    fresh_database_url: str,
    capsys: pytest.CaptureFixture[str],
    stdin: str,
    args: list[str],
    reason: str,
) -> None:
    assert create_user(fresh_database_url, stdin, *args) == 2
    err = capsys.readouterr().err
    assert reason in err
    assert stdin.strip() not in err


def test_create_user_refuses_an_email_that_has_an_account(
    fresh_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--email", "a@example.com", "--name", "A"]
    assert create_user(fresh_database_url, PASSWORD + "\n", *args) == 0
    assert (
        create_user(fresh_database_url, PASSWORD + "\n", *args[:1], "A@EXAMPLE.COM", *args[2:]) == 2
    )
    assert "exists already" in capsys.readouterr().err
    assert len(people_in(fresh_database_url)) == 1


def test_the_password_is_never_an_argument() -> None:
    with pytest.raises(SystemExit):
        db_init.parser().parse_args(
            ["create-user", "--email", "a@example.com", "--name", "A", "--password", "x"]
        )


ACCOUNTS_ENV = {
    "AUTH_REQUIRED": "true",
    "ADMIN_EMAIL": "First@Example.com",
    "ADMIN_PASSWORD": PASSWORD,
}


def test_the_first_admin_comes_from_the_environment_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'first.db'}"
    with AppServer(url, env=ACCOUNTS_ENV) as server:
        signed_in = httpx.post(
            f"{server.url}/auth/token", data={"username": "first@example.com", "password": PASSWORD}
        )
        assert signed_in.status_code == 200
        log = server.log()
    assert PASSWORD not in log
    assert "created the first admin" in log
    # A second start with another ADMIN_EMAIL adds nobody: the database has people now.
    with AppServer(url, env={**ACCOUNTS_ENV, "ADMIN_EMAIL": "second@example.com"}) as server:
        assert "created the first admin" not in server.log()
    assert [(p.email, p.role) for p in people_in(url)] == [("first@example.com", Role.ADMIN)]


def log_of_a_refused_start(url: str, env: dict[str, str]) -> str:
    """The output of a server that stops during its start-up."""
    server = AppServer(url, env=env)
    server.start(wait=False)
    try:
        assert server.process is not None
        server.process.wait(timeout=30)
        return server.log()
    finally:
        server.stop()


def test_a_weak_admin_password_stops_the_start_and_is_never_printed(tmp_path: Path) -> None:
    weak = "password12345678"
    log = log_of_a_refused_start(
        f"sqlite:///{tmp_path / 'weak.db'}", {**ACCOUNTS_ENV, "ADMIN_PASSWORD": weak}
    )
    assert "ADMIN_EMAIL/ADMIN_PASSWORD refused: The password is too common" in log
    assert weak not in log


def test_without_an_admin_the_log_says_how_to_make_one(tmp_path: Path) -> None:
    with AppServer(f"sqlite:///{tmp_path / 'none.db'}", env={"AUTH_REQUIRED": "true"}) as server:
        assert httpx.get(f"{server.url}/tasks").status_code == 401
        assert "nobody can sign in yet" in server.log()


def test_an_admin_email_is_checked_as_registration_checks_it(tmp_path: Path) -> None:
    log = log_of_a_refused_start(
        f"sqlite:///{tmp_path / 'email.db'}", {**ACCOUNTS_ENV, "ADMIN_EMAIL": "admin@localhost"}
    )
    assert "ADMIN_EMAIL/ADMIN_PASSWORD refused: 'admin@localhost'" in log
    assert PASSWORD not in log
