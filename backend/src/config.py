"""Settings, read once from the environment or backend/.env and validated at start-up."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from src import __version__


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting is named, its value (a key, a password, a database
    # URL) never printed.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    database_url: str = "sqlite:///./taskflow.db"
    environment: str = "development"
    # NoDecode: the variable is a plain comma-separated list, not JSON.
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:5173", "http://127.0.0.1:5173"]
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    # Pool sizing per worker process. FastAPI's thread pool runs pool_size routes at once (app.py
    # sizes anyio's limiter at start-up), so a route rarely waits for a connection.
    # The overflow serves the rest (the /health probe, start-up); its connections are closed
    # after use.
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    # Seconds a request waits for a pooled connection before answering 503.
    db_pool_timeout: float = Field(default=5.0, gt=0)
    # Seconds to establish a connection (libpq rounds anything under 2 up to 2).
    db_connect_timeout: int = Field(default=3, ge=1)
    # Upper bound on one statement (PostgreSQL), and on unacknowledged TCP data, so a
    # database host that stops answering turns into a 503 instead of a hung worker.
    db_statement_timeout_ms: int = Field(default=10_000, ge=100)
    # How long /health waits for the database before reporting it degraded.
    health_timeout: float = Field(default=1.5, gt=0)

    # Set by Render on every deploy; /health reports it so CI can tell which commit is live.
    render_git_commit: str | None = None

    # Accounts. false is single-user mode: the task API open to anyone who can reach it, for a
    # laptop and for the tutorial's clients; refused in production.
    auth_required: bool = True
    # The first admin, created at start-up when the database has no user yet (a new Render
    # deployment has no shell to run `db_init create-user` in).
    admin_email: str | None = None
    admin_password: SecretStr | None = None
    # invite: only people an admin invited may register; open: anyone may, as a member.
    signup: Literal["invite", "open"] = "invite"
    # Keys the stored hashes of sessions, API tokens and invitations (HMAC-SHA256), so rows
    # written into the database by anyone without it are worthless. Required in production;
    # elsewhere a fixed development key keeps instances on one database agreeing.
    secret_key: SecretStr | None = None
    session_ttl_minutes: int = Field(default=12 * 60, ge=1, le=30 * 24 * 60)
    # Requests a minute one client may send to /auth/* (sign-in, register, logout).
    auth_rate_per_minute: int = Field(default=300, ge=1)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin for origin in (part.strip() for part in value.split(",")) if origin]
        return value

    @field_validator("cors_origins")
    @classmethod
    def add_scheme(cls, origins: list[str]) -> list[str]:
        # Render's fromService hands over a bare host (taskflow-frontend.onrender.com).
        return [
            origin if "://" in origin or origin == "*" else f"https://{origin}"
            for origin in (o.rstrip("/") for o in origins)
        ]

    @field_validator("log_level", mode="before")
    @classmethod
    def upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def production_names_its_origins(self) -> Settings:
        # With `*`, any web page a signed-in person visits could call the API from their
        # browser: in production the web app's own origin must be named.
        if self.is_production and "*" in self.cors_origins:
            raise ValueError("CORS_ORIGINS=* is refused when ENVIRONMENT=production")
        return self

    @field_validator("admin_email", "admin_password", "secret_key", mode="before")
    @classmethod
    def empty_is_unset(cls, value: object) -> object:
        # A variable left blank (a Blueprint prompt skipped) means "not set", not "empty".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("secret_key")
    @classmethod
    def long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters")
        return value

    def refuse_to_serve_unsafely(self) -> None:
        """What the app refuses to serve with (the tools, db_init and migrations, need neither).

        In production the task API is never open to anyone, and credentials are keyed by a
        secret of the deployment's own.
        """
        if self.is_production and not self.auth_required:
            raise ValueError("AUTH_REQUIRED=false is refused when ENVIRONMENT=production")
        if self.is_production and self.auth_required and self.secret_key is None:
            raise ValueError("SECRET_KEY must be set when ENVIRONMENT=production")

    @property
    def version(self) -> str:
        return __version__

    @property
    def is_production(self) -> bool:
        return self.environment.lower() == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
