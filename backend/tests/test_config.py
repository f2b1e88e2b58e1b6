"""Settings and the one place that turns DATABASE_URL into an engine."""

from __future__ import annotations

import pytest

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
