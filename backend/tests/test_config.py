"""Settings and the one place that turns DATABASE_URL into an engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from src.app import create_app
from src.config import Settings
from src.database import database_url, make_engine, storage_name


@pytest.mark.parametrize(
    "raw",
    [
        "postgres://u:pw@db.example:5432/taskflow",
        "postgresql://u:pw@db.example:5432/taskflow",
        "postgresql+psycopg2://u:pw@db.example:5432/taskflow",
    ],
)
def test_postgres_urls_use_psycopg2(raw: str) -> None:
    url = database_url(raw)

    assert url.drivername == "postgresql+psycopg2"
    assert (url.host, url.port, url.database, url.password) == (
        "db.example",
        5432,
        "taskflow",
        "pw",
    )


def test_engine_hides_the_password_when_rendered() -> None:
    engine = make_engine("postgres://u:s3cret-pw@db.example/taskflow")

    assert "s3cret-pw" not in str(engine.url)
    assert "s3cret-pw" not in repr(engine)
    assert storage_name(engine) == "postgresql"


def test_sqlite_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)

    settings = Settings(_env_file=None)

    assert settings.database_url == "sqlite:///./taskflow.db"
    assert storage_name(make_engine(settings.database_url)) == "sqlite"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    monkeypatch.setenv("CORS_ORIGINS", "app.example.com")

    settings = Settings(_env_file=None)

    assert settings.is_production
    assert settings.log_level == "WARNING"
    assert settings.db_pool_size == 3
    assert settings.cors_origins == ["https://app.example.com"]


def test_invalid_settings_fail_at_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "zero")

    with pytest.raises(ValueError, match="db_pool_size"):
        Settings(_env_file=None)


def test_production_refuses_any_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("CORS_ORIGINS", "https://taskflow-web.onrender.com, *")
    with pytest.raises(ValidationError, match=r"CORS_ORIGINS=\* is refused"):
        Settings(_env_file=None)

    monkeypatch.setenv("ENVIRONMENT", "development")
    assert Settings(_env_file=None).cors_origins[-1] == "*"


def test_the_engine_keeps_statement_parameters_out_of_logged_errors(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'hidden.db'}")
    insert = text("INSERT INTO t VALUES (:x)")
    with pytest.raises(IntegrityError) as failure, engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x TEXT UNIQUE)"))
        connection.execute(insert, {"x": "a secret task title"})
        connection.execute(insert, {"x": "a secret task title"})

    # What a logged error shows: the statement, never a task's content.
    assert "INSERT INTO t" in str(failure.value)
    assert "a secret task title" not in str(failure.value)


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"AUTH_REQUIRED": "false", "SECRET_KEY": "k" * 32}, "AUTH_REQUIRED=false is refused"),
        ({"AUTH_REQUIRED": "true"}, "SECRET_KEY must be set"),
    ],
)
def test_production_serves_only_with_accounts_and_a_key(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], refusal: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("CORS_ORIGINS", "app.example.com")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    with pytest.raises(ValueError, match=refusal):
        create_app(settings)
    # The tools (migrations, the data tool) need neither: the settings themselves are valid.
    assert settings.is_production


def test_production_with_accounts_and_a_key_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("CORS_ORIGINS", "app.example.com")
    monkeypatch.setenv("AUTH_REQUIRED", "true")
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    assert create_app(Settings(_env_file=None)).state.settings.auth_required


def test_a_short_secret_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "s" * 31)
    with pytest.raises(ValidationError, match="at least 32 characters") as refused:
        Settings(_env_file=None)
    assert "s" * 31 not in str(refused.value)


def test_accounts_are_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTH_REQUIRED")  # the suite's single-user mode (conftest)
    settings = Settings(_env_file=None)
    assert (settings.auth_required, settings.signup, settings.auth_rate_per_minute) == (
        True,
        "invite",
        300,
    )


def test_blank_admin_and_key_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ADMIN_EMAIL", "ADMIN_PASSWORD", "SECRET_KEY"):
        monkeypatch.setenv(name, "  ")
    settings = Settings(_env_file=None)
    assert (settings.admin_email, settings.admin_password, settings.secret_key) == (
        None,
        None,
        None,
    )
